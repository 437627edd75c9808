from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.views import SIGN_IN_FAILED_MESSAGE
from rmt.db_types import utcnow
from rmt.extensions import db
from tests import helpers
from tests.factories import DEFAULT_PASSWORD, UserFactory


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_sign_in_and_out(client, auth):
    user = UserFactory(email="coach@test.nl", name="Sanne Coach")
    response = auth.login("COACH@test.nl ")  # case and surrounding spaces do not matter
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Sanne Coach" in helpers.html(client.get("/"))
    assert user.last_login_at is not None
    assert auth.logout().headers["Location"] == "/inloggen"
    assert client.get("/").status_code == 302
    assert audit_actions()[-2:] == ["auth.sign_in", "auth.sign_out"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("coach@test.nl", "verkeerd-wachtwoord"), ("onbekend@test.nl", DEFAULT_PASSWORD)],
)
def test_wrong_credentials_give_one_dutch_message(client, auth, email, password):
    UserFactory(email="coach@test.nl")
    response = auth.login(email, password)
    assert response.status_code == 200
    assert "Het e-mailadres of het wachtwoord klopt niet." in helpers.html(response)
    assert audit_actions()[-1] == "auth.sign_in_failed"


def test_empty_form_errors_at_fields(client):
    response = client.post_form("/inloggen", {"email": "", "password": ""})
    html = helpers.html(response)
    assert response.status_code == 400
    assert "Vul uw e-mailadres in." in html and "Vul uw wachtwoord in." in html
    assert 'aria-describedby="email-fout"' in html


def test_inactive_user_cannot_sign_in(auth):
    UserFactory(email="weg@test.nl", active=False)
    assert "klopt niet" in helpers.html(auth.login("weg@test.nl"))


def test_account_locks_after_repeated_failures(app, auth, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_LOGIN_DELAY_SECONDS", 60)  # no race with the clock
    user = UserFactory(email="doel@test.nl")
    for _ in range(app.config["RMT_MAX_FAILED_LOGINS"]):
        auth.login("doel@test.nl", "fout-wachtwoord")
    assert user.locked_until is not None and user.locked_until > utcnow()
    # even the right password is refused while the account waits, with the one message
    response = auth.login("doel@test.nl")
    assert response.status_code == 200
    assert SIGN_IN_FAILED_MESSAGE in helpers.html(response)
    assert "auth.sign_in_locked" in audit_actions()
    # after the lock expires, the right password works again
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert auth.login("doel@test.nl").status_code == 302


def test_sign_in_is_rate_limited_per_ip(app, client):
    token = client.csrf_token()
    limit = int(app.config["RMT_LOGIN_RATE_LIMIT"].split()[0])
    statuses = [
        client.post("/inloggen", data={"csrf_token": token, "email": f"x{i}@t.nl",
                                       "password": "x"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses[-1] == 429
    assert 429 not in statuses[:-1]
    response = client.post("/inloggen", data={"csrf_token": token, "email": "a", "password": "b"})
    assert "Te veel verzoeken" in helpers.html(response)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/beheer/gebruikers", "/beheer/gebruikers"),
        ("/account/wachtwoord?x=1", "/account/wachtwoord?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http:/evil.example", "/"),
        ("/%0d%0aLocation:%20http://evil", "/%0d%0aLocation:%20http://evil"),
        ("\t//evil.example", "/"),
        ("", "/"),
    ],
)
def test_next_redirect_is_never_open(auth, next_url, expected):
    UserFactory(email="n@test.nl")
    response = auth.login("n@test.nl", next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_session_is_renewed_at_sign_in(client, auth):
    UserFactory(email="s@test.nl")
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    auth.login("s@test.nl")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_signed_in_user_visiting_login_goes_home(client, login_as):
    login_as("coach", "MU")
    response = client.get("/inloggen")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_deactivation_ends_existing_sessions(client, login_as):
    user = login_as("coach", "MU")
    assert client.get("/").status_code == 200
    user.active = False
    db.session.flush()
    assert client.get("/").status_code == 302
