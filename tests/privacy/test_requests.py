"""The register of privacy requests: recorded by whoever may see the case, due one month after
receipt, waiting for the region's privacy handler, who closes it; audited, region-scoped, and
counted for the coordinator's start page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases import service as cases
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.notifications.models import Kind, Notification
from rmt.privacy import requests
from rmt.privacy.models import PrivacyRequest, RequestOutcome, RequestStatus
from rmt.privacy.queries import waiting_privacy_requests
from rmt.process import CaseState
from tests import helpers
from tests.factories import CaseFactory, UserFactory
from tests.querycount import count_statements


@pytest.fixture
def case(coach):
    return CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)


def record(user, case, *, kind="inzage", received_on=None, note=""):
    return requests.record_request(user, case, kind=kind,
                                   received_on=received_on or clock.today(), note=note)


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 1, 15), date(2026, 2, 15)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2028, 1, 31), date(2028, 2, 29)),
    (date(2026, 12, 31), date(2027, 1, 31)),
])
def test_due_one_calendar_month_after_receipt(received, due):
    assert requests.due_date(received) == due == clock.add_months(received, 1)


def test_coach_records_and_the_region_handlers_are_notified(coach, coordinator, case):
    other = UserFactory(role="coordinator", regions=["AM"])
    received = clock.today() - timedelta(days=3)
    item = record(coach, case, kind="verwijdering", received_on=received,
                  note="Per brief ontvangen; vraagt om verwijdering van het hele dossier.")
    assert (item.status, item.region_code, item.due_on) == (
        RequestStatus.OPEN, "MU", clock.add_months(received, 1))
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "privacy_request.record"))
    assert (entry.object_id, entry.region_code) == (str(item.id), "MU")
    assert f"traject {case.id}: verwijdering" in entry.summary
    told = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == Kind.PRIVACY_REQUEST)).all()
    assert told == [coordinator.id]  # not the coach who recorded it, not another region
    assert other.id not in told


@pytest.mark.parametrize("note", [
    "Mail van jan.jansen@example.nl", "Bel terug op 06 1234 5678",
    "Geboren 14-03-1985", "Sinds 2026-01-02 bekend",
])
def test_notes_refuse_personal_data(coach, case, note):
    with pytest.raises(DomainError, match="Noteer geen persoonsgegevens") as refused:
        record(coach, case, note=note)
    assert refused.value.field == "note"


def test_receipt_date_and_kind_are_checked(coach, case):
    with pytest.raises(DomainError, match="toekomst"):
        record(coach, case, received_on=clock.today() + timedelta(days=1))
    with pytest.raises(DomainError, match="jaar"):
        record(coach, case, received_on=clock.today() - timedelta(days=400))
    with pytest.raises(DomainError, match="soort"):
        record(coach, case, kind="klacht")


def test_only_the_handler_closes_with_an_outcome(coach, coordinator, case):
    item = record(coach, case)
    with pytest.raises(Forbidden):
        requests.close_request(coach, item, outcome="uitgevoerd")
    with pytest.raises(DomainError, match="motivering"):
        requests.close_request(coordinator, item, outcome="afgewezen")
    requests.close_request(coordinator, item, outcome="afgewezen",
                           outcome_note="Kennelijk ongegrond: herhaald verzoek.")
    assert (item.status, item.outcome, item.closed_by_id) == (
        RequestStatus.CLOSED, RequestOutcome.REFUSED, coordinator.id)
    assert helpers.count(AuditEntry, AuditEntry.action == "privacy_request.close") == 1
    with pytest.raises(Conflict):
        requests.close_request(coordinator, item, outcome="uitgevoerd")


def test_waiting_count_for_the_start_page(coach, coordinator, case):
    am_coordinator = UserFactory(role="coordinator", regions=["AM"])
    first = record(coach, case)
    record(coach, CaseFactory(region_code="MU", coach=coach), kind="bezwaar")
    record(am_coordinator, CaseFactory(region_code="AM"), kind="inzage")
    assert waiting_privacy_requests(coordinator) == 2
    assert waiting_privacy_requests(am_coordinator) == 1
    assert waiting_privacy_requests(coach) == 0  # a coach does not handle them
    requests.close_request(coordinator, first, outcome="uitgevoerd")
    with count_statements() as statements:
        assert waiting_privacy_requests(coordinator) == 1
    assert len(statements) == 1


def test_open_requests_follow_a_transferred_case(coach, coordinator, case):
    item = record(coach, case)
    am_coordinator = UserFactory(role="coordinator", regions=["AM"])
    am_coach = UserFactory(role="coach", regions=["AM"])
    transfer = cases.request_transfer(coach, case, to_region_code="AM", reason="verhuisd",
                                      expected_version=None)
    cases.decide_transfer(am_coordinator, transfer, accept=True, new_coach=am_coach)
    assert item.region_code == "AM"
    assert waiting_privacy_requests(am_coordinator) == 1
    assert waiting_privacy_requests(coordinator) == 0


def test_anonymisation_clears_the_notes_and_keeps_the_register(coach, coordinator, case):
    from rmt.privacy.receivers import clear_request_notes

    item = record(coach, case, note="Telefonisch verzoek")
    clear_request_notes(case.candidate, [case.id])
    db.session.refresh(item)
    assert (item.note, item.kind.value) == ("", "inzage")


# ---------------------------------------------------------------------------------------------
# Pages


def test_journey_through_the_pages(client, login_as, coordinator):
    coach = login_as("coach", "MU")
    case = CaseFactory(region_code="MU", coach=coach)
    page = client.get(f"/trajecten/{case.id}")
    assert "Privacyverzoek vastleggen" in helpers.html(page)
    form = client.get(f"/privacy/trajecten/{case.id}/verzoeken/nieuw")
    assert form.status_code == 200 and "Soort verzoek" in helpers.html(form)
    received = clock.today() - timedelta(days=40)
    refused = client.post_form(f"/privacy/trajecten/{case.id}/verzoeken/nieuw",
                               {"kind": "inzage", "received_on": received.isoformat(),
                                "note": "mail van a@b.nl"})
    assert refused.status_code == 400 and "Noteer geen persoonsgegevens" in helpers.html(refused)
    done = client.post_form(f"/privacy/trajecten/{case.id}/verzoeken/nieuw",
                            {"kind": "inzage", "received_on": received.isoformat(),
                             "note": "Per post ontvangen."})
    item = db.session.scalar(sa.select(PrivacyRequest))
    assert done.status_code == 302 and done.headers["Location"] == f"/privacy/verzoeken/{item.id}"
    newer = requests.record_request(coordinator, case, kind="bezwaar",
                                    received_on=clock.today())
    listing = helpers.html(client.get("/privacy/verzoeken"))
    # overdue first, then the newer one
    assert listing.index(f"Verzoek {item.id}") < listing.index(f"Verzoek {newer.id}")
    assert "Termijn verlopen" in listing
    detail = helpers.html(client.get(f"/privacy/verzoeken/{item.id}"))
    assert "wacht op de privacybehandelaar" in detail and "Verzoek afhandelen" not in detail
    # a coach cannot close it
    assert helpers.post(client, f"/privacy/verzoeken/{item.id}/afhandelen",
                        {"outcome": "uitgevoerd"}).status_code == 403


def test_the_handler_closes_it_on_its_page(client, login_as, coach, case):
    item = record(coach, case)
    login_as("coordinator", "MU")
    detail = helpers.html(client.get(f"/privacy/verzoeken/{item.id}"))
    assert "Verzoek afhandelen" in detail
    assert f"/privacy/kandidaten/{case.candidate_id}" in detail  # the inzage flow
    response = client.post_form(f"/privacy/verzoeken/{item.id}/afhandelen",
                                {"outcome": "uitgevoerd", "outcome_note": "",
                                 "version": str(item.version)},
                                token_page=f"/privacy/verzoeken/{item.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy/verzoeken"
    db.session.refresh(item)
    assert item.status == RequestStatus.CLOSED
    assert "Er wachten geen privacyverzoeken" in helpers.html(client.get("/privacy/verzoeken"))
    closed = helpers.html(client.get("/privacy/verzoeken?status=afgehandeld"))
    assert f"Verzoek {item.id}" in closed and "Uitgevoerd" in closed


def test_another_regions_request_is_a_404(client, login_as, coach, case):
    item = record(coach, case)
    login_as("coordinator", "AM")
    assert client.get(f"/privacy/verzoeken/{item.id}").status_code == 404
    assert helpers.post(client, f"/privacy/verzoeken/{item.id}/afhandelen",
                        {"outcome": "uitgevoerd"}).status_code == 404
    assert client.get(f"/privacy/trajecten/{case.id}/verzoeken/nieuw").status_code == 404
    assert helpers.post(client, f"/privacy/trajecten/{case.id}/verzoeken/nieuw",
                        {"kind": "inzage"}).status_code == 404
    assert f"Verzoek {item.id}" not in helpers.html(client.get("/privacy/verzoeken"))
    assert client.get("/privacy/verzoeken/999999").status_code == 404
    assert item.status == RequestStatus.OPEN


def test_roles_without_the_register_get_403(client, login_as):
    login_as("liaison", "MU")
    assert client.get("/privacy/verzoeken").status_code == 403
