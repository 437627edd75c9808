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
from collections.abc import Callable, Collection, Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from rmt import audit, clock, signals
from rmt.access import Action, allowed_regions, require, scoped
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
INTAKE_FIELDS = ("motivation", "wishes", "obstacles", "work_history", "preferred_sectors")

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


def clean_candidate_data(data: dict[str, Any], *,
                         municipality_ids: Container[int] | None = None) -> dict[str, Any]:
    """Normalise fields that both the form and the API accept as free text.

    ``municipality_ids``: the known municipalities, when the caller loaded them once for many
    candidates (an import); else each call looks its municipality up."""
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
    if "municipality_id" in cleaned and (
            cleaned["municipality_id"] not in municipality_ids if municipality_ids is not None
            else db.session.get(Municipality, cleaned["municipality_id"]) is None):
        raise DomainError("Kies een gemeente uit de lijst.", field="municipality_id")
    return cleaned


# ---------------------------------------------------------------------------------------------
# Registration and duplicates


def _name_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


def is_likely_duplicate(known: Any, *, first_name: str = "", last_name: str = "",
                        birth_date: date | None = None, email: str = "",
                        phone: str = "") -> bool:
    """The duplicate rule: the same birth date and a similar name (same last name, or same
    first name, ignoring case), or the same e-mail address, or the same phone number.

    ``known`` is a candidate (or anything with its name, birth date, e-mail and phone);
    ``phone`` is normalised here. The one place of this rule, for the form, the API and the
    import (:class:`DuplicateFinder`)."""
    if birth_date and known.birth_date == birth_date and (
            (known.last_name or "").lower() == (last_name or "").strip().lower()
            or (known.first_name or "").lower() == (first_name or "").strip().lower()):
        return True
    if email and email.strip() and known.email == email.strip().lower():
        return True
    number = normalise_phone_safe(phone) if phone else ""
    return bool(number) and known.phone == number


def _duplicate_prefilter(birth_dates: Collection[date], emails: Collection[str],
                         phones: Collection[str]) -> sa.ColumnElement[bool] | None:
    """Candidates that might match (:func:`is_likely_duplicate` decides): the same birth date,
    e-mail address or phone number."""
    conditions = []
    if birth_dates:
        conditions.append(Candidate.birth_date.in_(birth_dates))
    if emails:
        conditions.append(Candidate.email.in_(emails))
    if phones:
        conditions.append(Candidate.phone.in_(phones))
    return sa.or_(*conditions) if conditions else None


def _duplicate_keys(person: dict[str, Any]) -> tuple[date | None, str, str]:
    email = (person.get("email") or "").strip().lower()
    phone = normalise_phone_safe(person.get("phone") or "")
    return person.get("birth_date"), email, phone


def find_duplicates(user: User, *, first_name: str = "", last_name: str = "",
                    birth_date: date | None = None, email: str = "", phone: str = "",
                    exclude_candidate_id: int | None = None) -> list[Candidate]:
    """Likely duplicates (:func:`is_likely_duplicate`) among candidates with a case in the
    user's regions, by last name, at most 10."""
    person = {"first_name": first_name, "last_name": last_name, "birth_date": birth_date,
              "email": email, "phone": phone}
    day, address, number = _duplicate_keys(person)
    prefilter = _duplicate_prefilter([day] if day else [], [address] if address else [],
                                     [number] if number else [])
    if prefilter is None:
        return []
    in_my_regions = scoped(sa.select(Case.candidate_id), user, Case, Action.VIEW_CASE)
    query = (
        sa.select(Candidate)
        .where(prefilter, Candidate.id.in_(in_my_regions), Candidate.anonymised_at.is_(None))
        .options(selectinload(Candidate.cases))
        .order_by(Candidate.last_name, Candidate.id)
    )
    if exclude_candidate_id:
        query = query.where(Candidate.id != exclude_candidate_id)
    found = [c for c in db.session.scalars(query).unique()
             if is_likely_duplicate(c, **person)]
    return found[:10]


@dataclass
class KnownPerson:
    """What the duplicate rule reads of a candidate (:class:`DuplicateFinder`)."""

    id: int | None
    first_name: str
    name_prefix: str
    last_name: str
    birth_date: date
    email: str
    phone: str
    regions: set[str] = field(default_factory=set)

    full_name = Candidate.full_name


class DuplicateFinder:
    """:func:`find_duplicates` for many people at once (an import): the candidates who might
    match any of ``people`` are read in a few queries (500 values each) up front; people
    registered meanwhile are added with :meth:`add`, so later rows of the same file find
    them too. Same rule, same scope (the regions where the user may see cases)."""

    CHUNK = 500

    def __init__(self, people: Iterable[dict[str, Any]]) -> None:
        self._by_date: dict[date, list[KnownPerson]] = {}
        self._by_email: dict[str, list[KnownPerson]] = {}
        self._by_phone: dict[str, list[KnownPerson]] = {}
        keys = [_duplicate_keys(person) for person in people]
        wanted = [sorted({k[i] for k in keys if k[i]}) for i in range(3)]
        found: dict[int, KnownPerson] = {}
        for position, values in enumerate(wanted):
            for start in range(0, len(values), self.CHUNK):
                chunk = values[start:start + self.CHUNK]
                prefilter = _duplicate_prefilter(*[chunk if i == position else []
                                                   for i in range(3)])
                rows = db.session.execute(
                    sa.select(Candidate.id, Candidate.first_name, Candidate.name_prefix,
                              Candidate.last_name, Candidate.birth_date, Candidate.email,
                              Candidate.phone, Case.region_code)
                    .join(Case, Case.candidate_id == Candidate.id)
                    .where(prefilter, Candidate.anonymised_at.is_(None)))
                for *person, region_code in rows:
                    known = found.get(person[0])
                    if known is None:
                        known = found[person[0]] = KnownPerson(*person)
                    known.regions.add(region_code)
        for known in found.values():
            self._index(known)

    def _index(self, known: KnownPerson) -> None:
        self._by_date.setdefault(known.birth_date, []).append(known)
        if known.email:
            self._by_email.setdefault(known.email, []).append(known)
        if known.phone:
            self._by_phone.setdefault(known.phone, []).append(known)

    def find(self, user: User, person: dict[str, Any]) -> list[KnownPerson]:
        """Likely duplicates of ``person`` (candidate fields) that ``user`` may see."""
        day, address, number = _duplicate_keys(person)
        buckets = [bucket for bucket in (self._by_date.get(day) if day else None,
                                         self._by_email.get(address) if address else None,
                                         self._by_phone.get(number) if number else None)
                   if bucket]
        if not buckets:
            return []
        regions = allowed_regions(user, Action.VIEW_CASE)
        wanted = {"first_name": person.get("first_name") or "",
                  "last_name": person.get("last_name") or "", "birth_date": day,
                  "email": address, "phone": number}
        seen = {id(known): known for bucket in buckets for known in bucket
                if known.regions & regions and is_likely_duplicate(known, **wanted)}
        return sorted(seen.values(), key=lambda known: known.last_name)[:10]

    def add(self, candidate: dict[str, Any], region_code: str) -> None:
        """A person registered (or about to be) in ``region_code`` by this import."""
        self._index(KnownPerson(
            None, candidate["first_name"], candidate.get("name_prefix") or "",
            candidate["last_name"], candidate["birth_date"], candidate.get("email") or "",
            candidate.get("phone") or "", {region_code}))


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
    now = utcnow()
    values = new_case_values(region_code, coach, opened_on, now)
    del values["coach_id"]  # through the relationship: a coach made in the same unit of work
    case = Case(candidate=candidate, coach=coach, **values)
    db.session.add(case)
    _record_event(case, user, None, CaseState.AANGEMELD, at=now)
    db.session.flush()
    audit.record(**created_audit(case.id, region_code, candidate.id, coach))
    signals.case_created.send(case, user=user)
    return case


# The records a registration makes, as column values: :func:`register` builds its objects from
# them, and an import (:class:`rmt.cases.import_kinds.CandidateBatch`) inserts thousands at once.


def new_candidate_values(cleaned: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Every column of a new candidate from :func:`clean_candidate_data` output (the
    defaults of the model filled in, so that many rows have the same keys)."""
    values = {"name_prefix": "", "email": "", "phone": "", "has_startkwalificatie": False,
              "banenafspraak": False, **cleaned, "created_at": now}
    return values


def new_case_values(region_code: str, coach: User, opened_on: date | None,
                    now: datetime) -> dict[str, Any]:
    """A new case in the first step (without its candidate)."""
    return {"region_code": region_code, "coach_id": coach.id, "status": CaseState.AANGEMELD,
            "opened_on": opened_on or clock.today(), "status_since": now, "created_at": now,
            "updated_at": now, "exit_reason_text": ""}


def new_case_event_values(case_id: int | None, region_code: str, user: User,
                          now: datetime) -> dict[str, Any]:
    """The first event of a new case ("Aangemeld in ..."): the statistics' input."""
    return {"case_id": case_id, "region_code": region_code, "at": now, "user_id": user.id,
            "from_status": None, "to_status": CaseState.AANGEMELD, "reason": "",
            "exit_reason": None}


def created_audit(case_id: int, region_code: str, candidate_id: int,
                  coach: User) -> dict[str, Any]:
    """The audit entry of a registration (keyword arguments of :func:`rmt.audit.record`)."""
    return {"action": "case.create", "object_type": "case", "object_id": case_id,
            "region_code": region_code, "summary": f"kandidaat {candidate_id}, coach {coach.id}"}


def check_new_case_step(step: CaseState, *, reason: str) -> None:
    """Refuse what :func:`transition` would refuse when a case just registered (intake not
    completed, no plan, no placement) moves on to ``step`` (an import that names a step)."""
    facts = CaseFacts(state=CaseState.AANGEMELD)
    problems = check(facts, step.value, reason=reason)
    if problems:
        raise _refusal(problems, facts)


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


def _refusal(problems: list, facts: CaseFacts) -> DomainError:
    first = problems[0]
    error_cls = Conflict if first.code == "not_allowed" else DomainError
    return error_cls(" ".join(p.message for p in problems), field=first.field,
                     code=first.code, problems=problems,
                     allowed=[t.target.value
                              for t in allowed_transitions(facts.state, facts.paused_from)])


def transition(user: User, case: Case, to: str, *, expected_version: int | None,
               reason: str = "", exit_reason: str | None = None,
               exit_reason_text: str = "", at: datetime | None = None) -> CaseEvent:
    """Move the case to another step, if the process engine allows it now."""
    _require_edit(user, case, expected_version)
    facts = case_facts(case)
    problems = check(facts, to, reason=reason, exit_reason=exit_reason,
                     exit_reason_text=exit_reason_text)
    if problems:
        raise _refusal(problems, facts)
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


def intake_values(data: dict[str, Any]) -> dict[str, str]:
    """The intake fields given in ``data``, trimmed."""
    return {key: (data[key] or "").strip() for key in INTAKE_FIELDS if key in data}


def save_intake(user: User, case: Case, data: dict[str, Any], *, complete: bool,
                expected_version: int | None) -> Intake:
    _require_edit(user, case, expected_version)
    intake = case.intake or Intake(case=case)
    db.session.add(intake)
    for key, value in intake_values(data).items():
        setattr(intake, key, value)
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
    for key in ("goal", "target_sector", "target_occupation"):
        if key in data:
            setattr(plan, key, (data[key] or "").strip())
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
