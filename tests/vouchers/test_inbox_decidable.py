"""The voucher inbox lists only requests that can still be decided, warns when the course has
already started, and feeds the coordinator's "Wacht op u" on the start page."""

from __future__ import annotations

from datetime import date, timedelta

from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers import service
from rmt.vouchers.models import Voucher
from tests.factories import CaseFactory
from tests.helpers import html, post, text
from tests.querycount import count_statements

INBOX = "/vouchers/te-beoordelen"


def _inbox_ids(response) -> set[int]:
    main = html(response).split('id="niet-meer-toe-te-kennen"')[0]
    return {v.id for v in db.session.query(Voucher) if f'href="/vouchers/{v.id}"' in main}


def test_closed_or_transferred_cases_leave_the_decisions(client, login_as, make_voucher, coach):
    running = make_voucher()
    closed_case = CaseFactory(coach=coach, region_code="MU", status=CaseState.UITVOERING)
    closed = make_voucher(for_case=closed_case)
    closed_case.status = CaseState.AFGESLOTEN
    moved_case = CaseFactory(coach=coach, region_code="MU", status=CaseState.UITVOERING)
    moved = make_voucher(for_case=moved_case)
    moved_case.region_code = "AM"
    db.session.flush()
    login_as("coordinator", "MU")
    response = client.get(INBOX)
    assert response.status_code == 200
    assert _inbox_ids(response) == {running.id}
    stale = html(response).split('id="niet-meer-toe-te-kennen"')[1]
    assert f'href="/vouchers/{closed.id}"' in stale and f'href="/vouchers/{moved.id}"' in stale
    # Its page offers only what can work: refusing, not granting.
    page = text(client.get(f"/vouchers/{closed.id}"))
    assert "Afwijzen" in page and "Toekennen" not in page
    assert "kan niet meer worden toegekend" in page
    assert post(client, f"/vouchers/{closed.id}/naar/afgewezen",
                {"afgewezen-note": "Traject afgesloten"}).status_code == 302


def test_own_request_waits_for_another_coordinator(client, login_as, make_voucher, coordinator):
    voucher = make_voucher()
    voucher.requested_by_id = coordinator.id  # as if this coordinator had asked for it
    db.session.flush()
    with client.session_transaction() as session:
        session["_user_id"] = coordinator.get_id()
        session["_fresh"] = True
    assert _inbox_ids(client.get(INBOX)) == set()
    assert service.count_awaiting_decision(coordinator) == 0
    colleague = login_as("coordinator", "MU")
    assert _inbox_ids(client.get(INBOX)) == {voucher.id}
    assert service.count_awaiting_decision(colleague) == 1


def test_course_already_started_is_warned(client, login_as, make_voucher):
    late = make_voucher()
    late.start_on = date.today() - timedelta(days=60)
    on_time = make_voucher()
    db.session.flush()
    login_as("coordinator", "MU")
    response = client.get(INBOX)
    page = text(response)
    assert "Bij 1 van deze aanvragen is de opleiding al begonnen" in page
    row_late = html(response).split(f'href="/vouchers/{late.id}"')[1].split("</tr>")[0]
    row_on_time = html(response).split(f'href="/vouchers/{on_time.id}"')[1].split("</tr>")[0]
    assert "Let op: al begonnen" in row_late and "Let op" not in row_on_time
    detail = text(client.get(f"/vouchers/{late.id}"))
    assert "De opleiding is al begonnen" in detail
    assert "De opleiding is al begonnen" not in text(client.get(f"/vouchers/{on_time.id}"))


def test_start_page_counts_the_decidable_requests_and_links_to_the_inbox(
        client, login_as, make_voucher, coach):
    make_voucher()
    make_voucher()
    closed_case = CaseFactory(coach=coach, region_code="MU", status=CaseState.UITVOERING)
    make_voucher(for_case=closed_case)
    closed_case.status = CaseState.AFGESLOTEN
    db.session.flush()
    login_as("coordinator", "MU")
    response = client.get("/")
    assert "Voucheraanvragen 2" in text(response)
    assert f'href="{INBOX}">Voucheraanvragen</a>' in html(response)
    login_as("coordinator", "AM")
    assert "Voucheraanvragen 0" in text(client.get("/"))


def test_inbox_query_count_does_not_grow(client, login_as, make_voucher, coach):
    coach_id = coach.id
    login_as("coordinator", "MU")

    def measure(n: int) -> int:
        owner = db.session.get(type(coach), coach_id)
        for _ in range(n):
            make_voucher(for_case=CaseFactory(coach=owner, region_code="MU",
                                              status=CaseState.UITVOERING))
            closed_case = CaseFactory(coach=owner, region_code="MU", status=CaseState.UITVOERING)
            make_voucher(for_case=closed_case)
            closed_case.status = CaseState.AFGESLOTEN
        db.session.commit()
        db.session.expire_all()
        with count_statements() as statements:
            assert client.get(INBOX).status_code == 200
        return len(statements)

    assert measure(1) == measure(4)
