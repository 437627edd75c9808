"""The signed-in user is loaded through the ORM once per worker thread and then reused while the
account's row and regions are unchanged (``rmt.auth.signed_in``).

These tests run requests as a worker does, each in its own app context and session (the suite's
usual client shares one session across a test's requests, and so never reuses a kept user).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from rmt.auth.models import RegionMembership, Role, User, new_session_token
from rmt.extensions import db
from tests import factories

PAGE = "/account/wachtwoord"


@pytest.fixture
def signed_in(live):
    """A new coach of MU, signed in on a test client of the live app: (client, user id)."""
    server, _data = live
    app = server.app
    with app.app_context():
        factories.bind_session(db.session)
        user = factories.UserFactory(role="coach", regions=["MU"], name="Kees Eerste")
        db.session.commit()
        user_id, session_id = user.id, user.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client, user_id


@contextmanager
def observed(app) -> Iterator[dict[str, list]]:
    """The statements sent and the users the ORM built while the block runs."""
    seen: dict[str, list] = {"statements": [], "loaded": []}

    def statement(_conn, _cursor, text, *_args) -> None:
        seen["statements"].append(text)

    def loaded(target, _context) -> None:
        seen["loaded"].append(target.id)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(User, "load", loaded)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(User, "load", loaded)


def change(app, user_id: int, **values) -> None:
    """Change the account in another session, as another worker or an administrator would."""
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user_id).values(**values))
        db.session.commit()
        db.session.remove()


def test_the_next_page_reuses_the_user_with_one_plain_statement(live, signed_in):
    client, user_id = signed_in
    server, _data = live
    with observed(server.app) as first:
        assert client.get(PAGE).status_code == 200
    assert first["loaded"] == [user_id]
    with observed(server.app) as second:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert second["loaded"] == []  # the kept user, not built again
    reading = [s for s in second["statements"] if "FROM user_account" in s]
    assert len(reading) == 1 and "region_membership" in reading[0] \
        and "notification" in reading[0], reading
    assert "Kees Eerste" in response.get_data(as_text=True)


@pytest.mark.parametrize(("values", "shown"), [
    ({"name": "Kees Tweede"}, "Kees Tweede"),
    ({"role": Role.COORDINATOR}, "Regiocoördinator"),
])
def test_a_changed_account_is_loaded_afresh(live, signed_in, values, shown):
    client, user_id = signed_in
    server, _data = live
    client.get(PAGE)
    change(server.app, user_id, **values)
    with observed(server.app) as seen:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert seen["loaded"] == [user_id]
    assert shown in response.get_data(as_text=True)


def test_a_new_region_is_seen_on_the_next_page(live, signed_in):
    client, user_id = signed_in
    server, _data = live
    client.get(PAGE)
    with server.app.app_context():
        db.session.add(RegionMembership(user_id=user_id, region_code="AM"))
        db.session.commit()
        db.session.remove()
    body = client.get(PAGE).get_data(as_text=True)
    assert "· Regio Amersfoort, Midden-Utrecht</span>" in body


@pytest.mark.parametrize("values", [{"active": False}, {"session_token": new_session_token()}])
def test_a_deactivated_account_or_ended_session_is_refused_at_once(live, signed_in, values):
    client, user_id = signed_in
    server, _data = live
    assert client.get(PAGE).status_code == 200
    change(server.app, user_id, **values)
    response = client.get(PAGE)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_after_a_write_the_expired_user_is_loaded_again(live, signed_in):
    """A writing request's commit expires the user it held; the next page loads them anew
    instead of reading an expired object without a session."""
    client, user_id = signed_in
    server, _data = live
    page = client.get(PAGE).get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = client.post(PAGE, data={"csrf_token": token, "current_password": "fout",
                                      "new_password": "x", "new_password_repeat": "y"})
    assert refused.status_code == 400
    with observed(server.app) as seen:
        assert client.get(PAGE).status_code == 200
    assert seen["loaded"] == [user_id]


def test_each_thread_keeps_its_own_user(live, signed_in):
    client, user_id = signed_in
    server, _data = live
    client.get(PAGE)
    statuses: list[int] = []
    with observed(server.app) as seen:
        other = threading.Thread(target=lambda: statuses.append(client.get(PAGE).status_code))
        other.start()
        other.join(timeout=60)
    assert statuses == [200]
    assert seen["loaded"] == [user_id]  # built in that thread, not borrowed from this one


def test_a_region_taken_away_is_seen_on_the_next_page(live, signed_in):
    client, user_id = signed_in
    server, _data = live
    with server.app.app_context():
        db.session.add(RegionMembership(user_id=user_id, region_code="AM"))
        db.session.commit()
        db.session.remove()
    assert "· Regio Amersfoort, Midden-Utrecht</span>" in client.get(PAGE).get_data(as_text=True)
    with server.app.app_context():
        db.session.execute(sa.delete(RegionMembership).where(
            RegionMembership.user_id == user_id, RegionMembership.region_code == "AM"))
        db.session.commit()
        db.session.remove()
    assert "· Midden-Utrecht</span>" in client.get(PAGE).get_data(as_text=True)


ENROL = "/account/tweede-factor/instellen"
SECRET = re.compile(r'class="utrecht-code rmt-secret">([A-Z2-7 ]+)<')


def test_the_kept_user_is_compared_as_it_is_now_not_as_it_was_loaded(live, signed_in):
    """The enrolment page puts a pending secret on the user it shows (and stores it after the
    read). When the database loses that secret again, the kept object still holding it must not
    be reused: it would show, and accept a code for, a secret that is gone."""
    client, user_id = signed_in
    server, _data = live
    client.get(PAGE)  # the user is kept without a pending secret
    first = SECRET.search(client.get(ENROL).get_data(as_text=True))
    assert first
    change(server.app, user_id, totp_pending_secret=None)
    with observed(server.app) as seen:
        again = SECRET.search(client.get(ENROL).get_data(as_text=True))
    assert seen["loaded"] == [user_id]
    assert again and again[1] != first[1]


def test_signing_out_forgets_the_kept_user(live, signed_in):
    """Nothing of the account (its password hash, its second factor's secret) stays in the
    worker's memory after signing out."""
    client, user_id = signed_in
    server, _data = live
    users = server.app.extensions["rmt.signed_in_users"]
    page = client.get(PAGE).get_data(as_text=True)
    kept = users.kept_user()
    assert kept is not None and sa.inspect(kept).key[1] == (user_id,)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/uitloggen", data={"csrf_token": token}).status_code == 302
    assert users.kept_user() is None
