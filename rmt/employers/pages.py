"""What the pages show, each in a fixed number of queries: the employer page, the employment
section of a case, the liaison's start page and a candidate's work profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from rmt import audit, clock
from rmt.access import Action, can
from rmt.auth.models import User
from rmt.cases import extensions
from rmt.cases.models import Case, Consent
from rmt.employers.common import DUE_SOON_DAYS, has_profile_consent, scoped_case_ids
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    Vacancy,
    VacancyStatus,
)
from rmt.employers.placements import placement_query
from rmt.employers.vacancies import proposal_query, vacancy_query
from rmt.extensions import db
from rmt.process import CaseState


@dataclass
class CaseEmployment:
    proposals: list[Proposal]
    placements: list[Placement]


def case_employment(user: User, case: Case) -> CaseEmployment:
    """Proposals and placements (with follow-ups) of one case, if the user may see them."""
    if case.id is None or not can(user, Action.VIEW_WORK_PROFILE, case):
        return CaseEmployment([], [])
    proposals = [] if not extensions.has_rows(case, "proposals") else list(db.session.scalars(
        sa.select(Proposal).where(Proposal.case_id == case.id)
        # The section names the vacancy and the proposer only.
        .options(joinedload(Proposal.vacancy).options(lazyload(Vacancy.employer),
                                                      lazyload(Vacancy.sector)),
                 joinedload(Proposal.proposed_by).lazyload(User.memberships))
        .order_by(Proposal.proposed_on.desc(), Proposal.id.desc())))
    placements = [] if not extensions.has_rows(case, "placements") else list(db.session.scalars(
        sa.select(Placement).where(Placement.case_id == case.id)
        .options(joinedload(Placement.employer).lazyload(Employer.sector),
                 selectinload(Placement.follow_ups))
        .order_by(Placement.start_on.desc(), Placement.id.desc())))
    return CaseEmployment(proposals, placements)


@dataclass
class EmployerPage:
    employer: Employer
    contacts: list[EmployerContact]
    contact_moments: list[ContactMoment]
    vacancies: list[Vacancy]
    proposals: list[Proposal]
    placements: list[Placement]
    #: The user's regions in which the employer's sector is prioritair.
    priority_in: list[str]


CONTACT_MOMENTS_SHOWN = 200


def employer_page(user: User, employer: Employer) -> EmployerPage:
    """Everything on the employer page in a fixed number of queries.

    Contacts, contact moments and vacancies are shared employer data; proposals and placements
    are candidate data and only those of cases in the user's regions are loaded.
    """
    contacts = list(db.session.scalars(
        sa.select(EmployerContact).where(EmployerContact.employer_id == employer.id)
        .order_by(EmployerContact.name, EmployerContact.id)))
    moments = list(db.session.scalars(
        sa.select(ContactMoment).where(ContactMoment.employer_id == employer.id)
        .options(joinedload(ContactMoment.liaison).lazyload(User.memberships),
                 joinedload(ContactMoment.follow_up_owner).lazyload(User.memberships),
                 joinedload(ContactMoment.contact))
        .order_by(ContactMoment.contact_on.desc(), ContactMoment.id.desc())
        .limit(CONTACT_MOMENTS_SHOWN)))
    vacancies = list(db.session.scalars(
        vacancy_query(employer_id=employer.id)))
    proposals = list(db.session.scalars(proposal_query(user, employer_id=employer.id)))
    placements = list(db.session.scalars(placement_query(user, employer_id=employer.id)))
    audit.record("employer.view", object_type="employer", object_id=employer.id,
                 summary="voordrachten: " + (",".join(str(p.id) for p in proposals) or "-")
                 + "; plaatsingen: " + (",".join(str(p.id) for p in placements) or "-"))
    priority_in = sorted(employer.sector.priority_codes & set(user.region_codes))
    return EmployerPage(employer, contacts, moments, vacancies, proposals, placements,
                        priority_in)


def own_follow_up_clause(user: User) -> sa.ColumnElement[bool]:
    """Aftercare that is the user's own work: of a placement they recorded, or that came from
    a proposal they made. Derived from who did the work, so no owner column is needed; the
    coach keeps the task (``FollowUp.task``). Region scoping stays with the caller."""
    return sa.or_(
        Placement.created_by_id == user.id,
        Placement.proposal_id.in_(
            sa.select(Proposal.id).where(Proposal.proposed_by_id == user.id)))


@dataclass
class LiaisonDashboard:
    overdue_contacts: list[ContactMoment]
    due_contacts: list[ContactMoment]
    #: "Mijn nazorgmomenten": aftercare of placements the user made or proposed the candidate for.
    overdue_own_follow_ups: list[FollowUp]
    due_own_follow_ups: list[FollowUp]
    #: The other aftercare in the user's regions (a coach's direct placements, colleagues').
    overdue_follow_ups: list[FollowUp]
    due_follow_ups: list[FollowUp]
    recent_contacts: list[ContactMoment]
    open_vacancies: list[Vacancy]
    today: date


def liaison_dashboard(user: User, today: date | None = None) -> LiaisonDashboard:
    """The liaison's start page: follow-ups due and overdue, recent contacts, open vacancies.

    Aftercare is split into the user's own (:func:`own_follow_up_clause`) and the rest of
    their regions in the same query, own first. Four queries whatever the number of rows (plus
    one batched load of users' regions).
    """
    today = today or clock.today()
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    codes = sorted(user.region_codes)
    contact_follow_ups = list(db.session.scalars(
        sa.select(ContactMoment)
        .where(ContactMoment.follow_up_owner_id == user.id,
               ContactMoment.follow_up_done_at.is_(None),
               ContactMoment.follow_up_on <= horizon)
        .options(joinedload(ContactMoment.employer))
        .order_by(ContactMoment.follow_up_on, ContactMoment.id).limit(100)))
    own = own_follow_up_clause(user).label("own")
    follow_up_rows = db.session.execute(
        sa.select(FollowUp, own)
        .join(Placement, FollowUp.placement_id == Placement.id)
        .where(Placement.case_id.in_(scoped_case_ids(user)),
               FollowUp.still_employed.is_(None), FollowUp.due_on <= horizon)
        .options(joinedload(FollowUp.placement).joinedload(Placement.case)
                 .lazyload(Case.coach),
                 joinedload(FollowUp.placement).joinedload(Placement.employer))
        .order_by(sa.case((own, 0), else_=1), FollowUp.due_on, FollowUp.id)
        .limit(200)).all()
    own_follow_ups = [f for f, is_own in follow_up_rows if is_own]
    follow_ups = [f for f, is_own in follow_up_rows if not is_own]
    recent = list(db.session.scalars(
        sa.select(ContactMoment).where(ContactMoment.region_code.in_(codes))
        .options(joinedload(ContactMoment.employer),
                 joinedload(ContactMoment.liaison).lazyload(User.memberships))
        .order_by(ContactMoment.contact_on.desc(), ContactMoment.id.desc()).limit(10)))
    vacancies = list(db.session.scalars(
        vacancy_query(status=VacancyStatus.OPEN.value).where(Vacancy.region_code.in_(codes))
        .limit(25)))
    return LiaisonDashboard(
        overdue_contacts=[m for m in contact_follow_ups if m.follow_up_on < today],
        due_contacts=[m for m in contact_follow_ups if m.follow_up_on >= today],
        overdue_own_follow_ups=[f for f in own_follow_ups if f.due_on < today],
        due_own_follow_ups=[f for f in own_follow_ups if f.due_on >= today],
        overdue_follow_ups=[f for f in follow_ups if f.due_on < today],
        due_follow_ups=[f for f in follow_ups if f.due_on >= today],
        recent_contacts=recent, open_vacancies=vacancies, today=today)


@dataclass
class WorkProfile:
    """What a liaison may see of a candidate: no notes, tasks, benefit, birth date or contact."""

    case: Case
    name: str
    region_code: str
    status: CaseState
    education_level: str
    has_startkwalificatie: bool
    preferred_sectors: str
    work_history: str
    target_occupation: str
    target_sector: str
    consents: list[Consent]
    proposals: list[Proposal] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)


def work_profile(user: User, case: Case) -> WorkProfile | None:
    """The work profile, or None when the candidate has not consented (the view answers 404)."""
    if not can(user, Action.VIEW_WORK_PROFILE, case) or not has_profile_consent(case):
        return None
    candidate = case.candidate
    employment = case_employment(user, case)
    profile = WorkProfile(
        case=case, name=candidate.full_name, region_code=case.region_code, status=case.status,
        education_level=candidate.education_level.label,
        has_startkwalificatie=candidate.has_startkwalificatie,
        preferred_sectors=case.intake.preferred_sectors if case.intake else "",
        work_history=case.intake.work_history if case.intake else "",
        target_occupation=case.plan.target_occupation if case.plan else "",
        target_sector=case.plan.target_sector if case.plan else "",
        consents=list(candidate.consents),
        proposals=employment.proposals, placements=employment.placements)
    audit.record("case.work_profile_view", object_type="case", object_id=case.id,
                 region_code=case.region_code)
    return profile
