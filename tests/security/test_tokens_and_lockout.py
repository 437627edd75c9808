"""API tokens revocable and expiring; accounts locked after repeated failures (password and
second factor); no uploads anywhere."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_wtf.file import FileField

from rmt.auth import service
from rmt.auth.models import ApiToken
from rmt.auth.views import SIGN_IN_FAILED_MESSAGE
from rmt.db_types import utcnow
from rmt.extensions import db
from tests import helpers
from tests.factories import UserFactory
from tests.helpers import bearer_header
from tests.security.support import code, signed_in_user_id, totp_user

TEMPLATES = Path(__file__).resolve().parents[2] / "rmt" / "templates"


def test_api_token_works_until_revoked(client):
    user = UserFactory(role="coach")
    token = service.create_api_token(user)
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 200
    assert service.revoke_api_tokens(user) == 1
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401


def test_api_token_expires(client):
    user = UserFactory(role="coach")
    token = service.create_api_token(user, days=1)
    db.session.flush()
    stored = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash != token and token not in stored.token_hash  # stored hashed
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401


def test_api_token_of_deactivated_user_stops_working(client):
    user = UserFactory(role="coach")
    token = service.create_api_token(user)
    user.active = False
    db.session.flush()
    assert client.get("/api/v1/me", headers=bearer_header(token)).status_code == 401


def test_password_failures_lock_the_account(app, auth, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_LOGIN_DELAY_SECONDS", 60)  # no race with the clock
    user = UserFactory(email="slot@test.nl")
    for _ in range(app.config["RMT_MAX_FAILED_LOGINS"]):
        auth.login("slot@test.nl", "fout")
    assert user.is_locked(utcnow())
    response = auth.login("slot@test.nl")
    assert SIGN_IN_FAILED_MESSAGE in helpers.html(response)
    assert user.last_login_at is None


def test_second_factor_failures_lock_the_account(app, client, auth):
    user = totp_user("coordinator", "MU", email="slot@test.nl")
    wrong = str((int(code()) + 333_333) % 1_000_000).zfill(6)
    auth.login("slot@test.nl", "fout")  # failures of both kinds add up
    auth.login("slot@test.nl")
    for _ in range(app.config["RMT_MAX_FAILED_LOGINS"] - 1):
        client.post_form("/inloggen/code", {"code": wrong}, token_page="/inloggen")
    assert user.is_locked(utcnow())
    auth.login("slot@test.nl")
    assert signed_in_user_id(client) is None


def test_account_page_code_failures_lock_and_end_the_session(app, client, login_as):
    from tests.security.support import SECRET

    user = login_as("coach", "MU", totp_secret=SECRET, totp_enabled_at=utcnow())
    for _ in range(app.config["RMT_MAX_FAILED_LOGINS"]):
        response = client.post_form("/account/tweede-factor/uitschakelen",
                                    {"uit-code": "000000"}, token_page="/account/tweede-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert user.is_locked(utcnow()) and user.totp_enabled
    assert client.get("/").status_code == 302


#: The only places that accept files, each with its own size and type checks: the import
#: (docs/imports.md) and the documents feature, whose service checks size, type (from the
#: content) and file name (rmt/documents/storage.py, docs/security.md).
UPLOAD_TEMPLATES = {"imports/index.html", "documents/_list.html", "documents/upload.html",
                    "documents/detail.html"}
UPLOAD_FORMS = {"rmt.imports.views.UploadForm"}
UPLOAD_FORM_MODULES = {"rmt.documents.forms"}


def test_uploads_only_in_the_import_and_documents_features():
    """No other form accepts files; a new upload must add size/type checks (docs/security.md)."""
    for template in TEMPLATES.rglob("*.html"):
        if template.relative_to(TEMPLATES).as_posix() in UPLOAD_TEMPLATES:
            continue
        text = template.read_text(encoding="utf-8")
        assert not re.search(r'type=["\']?file', text), template
        assert "multipart/form-data" not in text, template
    from flask_wtf import FlaskForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(FlaskForm):
        if (f"{form.__module__}.{form.__qualname__}" in UPLOAD_FORMS
                or form.__module__ in UPLOAD_FORM_MODULES):
            continue
        for name in dir(form):
            field = getattr(form, name, None)
            assert not (getattr(field, "field_class", None) and issubclass(
                field.field_class, FileField)), (form, name)


def test_oversized_bodies_are_refused(client, login_as):
    login_as("coach", "MU")
    response = client.post("/account/wachtwoord", data={"x": "a" * (1024 * 1024 + 10)})
    assert response.status_code == 413
