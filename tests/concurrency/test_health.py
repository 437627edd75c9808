"""Liveness and readiness: /health/live never touches the database, /health/ready does."""

from __future__ import annotations

import socket

import pytest

from rmt import create_app


def test_live_answers_without_a_database():
    app = create_app({"ENV_NAME": "test", "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_when_the_database_answers(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok"}  # memory:// rate limits: no Redis to check


def test_ready_names_what_failed():
    app = create_app({"ENV_NAME": "test", "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    # Set after create_app: the limiter is one shared extension and must keep its storage.
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"
    response = app.test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json() == {"database": "error", "redis": "error"}
    assert response.headers["Retry-After"]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_ready_checks_redis_when_rate_limits_live_there(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    response = app.test_client().get("/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"database": "ok", "redis": "ok"}
