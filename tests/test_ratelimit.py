"""The rate limits are on views only (rmt.extensions.ViewLimiter skips Flask-Limiter's search for
limits that apply to every view, before every request)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_limiter.util import get_remote_address

from rmt.extensions import ViewLimiter, limiter


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


@pytest.mark.parametrize("setting", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION",
                                     "RATELIMIT_META", "RATELIMIT_IN_MEMORY_FALLBACK"])
def test_a_limit_on_every_view_is_refused_at_start(setting):
    """Configured in production (the environment, a config file), not only in the tests: the
    app does not start (a limiter of its own here: the app's keeps what it was given)."""
    app = Flask(__name__)
    app.config.update({setting: "100 per minute", "RATELIMIT_STORAGE_URI": "memory://"})
    with pytest.raises(RuntimeError, match="limits on views only"):
        ViewLimiter(key_func=get_remote_address).init_app(app)
    plain = Flask(__name__)
    plain.config["RATELIMIT_STORAGE_URI"] = "memory://"
    ViewLimiter(key_func=get_remote_address).init_app(plain)  # none: it starts


def test_a_view_keeps_its_own_limit(app: Flask, client):
    """The sign-in view's limit is checked when the view runs, and answers with its header."""
    token = client.csrf_token()
    response = client.post("/inloggen", data={"csrf_token": token, "email": "x@t.nl",
                                              "password": "x"})
    limit = app.config["RMT_LOGIN_RATE_LIMIT"].split()[0]
    assert response.headers["X-RateLimit-Limit"] == limit
    assert "X-RateLimit-Limit" not in client.get("/inloggen").headers
