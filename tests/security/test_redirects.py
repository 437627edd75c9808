"""No open redirect on ``next``, also when it is carried through the second-factor step."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.factories import UserFactory
from tests.security.support import code, totp_user

CASES = [
    ("/trajecten", "/trajecten"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("http:/evil.example", "/"),
    ("\t//evil.example", "/"),
    ("/" + "a" * 2100, "/"),
    ("", "/"),
]


@pytest.mark.parametrize(("next_url", "expected"), CASES)
def test_next_without_second_factor(auth, next_url, expected):
    UserFactory(email="n@test.nl")
    response = auth.login("n@test.nl", next_url=next_url)
    assert response.status_code == 302 and response.headers["Location"] == expected


@pytest.mark.parametrize(("next_url", "expected"), CASES)
def test_next_through_the_code_step(client, auth, next_url, expected):
    totp_user("coordinator", "MU", email="k@test.nl")
    assert auth.login("k@test.nl", next_url=next_url).headers["Location"] == "/inloggen/code"
    response = client.post_form("/inloggen/code", {"code": code()})
    assert response.status_code == 302 and response.headers["Location"] == expected


def test_next_survives_enrolment(client, auth):
    import pyotp

    from tests.security.support import secret_on_page

    UserFactory(email="e@test.nl", role="coordinator", regions=["MU"])
    auth.login("e@test.nl", next_url="https://evil.example/")
    secret = secret_on_page(helpers.html(client.get("/inloggen/tweede-factor")))
    html = helpers.html(client.post_form("/inloggen/tweede-factor",
                            {"code": pyotp.TOTP(secret).now()}))
    assert 'href="/"' in html and "evil.example" not in html
