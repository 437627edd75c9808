"""App factory, configuration, security headers and error pages."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from rmt import create_app
from rmt.extensions import db
from tests import helpers


def test_secret_key_generated_into_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("RMT_SECRET_KEY", raising=False)
    monkeypatch.setenv("RMT_INSTANCE_PATH", str(tmp_path))
    first = create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) == 64


def test_a_key_written_by_another_process_in_between_holds(tmp_path, monkeypatch):
    """Gunicorn's workers start together on a new instance folder: a worker that found no key
    and then finds one written in the meantime takes that key (it failed to boot before)."""
    from rmt import _instance_secret_key

    key_file = tmp_path / "secret_key"
    key_file.write_text("a" * 64)
    monkeypatch.setattr(type(key_file), "exists", lambda _path: False)  # checked before it came
    assert _instance_secret_key(tmp_path) == "a" * 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no candidate left behind


def test_a_key_without_hard_links_is_created_in_place(tmp_path, monkeypatch):
    from rmt import _instance_secret_key

    def no_links(_source, _target):
        raise PermissionError("no hard links here")

    monkeypatch.setattr(os, "link", no_links)
    key = _instance_secret_key(tmp_path)
    assert len(key) == 64 and [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert _instance_secret_key(tmp_path) == key


def test_an_empty_key_file_is_refused(tmp_path):
    from rmt import _instance_secret_key

    (tmp_path / "audit_key").write_text("")
    with pytest.raises(RuntimeError, match="empty"):
        _instance_secret_key(tmp_path, "audit_key")


def test_processes_starting_together_agree_on_one_key(tmp_path):
    import multiprocessing

    from rmt import _instance_secret_key

    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        keys = pool.map(_instance_secret_key, [tmp_path] * 12)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert keys[0] == (tmp_path / "secret_key").read_text()
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_default_database_is_instance_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("RMT_DATABASE_URL", raising=False)
    monkeypatch.setenv("RMT_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'rmt.sqlite3'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True  # production default


def test_sqlite_pragmas(tmp_path, monkeypatch):
    monkeypatch.setenv("RMT_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        db.engine.dispose()


def test_security_headers_on_pages(client):
    response = client.get("/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script" not in helpers.html(response)


def test_session_cookie_flags(client, auth, app):
    from tests.factories import UserFactory

    UserFactory(email="c@test.nl")
    cookie = auth.login("c@test.nl").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_error_pages_are_dutch_and_leak_nothing(client, login_as):
    login_as("coach", "MU")
    response = client.get("/bestaat/niet")
    html = helpers.html(response)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html and "Traceback" not in html
    response = client.put("/")
    assert response.status_code == 405 and "Methode niet toegestaan" in response.get_data(
        as_text=True)


def test_post_without_csrf_token_is_refused(client, login_as):
    user = login_as("coach", "MU")
    response = client.post("/account/wachtwoord", data={
        "current_password": "x", "new_password": "y", "new_password_repeat": "y"})
    assert response.status_code == 400
    assert "Het formulier is verlopen of ongeldig" in helpers.html(response)
    assert user.password_changed_at is None


def test_oversized_form_is_413(client):
    response = client.post("/inloggen", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Verzoek te groot" in helpers.html(response)


def test_malformed_inputs_never_500(client, login_as):
    login_as("admin")
    token = client.csrf_token("/beheer/gebruikers/nieuw")
    for data in (
        {"csrf_token": token, "regions": ["MU"] * 50, "role": ["coach", "admin"]},
        {"csrf_token": token, "email": "\x00\x01",
         "name": "\ud800".encode("utf-8", "surrogatepass")},
        {"csrf_token": token, "active": "misschien"},
    ):
        response = client.post("/beheer/gebruikers/nieuw", data=data)
        assert response.status_code == 400
    response = client.post("/beheer/gebruikers/nieuw", data="{{{", content_type="application/json")
    assert response.status_code == 400
    assert client.get("/beheer/gebruikers/99999999999999999999").status_code == 404


def test_health_check(client):
    assert client.get("/gezondheid").json == {"status": "ok"}


def test_regions_inserted_by_migration():
    from rmt.regions.models import Region

    assert dict(db.session.execute(sa.select(Region.code, Region.name)).all()) == {
        "MU": "Midden-Utrecht", "AM": "Regio Amersfoort", "GV": "Gooi- en Vechtstreek",
        "FV": "Foodvalley"}
