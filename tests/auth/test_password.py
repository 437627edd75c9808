from __future__ import annotations

import pytest

from rmt.auth.service import password_problems, verify_password
from tests import helpers
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW = "Nieuw-Sterk-Wachtwoord-42"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("kort1A!", False),
        ("alleenkleineletters", False),
        ("ALLEENHOOFDLETTERS1", False),
        ("Lang-Genoeg-en-Sterk1", True),
        ("jansen-Sterk-12345", False),  # contains the user's name
    ],
)
def test_strength_rule(password, ok):
    assert (password_problems(password, email="jansen@test.nl", name="Piet Jansen") == []) is ok


def change(client, current, new, repeat=None):
    return client.post_form("/account/wachtwoord", {
        "current_password": current, "new_password": new, "new_password_repeat": repeat or new})


def test_change_own_password(client, login_as):
    user = login_as("coach", "MU")
    old_session_token = user.session_token
    response = change(client, DEFAULT_PASSWORD, NEW)
    assert response.status_code == 302
    assert verify_password(user.password_hash, NEW)
    assert user.session_token != old_session_token
    assert client.get("/").status_code == 200  # this session continues


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("fout", NEW, NEW, "Het huidige wachtwoord klopt niet."),
        (DEFAULT_PASSWORD, "kort", "kort", "Gebruik minstens 12 tekens."),
        (DEFAULT_PASSWORD, NEW, NEW + "x", "De twee nieuwe wachtwoorden zijn niet gelijk."),
        (DEFAULT_PASSWORD, "", "", "Dit veld is verplicht."),
    ],
)
def test_bad_password_change_saves_nothing(client, login_as, current, new, repeat, message):
    user = login_as("coach", "MU")
    before = user.password_hash
    response = change(client, current, new, repeat)
    assert response.status_code == 400
    assert message in helpers.html(response)
    assert user.password_hash == before


def test_other_sessions_end_after_password_change(app, login_as, client):
    user = login_as("coach", "MU")
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = user.get_id()
    assert other.get("/").status_code == 200
    change(client, DEFAULT_PASSWORD, NEW)
    assert other.get("/").status_code == 302


def test_user_factory_password_works():
    user = UserFactory()
    assert verify_password(user.password_hash, DEFAULT_PASSWORD)
