"""CSRF: every state-changing HTML route refuses a request without a valid token (400).

The requests are made as a signed-in user of every role, so the CSRF check, not the sign-in or
role check, is what refuses them. Nothing may be written: the audit log does not grow.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import TimestampSigner

from rmt.auth.blueprint import renew_session
from rmt.web import csrf as page_tokens
from tests import helpers
from tests.factories import UserFactory
from tests.security.routes import STATE_CHANGING, example_url, html_rules
from tests.security.support import audit_count, signed_in_user_id

ROLES = [("coach", ("MU",)), ("liaison", ("MU",)), ("coordinator", ("MU",)), ("admin", ())]
CSRF_MESSAGE = "Het formulier is verlopen of ongeldig."


def test_there_are_state_changing_routes_to_check(app):
    rules = list(html_rules(app, STATE_CHANGING))
    assert len(rules) >= 10
    assert any(rule.endpoint == "auth.second_factor" for rule, _ in rules)


@pytest.mark.parametrize(("role", "regions"), ROLES)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_every_state_changing_route_needs_a_valid_csrf_token(app, client, login_as, role,
                                                             regions, token):
    user = login_as(role, *regions)
    before = audit_count()
    refused = []
    for rule, method in html_rules(app, STATE_CHANGING):
        data = {"csrf_token": "IjE2YzY5ZjM3In0.aaaa.bbbb"} if token == "wrong" else {}
        response = client.open(example_url(rule), method=method, data=data)
        html = helpers.html(response)
        assert response.status_code == 400, (rule.rule, method, response.status_code)
        assert CSRF_MESSAGE in html, (rule.rule, method)
        assert signed_in_user_id(client) == user.get_id(), (rule.rule, "session lost")
        refused.append(rule.rule)
    assert audit_count() == before, "a request without a valid CSRF token wrote something"
    assert len(refused) >= 10


def test_token_of_another_session_is_refused(app, client, login_as):
    """A token is bound to its session: one taken from an attacker's own session fails."""
    other = app.test_client()
    stolen = helpers.html(other.get("/inloggen"))
    token = stolen.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    login_as("coach", "MU")
    response = client.post("/account/wachtwoord", data={"csrf_token": token})
    assert response.status_code == 400


def test_session_cookie_never_authenticates_the_api(client, login_as):
    """The API is CSRF-exempt because it ignores cookies: a signed-in browser gets 401."""
    login_as("coordinator", "MU")
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/cases", json={}).status_code == 401


TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _tokens(response) -> set[str]:
    return set(TOKEN_RE.findall(helpers.html(response)))


def _frozen_clock(monkeypatch) -> list[float]:
    """A clock the tests move: the minute of rmt.web.csrf and itsdangerous' timestamps."""
    now = [float(int(time.time()) // 60 * 60)]  # the start of a minute
    monkeypatch.setattr(page_tokens, "time", SimpleNamespace(time=lambda: now[0]))
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _signer: int(now[0]))
    return now


def test_a_session_s_pages_share_a_token_signed_within_the_minute(app, client, login_as,
                                                                  monkeypatch):
    """rmt.web.csrf: a token signed once a minute per session serves its pages (the header's
    sign-out form and the page's form alike); Flask-WTF accepts it; the next minute signs a
    new one; another session never gets it."""
    now = _frozen_clock(monkeypatch)
    login_as("coach", "MU")
    client.get("/account/wachtwoord")  # the session gets its CSRF secret
    first = _tokens(client.get("/account/wachtwoord"))
    assert len(first) == 1  # the header's and the form's token are one
    now[0] += 30  # signed again, the token would carry this later time
    assert _tokens(client.get("/")) == first
    (token,) = first
    with app.test_request_context():
        session["csrf_token"] = _raw_secret(client)
        validate_csrf(token)  # what Flask-WTF checks a posted form against
    answer = client.post("/account/wachtwoord", data={
        "csrf_token": token, "current_password": "niet-goed",
        "new_password": "Een-Nieuw-Wachtwoord-2026",
        "new_password_repeat": "Een-Nieuw-Wachtwoord-2026"})
    assert answer.status_code == 400 and CSRF_MESSAGE not in helpers.html(answer)
    assert "Het huidige wachtwoord klopt niet." in helpers.html(answer)
    now[0] += page_tokens.SIGNED_FOR_SECONDS
    later = _tokens(client.get("/account/wachtwoord"))
    assert later and later != first
    other = app.test_client()
    with other.session_transaction() as other_session:
        other_session["_user_id"] = signed_in_user_id(client)
    other.get("/account/wachtwoord")
    assert _tokens(other.get("/account/wachtwoord")).isdisjoint(first | later)


def test_flask_wtf_hands_out_the_kept_token(app, client, login_as, monkeypatch):
    """If Flask-WTF stopped taking the request's token from ``g``, forms would carry tokens of
    their own again: this test says so."""
    now = _frozen_clock(monkeypatch)
    login_as("coach", "MU")
    client.get("/account/wachtwoord")
    with app.test_request_context():
        session["csrf_token"] = _raw_secret(client)
        app.preprocess_request()
        kept = page_tokens.page_token()
        now[0] += 5  # a token Flask-WTF signed itself would carry this time
        assert kept is not None and generate_csrf() == kept


def test_a_new_sign_in_gets_a_token_for_its_new_secret(app, client, auth):
    """The session is cleared at sign-in (``renew_session``): a token kept for its old secret
    must not reach a form after that, in the same request or the next."""
    UserFactory(email="t@test.nl")
    client.get("/inloggen")
    before = _raw_secret(client)
    with app.test_request_context():
        session["csrf_token"] = before
        app.preprocess_request()
        assert generate_csrf() == page_tokens.page_token()  # kept for the old secret
        renew_session()
        token = generate_csrf()
        validate_csrf(token)  # against the session's new secret
    auth.login("t@test.nl")
    page = client.get("/account/wachtwoord")
    after = _raw_secret(client)
    assert after and after != before
    (token,) = _tokens(page)
    with app.test_request_context():
        session["csrf_token"] = after
        validate_csrf(token)


def _raw_secret(client) -> str | None:
    with client.session_transaction() as client_session:
        return client_session.get("csrf_token")
