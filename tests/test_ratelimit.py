"""The rate limits are on views only (rmt.extensions.ViewLimiter skips Flask-Limiter's search for
limits that apply to every view, before every request)."""

from __future__ import annotations

from flask import Flask

from rmt.extensions import limiter


def test_no_limit_applies_to_every_view(app: Flask):
    """What the skipped search would find: no default, application, blueprint or meta limit on
    any endpoint. A limit of that kind added later fails here: ViewLimiter must then search."""
    manager = limiter.limit_manager
    with app.test_request_context():
        for endpoint in app.view_functions:
            blueprint = endpoint.rpartition(".")[0] or None
            limits = manager.resolve_limits(app, endpoint, blueprint, None, in_middleware=True,
                                            marked_for_limiting=False)
            assert not any(limits), (endpoint, limits)
    assert not limiter._meta_limits  # the library keeps them there


def test_a_view_keeps_its_own_limit(app: Flask, client):
    """The sign-in view's limit is checked when the view runs, and answers with its header."""
    token = client.csrf_token()
    response = client.post("/inloggen", data={"csrf_token": token, "email": "x@t.nl",
                                              "password": "x"})
    limit = app.config["RMT_LOGIN_RATE_LIMIT"].split()[0]
    assert response.headers["X-RateLimit-Limit"] == limit
    assert "X-RateLimit-Limit" not in client.get("/inloggen").headers
