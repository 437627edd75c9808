"""Placements of candidates with employers and the aftercare after 1, 3 and 6 months.

Candidate data: reached through the case and scoped on its region with :mod:`rmt.access`.
Recording a placement plans the follow-ups as tasks of the coach and sends
:data:`rmt.signals.placement_recorded`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, selectinload

from rmt import audit, clock, signals
from rmt.access import Action, can
from rmt.auth.models import User
from rmt.cases import extensions
from rmt.cases.extensions import OpenItem, WorkPlacement
from rmt.cases.models import Case, Task
from rmt.cases.sectors import as_section
from rmt.db_types import utcnow
from rmt.employers.common import (
    DUE_SOON_DAYS,
    add_months,
    check_hours,
    get_by_id,
    require,
    scoped_case_ids,
    text_input,
)
from rmt.employers.lifecycle import OPEN_PROPOSAL_STATUSES
from rmt.employers.models import (
    FOLLOW_UP_MONTHS,
    ContractType,
    Employer,
    FollowUp,
    Placement,
    Proposal,
    ProposalEvent,
    ProposalStatus,
)
from rmt.employers.registry import resolve_merged
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db


def clean_placement_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise placement input (form or API); DomainError per field."""
    try:
        contract_type = ContractType(data.get("contract_type"))
    except ValueError:
        raise DomainError("Kies het soort contract.", field="contract_type") from None
    start_on = data.get("start_on")
    if not isinstance(start_on, date):
        raise DomainError("Vul de startdatum in.", field="start_on")
    today = clock.today()
    if start_on < today - timedelta(days=366) or start_on > today + timedelta(days=183):
        raise DomainError("Vul een startdatum in tussen een jaar geleden en een half jaar vooruit.",
                          field="start_on")
    end_on = data.get("end_on")
    if end_on is not None and (not isinstance(end_on, date) or end_on < start_on):
        raise DomainError("De einddatum ligt op of na de startdatum.", field="end_on")
    sector = as_section(data.get("sector"))
    if sector is None and data.get("sector") not in (None, ""):
        raise DomainError("Kies een sector (SBI-sectie A tot en met U).", field="sector")
    return {
        "sector": sector,
        "job_title": text_input(data, "job_title", 200, required="Vul de functie in."),
        "contract_type": contract_type,
        "hours_per_week": check_hours(data.get("hours_per_week")),
        "start_on": start_on,
        "end_on": end_on,
    }


def create_placement(user: User, case: Case, employer: Employer | None, data: dict[str, Any],
                     *, proposal: Proposal | None = None) -> Placement:
    """Record a placement (via a proposal or directly) and plan its follow-ups as coach tasks."""
    require(user, Action.MANAGE_PLACEMENTS, case,
            "U kunt alleen plaatsingen vastleggen voor trajecten van uw regio.")
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten.", code="case_closed")
    if employer is None:
        raise DomainError("Kies de werkgever.", field="employer_id")
    employer = resolve_merged(employer)
    cleaned = clean_placement_data(data)
    # Without a choice, the job is in the SBI section of the employer's sector.
    cleaned["sector"] = cleaned["sector"] or employer.sector.sbi_section
    placement = Placement(case=case, employer=employer, proposal=proposal,
                          created_by_id=user.id, **cleaned)
    db.session.add(placement)
    db.session.flush()
    for months in FOLLOW_UP_MONTHS:
        due_on = add_months(placement.start_on, months)
        task = Task(case=case, owner_id=case.coach_id, due_on=due_on, created_by_id=user.id,
                    title=(ngettext("Nazorg %(num)d maand", "Nazorg %(num)d maanden", months)
                           + f": werkt de kandidaat nog bij {employer.name}?")[:300])
        db.session.add(task)
        db.session.add(FollowUp(placement=placement, months=months, due_on=due_on, task=task))
    db.session.flush()
    audit.record("placement.create", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"plaatsing {placement.id} bij werkgever {employer.id}"
                         + (f" (voordracht {proposal.id})" if proposal else ""))
    signals.placement_recorded.send(case, user=user, placement=placement)
    return placement


def end_placement(user: User, placement: Placement, *, end_on: Any, reason: str) -> Placement:
    """End a placement on ``end_on`` (not before its start, within a year) with a reason."""
    case = placement.case
    require(user, Action.MANAGE_PLACEMENTS, case,
            "U kunt alleen plaatsingen van trajecten van uw regio wijzigen.")
    if placement.end_on is not None and placement.end_on <= clock.today():
        raise Conflict("Deze plaatsing is al beëindigd.", code="placement_ended")
    if not isinstance(end_on, date) or end_on < placement.start_on:
        raise DomainError("De einddatum ligt op of na de startdatum.", field="end_on")
    if end_on > clock.today() + timedelta(days=366):
        raise DomainError("Vul een einddatum in binnen een jaar.", field="end_on")
    text = text_input({"end_reason": reason}, "end_reason", 500,
                 required="Geef de reden van het einde.")
    placement.end_on = end_on
    placement.end_reason = text
    audit.record("placement.end", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"plaatsing {placement.id} per {end_on}")
    return placement


def record_follow_up(user: User, follow_up: FollowUp, *, still_employed: Any,
                     reason: str = "") -> FollowUp:
    """Record the aftercare outcome; the coach's task for it is marked done."""
    case = follow_up.placement.case
    require(user, Action.MANAGE_PLACEMENTS, case,
            "U kunt alleen nazorg vastleggen voor trajecten van uw regio.")
    if follow_up.is_recorded:
        raise Conflict("De uitkomst van deze nazorg is al vastgelegd.", code="recorded")
    if follow_up.due_on > clock.today() + timedelta(days=DUE_SOON_DAYS):
        raise Conflict("Deze nazorg is nog niet aan de beurt.", code="not_due")
    if not isinstance(still_employed, bool):
        raise DomainError("Geef aan of de kandidaat nog in dienst is.", field="still_employed")
    text = text_input({"reason": reason}, "reason", 500)
    if not still_employed and not text:
        raise DomainError("Geef de reden dat de kandidaat niet meer in dienst is.",
                          field="reason")
    follow_up.still_employed = still_employed
    follow_up.outcome_reason = text
    follow_up.recorded_on = clock.today()
    follow_up.recorded_by_id = user.id
    if follow_up.task is not None and follow_up.task.done_at is None:
        follow_up.task.done_at = utcnow()
    audit.record("placement.follow_up", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"nazorg {follow_up.months} mnd plaatsing {follow_up.placement_id}: "
                         f"{'in dienst' if still_employed else 'niet meer in dienst'}")
    return follow_up


def placement_query(user: User, *, case_id: int | None = None,
                    employer_id: int | None = None, active: bool | None = None) -> sa.Select:
    """Placements the user may see: of cases in their regions, filtered."""
    query = (sa.select(Placement)
             .where(Placement.case_id.in_(scoped_case_ids(user)))
             .options(joinedload(Placement.case).lazyload(Case.coach),
                      joinedload(Placement.employer), selectinload(Placement.follow_ups)))
    if case_id:
        query = query.where(Placement.case_id == case_id)
    if employer_id:
        query = query.where(Placement.employer_id == employer_id)
    today = clock.today()
    if active is True:
        query = query.where(sa.or_(Placement.end_on.is_(None), Placement.end_on > today))
    elif active is False:
        query = query.where(Placement.end_on <= today)
    return query.order_by(Placement.start_on.desc(), Placement.id.desc())


def get_placement(user: User, placement_id: Any) -> Placement | None:
    """A placement the user may see, or None (the caller answers 404)."""
    placement = get_by_id(Placement, placement_id)
    if placement is None or not can(user, Action.VIEW_WORK_PROFILE, placement.case):
        return None
    return placement


def case_has_active_placement(case: Case) -> bool:
    """The guard of the step geplaatst (registered in rmt.cases.service.PLACEMENT_CHECKS)."""
    if not extensions.has_rows(case, "placements"):
        return False
    today = clock.today()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Placement).where(
            Placement.case_id == case.id,
            sa.or_(Placement.end_on.is_(None), Placement.end_on > today))) > 0


# ---------------------------------------------------------------------------------------------
# Closing the case


def work_placements(case: Case) -> list[WorkPlacement]:
    """The case's placements, for an exit to work (registered in
    :data:`rmt.cases.extensions.work_placement_sources`)."""
    if case.id is None:
        return []
    placements = db.session.scalars(
        sa.select(Placement).where(Placement.case_id == case.id)
        .options(joinedload(Placement.employer)).order_by(Placement.start_on, Placement.id))
    return [WorkPlacement(p.id, f"{p.job_title} bij {p.employer.name} "
                                f"({p.contract_type.label.lower()}, vanaf {p.start_on:%d-%m-%Y})",
                          p.start_on, p.end_on)
            for p in placements]


def withdraw_proposal_on_case_close(user: User, proposal: Proposal, reason: str) -> None:
    """An open voordracht is withdrawn, with the reason, when its case closes."""
    if proposal.status not in OPEN_PROPOSAL_STATUSES:
        raise Conflict("Een voordracht is intussen gewijzigd; bekijk het traject opnieuw "
                       "voordat u afsluit.", code="open_items")
    source = proposal.status
    proposal.status = ProposalStatus.INGETROKKEN
    proposal.status_since = utcnow()
    proposal.decided_on = clock.today()
    db.session.add(ProposalEvent(proposal=proposal, user_id=user.id, from_status=source,
                                 to_status=ProposalStatus.INGETROKKEN, note=reason[:1000]))
    audit.record("proposal.transition", object_type="case", object_id=proposal.case_id,
                 region_code=proposal.case.region_code,
                 summary=f"voordracht {proposal.id}: {source.value} → ingetrokken "
                         "(traject afgesloten)")


def open_items(case: Case) -> list[OpenItem]:
    """Open voordrachten (withdrawn on closing) and aftercare checks not yet recorded (they stay:
    the duurzaamheid is measured after the case closes, so their tasks stay open)."""
    items: list[OpenItem] = []
    proposals = db.session.scalars(
        sa.select(Proposal).where(Proposal.case_id == case.id,
                                  Proposal.status.in_(list(OPEN_PROPOSAL_STATUSES)))
        .order_by(Proposal.id))
    for proposal in proposals:
        items.append(OpenItem(
            "proposal", f"Voordracht {proposal.id} voor vacature {proposal.vacancy.title} "
                        f"({proposal.status.label.lower()})",
            "wordt ingetrokken met de reden: traject afgesloten",
            settle=lambda user, reason, p=proposal: withdraw_proposal_on_case_close(
                user, p, reason)))
    follow_ups = db.session.scalars(
        sa.select(FollowUp).join(Placement)
        .where(Placement.case_id == case.id, FollowUp.still_employed.is_(None))
        .options(joinedload(FollowUp.task)).order_by(FollowUp.due_on))
    for follow_up in follow_ups:
        items.append(OpenItem(
            "follow_up", ngettext("Nazorg %(num)d maand", "Nazorg %(num)d maanden",
                                  follow_up.months)
            + f" na plaatsing {follow_up.placement_id}, verwacht {follow_up.due_on:%d-%m-%Y}",
            "blijft staan: de nazorg loopt door na afsluiting (duurzaamheid)",
            task_id=follow_up.task_id))
    return items
