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
from collections.abc import Callable, Collection, Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from rmt import audit, clock, signals
from rmt.access import Action, allowed_regions, can, require, scoped
from rmt.auth.models import Role, User
from rmt.cases import reference, search
from rmt.cases.extensions import (
    OpenItem,
    TimelineItem,
    WorkPlacement,
    open_item_sources,
    placement_checks,
    timeline_sources,
    work_placement_sources,
)
from rmt.cases.extensions import add as _add_extension
from rmt.cases.models import (
    RUNNING,
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
#: The fields that make up ``candidate.search_text``.
SEARCHED_FIELDS = {"first_name", "name_prefix", "last_name", "email", "phone"}
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


@dataclass(frozen=True)
class DuplicateMatch:
    """A likely duplicate and what the coach can do with it on the confirmation screen."""

    candidate: Candidate
    #: The candidate's running case in any region (a person has at most one), or None.
    running_case: Case | None
    #: The running case is in one of the user's regions (so the screen may link to it).
    running_case_visible: bool

    @property
    def can_open_new_case(self) -> bool:
        """"Dit is dezelfde persoon" works only for someone without a running case."""
        return self.running_case is None


def duplicate_matches(user: User, candidates: list[Candidate]) -> list[DuplicateMatch]:
    """For each duplicate from :func:`find_duplicates` (cases already loaded): whether a new
    case can be opened for them, or which running case stands in the way. No statements."""
    matches = []
    for candidate in candidates:
        running = next((case for case in candidate.cases if not case.is_closed), None)
        visible = running is not None and can(user, Action.VIEW_CASE, running)
        matches.append(DuplicateMatch(candidate, running, visible))
    return matches


def normalise_phone_safe(value: str) -> str:
    """The normalised phone number, or "" when it is not one (for duplicate look-ups)."""
    try:
        return normalise_phone(value)
    except DomainError:
        return ""


def open_case_of(candidate: Candidate) -> Case | None:
    return db.session.scalar(
        sa.select(Case).where(Case.candidate_id == candidate.id,
                              RUNNING))


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
        search.refresh(candidate)
        db.session.add(candidate)
    now = utcnow()
    values = new_case_values(region_code, coach, opened_on, now)
    del values["coach_id"]  # through the relationship: a coach made in the same unit of work
    case = Case(candidate=candidate, coach=coach, **values)
    db.session.add(case)
    _record_event(case, user, None, CaseState.AANGEMELD, at=now)
    db.session.flush()
    audit.record("case.create", object_type="case", object_id=case.id, region_code=region_code,
                 summary=created_audit(case.id, region_code, candidate.id, coach)["summary"])
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
    if set(changed) & SEARCHED_FIELDS:
        search.refresh(candidate)
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
               exit_reason_text: str = "", at: datetime | None = None,
               placement_id: Any = None) -> CaseEvent:
    """Move the case to another step, if the process engine allows it now.

    Closing (``afgesloten``) is :func:`close`: the same rules from every entry point.
    """
    if to == CaseState.AFGESLOTEN.value:
        return close(user, case, exit_reason=exit_reason, exit_reason_text=exit_reason_text,
                     reason=reason, placement_id=placement_id,
                     expected_version=expected_version, at=at)
    _require_edit(user, case, expected_version)
    _check_move(case, to, reason=reason)
    target = CaseState(to)
    source = case.status
    if target == CaseState.GEPAUZEERD:
        case.paused_from = source
    elif source == CaseState.GEPAUZEERD:
        case.paused_from = None
    case.status = target
    case.status_since = at or utcnow()
    _touch(case)
    event = _record_event(case, user, source, target, reason=(reason or "").strip(), at=at)
    audit.record("case.transition", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=f"{source.label} → {target.label}")
    signals.case_step_changed.send(case, user=user, event=event)
    return event


def _check_move(case: Case, to: str, **kwargs: Any) -> None:
    """Refuse a move the process engine does not allow now (409) or whose input is missing."""
    facts = case_facts(case)
    problems = check(facts, to, **kwargs)
    if problems:
        raise _refusal(problems, facts)


# ---------------------------------------------------------------------------------------------
# Closing and reopening

#: The exits to work: they name the placement (its employer), see docs/statistics.md.
WORK_EXITS: frozenset[ExitReason] = frozenset({ExitReason.WERK_LOONDIENST,
                                               ExitReason.WERK_ZELFSTANDIG})
#: Steps that count as "placed" for the funnel (reached_geplaatst_on in the statistics).
PLACED_STEPS: frozenset[CaseState] = frozenset({CaseState.GEPLAATST, CaseState.NAZORG})
#: A coordinator can reopen a case closed by mistake up to this many days after closing.
REOPEN_DAYS = 30
TASK_CLOSED_REASON = "Gesloten bij afsluiting van het traject"


def open_tasks(case: Case) -> list[Task]:
    return [task for task in case.tasks if task.done_at is None]


def closing_items(case: Case) -> list[OpenItem]:
    """Everything still open on the case and what closing does with it, for the confirmation
    step and for :func:`close` itself: the other features' items
    (:data:`rmt.cases.extensions.open_item_sources`), then the open tasks they do not account
    for (closed with the case)."""
    items: list[OpenItem] = [item for source in open_item_sources for item in source(case)]
    kept = {item.task_id for item in items if item.task_id is not None}
    for task in open_tasks(case):
        if task.id in kept:
            continue
        items.append(OpenItem(
            "task", f"Actie: {task.title} ({task.owner.name}, uiterlijk {task.due_on:%d-%m-%Y})",
            "Wordt gesloten (niet uitgevoerd) met de reden: traject afgesloten."))
    return items


def work_placements(case: Case) -> list[WorkPlacement]:
    """The placements of the case an exit to work can name (registered by employers)."""
    return [p for source in work_placement_sources for p in source(case)]


def _exit_placement(case: Case, exit_reason: ExitReason, placement_id: Any,
                    on: date) -> WorkPlacement | None:
    """The placement an exit to work names: the given one, or the only one running."""
    if exit_reason not in WORK_EXITS:
        return None
    running = [p for p in work_placements(case) if p.runs_on(on)]
    if placement_id not in (None, ""):
        chosen = next((p for p in running if str(p.id) == str(placement_id)), None)
        if chosen is None:
            raise DomainError("Kies een plaatsing van dit traject die loopt.",
                              field="placement_id", code="unknown_placement")
        return chosen
    if len(running) == 1:
        return running[0]
    if not running:
        raise DomainError(
            f"Regel uitstroom naar werk: leg eerst de plaatsing vast (werkgever of "
            f"opdrachtgever, startdatum) voordat u afsluit met \"{exit_reason.label}\".",
            field="placement_id", code="placement_required")
    raise DomainError("Kies de plaatsing waarmee de kandidaat uitstroomt.",
                      field="placement_id", code="placement_choice")


def _reached_placed(case: Case) -> bool:
    return any(event.to_status in PLACED_STEPS for event in case.events)


def close(user: User, case: Case, *, exit_reason: Any, exit_reason_text: str = "",
          reason: str = "", placement_id: Any = None, expected_version: int | None,
          at: datetime | None = None) -> CaseEvent:
    """Close the case, with everything still open on it, in one transaction.

    Refused (409 ``open_items``) while an item blocks (a voucher awarded or running, a
    praktijkverklaring under way); otherwise every other item is settled: pending requests are
    withdrawn with the reason "traject afgesloten", open tasks are closed. An exit to work names
    a running placement of the case; a case that had not reached the step geplaatst passes it
    at the same moment, so the funnel and the exits to work agree (docs/statistics.md).
    """
    _require_edit(user, case, expected_version)
    _check_move(case, CaseState.AFGESLOTEN.value, reason=reason, exit_reason=exit_reason,
                exit_reason_text=exit_reason_text)
    at = at or utcnow()
    exit_reason = ExitReason(str(exit_reason).strip())
    items = closing_items(case)
    blocking = [item for item in items if item.blocks]
    if blocking:
        raise Conflict("Het traject kan nog niet worden afgesloten: "
                       + "; ".join(f"{item.title} ({item.outcome})" for item in blocking) + ".",
                       code="open_items", open_items=[item.title for item in blocking])
    placement = _exit_placement(case, exit_reason, placement_id, clock.local_date(at))
    settle_reason = f"Traject {case.id} afgesloten ({exit_reason.label.lower()})"
    for item in items:
        if item.settle is not None:
            item.settle(user, settle_reason)
    kept = {item.task_id for item in items if item.task_id is not None}
    closed_tasks = 0
    for task in open_tasks(case):
        if task.id not in kept:
            task.done_at = at
            task.closed_reason = TASK_CLOSED_REASON
            closed_tasks += 1
    source = case.status
    if placement is not None and not _reached_placed(case):
        _record_event(case, user, source, CaseState.GEPLAATST, at=at,
                      reason=f"Plaatsing vastgelegd bij afsluiting: {placement.label}")
        source = CaseState.GEPLAATST
    case.exit_reason = exit_reason
    case.exit_reason_text = (exit_reason_text or "").strip()
    case.exit_placement_id = placement.id if placement else None
    case.closed_on = clock.local_date(at)
    case.paused_from = None
    case.status = CaseState.AFGESLOTEN
    case.status_since = at
    _touch(case)
    settled = [item for item in items if item.settle is not None or item.kind == "task"]
    summary = "; ".join(f"{item.title}: {item.outcome}" for item in settled)
    event_reason = " ".join(part for part in ((reason or "").strip(),
                                              f"Bij afsluiting: {summary}" if summary else "")
                            if part)[:500]
    event = _record_event(case, user, source, CaseState.AFGESLOTEN, reason=event_reason,
                          exit_reason=exit_reason, at=at)
    audit.record("case.transition", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"{source.value} → afgesloten ({exit_reason.value}"
                         + (f", plaatsing {placement.id}" if placement else "")
                         + f"; {len(settled) - closed_tasks} open zaken afgehandeld, "
                           f"{closed_tasks} acties gesloten)")
    signals.case_step_changed.send(case, user=user, event=event)
    signals.case_closed.send(case, user=user, reason=case.exit_reason)
    return event


def reopen_deadline(case: Case) -> date | None:
    """The last day a coordinator can reopen this closed case (None: not closed)."""
    return case.closed_on + timedelta(days=REOPEN_DAYS) if case.closed_on else None


def _step_before_closing(case: Case) -> tuple[CaseState, CaseState | None]:
    """The step the case stood in when it was closed, and its paused_from if that was a pause."""
    events = sorted(case.events, key=lambda e: (e.at, e.id))
    closing = next((e for e in reversed(events) if e.to_status == CaseState.AFGESLOTEN), None)
    step = closing.from_status if closing and closing.from_status else CaseState.AANGEMELD
    if step != CaseState.GEPAUZEERD:
        return step, None
    pause = next((e for e in reversed(events)
                  if e.to_status == CaseState.GEPAUZEERD and e.from_status is not None
                  and e.from_status != CaseState.GEPAUZEERD), None)
    return step, pause.from_status if pause else CaseState.AANGEMELD


def reopen(user: User, case: Case, *, reason: str, expected_version: int | None = None,
           at: datetime | None = None) -> CaseEvent:
    """A coordinator of the case's region reopens a case closed by mistake, within
    :data:`REOPEN_DAYS` days, in the step it was closed from.

    The closing stays in the history (a new event, never an edit), so the statistics of any
    earlier moment stay as they were; from now on the case counts as running again. Requests
    withdrawn and tasks closed at the closing stay so: they are made again where needed.
    """
    require(user, Action.REOPEN_CASE, case,
            message="Alleen een coördinator van de regio kan een traject heropenen.")
    if not case.is_closed:
        raise Conflict("Dit traject is niet afgesloten.", code="not_closed")
    if expected_version is not None and expected_version != case.version:
        raise StaleVersion(case.version)
    text = (reason or "").strip()
    if not text:
        raise DomainError("Geef de reden van het heropenen.", field="reason")
    if len(text) > 400:
        raise DomainError("Gebruik hoogstens 400 tekens.", field="reason")
    at = at or utcnow()
    deadline = reopen_deadline(case)
    if deadline is None or clock.local_date(at) > deadline:
        raise Conflict(f"Een traject kan tot {REOPEN_DAYS} dagen na afsluiting worden heropend; "
                       "dit traject is langer geleden afgesloten.", code="reopen_expired")
    other = db.session.scalar(sa.select(Case.id).where(
        Case.candidate_id == case.candidate_id, Case.id != case.id,
        RUNNING))
    if other is not None:
        raise Conflict(f"De kandidaat heeft intussen een ander lopend traject ({other}).",
                       code="open_case_exists", case_id=other)
    step, paused_from = _step_before_closing(case)
    previous_exit = case.exit_reason
    case.status = step
    case.paused_from = paused_from
    case.exit_reason = None
    case.exit_reason_text = ""
    case.exit_placement_id = None
    case.closed_on = None
    case.status_since = at
    _touch(case)
    event = _record_event(case, user, CaseState.AFGESLOTEN, step, at=at,
                          reason=f"Heropend: {text}"[:500])
    audit.record("case.reopen", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"afgesloten ({previous_exit.value if previous_exit else '-'}) → "
                         f"{step.value}")
    signals.case_step_changed.send(case, user=user, event=event)
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


def intake_values(data: dict[str, Any]) -> dict[str, Any]:
    """The intake fields given in ``data``: texts trimmed, sectors as their SBI section."""
    return {key: _field_value(key, data[key]) for key in INTAKE_FIELDS if key in data}


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
                 region_code=case.region_code,
                 summary=f"activiteit {activity.id}: {activity.status.label}")
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
                 region_code=case.region_code, summary=f"{purpose.label} per {given_on:%d-%m-%Y}")
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
                 region_code=case.region_code, summary=consent.purpose.label)
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


def reassign_caseload(user: User, from_coach: User, case_ids: list[int],
                      new_coach: User) -> list[Case]:
    """A coordinator gives cases of a leaving (or deactivated) coach to another coach, in one
    transaction: each case as :func:`reassign` does (audited, ``case_reassigned``), and the
    leaving coach's open tasks on those cases go with it. All or nothing: one case that cannot
    go (another region, closed meanwhile, a coach not of its region) refuses the whole batch."""
    require(user, Action.REASSIGN_CASELOAD,
            message="Alleen een coördinator wijst een caseload opnieuw toe.")
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        raise DomainError("Kies minstens één traject.", field="case_ids")
    if new_coach is None:
        raise DomainError("Kies de nieuwe loopbaancoach.", field="new_coach_id")
    if new_coach.id == from_coach.id:
        raise DomainError("Kies een andere loopbaancoach dan de huidige.", field="new_coach_id")
    cases = list(db.session.scalars(
        scoped(sa.select(Case), user, Case, Action.REASSIGN_CASELOAD)
        .where(Case.id.in_(ids)).order_by(Case.id)))
    if len(cases) != len(ids):
        raise DomainError("Een of meer gekozen trajecten bestaan niet of liggen buiten uw "
                          "regio's.", field="case_ids")
    for case in cases:
        if case.coach_id != from_coach.id:
            raise Conflict(f"Traject {case.id} heeft intussen een andere coach.",
                           field="case_ids", code="coach_changed")
        if case.is_closed:
            raise Conflict(f"Traject {case.id} is intussen afgesloten.", field="case_ids",
                           code="case_closed")
        _check_coach(new_coach, case.region_code)
    moved_tasks = 0
    for case in cases:
        case.coach = new_coach
        for task in open_tasks(case):
            if task.owner_id == from_coach.id:
                task.owner = new_coach
                moved_tasks += 1
        _touch(case)
        audit.record("case.reassign", object_type="case", object_id=case.id,
                     region_code=case.region_code,
                     summary=f"coach {from_coach.id} → {new_coach.id} (caseload overgedragen)")
    audit.record("case.reassign_caseload", object_type="user", object_id=from_coach.id,
                 summary=f"{len(cases)} trajecten en {moved_tasks} open acties van coach "
                         f"{from_coach.id} naar {new_coach.id}")
    for case in cases:
        signals.case_reassigned.send(case, user=user, previous_coach=from_coach)
    return cases


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
    moved = 0
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
        moved = _move_tasks_to(case, new_coach, transfer.to_region_code)
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
                 summary=f"{transfer.from_region_code} → {transfer.to_region_code}"
                         + (f", {moved} open acties naar de nieuwe coach" if accept else ""))
    signals.case_transfer_decided.send(case, user=user, transfer=transfer)
    if accept:
        signals.case_transferred.send(case, user=user, transfer=transfer)


def _move_tasks_to(case: Case, coach: User, region_code: str) -> int:
    """Open tasks whose owner is not of ``region_code`` go to ``coach``: the old region can no
    longer open the case. Tasks of colleagues of the new region stay theirs."""
    moved = 0
    for task in open_tasks(case):
        if region_code not in task.owner.region_codes or not task.owner.active:
            task.owner = coach
            moved += 1
    return moved


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


def timeline(case: Case, *, include_notes: bool, notes: list[Any] | None = None,
             transfers: list[CaseTransfer] | None = None,
             events: Sequence[Any] | None = None) -> list[TimelineItem]:
    """Every step change, note, task and transfer of the case, newest first, with the lines
    other features add (:data:`rmt.cases.extensions.timeline_sources`). ``notes``: the notes
    to show (the case page passes the page it loaded); all of the case's when not given.
    ``transfers`` and ``events`` (its step changes, as ``queries.EventLine`` or events): the
    case's when the caller has them already."""
    items: list[TimelineItem] = []
    for event in case.events if events is None else events:
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
    if transfers is None:
        transfers = list(db.session.scalars(
            sa.select(CaseTransfer).where(CaseTransfer.case_id == case.id)))
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
