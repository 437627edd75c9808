"""The rules for candidates and cases, shared by the HTML views, the API and the CLI.

Services never commit: the request (or CLI command) commits once, so a refused action leaves
nothing half-written. Every change is written to the audit trail here, in one place, and
announced with the named signals of :mod:`rmt.signals` (case_created, case_step_changed,
case_closed, case_reassigned, case_transfer_requested, case_transfer_decided, case_transferred,
task_assigned) for the features that react. Who may change a case is asked once per action of
the policy (:func:`rmt.access.require`, a 403). What other features add to a case (timeline
lines, placement checks) is registered in :mod:`rmt.cases.extensions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from rmt import audit, clock, signals
from rmt.access import Action, require, scoped
from rmt.auth.models import Role, User
from rmt.cases import reference
from rmt.cases.extensions import TimelineItem, placement_checks, timeline_sources
from rmt.cases.extensions import add as _add_extension
from rmt.cases.models import (
    ActivityStatus,
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Consent,
    ConsentPurpose,
    Intake,
    Note,
    NoteKind,
    Plan,
    PlanActivity,
    Task,
    TransferStatus,
)
from rmt.cases.sectors import as_section
from rmt.db_types import utcnow
from rmt.enums import label_of
from rmt.errors_domain import Conflict, DomainError, StaleVersion
from rmt.extensions import db
from rmt.process import CaseFacts, CaseState, ExitReason, Transition, allowed_transitions, check
from rmt.regions import REGION_CODES
from rmt.regions.models import Municipality
from rmt.validation import normalise_phone, normalise_postcode

CANDIDATE_FIELDS = (
    "first_name", "name_prefix", "last_name", "birth_date", "email", "phone", "postcode",
    "municipality_id", "education_level", "has_startkwalificatie", "banenafspraak", "work_status",
    "benefit",
    "target_group", "referral_partner",
)
INTAKE_FIELDS = ("motivation", "wishes", "obstacles", "work_history", "preferred_sectors",
                 "origin_sector")
PLAN_FIELDS = ("goal", "target_section", "target_sector", "target_occupation")
#: Coded fields: an SBI section letter, or empty for "sector nog kiezen".
SECTOR_FIELDS = ("origin_sector", "target_section")

EDIT_REFUSED = "U mag dit traject niet wijzigen."
REASSIGN_REFUSED = "U mag dit traject niet toewijzen."
DECIDE_REFUSED = "Alleen een coördinator van de ontvangende regio beslist hierover."
STALE_MESSAGE = StaleVersion(0).message


# ---------------------------------------------------------------------------------------------
# Normalisation and validation of candidate data (shared by form and API)


def validate_birth_date(value: date, today: date | None = None) -> date:
    """A birth date of someone between 15 and 80 years old (on ``today``, default the Dutch
    date)."""
    today = today or clock.today()
    age = (today - value).days // 365
    if value > today or age < 15 or age > 80:
        raise DomainError("Vul een geboortedatum in van iemand tussen 15 en 80 jaar.",
                          field="birth_date")
    return value


def clean_candidate_data(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise fields that both the form and the API accept as free text."""
    cleaned = {key: data[key] for key in CANDIDATE_FIELDS if key in data}
    for key in ("first_name", "name_prefix", "last_name", "email"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    if "email" in cleaned:
        cleaned["email"] = cleaned["email"].lower()
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
    if "phone" in cleaned:
        cleaned["phone"] = normalise_phone(cleaned["phone"])
    if "birth_date" in cleaned:
        validate_birth_date(cleaned["birth_date"])
    if "municipality_id" in cleaned and db.session.get(
            Municipality, cleaned["municipality_id"]) is None:
        raise DomainError("Kies een gemeente uit de lijst.", field="municipality_id")
    return cleaned


# ---------------------------------------------------------------------------------------------
# Registration and duplicates


def _name_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


def find_duplicates(user: User, *, first_name: str = "", last_name: str = "",
                    birth_date: date | None = None, email: str = "", phone: str = "",
                    exclude_candidate_id: int | None = None) -> list[Candidate]:
    """Likely duplicates among candidates with a case in the user's regions.

    A match is: the same birth date and a similar name (same last name, or same first name), or
    the same e-mail address, or the same phone number.
    """
    conditions = []
    if birth_date:
        similar_name = sa.or_(
            sa.func.lower(Candidate.last_name) == (last_name or "").strip().lower(),
            sa.func.lower(Candidate.first_name) == (first_name or "").strip().lower(),
        )
        conditions.append(sa.and_(Candidate.birth_date == birth_date, similar_name))
    if email and email.strip():
        conditions.append(Candidate.email == email.strip().lower())
    if phone and normalise_phone_safe(phone):
        conditions.append(Candidate.phone == normalise_phone_safe(phone))
    if not conditions:
        return []
    in_my_regions = scoped(sa.select(Case.candidate_id), user, Case, Action.VIEW_CASE)
    query = (
        sa.select(Candidate)
        .where(sa.or_(*conditions), Candidate.id.in_(in_my_regions),
               Candidate.anonymised_at.is_(None))
        .options(selectinload(Candidate.cases))
        .order_by(Candidate.last_name)
        .limit(10)
    )
    if exclude_candidate_id:
        query = query.where(Candidate.id != exclude_candidate_id)
    return list(db.session.scalars(query).unique())


def normalise_phone_safe(value: str) -> str:
    """The normalised phone number, or "" when it is not one (for duplicate look-ups)."""
    try:
        return normalise_phone(value)
    except DomainError:
        return ""


def open_case_of(candidate: Candidate) -> Case | None:
    return db.session.scalar(
        sa.select(Case).where(Case.candidate_id == candidate.id,
                              Case.status != CaseState.AFGESLOTEN))


def _check_coach(coach: User, region_code: str) -> None:
    if coach.role != Role.COACH or not coach.active or region_code not in coach.region_codes:
        raise DomainError("Kies een actieve loopbaancoach van deze regio.", field="coach_id")


def _record_event(case: Case, user: User | None, from_status: CaseState | None,
                  to_status: CaseState, reason: str = "",
                  exit_reason: ExitReason | None = None, at: datetime | None = None) -> CaseEvent:
    event = CaseEvent(case=case, region_code=case.region_code, at=at or utcnow(),
                      user_id=user.id if user else None, from_status=from_status,
                      to_status=to_status, reason=reason, exit_reason=exit_reason)
    db.session.add(event)
    return event


def check_registration(user: User, region_code: str, coach: User | None = None) -> User:
    """May ``user`` open a case in ``region_code`` for ``coach`` (default: themselves)?

    Returns the coach. Callers that look for duplicates first call this before that look-up.
    """
    require(user, Action.CREATE_CASE, message="Alleen een loopbaancoach kan een traject openen.")
    if region_code not in user.region_codes:
        raise DomainError("U kunt alleen trajecten openen in uw eigen regio.", field="region_code")
    coach = coach or user
    _check_coach(coach, region_code)
    return coach


def register(user: User, *, candidate_data: dict[str, Any] | None = None,
             existing_candidate: Candidate | None = None, region_code: str,
             coach: User | None = None, opened_on: date | None = None) -> Case:
    """Register a candidate (new, or one already known) and open a case in ``region_code``."""
    coach = check_registration(user, region_code, coach)
    if existing_candidate is not None:
        candidate = existing_candidate
        open_case = open_case_of(candidate)
        if open_case is not None:
            raise Conflict(
                f"{candidate.full_name} heeft al een lopend traject (nummer {open_case.id}). "
                "Een tweede traject kan pas na afsluiting van het eerste.",
                code="open_case_exists", case_id=open_case.id)
    else:
        candidate = Candidate(**clean_candidate_data(candidate_data or {}))
        db.session.add(candidate)
    case = Case(candidate=candidate, region_code=region_code, coach=coach,
                status=CaseState.AANGEMELD, opened_on=opened_on or clock.today(),
                status_since=utcnow())
    db.session.add(case)
    _record_event(case, user, None, CaseState.AANGEMELD)
    db.session.flush()
    audit.record("case.create", object_type="case", object_id=case.id, region_code=region_code,
                 summary=f"kandidaat {candidate.id}, coach {coach.id}")
    signals.case_created.send(case, user=user)
    return case


def update_candidate(user: User, case: Case, data: dict[str, Any], expected_version: int) -> None:
    """Change the candidate's details (only the fields in ``data``)."""
    _require_edit(user, case, expected_version)
    candidate = case.candidate
    changed = []
    for key, value in clean_candidate_data(data).items():
        if getattr(candidate, key) != value:
            setattr(candidate, key, value)
            changed.append(key)
    _touch(case)
    audit.record("candidate.update", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=", ".join(changed) or "geen wijziging")


# ---------------------------------------------------------------------------------------------
# Optimistic locking and edit rights


def _require_edit(user: User, case: Case, expected_version: int | None) -> None:
    """May ``user`` change this open case, and did they see its latest version?"""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten en kan niet meer worden gewijzigd.",
                       code="case_closed")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(case.version)


def _touch(case: Case) -> None:
    """Bump the version even when only child rows changed, so concurrent edits are detected,
    and write now: a save by someone else since the case was loaded (the database's version
    check) is refused here as a stale version (409), like a stale ``expected_version``."""
    case.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE_MESSAGE, field="version", code="stale_version") from exc


# ---------------------------------------------------------------------------------------------
# Steps


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        state=case.status,
        paused_from=case.paused_from,
        intake_completed=bool(case.intake and case.intake.completed_at),
        plan_activity_count=len([a for a in case.activities
                                 if a.status != ActivityStatus.GESTOPT]),
        has_active_placement=has_active_placement(case),
    )


def has_active_placement(case: Case) -> bool:
    """Placements live in the employers feature, which registers its check in
    :data:`rmt.cases.extensions.placement_checks`; without one there is no placement."""
    return any(check_placement(case) for check_placement in placement_checks)


#: The registries of :mod:`rmt.cases.extensions` under their older names.
PLACEMENT_CHECKS = placement_checks
TIMELINE_SOURCES = timeline_sources


def available_transitions(case: Case) -> list[Transition]:
    return allowed_transitions(case.status, case.paused_from)


def transition(user: User, case: Case, to: str, *, expected_version: int | None,
               reason: str = "", exit_reason: str | None = None,
               exit_reason_text: str = "", at: datetime | None = None) -> CaseEvent:
    """Move the case to another step, if the process engine allows it now."""
    _require_edit(user, case, expected_version)
    problems = check(case_facts(case), to, reason=reason, exit_reason=exit_reason,
                     exit_reason_text=exit_reason_text)
    if problems:
        first = problems[0]
        error_cls = Conflict if first.code == "not_allowed" else DomainError
        raise error_cls(" ".join(p.message for p in problems), field=first.field,
                        code=first.code, problems=problems,
                        allowed=[t.target.value for t in available_transitions(case)])
    target = CaseState(to)
    source = case.status
    if target == CaseState.GEPAUZEERD:
        case.paused_from = source
    elif source == CaseState.GEPAUZEERD:
        case.paused_from = None
    if target == CaseState.AFGESLOTEN:
        case.exit_reason = ExitReason(exit_reason)
        case.exit_reason_text = (exit_reason_text or "").strip()
        case.closed_on = (at or utcnow()).date()
        case.paused_from = None
    case.status = target
    case.status_since = at or utcnow()
    _touch(case)
    event = _record_event(case, user, source, target, reason=(reason or "").strip(),
                          exit_reason=case.exit_reason if target == CaseState.AFGESLOTEN else None,
                          at=at)
    audit.record("case.transition", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"{source.value} → {target.value}")
    signals.case_step_changed.send(case, user=user, event=event)
    if target == CaseState.AFGESLOTEN:
        signals.case_closed.send(case, user=user, reason=case.exit_reason)
    return event


# ---------------------------------------------------------------------------------------------
# Intake, plan, notes, tasks


def _field_value(key: str, value: Any) -> Any:
    """A text field stripped; a sector field as its SBI section (None: still to choose)."""
    if key not in SECTOR_FIELDS:
        return (value or "").strip()
    section = as_section(value)
    if section is None and value not in (None, ""):
        raise DomainError("Kies een sector (SBI-sectie A tot en met U) uit de lijst.", field=key)
    return section


def save_intake(user: User, case: Case, data: dict[str, Any], *, complete: bool,
                expected_version: int | None) -> Intake:
    _require_edit(user, case, expected_version)
    intake = case.intake or Intake(case=case)
    db.session.add(intake)
    for key in INTAKE_FIELDS:
        if key in data:
            setattr(intake, key, _field_value(key, data[key]))
    if complete:
        missing = [k for k in ("motivation", "work_history") if not getattr(intake, k)]
        if missing:
            raise DomainError(
                "Vul minstens motivatie en werkervaring in om de intake af te ronden.",
                field=missing[0], code="intake_incomplete")
        intake.completed_at = intake.completed_at or utcnow()
    _touch(case)
    audit.record("case.intake", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary="intake afgerond" if complete else "intake opgeslagen")
    return intake


def save_plan(user: User, case: Case, data: dict[str, Any], expected_version: int | None) -> Plan:
    _require_edit(user, case, expected_version)
    plan = case.plan or Plan(case=case)
    db.session.add(plan)
    for key in PLAN_FIELDS:
        if key in data:
            setattr(plan, key, _field_value(key, data[key]))
    _touch(case)
    audit.record("case.plan", object_type="case", object_id=case.id, region_code=case.region_code)
    return plan


def add_activity(user: User, case: Case, *, description: str, due_on: date | None,
                 service_type_id: Any, partner_id: Any,
                 expected_version: int | None) -> PlanActivity:
    """Add a coded activity: a service type (of one of the regulation's categories) delivered
    by a partner, both active entries of the reference lists, with the coach's text."""
    _require_edit(user, case, expected_version)
    if not (description or "").strip():
        raise DomainError("Beschrijf de activiteit.", field="description")
    service_type = reference.active_service_type(service_type_id)
    partner = reference.active_partner(partner_id)
    activity = PlanActivity(case=case, description=description.strip(), due_on=due_on,
                            service_type=service_type, partner=partner)
    db.session.add(activity)
    _touch(case)
    db.session.flush()  # the id for the audit entry, which never holds free text (retention)
    audit.record("case.activity_add", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"activiteit {activity.id}")
    return activity


def set_activity_status(user: User, case: Case, activity_id: int, status: str,
                        expected_version: int | None) -> PlanActivity:
    _require_edit(user, case, expected_version)
    activity = next((a for a in case.activities if a.id == activity_id), None)
    if activity is None:
        raise DomainError("Deze activiteit hoort niet bij dit traject.", field="activity_id")
    activity.status = ActivityStatus(status)
    _touch(case)
    audit.record("case.activity_status", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"activiteit {activity.id}: {status}")
    return activity


def add_note(user: User, case: Case, *, contact_on: date, kind: str, text: str) -> Note:
    """Notes are added, never edited; they do not conflict with other edits of the case."""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten.", code="case_closed")
    if not (text or "").strip():
        raise DomainError("Vul de tekst van de aantekening in.", field="text")
    if contact_on > clock.today():
        raise DomainError("Een contactmoment kan niet in de toekomst liggen.", field="contact_on")
    note = Note(case=case, author_id=user.id, contact_on=contact_on, kind=NoteKind(kind),
                text=text.strip())
    db.session.add(note)
    db.session.flush()
    audit.record("case.note_add", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"aantekening {note.id} ({kind})")
    return note


def add_task(user: User, case: Case, *, title: str, due_on: date, owner: User) -> Task:
    """A follow-up action for ``owner``; announced (task_assigned) when that is someone else."""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten.", code="case_closed")
    if not (title or "").strip():
        raise DomainError("Beschrijf de actie.", field="title")
    if not owner.active or case.region_code not in owner.region_codes:
        raise DomainError("Kies een eigenaar uit het team van deze regio.", field="owner_id")
    task = Task(case=case, owner=owner, title=title.strip(), due_on=due_on,
                created_by_id=user.id)
    db.session.add(task)
    db.session.flush()
    audit.record("case.task_add", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"actie {task.id} voor {owner.id}")
    if owner.id != user.id:
        signals.task_assigned.send(case, user=user, task=task)
    return task


def complete_task(user: User, case: Case, task_id: int) -> Task:
    """Mark a task of the case done (once; a second time changes nothing)."""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    task = next((t for t in case.tasks if t.id == task_id), None)
    if task is None:
        raise DomainError("Deze actie hoort niet bij dit traject.", field="task_id")
    if task.done_at is None:
        task.done_at = utcnow()
        audit.record("case.task_done", object_type="case", object_id=case.id,
                     region_code=case.region_code, summary=f"actie {task.id}")
    return task


# ---------------------------------------------------------------------------------------------
# Consent


def record_consent(user: User, case: Case, purpose: str, given_on: date) -> Consent:
    """Record the candidate's consent for ``purpose`` given on ``given_on``."""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    purpose = ConsentPurpose(purpose)
    if case.candidate.has_consent(purpose, given_on):
        raise Conflict("Deze toestemming is al vastgelegd.", field="purpose",
                       code="consent_exists")
    if given_on > clock.today():
        raise DomainError("De datum van toestemming kan niet in de toekomst liggen.",
                          field="given_on")
    consent = Consent(candidate=case.candidate, purpose=purpose, given_on=given_on,
                      recorded_by_id=user.id)
    db.session.add(consent)
    db.session.flush()
    audit.record("consent.give", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"{purpose.value} per {given_on}")
    return consent


def revoke_consent(user: User, case: Case, consent_id: int) -> Consent:
    """Revocation is immediate: from today on the consent no longer counts."""
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    consent = next((c for c in case.candidate.consents if c.id == consent_id), None)
    if consent is None:
        raise DomainError("Deze toestemming hoort niet bij deze kandidaat.", field="consent_id")
    if consent.revoked_on is not None:
        raise Conflict("Deze toestemming is al ingetrokken.", code="consent_revoked")
    consent.revoked_on = clock.today()
    consent.revoked_by_id = user.id
    audit.record("consent.revoke", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"{consent.purpose.value}")
    return consent


# ---------------------------------------------------------------------------------------------
# Reassignment and transfer


def reassign(user: User, case: Case, new_coach: User, expected_version: int | None) -> None:
    """Give the case another coach of its region (its coach or a coordinator decides)."""
    _require_edit_or_coordinate(user, case, expected_version)
    _check_coach(new_coach, case.region_code)
    previous_coach = case.coach
    case.coach = new_coach
    _touch(case)
    audit.record("case.reassign", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"coach {previous_coach.id if previous_coach else None} → {new_coach.id}")
    signals.case_reassigned.send(case, user=user, previous_coach=previous_coach)


def _require_edit_or_coordinate(user: User, case: Case, expected_version: int | None) -> None:
    require(user, (Action.EDIT_CASE, Action.REASSIGN_CASE), case, message=REASSIGN_REFUSED)
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten.", code="case_closed")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(case.version)


def pending_transfer(case: Case) -> CaseTransfer | None:
    """The transfer request of the case that awaits a decision, if any."""
    return db.session.scalar(
        sa.select(CaseTransfer).where(CaseTransfer.case_id == case.id,
                                      CaseTransfer.status == TransferStatus.REQUESTED))


def request_transfer(user: User, case: Case, *, to_region_code: str, reason: str,
                     expected_version: int | None) -> CaseTransfer:
    """Ask a coordinator of another region to take the case over."""
    _require_edit(user, case, expected_version)
    if to_region_code == case.region_code:
        raise DomainError("Kies een andere regio dan de huidige.", field="to_region_code")
    if to_region_code not in REGION_CODES:
        raise DomainError("Kies een bestaande regio.", field="to_region_code")
    if not (reason or "").strip():
        raise DomainError("Geef de reden van de overdracht.", field="reason")
    if pending_transfer(case) is not None:
        raise Conflict("Voor dit traject loopt al een overdrachtsverzoek.",
                       code="transfer_pending")
    transfer = CaseTransfer(case=case, from_region_code=case.region_code,
                            to_region_code=to_region_code, reason=reason.strip(),
                            requested_by_id=user.id)
    db.session.add(transfer)
    _touch(case)
    db.session.flush()
    audit.record("case.transfer_request", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"naar {to_region_code}")
    signals.case_transfer_requested.send(case, user=user, transfer=transfer)
    return transfer


def decide_transfer(user: User, transfer: CaseTransfer, *, accept: bool, note: str = "",
                    new_coach: User | None = None) -> None:
    """A coordinator of the receiving region accepts (choosing a coach) or refuses."""
    require(user, Action.DECIDE_TRANSFER, transfer, message=DECIDE_REFUSED)
    if transfer.status != TransferStatus.REQUESTED:
        raise Conflict("Over dit verzoek is al beslist.", code="transfer_decided")
    case = transfer.case
    if case.is_closed:
        raise Conflict("Het traject is intussen afgesloten.", code="case_closed")
    if accept:
        if new_coach is None:
            raise DomainError("Kies de nieuwe loopbaancoach.", field="new_coach_id")
        _check_coach(new_coach, transfer.to_region_code)
        case.region_code = transfer.to_region_code
        case.coach = new_coach
        # A same-step event in the new region: statistics read a case's region on any date
        # from its latest event, and step durations ignore events with from == to.
        _record_event(case, user, case.status, case.status,
                      reason=f"overdracht van {transfer.from_region_code}")
        transfer.new_coach_id = new_coach.id
        transfer.status = TransferStatus.ACCEPTED
    else:
        if not (note or "").strip():
            raise DomainError("Geef een toelichting bij de weigering.", field="decision_note")
        transfer.status = TransferStatus.REFUSED
    transfer.decided_by_id = user.id
    transfer.decided_at = utcnow()
    transfer.decision_note = (note or "").strip()
    _touch(case)
    audit.record("case.transfer_" + ("accept" if accept else "refuse"), object_type="case",
                 object_id=case.id, region_code=transfer.to_region_code,
                 summary=f"{transfer.from_region_code} → {transfer.to_region_code}")
    signals.case_transfer_decided.send(case, user=user, transfer=transfer)
    if accept:
        signals.case_transferred.send(case, user=user, transfer=transfer)


def withdraw_transfer(user: User, case: Case) -> None:
    """The requesting side takes its transfer request back."""
    transfer = pending_transfer(case)
    if transfer is None:
        raise Conflict("Er loopt geen overdrachtsverzoek.", code="no_transfer")
    require(user, Action.EDIT_CASE, case, message=EDIT_REFUSED)
    transfer.status = TransferStatus.WITHDRAWN
    transfer.decided_by_id = user.id
    transfer.decided_at = utcnow()
    audit.record("case.transfer_withdraw", object_type="case", object_id=case.id,
                 region_code=case.region_code)
    signals.case_transfer_decided.send(case, user=user, transfer=transfer)


# ---------------------------------------------------------------------------------------------
# Reading


def audit_view(user: User, case: Case, summary: str = "") -> None:
    """Record that ``user`` read this case (every page view and API read)."""
    audit.record("case.view", object_type="case", object_id=case.id, region_code=case.region_code,
                 summary=summary)


def visible_candidate(user: User, candidate_id: int) -> Candidate | None:
    """A candidate with a case in the user's regions (not anonymised), or None.

    Used to open a new case for a known person; an unknown id and a person of another region
    give the same answer, so existence is not revealed.
    """
    in_my_regions = scoped(sa.select(Case.candidate_id), user, Case, Action.VIEW_CASE)
    return db.session.scalar(
        sa.select(Candidate).where(Candidate.id == candidate_id,
                                   Candidate.id.in_(in_my_regions),
                                   Candidate.anonymised_at.is_(None)))


def register_hook(hooks: list | str, function: Callable) -> None:
    """Add ``function`` to a registry of :mod:`rmt.cases.extensions` once (its older name).

    ``hooks`` is ``PLACEMENT_CHECKS``/``TIMELINE_SOURCES`` (or the registry's name). Call it from
    a feature's ``receivers.connect()``, never at import time.
    """
    _add_extension(hooks, function)


def timeline(case: Case, *, include_notes: bool,
             notes: list[Note] | None = None) -> list[TimelineItem]:
    """Every step change, note, task and transfer of the case, newest first, with the lines
    other features add (:data:`rmt.cases.extensions.timeline_sources`). ``notes``: the notes
    to show (the case page passes the page it loaded); all of the case's when not given."""
    items: list[TimelineItem] = []
    for event in case.events:
        if event.from_status is None:
            title = f"Aangemeld in {event.region_code}"
        elif event.from_status == event.to_status:
            title = f"Overgedragen naar {event.region_code} (stap {label_of(event.to_status)})"
        else:
            title = f"{label_of(event.from_status)} → {label_of(event.to_status)}"
        detail = event.reason or (label_of(event.exit_reason) if event.exit_reason else "")
        items.append(TimelineItem(event.at, "step", title, detail,
                                  event.user.name if event.user else ""))
    if include_notes:
        for note in case.notes if notes is None else notes:
            items.append(TimelineItem(note.created_at, "note",
                                      f"Aantekening ({label_of(note.kind)})",
                                      note.text[:200], note.author.name))
    for task in case.tasks:
        items.append(TimelineItem(task.created_at, "task", f"Actie: {task.title}",
                                  f"uiterlijk {task.due_on:%d-%m-%Y}", task.owner.name))
    transfers = db.session.scalars(
        sa.select(CaseTransfer).where(CaseTransfer.case_id == case.id)).all()
    for transfer in transfers:
        items.append(TimelineItem(
            transfer.decided_at or transfer.requested_at, "transfer",
            f"Overdracht {transfer.from_region_code} → {transfer.to_region_code}: "
            f"{label_of(transfer.status).lower()}", transfer.reason, transfer.requested_by.name))
    for consent in case.candidate.consents:
        items.append(TimelineItem(consent.created_at, "consent",
                                  f"Toestemming: {label_of(consent.purpose)}",
                                  f"gegeven {consent.given_on:%d-%m-%Y}" + (
                                      f", ingetrokken {consent.revoked_on:%d-%m-%Y}"
                                      if consent.revoked_on else ""),
                                  consent.recorded_by.name))
    for source in timeline_sources:
        items.extend(source(case))
    return sorted(items, key=lambda item: _sort_key(item.at), reverse=True)


def _sort_key(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=utcnow().tzinfo)
