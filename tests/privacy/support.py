"""Building candidates with everything that can be recorded about them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from rmt.cases.models import (
    CaseEvent,
    CaseTransfer,
    Consent,
    ConsentPurpose,
    Intake,
    Plan,
    PlanActivity,
    TransferStatus,
)
from rmt.db_types import utcnow
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from tests.factories import CandidateFactory, CaseFactory, NoteFactory, TaskFactory, service_type


def months_ago(months: int) -> date:
    return date.today() - timedelta(days=int(months * 30.5))


def rich_case(region: str = "MU", *, closed_months_ago: float | None = 30, candidate=None,
              exit_reason: ExitReason = ExitReason.WERK_LOONDIENST, coach=None):
    """A case with intake, plan, activity, notes, a task, a consent, a transfer and reasons.

    ``closed_months_ago=None`` leaves it open (in ``uitvoering``).
    """
    candidate = candidate or CandidateFactory(first_name="Jan", last_name="Jansen",
                                              email="jan@voorbeeld.nl", phone="0612345678",
                                              postcode="3511 AB")
    closed = closed_months_ago is not None
    extra = {"coach": coach} if coach else {}
    case = CaseFactory(
        candidate=candidate, region_code=region,
        status=CaseState.AFGESLOTEN if closed else CaseState.UITVOERING,
        opened_on=(months_ago(closed_months_ago + 6) if closed else months_ago(3)),
        closed_on=months_ago(closed_months_ago) if closed else None,
        exit_reason=exit_reason if closed else None,
        exit_reason_text="vertrokken naar zus in Spanje" if closed else "", **extra)
    _dated_history(case, exit_reason if closed else None)
    scholing = service_type("scholing")
    db.session.add_all([
        Intake(case=case, motivation="Wil na burn-out weer aan het werk",
               work_history="12 jaar magazijn bij Janssen BV", wishes="parttime",
               obstacles="rugklachten", preferred_sectors="logistiek", completed_at=utcnow()),
        Plan(case=case, goal="Heftruckcertificaat halen", target_sector="logistiek",
             target_occupation="heftruckchauffeur"),
        PlanActivity(case=case, description="Cursus heftruck bij ROC",
                     service_type=scholing),
        Consent(candidate=candidate, purpose=ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS,
                given_on=case.opened_on, recorded_by_id=case.coach_id),
        CaseTransfer(case=case, from_region_code=region, to_region_code="FV",
                     status=TransferStatus.REFUSED, reason="verhuist naar Ede, adres Dorpsstraat 1",
                     decision_note="blijft toch hier", requested_by_id=case.coach_id),
    ])
    NoteFactory(case=case, text="Gesprek over schulden en de scheiding")
    NoteFactory(case=case, text="Belde over sollicitatie")
    TaskFactory(case=case, title="Bel Jan terug over zijn schuldhulp")
    db.session.flush()
    return case


# The steps of rich_case: (days after opening, from, to, reason); then afgesloten at closed_on.
_STEPS = (
    (7, CaseState.AANGEMELD, CaseState.INTAKE, ""),
    (14, CaseState.INTAKE, CaseState.DIAGNOSE, ""),
    (21, CaseState.DIAGNOSE, CaseState.PLAN, ""),
    (35, CaseState.PLAN, CaseState.UITVOERING, ""),
    (40, CaseState.UITVOERING, CaseState.PLAN, "plan klopte niet, vader ziek"),
    (50, CaseState.PLAN, CaseState.UITVOERING, ""),
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _dated_history(case, exit_reason: ExitReason | None) -> None:
    """A step history with real dates (statistics are computed from it): registered on the
    opening day, through intake, diagnose and plan into uitvoering (with one step back), and
    closed with ``exit_reason`` on ``closed_on``."""
    registered, first_step = sorted(case.events, key=lambda e: e.id)  # from CaseFactory
    registered.at = _at(case.opened_on)
    (days, from_status, to_status, reason), *steps = _STEPS
    first_step.at, first_step.from_status, first_step.to_status = (
        _at(case.opened_on + timedelta(days=days)), from_status, to_status)
    for days, from_status, to_status, reason in steps:
        db.session.add(CaseEvent(case=case, region_code=case.region_code,
                                 at=_at(case.opened_on + timedelta(days=days)),
                                 from_status=from_status, to_status=to_status, reason=reason,
                                 user_id=case.coach_id))
    if exit_reason is not None:
        db.session.add(CaseEvent(case=case, region_code=case.region_code,
                                 at=_at(case.closed_on), from_status=CaseState.UITVOERING,
                                 to_status=CaseState.AFGESLOTEN, exit_reason=exit_reason,
                                 user_id=case.coach_id))
    db.session.flush()


_REGISTER_SEQ = itertools.count(1)


def module_records(case, *, voucher_status=None):
    """What the voucher, praktijkverklaring and employer modules record on ``case``: a voucher with
    a step, an issued praktijkverklaring with a werkproces and a step, and a proposal with a step
    that led to a placement with its six-month follow-up. Every free-text field mentions the
    person. Returns the rows by kind."""
    from rmt.employers.models import (
        ContractType,
        FollowUp,
        Placement,
        Proposal,
        ProposalEvent,
        ProposalStatus,
    )
    from rmt.praktijkverklaring.lifecycle import PvStatus
    from rmt.praktijkverklaring.models import PvEvent, PvTrajectory, PvWorkProcess
    from rmt.vouchers.lifecycle import VoucherStatus
    from rmt.vouchers.models import Voucher, VoucherEvent
    from tests.factories import BudgetFactory, TrainingProviderFactory, VacancyFactory
    from tests.praktijkverklaring.factories import (
        MboSchoolFactory,
        QualificationFactory,
        make_employer,
    )

    on, region, coach_id = case.opened_on, case.region_code, case.coach_id
    voucher = Voucher(
        case=case, region_code=region,
        budget=BudgetFactory(region_code=region, year=on.year),
        provider=TrainingProviderFactory(name=f"Heftruckschool {case.id}"),
        course_name="Heftruckcertificaat", start_on=on, end_on=on + timedelta(days=30),
        amount_cents=1_250_00, motivation="Jan heeft schulden en wil snel aan het werk",
        status=voucher_status or VoucherStatus.AFGEROND, requested_by_id=coach_id,
        decided_by_id=coach_id, decision_note="akkoord, gezien zijn situatie thuis",
        invoice_number="F-2023-77")
    voucher_event = VoucherEvent(voucher=voucher, user_id=coach_id,
                                 from_status=VoucherStatus.GESTART,
                                 to_status=VoucherStatus.AFGEROND,
                                 note="Jan belde huilend op, toch geslaagd")
    qualification = QualificationFactory(name="Logistiek medewerker")
    db.session.flush()
    definition = qualification.work_processes[0]
    issued_on = on + timedelta(days=60)
    seq = next(_REGISTER_SEQ)
    trajectory = PvTrajectory(
        case=case, status=PvStatus.UITGEREIKT, school=MboSchoolFactory(name=f"ROC {case.id}"),
        qualification=qualification, employer=make_employer(name=f"Leerbedrijf {case.id}"),
        praktijkopleider="Karin Verhoef", created_by_id=coach_id,
        register_region_code=region, register_year=issued_on.year, register_seq=seq,
        register_number=f"PV-{region}-{issued_on.year}-{seq:04d}", issued_on=issued_on)
    work_process = PvWorkProcess(trajectory=trajectory, definition_id=definition.id,
                                 code=definition.code, name=definition.name)
    pv_event = PvEvent(trajectory=trajectory, case_id=case.id, user_id=coach_id,
                       from_status=PvStatus.VASTGESTELD, to_status=PvStatus.UITGEREIKT,
                       reason="uitgereikt ondanks zijn ziekte")
    vacancy = VacancyFactory(region_code=region, opened_on=on, title=f"Heftruckchauffeur {case.id}")
    proposal = Proposal(case=case, vacancy=vacancy, region_code=region, proposed_by_id=coach_id,
                        status=ProposalStatus.AANGENOMEN, proposed_on=on + timedelta(days=10),
                        decided_on=on + timedelta(days=20),
                        note="Jan is nerveus voor gesprekken")
    proposal_event = ProposalEvent(proposal=proposal, user_id=coach_id,
                                   from_status=ProposalStatus.VOORGESTELD,
                                   to_status=ProposalStatus.AANGENOMEN,
                                   note="werkgever vond hem sympathiek")
    placement = Placement(case=case, employer=vacancy.employer, proposal=proposal,
                          job_title="Heftruckchauffeur", contract_type=ContractType.TIJDELIJK,
                          hours_per_week=32, start_on=on + timedelta(days=30),
                          end_on=on + timedelta(days=300),
                          end_reason="ontslagen na ruzie met een collega",
                          created_by_id=coach_id)
    follow_up = FollowUp(placement=placement, months=6, due_on=on + timedelta(days=212),
                         still_employed=True, outcome_reason="Jan zit goed op zijn plek",
                         recorded_on=on + timedelta(days=212), recorded_by_id=coach_id)
    db.session.add_all([voucher, voucher_event, trajectory, work_process, pv_event, proposal,
                        proposal_event, placement, follow_up])
    db.session.flush()
    return {"voucher": voucher, "voucher_event": voucher_event, "trajectory": trajectory,
            "work_process": work_process, "pv_event": pv_event, "proposal": proposal,
            "proposal_event": proposal_event, "placement": placement, "follow_up": follow_up}
