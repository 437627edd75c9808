"""The notifications page, the unread count in the header, mark as read, preferences; a record
the user can no longer read (another region's) shows nothing."""

from __future__ import annotations

import sqlalchemy as sa

from rmt.auth.models import User
from rmt.extensions import db
from rmt.notifications.models import Delivery, Kind, Notification, Preference
from tests.factories import CaseFactory
from tests.helpers import post, text
from tests.notifications.conftest import FIRST_NAME, LAST_NAME
from tests.querycount import count_statements


def _note(user, case, kind=Kind.CASE_REASSIGNED) -> Notification:
    notification = Notification(user_id=user.id, kind=kind, record_type="case",
                                record_id=case.id, case_id=case.id)
    db.session.add(notification)
    db.session.flush()
    return notification


def test_page_lists_links_and_the_header_counts_unread(client, login_as, case):
    user = login_as("coach", "MU")
    first = _note(user, case)
    _note(user, case, Kind.TASK_ASSIGNED)
    page = client.get("/meldingen")
    assert page.status_code == 200
    body = text(page)
    assert f"Traject {case.id} is aan u toegewezen." in body
    assert "Meldingen (2 ongelezen)" in body
    assert f'href="/meldingen/{first.id}"' in page.get_data(as_text=True)
    assert FIRST_NAME not in body and LAST_NAME not in body


def test_opening_marks_read_and_goes_to_the_record(client, login_as, case):
    user = login_as("coach", "MU")
    notification = _note(user, case)
    answer = client.get(f"/meldingen/{notification.id}")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/trajecten/{case.id}"
    db.session.refresh(notification)
    assert notification.read_at is not None
    assert "ongelezen" not in text(client.get("/meldingen"))


def test_mark_one_and_mark_all_read(client, login_as, case):
    user = login_as("coach", "MU")
    one, two, _three = (_note(user, case) for _ in range(3))
    assert post(client, f"/meldingen/{one.id}/gelezen").status_code == 302
    db.session.refresh(one)
    db.session.refresh(two)
    assert one.read_at is not None and two.read_at is None
    assert "Meldingen (2 ongelezen)" in text(client.get("/meldingen"))
    post(client, "/meldingen/alles-gelezen")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.read_at.is_(None))) == 0


def test_someone_elses_notification_is_a_404(client, login_as, case):
    owner = case.coach
    notification = _note(owner, case)
    login_as("coach", "MU")
    assert client.get(f"/meldingen/{notification.id}").status_code == 404
    assert post(client, f"/meldingen/{notification.id}/gelezen").status_code == 404
    db.session.refresh(notification)
    assert notification.read_at is None


def test_cross_region_record_shows_nothing(client, login_as):
    """A notification about a record in another region (the case moved, or the user's regions
    changed): no text, no number, no link; opening it is a 404."""
    elsewhere = CaseFactory(region_code="AM", candidate__last_name=LAST_NAME)
    user = login_as("coach", "MU")
    notification = _note(user, elsewhere)
    page = client.get("/meldingen")
    body = text(page)
    assert "niet (meer) voor u beschikbaar" in body
    assert f"traject {elsewhere.id}" not in body.lower() and LAST_NAME not in body
    assert f'href="/meldingen/{notification.id}"' not in page.get_data(as_text=True)
    assert client.get(f"/meldingen/{notification.id}").status_code == 404


def test_header_count_is_one_query_and_only_for_signed_in_users(client, login_as, case):
    assert "Meldingen" not in text(client.get("/inloggen"))
    user = login_as("coach", "MU")
    for _ in range(5):
        _note(user, case)
    with count_statements(cold=True) as statements:
        client.get("/wachtwoord")
    counts = [s for s in statements if "FROM notification" in s]
    assert len(counts) == 1 and "count(" in counts[0].lower()


def test_page_queries_do_not_grow_with_notifications(client, login_as, case):
    user = login_as("coach", "MU")
    user_id = user.id
    _note(user, case)
    with count_statements(cold=True) as few:
        client.get("/meldingen")
    user = db.session.get(User, user_id)  # the cold count detached it
    for _ in range(10):
        _note(user, CaseFactory(region_code="MU", coach=user))
    with count_statements(cold=True) as many:
        client.get("/meldingen")
    assert len(many) == len(few)


def test_preferences_page_saves_per_kind(client, login_as):
    user = login_as("coordinator", "MU")
    page = client.get("/meldingen/instellingen")
    assert page.status_code == 200
    assert 'for="voucher_requested">Voucheraanvraag wacht op besluit</label>' in page.get_data(
        as_text=True)
    answer = client.post_form("/meldingen/instellingen", {
        **{kind.value: Delivery.IMMEDIATELY.value for kind in Kind},
        "voucher_requested": Delivery.DIGEST.value, "pv_ready": Delivery.APP.value})
    assert answer.status_code == 302
    stored = {p.kind: p.delivery for p in db.session.scalars(
        sa.select(Preference).where(Preference.user_id == user.id))}
    assert stored[Kind.VOUCHER_REQUESTED] == Delivery.DIGEST
    assert stored[Kind.PV_READY] == Delivery.APP
    assert stored[Kind.TASK_ASSIGNED] == Delivery.IMMEDIATELY
    again = client.get("/meldingen/instellingen").get_data(as_text=True)
    assert '<option selected value="digest">' in again


def test_preferences_refuse_an_unknown_delivery(client, login_as):
    login_as("coach", "MU")
    answer = client.post_form("/meldingen/instellingen", {
        **{kind.value: Delivery.IMMEDIATELY.value for kind in Kind},
        "voucher_requested": "fax"})
    assert answer.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Preference)) == 0


def test_pages_need_a_sign_in(client):
    for url in ("/meldingen", "/meldingen/instellingen", "/meldingen/1"):
        assert client.get(url).status_code == 302
