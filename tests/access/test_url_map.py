"""Every endpoint is either login-protected or on the explicit public allow-list.

This test walks ``app.url_map``; any new route that forgets ``login_required`` (or the API's
Bearer authentication) fails here. It stays in force for every later module.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

PUBLIC_ENDPOINTS = {
    "static",  # CSS
    "auth.login",  # the sign-in page itself
    "main.health",  # load-balancer health check, reveals nothing
    "main.favicon",  # the site icon
    "health.live",  # liveness: the process answers, reveals nothing
    "health.ready",  # readiness: database and Redis answer "ok" or "error", nothing else
    "api-docs.openapi_json",  # the OpenAPI document describes the API, holds no data
}

#: Public too, but only for a configured provider (404 otherwise): the SSO button and the
#: provider's redirect back, which signs in only with a valid ID token (tests/auth/test_sso.py).
SSO_ENDPOINTS = {"auth.sso_start", "auth.sso_callback"}

DUMMY_VALUES = {"int": "1", "string": "x", "default": "x", "path": "x", "uuid":
                "00000000-0000-0000-0000-000000000000"}


def _example_url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.lower().replace("converter", "")
        if kind == "any":  # <any(csv, xlsx):fmt> only builds with one of its own items
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = DUMMY_VALUES.get(kind, "1")
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS | SSO_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_public_allow_list_is_current(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS | SSO_ENDPOINTS, (
        (PUBLIC_ENDPOINTS | SSO_ENDPOINTS) - endpoints)


def test_sso_endpoints_name_a_configured_provider(app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.post("/inloggen/sso/onbekend").status_code == 404
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert client.get("/inloggen/sso/onbekend/terug?code=x&state=y").status_code == 404


def test_every_endpoint_requires_sign_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # reach the view itself, not the CSRF check
    checked = 0
    try:
        for rule, method in _protected_rules(app):
            url = _example_url(rule)
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (rule.endpoint, method, response.status_code)
                assert response.mimetype == "application/problem+json"
            else:
                assert response.status_code == 302, (rule.endpoint, method, response.status_code)
                assert response.headers["Location"].startswith("/inloggen"), rule.endpoint
            checked += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert checked >= 8


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_ENDPOINTS - {"static"}))
def test_public_endpoints_answer_anonymously(app, client, endpoint):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    assert client.get(_example_url(rule)).status_code == 200
