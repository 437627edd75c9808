"""Behind a reverse proxy the sign-in limit keys on the client's address (RMT_TRUSTED_PROXIES,
werkzeug ProxyFix); production answers carry Strict-Transport-Security (issue 16, item 7)."""

from __future__ import annotations

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from rmt import HSTS, _trust_proxies, create_app

PROXY = "10.0.0.2"


def _sign_in_statuses(app, forwarded_for: str, attempts: int) -> list[int]:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY  # every request arrives from the proxy
    # The proxy ends TLS: behind a trusted proxy the request counts as HTTPS, so Flask-WTF also
    # wants a same-origin Referer, as a browser sends it.
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https",
               "Referer": "https://localhost/inloggen"}
    return [
        client.post_form("/inloggen", {"email": f"x{i}@test.nl", "password": "x"},
                         headers=headers).status_code
        for i in range(attempts)
    ]


@pytest.fixture
def behind_one_proxy(app, client, monkeypatch):  # client: the test client class with post_form
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored after the test
    monkeypatch.setitem(app.config, "RMT_TRUSTED_PROXIES", 1)
    _trust_proxies(app)
    return app


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(behind_one_proxy):
    limit = int(behind_one_proxy.config["RMT_LOGIN_RATE_LIMIT"].split()[0])
    assert _sign_in_statuses(behind_one_proxy, "203.0.113.9", limit + 1)[-1] == 429
    # another person behind the same proxy is not held up by the first one's attempts
    assert _sign_in_statuses(behind_one_proxy, "198.51.100.20", 1) == [200]


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client):
    limit = int(app.config["RMT_LOGIN_RATE_LIMIT"].split()[0])
    assert 429 not in _sign_in_statuses(app, "203.0.113.9", limit)
    # a forged X-Forwarded-For does not buy a fresh bucket
    assert _sign_in_statuses(app, "198.51.100.20", 1) == [429]


def test_only_the_configured_number_of_hops_is_trusted(behind_one_proxy):
    """With one proxy, a client that sends its own X-Forwarded-For cannot choose its address:
    ProxyFix takes the last entry, which the proxy appended."""
    limit = int(behind_one_proxy.config["RMT_LOGIN_RATE_LIMIT"].split()[0])
    assert 429 not in _sign_in_statuses(behind_one_proxy, "1.1.1.1, 203.0.113.9", limit)
    assert _sign_in_statuses(behind_one_proxy, "2.2.2.2, 203.0.113.9", 1) == [429]


def test_behind_a_trusted_proxy_the_scheme_is_the_clients(behind_one_proxy):
    client = behind_one_proxy.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    token = client.csrf_token()
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    # HTTPS (from the proxy's header) makes Flask-WTF demand a same-origin Referer
    response = client.post("/inloggen", data={"csrf_token": token, "email": "a@test.nl",
                                              "password": "x"}, headers=forwarded)
    assert response.status_code == 400
    response = client.post("/inloggen", data={"csrf_token": token, "email": "a@test.nl",
                                              "password": "x"},
                           headers={**forwarded, "Referer": "https://localhost/inloggen"})
    assert response.status_code == 200


@pytest.mark.parametrize(("hops", "wrapped"), [(0, False), (2, True)])
def test_create_app_applies_proxy_fix_when_configured(hops, wrapped):
    app = create_app({"ENV_NAME": "test", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "RMT_TRUSTED_PROXIES": hops})
    assert isinstance(app.wsgi_app, ProxyFix) is wrapped
    if wrapped:
        assert (app.wsgi_app.x_for, app.wsgi_app.x_proto, app.wsgi_app.x_host) == (2, 2, 0)


@pytest.mark.parametrize(("env", "expected"), [("production", HSTS), ("development", None),
                                               ("test", None)])
def test_hsts_only_in_production(env, expected):
    app = create_app({"ENV_NAME": env, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = app.test_client().get("/health/live")
    assert response.headers.get("Strict-Transport-Security") == expected
    assert HSTS == "max-age=31536000; includeSubDomains"


def test_the_test_app_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/inloggen").headers
