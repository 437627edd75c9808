from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rmt.auth.models import ApiToken
from rmt.auth.service import create_api_token, revoke_api_tokens
from rmt.db_types import utcnow
from rmt.extensions import db
from tests.factories import UserFactory
from tests.helpers import bearer_header


@pytest.fixture
def coach():
    return UserFactory(role="coach", regions=["MU", "AM"], email="api@test.nl")


@pytest.fixture
def token(app, coach):
    with app.test_request_context():
        return create_api_token(coach, label="test")


def test_me(client, coach, token):
    response = client.get("/api/v1/me", headers=bearer_header(token))
    assert response.status_code == 200
    assert response.json == {"id": coach.id, "email": "api@test.nl", "name": coach.name,
                             "role": "coach", "regions": ["AM", "MU"]}


def test_regions(client, token):
    response = client.get("/api/v1/regions", headers=bearer_header(token))
    assert response.json["total"] == 4
    assert {r["code"]: r["name"] for r in response.json["items"]} == {
        "MU": "Midden-Utrecht", "AM": "Regio Amersfoort", "GV": "Gooi- en Vechtstreek",
        "FV": "Foodvalley"}


def test_token_is_stored_hashed_and_usage_recorded(client, coach, token):
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == coach.id))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    client.get("/api/v1/me", headers=bearer_header(token))
    db.session.refresh(stored)
    assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer rmt_nietbestaand"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Bearer \x00\x01"},
    ],
)
def test_missing_or_invalid_token_is_401_problem(client, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401 and response.json["title"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_session_cookie_does_not_authenticate_api(client, login_as):
    login_as("coach", "MU")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_expired_revoked_and_deactivated_tokens_fail(client, coach, token):
    stored = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == coach.id))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401
    stored.expires_at = utcnow() + timedelta(days=1)
    coach.active = False
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401
    coach.active = True
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 200
    revoke_api_tokens(coach)
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/regions"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_unknown_api_path_is_404_problem(client, token):
    response = client.get("/api/v1/bestaat-niet", headers=bearer_header(token))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_wrong_method_is_405_problem(client, token):
    response = client.delete("/api/v1/me", headers=bearer_header(token))
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


def test_oversized_body_is_413_problem(client, token):
    response = client.post("/api/v1/me", data=b"x" * (2 * 1024 * 1024),
                           headers={**bearer_header(token), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_cli_token_prints_once_and_works(app, client, coach):
    result = app.test_cli_runner().invoke(args=["users", "token", "api@test.nl", "--label", "cli"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("rmt_")
    assert client.get("/api/v1/me", headers=bearer_header(token)).json["email"] == "api@test.nl"


def test_cli_token_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["users", "token", "niemand@test.nl"])
    assert result.exit_code != 0 and "Geen actieve gebruiker" in result.output


def test_oversized_body_without_token_is_413(client):
    response = client.post("/api/v1/me", data=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
