"""``/api/v1/imports``: upload, dry run, commit; in the OpenAPI document."""

from __future__ import annotations

import io

from rmt.auth.models import Role
from rmt.cases.models import Case
from tests.factories import UserFactory
from tests.helpers import count
from tests.imports.conftest import candidate_row, make_csv, make_xlsx


def upload(client, headers, data: bytes, name="lijst.xlsx", region="MU"):
    return client.post("/api/v1/imports", headers=headers,
                       data={"kind": "candidates", "region": region,
                             "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_dry_run_commit(client, bearer, coach_mu) -> None:
    headers = bearer(coach_mu)
    data = make_xlsx([candidate_row(1, coach_mu.email), candidate_row(2, coach_mu.email)])
    response = upload(client, headers, data)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["rows"] == 2 and body["mapping"]["first_name"] == "Voornaam"
    token = body["id"]
    dry = client.post(f"/api/v1/imports/{token}/dry-run", headers=headers, json={})
    assert dry.status_code == 200
    assert (dry.json["created"], dry.json["errors"], dry.json["run_id"]) == (2, [], None)
    assert count(Case) == 0
    done = client.post(f"/api/v1/imports/{token}/commit", headers=headers, json={})
    assert done.status_code == 201 and done.json["run_id"]
    assert count(Case) == 2


def test_errors_and_refusals(client, bearer, coach_mu) -> None:
    headers = bearer(coach_mu)
    bad = make_csv([candidate_row(1, coach_mu.email, Geboortedatum="1-1")])
    token = upload(client, headers, bad, "lijst.csv").json["id"]
    done = client.post(f"/api/v1/imports/{token}/commit", headers=headers, json={})
    assert done.status_code == 422 and done.json["errors"][0]["column"] == "Geboortedatum"
    assert count(Case) == 0
    mapped = client.post(f"/api/v1/imports/{token}/dry-run", headers=headers,
                         json={"mapping": {"first_name": "Bestaat niet"}})
    assert mapped.status_code == 422
    assert upload(client, headers, b"%PDF", "x.pdf").status_code == 422
    assert upload(client, headers, bad, "lijst.csv", region="AM").status_code == 422
    other = UserFactory(role=Role.COACH, regions=["MU"])
    stolen = client.post(f"/api/v1/imports/{token}/dry-run", headers=bearer(other), json={})
    assert stolen.status_code == 404
    assert client.post("/api/v1/imports", data={}).status_code == 401


def test_in_openapi(client) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/imports", "/api/v1/imports/{token}/dry-run",
            "/api/v1/imports/{token}/commit"} <= set(paths)


def test_update_on_request(client, bearer, coach_mu) -> None:
    headers = bearer(coach_mu)
    first = upload(client, headers, make_csv([candidate_row(1, coach_mu.email)]), "a.csv")
    client.post(f"/api/v1/imports/{first.json['id']}/commit", headers=headers, json={})
    changed = make_csv([candidate_row(1, coach_mu.email, Postcode="3512CD")])
    token = upload(client, headers, changed, "b.csv").json["id"]
    skipped = client.post(f"/api/v1/imports/{token}/dry-run", headers=headers, json={})
    assert (skipped.json["skipped"], skipped.json["updated"]) == (1, 0)
    updated = client.post(f"/api/v1/imports/{token}/commit", headers=headers,
                          json={"update": True})
    assert updated.status_code == 201 and updated.json["updated"] == 1
