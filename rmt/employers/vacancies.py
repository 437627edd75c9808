"""Vacancies and proposals of candidates for them.

Vacancies are shared employer data; a proposal is candidate data, reached through the case and
scoped on the case's region with :mod:`rmt.access`. Accepting a proposal records the placement
(:mod:`rmt.employers.placements`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from rmt import audit, clock
from rmt.access import Action, can, scoped
from rmt.auth.models import User
from rmt.cases.models import Candidate, Case
from rmt.db_types import utcnow
from rmt.employers.common import (
    check_hours,
    check_version,
    chosen_sector,
    consent_active_clause,
    flush_versioned,
    get_by_id,
    has_profile_consent,
    require,
    require_not_merged,
    scoped_case_ids,
    search_text,
    text_input,
)
from rmt.employers.lifecycle import (
    OPEN_PROPOSAL_STATUSES,
    REASON_REQUIRED,
    allowed_proposal_steps,
    allowed_vacancy_steps,
)
from rmt.employers.models import (
    Employer,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    Vacancy,
    VacancyStatus,
)
from rmt.employers.placements import clean_placement_data, create_placement
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.process import CaseState

VACANCY_OF_OTHER_REGION = "Alleen werkgeversadviseurs van de regio van de vacature wijzigen haar."

def clean_vacancy_data(user: User, data: dict[str, Any], *,
                       current_sector_id: int | None = None) -> dict[str, Any]:
    """Validate and normalise vacancy input in one of the user's regions; DomainError per field."""
    cleaned: dict[str, Any] = {
        "title": text_input(data, "title", 200, required="Vul de functietitel in."),
        "hours_per_week": check_hours(data.get("hours_per_week")),
        "location": text_input(data, "location", 100),
        "description": text_input(data, "description", 5000),
    }
    cleaned["sector"] = chosen_sector(data, current_sector_id)
    region_code = data.get("region_code")
    if region_code not in user.region_codes:
        raise DomainError("Kies een van uw eigen regio's.", field="region_code")
    cleaned["region_code"] = region_code
    opened_on = data.get("opened_on") or clock.today()
    if not isinstance(opened_on, date) or opened_on > clock.today():
        raise DomainError("De vacature kan niet in de toekomst geopend zijn.", field="opened_on")
    cleaned["opened_on"] = opened_on
    closes_on = data.get("closes_on")
    if closes_on is not None and (not isinstance(closes_on, date) or closes_on < opened_on):
        raise DomainError("De sluitingsdatum ligt op of na de openingsdatum.", field="closes_on")
    cleaned["closes_on"] = closes_on
    return cleaned


def create_vacancy(user: User, employer: Employer, data: dict[str, Any]) -> Vacancy:
    """Open a vacancy at an employer, in one of the user's regions."""
    require(user, Action.MANAGE_EMPLOYERS)
    require_not_merged(employer)
    vacancy = Vacancy(employer=employer, created_by_id=user.id, status=VacancyStatus.OPEN,
                      **clean_vacancy_data(user, data))
    db.session.add(vacancy)
    db.session.flush()
    audit.record("vacancy.create", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code,
                 summary=f"werkgever {employer.id}")
    return vacancy


def update_vacancy(user: User, vacancy: Vacancy, data: dict[str, Any], *,
                   expected_version: int | None = None) -> Vacancy:
    """Change a vacancy of the user's region (optimistic locking on ``expected_version``)."""
    require(user, Action.MANAGE_EMPLOYERS, vacancy, VACANCY_OF_OTHER_REGION)
    check_version(vacancy, expected_version, "deze vacature")
    cleaned = clean_vacancy_data(user, {**data, "region_code": data.get("region_code")},
                                 current_sector_id=vacancy.sector_id)
    for key, value in cleaned.items():
        setattr(vacancy, key, value)
    flush_versioned(vacancy, "deze vacature")
    audit.record("vacancy.update", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code)
    return vacancy


def set_vacancy_status(user: User, vacancy: Vacancy, to: str) -> Vacancy:
    """Move a vacancy along its lifecycle (:mod:`rmt.employers.lifecycle`)."""
    require(user, Action.MANAGE_EMPLOYERS, vacancy, VACANCY_OF_OTHER_REGION)
    try:
        target = VacancyStatus(to)
    except ValueError:
        raise DomainError("Kies een geldige status.", field="status") from None
    if target not in allowed_vacancy_steps(vacancy.status):
        raise Conflict(f"Een vacature met status '{vacancy.status.label.lower()}' kan niet naar "
                       f"'{target.label.lower()}'.", field="status", code="not_allowed",
                       allowed=[s.value for s in allowed_vacancy_steps(vacancy.status)])
    source = vacancy.status
    vacancy.status = target
    vacancy.ended_on = None if target == VacancyStatus.OPEN else clock.today()
    audit.record("vacancy.status", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code, summary=f"{source.label} → {target.label}")
    return vacancy


def vacancy_query(*, status: str | None = None, region_code: str | None = None,
                  sector_id: int | None = None, employer_id: int | None = None,
                  q: str = "") -> sa.Select:
    """Vacancies of all regions, filtered and searched on title or employer name."""
    query = sa.select(Vacancy)
    if status in {s.value for s in VacancyStatus}:
        query = query.where(Vacancy.status == VacancyStatus(status))
    if region_code:
        query = query.where(Vacancy.region_code == region_code)
    if sector_id:
        query = query.where(Vacancy.sector_id == sector_id)
    if employer_id:
        query = query.where(Vacancy.employer_id == employer_id)
    text = search_text(q).lower()
    if text:
        query = query.where(sa.or_(
            sa.func.lower(Vacancy.title).contains(text, autoescape=True),
            Vacancy.employer_id.in_(sa.select(Employer.id).where(
                sa.func.lower(Employer.name).contains(text, autoescape=True)))))
    return query.order_by(Vacancy.opened_on.desc(), Vacancy.id.desc())


def proposable_cases(user: User, vacancy: Vacancy, q: str = "", limit: int = 50) -> list[Case]:
    """Open cases in the user's regions whose candidate consented to share their profile.

    Cases already proposed (and still open) for this vacancy are left out. Cases in
    bemiddeling come first.
    """
    today = clock.today()
    already = sa.select(Proposal.case_id).where(
        Proposal.vacancy_id == vacancy.id, Proposal.status.in_(OPEN_PROPOSAL_STATUSES))
    query = (scoped(sa.select(Case), user, Case, Action.PROPOSE_CANDIDATE)
             .join(Candidate, Case.candidate_id == Candidate.id)
             .where(Case.status.not_in([CaseState.AFGESLOTEN, CaseState.GEPAUZEERD]),
                    Candidate.anonymised_at.is_(None), consent_active_clause(today),
                    Case.id.not_in(already)))
    for term in [t for t in search_text(q).lower().split() if t][:5]:
        query = query.where(sa.or_(
            sa.func.lower(Candidate.first_name).contains(term, autoescape=True),
            sa.func.lower(Candidate.last_name).contains(term, autoescape=True)))
    in_matching = sa.case((Case.status == CaseState.BEMIDDELING, 0), else_=1)
    query = query.order_by(in_matching, Candidate.last_name, Candidate.first_name, Case.id)
    return list(db.session.scalars(
        query.options(selectinload(Case.plan)).limit(limit)).unique())


def propose(user: User, case: Case, vacancy: Vacancy, *, note: str = "",
            proposed_on: date | None = None) -> Proposal:
    """Propose the candidate of ``case`` for ``vacancy``: needs their consent, today."""
    require(user, Action.PROPOSE_CANDIDATE, case,
            "U kunt alleen kandidaten van uw eigen regio voordragen.")
    if case.status in (CaseState.AFGESLOTEN, CaseState.GEPAUZEERD):
        raise Conflict("Een afgesloten of gepauzeerd traject kan niet worden voorgedragen.",
                       field="case_id", code="case_not_open")
    if not has_profile_consent(case):
        raise DomainError(
            "De kandidaat heeft geen (geldige) toestemming gegeven om het werkprofiel met "
            "werkgevers te delen. Zonder die toestemming is een voordracht niet mogelijk.",
            field="case_id", code="no_consent")
    if vacancy.status != VacancyStatus.OPEN:
        raise Conflict("Deze vacature is niet meer open.", field="vacancy_id",
                       code="vacancy_not_open")
    open_one = db.session.scalar(sa.select(Proposal.id).where(
        Proposal.case_id == case.id, Proposal.vacancy_id == vacancy.id,
        Proposal.status.in_(OPEN_PROPOSAL_STATUSES)))
    if open_one is not None:
        raise Conflict("Deze kandidaat is al voorgedragen voor deze vacature.",
                       field="case_id", code="already_proposed", proposal_id=open_one)
    when = proposed_on or clock.today()
    proposal = Proposal(case=case, vacancy=vacancy, region_code=case.region_code,
                        proposed_by_id=user.id, status=ProposalStatus.VOORGESTELD,
                        proposed_on=when, note=text_input({"note": note}, "note", 1000))
    db.session.add(proposal)
    db.session.add(ProposalEvent(proposal=proposal, user_id=user.id, from_status=None,
                                 to_status=ProposalStatus.VOORGESTELD))
    db.session.flush()
    audit.record("proposal.create", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"voordracht {proposal.id} voor vacature {vacancy.id}")
    return proposal


def transition_proposal(user: User, proposal: Proposal, to: str, *, note: str = "",
                        expected_status: str | None = None,
                        placement: dict[str, Any] | None = None,
                        fill_vacancy: bool = True) -> ProposalEvent:
    """Move a proposal along its lifecycle; ``aangenomen`` also records the placement."""
    case = proposal.case
    require(user, Action.PROPOSE_CANDIDATE, case,
            "Alleen collega's van de regio van de kandidaat wijzigen deze voordracht.")
    try:
        target = ProposalStatus(to)
    except ValueError:
        raise DomainError("Kies een geldige nieuwe status.", field="to") from None
    if expected_status is not None and expected_status != proposal.status.value:
        raise Conflict("Iemand anders heeft deze voordracht intussen gewijzigd. Bekijk de "
                       "nieuwe status en probeer het zo nodig opnieuw.", code="stale_status")
    allowed = allowed_proposal_steps(proposal.status)
    if target not in allowed:
        raise Conflict(
            f"Een voordracht met status '{proposal.status.label.lower()}' kan niet naar "
            f"'{target.label.lower()}'.", field="to", code="not_allowed",
            allowed=[s.value for s in allowed])
    text = text_input({"note": note}, "note", 1000)
    if target in REASON_REQUIRED and not text:
        raise DomainError("Geef de reden.", field="note", code="reason_required")
    vacancy = proposal.vacancy
    placement_data: dict[str, Any] = {}
    if target == ProposalStatus.AANGENOMEN:
        # Check everything before changing anything: a refusal leaves the proposal untouched.
        require(user, Action.MANAGE_PLACEMENTS, case,
                "U kunt alleen plaatsingen vastleggen voor trajecten van uw regio.")
        if case.is_closed:
            raise Conflict("Het traject van deze kandidaat is afgesloten.", code="case_closed")
        placement_data = {"job_title": vacancy.title, "hours_per_week": vacancy.hours_per_week,
                          **{k: v for k, v in (placement or {}).items() if v not in (None, "")}}
        clean_placement_data(placement_data)
    source = proposal.status
    proposal.status = target
    proposal.status_since = utcnow()
    if target not in OPEN_PROPOSAL_STATUSES:
        proposal.decided_on = clock.today()
    event = ProposalEvent(proposal=proposal, user_id=user.id, from_status=source,
                          to_status=target, note=text)
    db.session.add(event)
    audit.record("proposal.transition", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"voordracht {proposal.id}: {source.label} → {target.label}")
    if target == ProposalStatus.AANGENOMEN:
        create_placement(user, case, vacancy.employer, placement_data, proposal=proposal)
        if fill_vacancy and vacancy.status == VacancyStatus.OPEN:
            vacancy.status = VacancyStatus.FILLED
            vacancy.ended_on = clock.today()
            audit.record("vacancy.status", object_type="vacancy", object_id=vacancy.id,
                         region_code=vacancy.region_code,
                         summary=f"{VacancyStatus.OPEN.label} → {VacancyStatus.FILLED.label} "
                                 f"(voordracht {proposal.id})")
    db.session.flush()
    return event


def proposal_query(user: User, *, status: str | None = None, vacancy_id: int | None = None,
                   case_id: int | None = None, employer_id: int | None = None) -> sa.Select:
    """Proposals the user may see: of cases in their regions (whatever the vacancy's region)."""
    query = (sa.select(Proposal)
             .where(Proposal.case_id.in_(scoped_case_ids(user)))
             .options(joinedload(Proposal.case).lazyload(Case.coach),
                      joinedload(Proposal.vacancy),
                      joinedload(Proposal.proposed_by).lazyload(User.memberships)))
    if status in {s.value for s in ProposalStatus}:
        query = query.where(Proposal.status == ProposalStatus(status))
    if vacancy_id:
        query = query.where(Proposal.vacancy_id == vacancy_id)
    if case_id:
        query = query.where(Proposal.case_id == case_id)
    if employer_id:
        query = query.where(Proposal.vacancy_id.in_(
            sa.select(Vacancy.id).where(Vacancy.employer_id == employer_id)))
    return query.order_by(Proposal.proposed_on.desc(), Proposal.id.desc())


def get_proposal(user: User, proposal_id: Any) -> Proposal | None:
    """A proposal the user may see, or None (the caller answers 404)."""
    proposal = get_by_id(Proposal, proposal_id)
    if proposal is None or not can(user, Action.VIEW_WORK_PROFILE, proposal.case):
        return None
    return proposal
