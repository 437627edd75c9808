"""Pages that list candidates, and the audit log itself, write one audit entry per page view
with the ids shown (issue 16, item 9)."""

from __future__ import annotations

import sqlalchemy as sa

from rmt import audit
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CaseFactory, UserFactory


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def test_case_list_view_is_one_entry_with_the_case_ids(client, login_as):
    coordinator = login_as("coordinator", "MU")
    cases = [CaseFactory(region_code="MU", status=CaseState.INTAKE) for _ in range(3)]
    CaseFactory(region_code="AM")  # not shown, not named
    assert client.get("/trajecten").status_code == 200
    written = entries("case.list_view")
    assert len(written) == 1
    shown = set(written[0].summary.removeprefix("ids: ").split(","))
    assert shown == {str(c.id) for c in cases}
    assert written[0].user_id == coordinator.id and written[0].region_code == "MU"
    client.get("/trajecten")
    assert len(entries("case.list_view")) == 2  # one per page view


def test_audit_log_view_is_audited_with_the_entry_ids(client, login_as):
    case = CaseFactory(region_code="MU")
    first = audit.record("case.view", object_type="case", object_id=case.id, region_code="MU",
                         user=case.coach)
    login_as("coordinator", "MU")
    assert client.get("/audit").status_code == 200
    written = entries("audit.list_view")
    assert len(written) == 1 and str(first.id) in written[0].summary.split(": ")[1].split(",")
    assert written[0].region_code == "MU"


def test_proposal_list_names_the_proposals_shown(client, login_as):
    from tests.employers.conftest import World

    world = World()
    liaison = world.liaison["MU"]
    with client.session_transaction() as session:
        session["_user_id"] = liaison.get_id()
        session["_fresh"] = True
    assert client.get("/voordrachten").status_code == 200
    written = entries("proposal.list")
    assert len(written) == 1
    assert written[0].summary == f"ids: {world.proposal['MU'].id}"
    assert str(world.proposal["FV"].id) not in written[0].summary


def test_empty_list_writes_nothing(client, login_as):
    login_as("coach", "GV", name="Lege Lijst")
    UserFactory(role="coach", regions=["GV"])
    client.get("/trajecten")
    assert entries("case.list_view") == []


def test_voucher_lists_name_the_vouchers_shown(client, login_as):
    from datetime import date, timedelta

    from rmt.vouchers import service as voucher_service
    from tests.factories import BudgetFactory, TrainingProviderFactory

    coach = UserFactory(role="coach", regions=["MU"])
    case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)
    budget = BudgetFactory(region_code="MU")
    voucher = voucher_service.request_voucher(
        coach, case, budget_id=budget.id, provider_id=TrainingProviderFactory().id,
        course_name="Heftruck", start_on=date.today() + timedelta(days=14),
        end_on=date.today() + timedelta(days=60), amount_cents=500_00, motivation="m")
    login_as("coordinator", "MU")
    assert client.get("/vouchers/te-beoordelen").status_code == 200
    assert client.get(f"/budgetten/{budget.id}").status_code == 200
    written = entries("voucher.list_view")
    assert [e.summary for e in written] == [f"ids: {voucher.id}"] * 2
    assert written[1].region_code == "MU"


def test_coach_start_page_names_the_cases_shown(client, login_as):
    coach = login_as("coach", "MU")
    cases = [CaseFactory(region_code="MU", coach=coach, status=CaseState.INTAKE)
             for _ in range(2)]
    CaseFactory(region_code="MU", status=CaseState.INTAKE)  # a colleague's: not shown
    assert client.get("/").status_code == 200
    written = entries("case.start_view")
    assert len(written) == 1 and written[0].user_id == coach.id
    assert set(written[0].summary.removeprefix("ids: ").split(",")) == {str(c.id) for c in cases}


def test_liaison_start_page_names_the_cases_behind_the_follow_ups(client):
    from tests.employers.conftest import World

    world = World()
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
        session["_fresh"] = True
    assert client.get("/").status_code == 200
    written = entries("case.start_view")
    assert len(written) == 1
    shown = written[0].summary.removeprefix("ids: ").split(",")
    assert str(world.placement["MU"].case_id) in shown
    assert str(world.placement["FV"].case_id) not in shown
