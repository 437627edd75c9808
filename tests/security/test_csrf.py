"""CSRF: every state-changing HTML route refuses a request without a valid token (400).

The requests are made as a signed-in user of every role, so the CSRF check, not the sign-in or
role check, is what refuses them. Nothing may be written: the audit log does not grow.
"""

from __future__ import annotations

import pytest

from tests import helpers
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
