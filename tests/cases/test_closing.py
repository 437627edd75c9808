"""Closing a case with everything still open on it, the exit to work, and reopening."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases import service
from rmt.cases.models import CaseEvent
from rmt.employers import placements, vacancies
from rmt.employers.models import ProposalStatus
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.praktijkverklaring import service as pv_service
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.process import CaseState, ExitReason
from rmt.stats.models import StatCase
from rmt.stats.scope import TOTAL, Period, Scope
from rmt.stats.service import PLACEMENT_REASONS, exits, intake_and_funnel
from rmt.vouchers import service as voucher_service
from rmt.vouchers.lifecycle import VoucherStatus
from tests.factories import (
    BudgetFactory,
    CaseFactory,
    EmployerFactory,
    ProfileConsentFactory,
    TaskFactory,
    TrainingProviderFactory,
    UserFactory,
    VacancyFactory,
)
from tests.helpers import count
from tests.praktijkverklaring.factories import MboSchoolFactory, QualificationFactory


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach, region_code="MU", status=CaseState.PLAN)


def request_voucher(case, status=VoucherStatus.AANGEVRAAGD, coordinator=None):
    voucher = voucher_service.request_voucher(
        case.coach, case, budget_id=BudgetFactory(region_code=case.region_code).id,
        provider_id=TrainingProviderFactory().id, course_name="Heftruckcertificaat",
        start_on=clock.today() + timedelta(days=14), end_on=clock.today() + timedelta(days=60),
        amount_cents=2_450_00, motivation="Nodig voor de vacature.")
    path = {VoucherStatus.TOEGEKEND: [VoucherStatus.TOEGEKEND],
            VoucherStatus.GESTART: [VoucherStatus.TOEGEKEND, VoucherStatus.GESTART],
            VoucherStatus.AFGEROND: [VoucherStatus.TOEGEKEND, VoucherStatus.GESTART,
                                     VoucherStatus.AFGEROND]}.get(status, [])
    for target in path:
        who = coordinator if target == VoucherStatus.TOEGEKEND else case.coach
        voucher_service.advance(who, voucher, target)
    return voucher


def place(case, start_on=None, contract="tijdelijk"):
    employer = EmployerFactory(regions=[case.region_code])
    return placements.create_placement(case.coach, case, employer, {
        "job_title": "Orderpicker", "contract_type": contract, "hours_per_week": 32,
        "start_on": start_on or clock.today() - timedelta(days=3)})


def close(case, reason="uitval_eigen_keuze", **kwargs):
    return service.close(case.coach, case, exit_reason=reason, expected_version=case.version,
                         **kwargs)


def test_the_confirmation_lists_every_open_item_and_closing_settles_them(case, coach):
    voucher = request_voucher(case)
    school = MboSchoolFactory()
    qualification = QualificationFactory()
    trajectory = pv_service.create(coach, case, school_id=school.id,
                                   qualification_id=qualification.id)
    liaison = UserFactory(role="liaison", regions=["MU"])
    ProfileConsentFactory(candidate=case.candidate, recorded_by_id=coach.id,
                          given_on=clock.today() - timedelta(days=5))
    vacancy = VacancyFactory(employer=EmployerFactory(regions=["MU"]), region_code="MU",
                             created_by=liaison)
    proposal = vacancies.propose(liaison, case, vacancy)
    task = TaskFactory(case=case, owner=coach, title="Cv nabespreken")
    db.session.flush()
    db.session.expire(case)

    kinds = [(item.kind, item.blocks) for item in service.closing_items(case)]
    assert sorted(kinds) == [("praktijkverklaring", False), ("proposal", False),
                             ("task", False), ("voucher", False)]

    event = close(case, reason="doorverwezen")
    db.session.flush()
    assert voucher.status == VoucherStatus.INGETROKKEN
    assert voucher.events[-1].note.startswith(f"Traject {case.id} afgesloten")
    assert trajectory.status == PvStatus.AFGEBROKEN and "afgesloten" in trajectory.abort_reason
    assert proposal.status == ProposalStatus.INGETROKKEN
    assert proposal.events[-1].note.startswith(f"Traject {case.id} afgesloten")
    assert task.done_at is not None and task.closed_reason == service.TASK_CLOSED_REASON
    assert case.status == CaseState.AFGESLOTEN and case.closed_on == clock.today()
    assert "Bij afsluiting:" in event.reason and "Heftruckcertificaat" in event.reason
    # The voucher left the coordinators' inbox: it can no longer be decided.
    assert voucher.id not in {v.id for v in db.session.scalars(voucher_service.inbox_query(
        UserFactory(role="coordinator", regions=["MU"])))}
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id))))
    assert {"case.transition", "voucher.ingetrokken", "pv.transition",
            "proposal.transition"} <= actions
    titles = [item.title for item in service.timeline(case, include_notes=False)]
    assert any("Afgesloten" in title for title in titles)


@pytest.mark.parametrize("status", [VoucherStatus.TOEGEKEND, VoucherStatus.GESTART])
def test_closing_is_refused_while_a_voucher_is_awarded_or_running(case, coordinator, status):
    voucher = request_voucher(case, status, coordinator)
    task = TaskFactory(case=case)
    with pytest.raises(Conflict) as refused:
        close(case)
    assert refused.value.code == "open_items"
    assert "Heftruckcertificaat" in refused.value.message
    assert case.status == CaseState.PLAN and voucher.status == status
    assert task.done_at is None


def test_a_finished_training_stays_to_be_settled(case, coordinator):
    voucher = request_voucher(case, VoucherStatus.AFGEROND, coordinator)
    close(case)
    assert voucher.status == VoucherStatus.AFGEROND
    voucher_service.advance(coordinator, voucher, VoucherStatus.GEDECLAREERD,
                            invoice_number="F-9")
    assert voucher.status == VoucherStatus.GEDECLAREERD


def test_a_praktijkverklaring_under_agreement_blocks(case, coach):
    from tests.praktijkverklaring.conftest import walk
    from tests.praktijkverklaring.factories import make_employer

    qualification = QualificationFactory()
    trajectory = pv_service.create(
        coach, case, school_id=MboSchoolFactory().id, qualification_id=qualification.id,
        employer_id=make_employer(sbb_number="100200300").id, praktijkopleider="K. Verhoef",
        work_process_ids=[wp.id for wp in qualification.work_processes])
    walk(coach, trajectory, PvStatus.IN_LEREN)
    with pytest.raises(Conflict) as refused:
        close(case)
    assert refused.value.code == "open_items"
    assert trajectory.status == PvStatus.IN_LEREN


def test_aftercare_stays_open_after_closing(coach):
    case = CaseFactory(coach=coach, status=CaseState.BEMIDDELING)
    placement = place(case)
    db.session.expire(case)
    items = service.closing_items(case)
    assert [i.kind for i in items] == ["follow_up"] * 3
    close(case, reason="werk_loondienst")
    follow_up_tasks = [f.task for f in placement.follow_ups]
    assert all(t.done_at is None for t in follow_up_tasks)


@pytest.mark.parametrize("reason", sorted(service.WORK_EXITS))
def test_an_exit_to_work_names_a_placement(case, reason):
    with pytest.raises(DomainError) as refused:
        close(case, reason=reason)
    assert refused.value.field == "placement_id" and refused.value.code == "placement_required"
    assert case.status == CaseState.PLAN
    placement = place(case, contract="zzp-opdracht" if reason == "werk_zelfstandig" else "vast")
    close(case, reason=reason)
    db.session.flush()
    assert case.exit_placement_id == placement.id
    steps = [(e.from_status, e.to_status) for e in sorted(case.events, key=lambda e: e.id)]
    assert steps[-2:] == [(CaseState.PLAN, CaseState.GEPLAATST),
                          (CaseState.GEPLAATST, CaseState.AFGESLOTEN)]
    stat = db.session.get(StatCase, case.id)
    assert stat.reached_geplaatst_on == clock.today() and stat.exit_reason == reason


def test_two_placements_ask_which_and_an_unknown_one_is_refused(case):
    place(case)
    second = place(case)
    with pytest.raises(DomainError) as refused:
        close(case, reason="werk_loondienst")
    assert refused.value.code == "placement_choice"
    with pytest.raises(DomainError):
        close(case, reason="werk_loondienst", placement_id=999_999)
    close(case, reason="werk_loondienst", placement_id=str(second.id))
    assert case.exit_placement_id == second.id


def test_every_exit_reason_keeps_placements_and_exits_to_work_consistent(coach):
    """One case per exit reason, from several steps; the figures of the period agree."""
    period = Period(clock.today() - timedelta(days=30), clock.today(), clock.today())
    scope = Scope(("MU",))
    placed_ids = set()
    for number, reason in enumerate(ExitReason):
        step = (CaseState.INTAKE, CaseState.PLAN, CaseState.BEMIDDELING)[number % 3]
        case = CaseFactory(coach=coach, status=step)
        extra = {"exit_reason_text": "verhuisd naar het buitenland"} if reason == "overig" else {}
        if reason in service.WORK_EXITS:
            place(case)
            placed_ids.add(case.id)
        close(case, reason=reason.value, **extra)
    db.session.flush()
    by_reason, placements_count = exits(scope, period)
    assert {r: by_reason[(r.value, TOTAL)] for r in ExitReason} == {r: 1 for r in ExitReason}
    work = sum(by_reason[(r.value, TOTAL)] for r in service.WORK_EXITS)
    # Every exit to work has its placement and passed the step geplaatst.
    assert work == len(placed_ids) == count(
        StatCase, StatCase.exit_reason.in_([r.value for r in service.WORK_EXITS]),
        StatCase.reached_geplaatst_on.is_not(None))
    assert intake_and_funnel(scope, period)[("geplaatst", TOTAL)] >= work
    # The placement figure: the work exits plus behoud van werk, nothing else here.
    assert placements_count[TOTAL] == len(PLACEMENT_REASONS)
    assert placements_count[TOTAL] == sum(by_reason[(r.value, TOTAL)] for r in PLACEMENT_REASONS)


def test_reopen_within_thirty_days(case, coordinator):
    task = TaskFactory(case=case)
    close(case, reason="uitval_onbereikbaar")
    db.session.flush()
    closed_events = count(CaseEvent, CaseEvent.case_id == case.id)
    with pytest.raises(Forbidden):
        service.reopen(case.coach, case, reason="vergissing")
    with pytest.raises(DomainError):
        service.reopen(coordinator, case, reason=" ")
    service.reopen(coordinator, case, reason="Per vergissing afgesloten")
    db.session.flush()
    assert case.status == CaseState.PLAN and case.exit_reason is None and case.closed_on is None
    # The closing stays in the history; the task closed with it stays closed.
    assert count(CaseEvent, CaseEvent.case_id == case.id) == closed_events + 1
    assert task.done_at is not None
    stat = db.session.get(StatCase, case.id)
    assert stat.closed_on is None and stat.exit_reason is None
    assert "case.reopen" in set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == str(case.id))))


def test_reopen_after_thirty_days_is_refused(case, coordinator):
    close(case)
    later = clock.now() + timedelta(days=service.REOPEN_DAYS + 1)
    with pytest.raises(Conflict) as refused:
        service.reopen(coordinator, case, reason="te laat", at=later)
    assert refused.value.code == "reopen_expired"
    service.reopen(coordinator, case, reason="net op tijd",
                   at=clock.now() + timedelta(days=service.REOPEN_DAYS))


def test_reopen_of_a_paused_case_restores_the_pause(coach, coordinator):
    case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    service.transition(coach, case, "gepauzeerd", expected_version=case.version)
    close(case)
    service.reopen(coordinator, case, reason="vergissing")
    assert case.status == CaseState.GEPAUZEERD and case.paused_from == CaseState.DIAGNOSE


def test_reopen_refused_while_the_candidate_has_another_running_case(case, coordinator):
    close(case)
    db.session.flush()
    CaseFactory(candidate=case.candidate, coach=case.coach)
    with pytest.raises(Conflict) as refused:
        service.reopen(coordinator, case, reason="vergissing")
    assert refused.value.code == "open_case_exists"


def test_closing_just_after_midnight_is_dated_in_the_netherlands(case):
    # 00:30 in Amsterdam on 1 March 2027 is still 28 February in UTC.
    with clock.frozen(datetime(2027, 2, 28, 23, 30, tzinfo=UTC)):
        close(case)
    assert case.closed_on == date(2027, 3, 1)
