"""Building candidates with everything that can be recorded about them."""

from __future__ import annotations

from datetime import date, timedelta

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
from tests.factories import CandidateFactory, CaseFactory, NoteFactory, TaskFactory


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
    db.session.add_all([
        Intake(case=case, motivation="Wil na burn-out weer aan het werk",
               work_history="12 jaar magazijn bij Janssen BV", wishes="parttime",
               obstacles="rugklachten", preferred_sectors="logistiek", completed_at=utcnow()),
        Plan(case=case, goal="Heftruckcertificaat halen", target_sector="logistiek",
             target_occupation="heftruckchauffeur"),
        PlanActivity(case=case, description="Cursus heftruck bij ROC"),
        Consent(candidate=candidate, purpose=ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS,
                given_on=case.opened_on, recorded_by_id=case.coach_id),
        CaseTransfer(case=case, from_region_code=region, to_region_code="FV",
                     status=TransferStatus.REFUSED, reason="verhuist naar Ede, adres Dorpsstraat 1",
                     decision_note="blijft toch hier", requested_by_id=case.coach_id),
        CaseEvent(case=case, region_code=region, from_status=CaseState.UITVOERING,
                  to_status=CaseState.PLAN, reason="plan klopte niet, vader ziek",
                  user_id=case.coach_id),
    ])
    NoteFactory(case=case, text="Gesprek over schulden en de scheiding")
    NoteFactory(case=case, text="Belde over sollicitatie")
    TaskFactory(case=case, title="Bel Jan terug over zijn schuldhulp")
    db.session.flush()
    return case
