"""The rules for praktijkverklaringen, shared by the HTML views, the API, the CLI and the demo.

Services never commit. Every change is written to the audit trail here, as ``object_type
"case"`` with the case id, so the case's audit view shows it. Register numbers
``PV-<region>-<year>-<seq>`` are gap-free per region and year: the counter row is locked while
a number is taken and the increment commits (or rolls back) together with the issuance
(:func:`_lock_counter`, the one lock place of this feature).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import lazyload, selectinload
from stdnum.exceptions import ValidationError
from stdnum.nl import brin as nl_brin

from rmt import audit, clock, signals
from rmt.access import Action, allowed_regions, can, require, scoped
from rmt.auth.models import User
from rmt.cases import extensions
from rmt.cases.extensions import OpenItem
from rmt.cases.models import RUNNING, Candidate, Case
from rmt.cases.service import TimelineItem
from rmt.employers.models import Employer
from rmt.errors_domain import Conflict, DomainError, StaleVersion
from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import (
    BROKEN_OFF_ON_CASE_CLOSE,
    AssessmentResult,
    PvFacts,
    PvStatus,
    PvTransition,
    allowed_transitions,
    check,
)
from rmt.praktijkverklaring.models import (
    MboSchool,
    PvEvent,
    PvRegisterCounter,
    PvTrajectory,
    PvWorkProcess,
    Qualification,
    QualificationWorkProcess,
)
from rmt.process import CaseState
from rmt.transaction import lock_row
from rmt.validation import clean_text, required_text

CREBO_RE = re.compile(r"\d{5}")
WORK_PROCESS_CODE_RE = re.compile(r"[BP]\d{1,2}-K\d{1,2}-W\d{1,2}")
#: Details may change until the praktijkovereenkomst is signed; the qualification (and with it
#: the werkprocessen) only while the request is fresh.
DETAILS_EDITABLE = frozenset({PvStatus.AANGEVRAAGD, PvStatus.WERKPROCESSEN_VASTGESTELD})
ASSESSABLE = frozenset({PvStatus.IN_LEREN})


def _audit(action: str, trajectory: PvTrajectory, summary: str) -> None:
    audit.record(action, object_type="case", object_id=trajectory.case_id,
                 region_code=trajectory.case.region_code,
                 summary=f"praktijkverklaring {trajectory.id}: {summary}")


# ---------------------------------------------------------------------------------------------
# Reference data (admin)


def normalise_brin(value: str) -> str:
    """'25 pz' -> '25PZ'; raises DomainError unless python-stdnum accepts it as a BRIN code."""
    try:
        return nl_brin.validate(value or "")
    except ValidationError as exc:
        raise DomainError("Vul een geldige BRIN-code in: twee cijfers en twee letters, zoals "
                          "25PZ (eventueel met twee cijfers voor de vestiging).",
                          field="brin") from exc


def normalise_crebo(value: str) -> str:
    text = re.sub(r"\s", "", value or "")
    if not CREBO_RE.fullmatch(text):
        raise DomainError("Vul een crebonummer van vijf cijfers in, zoals 25409.", field="crebo")
    return text


def normalise_work_process_code(value: str) -> str:
    text = re.sub(r"\s", "", value or "").upper()
    if not WORK_PROCESS_CODE_RE.fullmatch(text):
        raise DomainError("Vul een code in zoals B1-K1-W1 (basisdeel) of P1-K1-W2 (profieldeel).",
                          field="code")
    return text


def _require_manage(user: User) -> None:
    require(user, Action.MANAGE_REFERENCE_DATA, message="U mag referentiegegevens niet wijzigen.")


def save_school(user: User, school: MboSchool | None, *, name: str, brin: str,
                active: bool = True) -> MboSchool:
    """Create (``school=None``) or update an mbo school; name and BRIN are unique."""
    _require_manage(user)
    name = required_text(name, "name", "Vul de naam van de school in.", 200)
    brin = normalise_brin(brin)
    others = sa.select(MboSchool).where(sa.or_(MboSchool.brin == brin,
                                               sa.func.lower(MboSchool.name) == name.lower()))
    if school is not None:
        others = others.where(MboSchool.id != school.id)
    clash = db.session.scalars(others).first()
    if clash is not None:
        field, what = ("brin", "BRIN-code") if clash.brin == brin else ("name", "naam")
        raise DomainError(f"Er is al een school met deze {what}: {clash.name}.", field=field)
    created = school is None
    school = school or MboSchool()
    school.name, school.brin, school.active = name, brin, bool(active)
    db.session.add(school)
    db.session.flush()
    audit.record("pv.school_" + ("create" if created else "update"), object_type="mbo_school",
                 object_id=school.id, summary=brin + ("" if active else " (inactief)"))
    return school


def save_qualification(user: User, qualification: Qualification | None, *, crebo: str,
                       name: str, dossier_name: str = "", level: Any = 2,
                       active: bool = True) -> Qualification:
    """Create or update a kwalificatie; the crebo number is unique."""
    _require_manage(user)
    crebo = normalise_crebo(crebo)
    name = required_text(name, "name", "Vul de naam van de kwalificatie in.", 200)
    dossier_name = clean_text(dossier_name)
    if len(dossier_name) > 200:
        raise DomainError("Gebruik hoogstens 200 tekens.", field="dossier_name")
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3, 4):
        raise DomainError("Kies een niveau van 1 tot en met 4.", field="level")
    clash = db.session.scalar(sa.select(Qualification).where(
        Qualification.crebo == crebo,
        Qualification.id != (qualification.id if qualification else 0)))
    if clash is not None:
        raise DomainError(f"Crebo {crebo} is al vastgelegd: {clash.name}.", field="crebo")
    created = qualification is None
    qualification = qualification or Qualification()
    qualification.crebo, qualification.name = crebo, name
    qualification.dossier_name, qualification.level = dossier_name, level
    qualification.active = bool(active)
    db.session.add(qualification)
    db.session.flush()
    audit.record("pv.qualification_" + ("create" if created else "update"),
                 object_type="pv_qualification", object_id=qualification.id,
                 summary=f"crebo {crebo}")
    return qualification


def save_work_process(user: User, qualification: Qualification,
                      work_process: QualificationWorkProcess | None, *, code: str, name: str,
                      active: bool = True) -> QualificationWorkProcess:
    """Add a werkproces to a kwalificatie, or edit one; the code is unique per kwalificatie."""
    _require_manage(user)
    code = normalise_work_process_code(code)
    name = required_text(name, "name", "Vul de omschrijving van het werkproces in.", 300)
    clash = db.session.scalar(sa.select(QualificationWorkProcess).where(
        QualificationWorkProcess.qualification_id == qualification.id,
        QualificationWorkProcess.code == code,
        QualificationWorkProcess.id != (work_process.id if work_process else 0)))
    if clash is not None:
        raise DomainError(f"Werkproces {code} bestaat al bij deze kwalificatie.", field="code")
    created = work_process is None
    work_process = work_process or QualificationWorkProcess(qualification=qualification)
    work_process.code, work_process.name, work_process.active = code, name, bool(active)
    db.session.add(work_process)
    db.session.flush()
    audit.record("pv.work_process_" + ("create" if created else "update"),
                 object_type="pv_qualification", object_id=qualification.id,
                 summary=code)
    return work_process


def schools(*, active_only: bool = False) -> list[MboSchool]:
    query = sa.select(MboSchool).order_by(MboSchool.name)
    if active_only:
        query = query.where(MboSchool.active)
    return list(db.session.scalars(query))


def qualifications(*, active_only: bool = False) -> list[Qualification]:
    query = (sa.select(Qualification).options(selectinload(Qualification.work_processes))
             .order_by(Qualification.name))
    if active_only:
        query = query.where(Qualification.active)
    return list(db.session.scalars(query))


def qualification_by_crebo(crebo: str) -> Qualification | None:
    return db.session.scalar(sa.select(Qualification).where(Qualification.crebo == crebo))


def school_by_brin(brin: str) -> MboSchool | None:
    return db.session.scalar(sa.select(MboSchool).where(MboSchool.brin == brin))


def leerbedrijven() -> list[Employer]:
    """Employers that can be a leerbedrijf: an SBB recognition number, not merged away."""
    return list(db.session.scalars(
        sa.select(Employer)
        .where(Employer.sbb_number.is_not(None), Employer.sbb_number != "",
               Employer.merged_into_id.is_(None))
        .order_by(Employer.name)))


# ---------------------------------------------------------------------------------------------
# Trajectories: creating and editing


def trajectories_for_case(case: Case) -> list[PvTrajectory]:
    return list(db.session.scalars(
        sa.select(PvTrajectory).where(PvTrajectory.case_id == case.id)
        .options(lazyload(PvTrajectory.case))  # the case is in the session already
        .order_by(PvTrajectory.created_at.desc(), PvTrajectory.id.desc())))


def open_trajectory(case: Case) -> PvTrajectory | None:
    return db.session.scalar(sa.select(PvTrajectory).where(
        PvTrajectory.case_id == case.id,
        PvTrajectory.status.not_in((PvStatus.UITGEREIKT, PvStatus.AFGEBROKEN))))


def can_request(user: User, case: Case, trajectories: list[PvTrajectory] | None = None) -> bool:
    """Whether the page should offer 'Praktijkverklaring aanvragen' (``trajectories``: the
    case's, when the caller has them already)."""
    if not can(user, Action.EDIT_CASE, case) or case.status == CaseState.AFGESLOTEN:
        return False
    if trajectories is None:
        trajectories = trajectories_for_case(case)
    return not any(t.is_open for t in trajectories)


def case_section(user: User, case: Case) -> dict[str, Any]:
    """What the case page's praktijkverklaring section shows (``cases/_sections.html``)."""
    trajectories = (trajectories_for_case(case)
                    if extensions.has_rows(case, "praktijkverklaring") else [])
    return {"trajectories": trajectories,
            "can_request": can_request(user, case, trajectories)}


def _check_case_editable(user: User, case: Case) -> None:
    require(user, Action.EDIT_CASE, case, "U mag dit traject niet wijzigen.")
    if case.status == CaseState.AFGESLOTEN:
        raise Conflict("Dit traject is afgesloten en kan niet meer worden gewijzigd.",
                       code="case_closed")


def _require_edit(user: User, trajectory: PvTrajectory, expected_version: int | None) -> None:
    _check_case_editable(user, trajectory.case)
    if expected_version is not None and expected_version != trajectory.version:
        raise StaleVersion(trajectory.version)
    if not trajectory.is_open:
        raise Conflict(f"Deze praktijkverklaring is {trajectory.status_label.lower()} en kan niet "
                       "meer worden gewijzigd.", code="trajectory_closed")


def _touch(trajectory: PvTrajectory) -> None:
    """Bump the version even when only child rows changed, so concurrent edits are detected."""
    trajectory.updated_at = clock.now()


def _school(school_id: Any) -> MboSchool:
    school = db.session.get(MboSchool, school_id) if _is_id(school_id) else None
    if school is None or not school.active:
        raise DomainError("Kies een mbo-school uit de lijst.", field="school_id")
    return school


def _qualification(qualification_id: Any) -> Qualification:
    qualification = (db.session.get(Qualification, qualification_id)
                     if _is_id(qualification_id) else None)
    if qualification is None or not qualification.active:
        raise DomainError("Kies een kwalificatie uit de lijst.", field="qualification_id")
    return qualification


def resolve_leerbedrijf(employer_id: Any) -> Employer:
    """The employer as leerbedrijf; refused without an SBB recognition number."""
    employer = db.session.get(Employer, employer_id) if _is_id(employer_id) else None
    if employer is None:
        raise DomainError("Kies een werkgever uit het werkgeversregister.", field="employer_id")
    if employer.merged_into_id is not None:
        raise DomainError(f"{employer.name} is samengevoegd met een andere werkgever; kies die.",
                          field="employer_id", code="employer_merged")
    if not (employer.sbb_number or "").strip():
        raise DomainError(f"{employer.name} heeft geen SBB-erkenningsnummer en kan daarom geen "
                          "leerbedrijf zijn. Vul eerst de erkenning aan in het werkgeversregister.",
                          field="employer_id", code="not_recognised")
    return employer


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _dates(planned_start: date | None, planned_end: date | None) -> None:
    if planned_start and planned_end and planned_end < planned_start:
        raise DomainError("De geplande einddatum ligt vóór de startdatum.", field="planned_end")
    for field, value in (("planned_start", planned_start), ("planned_end", planned_end)):
        if value is not None and not 2000 <= value.year <= 2100:
            raise DomainError("Vul een datum in tussen 2000 en 2100.", field=field)


def _praktijkopleider(value: Any) -> str:
    text = clean_text(value)
    if len(text) > 200:
        raise DomainError("Gebruik hoogstens 200 tekens.", field="praktijkopleider")
    return text


def create(user: User, case: Case, *, school_id: Any, qualification_id: Any,
           employer_id: Any = None, praktijkopleider: str = "",
           planned_start: date | None = None, planned_end: date | None = None,
           work_process_ids: Iterable[int] | None = None) -> PvTrajectory:
    """Request a praktijkverklaring on a case (status ``aangevraagd``)."""
    _check_case_editable(user, case)
    existing = open_trajectory(case)
    if existing is not None:
        raise Conflict("Er loopt al een praktijkverklaring op dit traject "
                       f"({existing.qualification.name}, {existing.status_label.lower()}).",
                       code="open_trajectory_exists", trajectory_id=existing.id)
    school = _school(school_id)
    qualification = _qualification(qualification_id)
    employer = resolve_leerbedrijf(employer_id) if employer_id not in (None, "") else None
    _dates(planned_start, planned_end)
    trajectory = PvTrajectory(
        case=case, status=PvStatus.AANGEVRAAGD, school=school, qualification=qualification,
        employer=employer, praktijkopleider=_praktijkopleider(praktijkopleider),
        planned_start=planned_start, planned_end=planned_end, created_by_id=user.id,
        status_since=clock.now())
    db.session.add(trajectory)
    if work_process_ids:
        _set_work_processes(trajectory, work_process_ids)
    _record_event(trajectory, user, None, PvStatus.AANGEVRAAGD)
    db.session.flush()
    _audit("pv.create", trajectory, f"aangevraagd, crebo {qualification.crebo}, "
                                    f"school {school.brin}")
    return trajectory


def update_details(user: User, trajectory: PvTrajectory, data: dict[str, Any],
                   expected_version: int | None) -> list[str]:
    """Change school, qualification, leerbedrijf, praktijkopleider or planned dates.

    Only before the praktijkovereenkomst is signed; the qualification only while
    ``aangevraagd`` (changing it clears the chosen werkprocessen). Returns the changed fields.
    """
    _require_edit(user, trajectory, expected_version)
    if trajectory.status not in DETAILS_EDITABLE:
        raise Conflict("Na het tekenen van de praktijkovereenkomst liggen school, kwalificatie "
                       "en leerbedrijf vast.", code="details_locked")
    changed: list[str] = []
    if "school_id" in data and data["school_id"] != trajectory.school_id:
        trajectory.school = _school(data["school_id"])
        changed.append("school")
    if "qualification_id" in data and data["qualification_id"] != trajectory.qualification_id:
        if trajectory.status != PvStatus.AANGEVRAAGD:
            raise Conflict("De kwalificatie kan niet meer wijzigen nu de werkprocessen zijn "
                           "vastgesteld.", field="qualification_id", code="qualification_locked")
        trajectory.qualification = _qualification(data["qualification_id"])
        trajectory.work_processes.clear()
        changed.append("kwalificatie")
    if "employer_id" in data and data["employer_id"] != trajectory.employer_id:
        trajectory.employer = (resolve_leerbedrijf(data["employer_id"])
                               if data["employer_id"] not in (None, "") else None)
        changed.append("leerbedrijf")
    if "praktijkopleider" in data:
        value = _praktijkopleider(data["praktijkopleider"])
        if value != trajectory.praktijkopleider:
            trajectory.praktijkopleider = value
            changed.append("praktijkopleider")
    start = data.get("planned_start", trajectory.planned_start)
    end = data.get("planned_end", trajectory.planned_end)
    _dates(start, end)
    if (start, end) != (trajectory.planned_start, trajectory.planned_end):
        trajectory.planned_start, trajectory.planned_end = start, end
        changed.append("planning")
    _touch(trajectory)
    _audit("pv.update", trajectory, ", ".join(changed) or "geen wijziging")
    return changed


def _set_work_processes(trajectory: PvTrajectory, definition_ids: Iterable[int]) -> None:
    wanted = set()
    for value in definition_ids:
        if not _is_id(value):
            raise DomainError("Kies alleen werkprocessen uit de lijst.", field="work_processes")
        wanted.add(value)
    definitions = {wp.id: wp for wp in trajectory.qualification.work_processes if wp.active}
    unknown = wanted - definitions.keys()
    if unknown:
        raise DomainError("Kies alleen werkprocessen van deze kwalificatie.",
                          field="work_processes")
    for chosen in list(trajectory.work_processes):
        if chosen.definition_id not in wanted:
            trajectory.work_processes.remove(chosen)
    present = {chosen.definition_id for chosen in trajectory.work_processes}
    for definition_id in sorted(wanted - present):
        definition = definitions[definition_id]
        trajectory.work_processes.append(PvWorkProcess(
            definition_id=definition.id, code=definition.code, name=definition.name))


def choose_work_processes(user: User, trajectory: PvTrajectory, definition_ids: Iterable[int],
                          expected_version: int | None) -> None:
    """Set the werkprocessen the candidate will show (only while ``aangevraagd``)."""
    _require_edit(user, trajectory, expected_version)
    if trajectory.status != PvStatus.AANGEVRAAGD:
        raise Conflict("De werkprocessen zijn al vastgesteld.", code="work_processes_locked")
    _set_work_processes(trajectory, definition_ids)
    _touch(trajectory)
    db.session.flush()
    _audit("pv.work_processes", trajectory,
           ", ".join(wp.code for wp in trajectory.work_processes) or "geen")


def work_process_by_code(trajectory: PvTrajectory, code: str) -> PvWorkProcess | None:
    wanted = re.sub(r"\s", "", code or "").upper()
    return next((wp for wp in trajectory.work_processes if wp.code == wanted), None)


def assess(user: User, trajectory: PvTrajectory, work_process: PvWorkProcess, *,
           result: Any, assessed_on: date | None, assessor_name: str,
           expected_version: int | None) -> PvWorkProcess:
    """Record the assessment of one chosen werkproces (while learning in practice)."""
    _require_edit(user, trajectory, expected_version)
    if work_process.trajectory_id != trajectory.id:
        raise DomainError("Dit werkproces hoort niet bij deze praktijkverklaring.",
                          field="work_process")
    if trajectory.status not in ASSESSABLE:
        raise Conflict("Werkprocessen worden beoordeeld tijdens het leren in de praktijk "
                       f"(nu: {trajectory.status_label.lower()}).", code="not_assessable")
    try:
        parsed = AssessmentResult(result)
    except ValueError:
        raise DomainError("Kies 'aangetoond' of 'nog niet aangetoond'.", field="result") from None
    if assessed_on is None:
        raise DomainError("Vul de datum van de beoordeling in.", field="assessed_on")
    if assessed_on > clock.today():
        raise DomainError("De beoordelingsdatum ligt in de toekomst.", field="assessed_on")
    if assessed_on.year < 2000:
        raise DomainError("Vul een datum in na 2000.", field="assessed_on")
    assessor = required_text(assessor_name, "assessor_name",
                              "Vul de naam van de beoordelaar in.", 200)
    work_process.result = parsed
    work_process.assessed_on = assessed_on
    work_process.assessor_name = assessor
    work_process.recorded_by_id = user.id
    work_process.recorded_at = clock.now()
    _touch(trajectory)
    _audit("pv.assess", trajectory, f"{work_process.code}: {parsed.value}")
    return work_process


# ---------------------------------------------------------------------------------------------
# Steps


def facts(trajectory: PvTrajectory) -> PvFacts:
    chosen = trajectory.work_processes
    return PvFacts(
        status=trajectory.status,
        work_process_count=len(chosen),
        assessed_count=sum(1 for wp in chosen if wp.result is not None),
        demonstrated_count=sum(1 for wp in chosen if wp.result == AssessmentResult.AANGETOOND),
        has_leerbedrijf=bool(trajectory.employer and (trajectory.employer.sbb_number or "").strip()
                             and trajectory.employer.merged_into_id is None),
        has_praktijkopleider=bool(trajectory.praktijkopleider.strip()),
        leerbedrijf_recognised=bool(trajectory.employer
                                    and (trajectory.employer.sbb_number or "").strip()),
    )


@dataclass(frozen=True)
class StepOption:
    """A move the page can offer: allowed structurally, with the problems blocking it now."""

    transition: PvTransition
    problems: list

    @property
    def ready(self) -> bool:
        return not self.problems


def step_options(trajectory: PvTrajectory) -> list[StepOption]:
    """Every structurally allowed move with what still blocks it (reason not yet given)."""
    current = facts(trajectory)
    options = []
    for transition in allowed_transitions(trajectory.status):
        problems = [p for p in check(current, transition.target, reason="x")]
        options.append(StepOption(transition, problems))
    return options


def _record_event(trajectory: PvTrajectory, user: User | None, from_status: PvStatus | None,
                  to_status: PvStatus, reason: str = "") -> PvEvent:
    event = PvEvent(trajectory=trajectory, case_id=trajectory.case.id, at=clock.now(),
                    user_id=user.id if user else None, from_status=from_status,
                    to_status=to_status, reason=reason)
    db.session.add(event)
    return event


def transition(user: User, trajectory: PvTrajectory, to: Any, *,
               expected_version: int | None, reason: str = "",
               on: date | None = None) -> PvEvent:
    """Move the trajectory one step (or break it off), if the lifecycle allows it now.

    Issuing (``uitgereikt``) takes the region's register counter under a lock first and
    re-reads the trajectory, so two people issuing at the same moment can neither both issue
    it nor get the same number.
    """
    _require_edit(user, trajectory, expected_version)
    reason = clean_text(reason)
    if len(reason) > 500:
        raise DomainError("Gebruik hoogstens 500 tekens.", field="reason")
    target_value = to.value if isinstance(to, PvStatus) else to
    issuing = target_value == PvStatus.UITGEREIKT.value
    number = None
    if issuing:
        issue_date = on or clock.today()
        region = trajectory.case.region_code
        db.session.flush()  # nothing of this transaction may be lost by the refresh below
        _lock_counter(region, issue_date.year)
        # Everything read before the lock may be stale: read the trajectory and case again.
        db.session.refresh(trajectory.case)
        db.session.refresh(trajectory)
        db.session.expire(trajectory, ["work_processes", "events"])
        _require_edit(user, trajectory, expected_version)
        if trajectory.case.region_code != region:
            raise Conflict("Het traject is intussen naar een andere regio overgedragen. "
                           "Probeer het opnieuw.", code="region_changed")
    problems = check(facts(trajectory), target_value, reason=reason)
    if problems:
        first = problems[0]
        error_cls = Conflict if first.code == "not_allowed" else DomainError
        raise error_cls(" ".join(p.message for p in problems), field=first.field,
                        code=first.code, problems=problems,
                        allowed=[t.target.value for t in allowed_transitions(trajectory.status)])
    target = PvStatus(target_value)
    source = trajectory.status
    if issuing:
        number = _issue(trajectory, issue_date)
    if target == PvStatus.AFGEBROKEN:
        trajectory.abort_reason = reason
    trajectory.status = target
    trajectory.status_since = clock.now()
    event = _record_event(trajectory, user, source, target,
                          reason=reason or (f"registernummer {number}" if number else ""))
    _touch(trajectory)
    _audit("pv.transition", trajectory, f"{source.label} → {target.label}"
           + (f", {number}" if number else ""))
    signals.praktijkverklaring_changed.send(trajectory, user=user, event=event)
    if issuing:
        signals.praktijkverklaring_issued.send(trajectory, user=user)
    return event


# ---------------------------------------------------------------------------------------------
# Issuance and the register number


def _lock_counter(region_code: str, year: int) -> None:
    """Make sure the (region, year) counter exists and hold the region's counters until the unit
    of work ends: two issuances in one region queue here, so neither can take a number twice.

    :func:`rmt.transaction.lock_row` (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: the
    writing unit of work's ``BEGIN IMMEDIATE`` holds the database already). :func:`transition`
    reads the trajectory again after this lock; the view runs it in a savepoint
    (:func:`rmt.transaction.attempt`), so a refusal gives back nothing but the lock.
    """
    table = PvRegisterCounter.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else \
        sqlite.insert
    db.session.execute(insert(table).values(region_code=region_code, year=year, last_seq=0)
                       .on_conflict_do_nothing())
    lock_row(table, region_code, column="region_code")


def next_register_seq(region_code: str, year: int) -> int:
    """Lock the (region, year) counter and take its next sequence number."""
    _lock_counter(region_code, year)
    return _take_seq(region_code, year)


def _take_seq(region_code: str, year: int) -> int:
    """The next sequence number; the caller holds the counter's lock."""
    table = PvRegisterCounter.__table__
    key = (table.c.region_code == region_code) & (table.c.year == year)
    last = db.session.execute(sa.select(table.c.last_seq).where(key)).scalar_one()
    db.session.execute(sa.update(table).where(key).values(last_seq=last + 1))
    return last + 1


def format_register_number(region_code: str, year: int, seq: int) -> str:
    return f"PV-{region_code}-{year}-{seq:04d}"


def _issue(trajectory: PvTrajectory, issue_date: date) -> str:
    region = trajectory.case.region_code
    seq = _take_seq(region, issue_date.year)
    number = format_register_number(region, issue_date.year, seq)
    trajectory.register_region_code = region
    trajectory.register_year = issue_date.year
    trajectory.register_seq = seq
    trajectory.register_number = number
    trajectory.issued_on = issue_date
    trajectory.issued_school_name = trajectory.school.name
    trajectory.issued_school_brin = trajectory.school.brin
    trajectory.issued_crebo = trajectory.qualification.crebo
    trajectory.issued_qualification_name = trajectory.qualification.name
    employer = trajectory.employer
    trajectory.issued_employer_name = employer.name if employer else ""
    trajectory.issued_employer_kvk = employer.kvk_number if employer else ""
    trajectory.issued_sbb_number = (employer.sbb_number or "") if employer else ""
    return number


# ---------------------------------------------------------------------------------------------
# Reading: register, counts, timeline


def audit_view(trajectory: PvTrajectory, what: str = "bekeken") -> None:
    audit.record("pv.view", object_type="case", object_id=trajectory.case_id,
                 region_code=trajectory.case.region_code,
                 summary=f"praktijkverklaring {trajectory.id}: {what}")


def audit_case_read(case: Case, summary: str) -> None:
    """A praktijkverklaring page of a case without a trajectory yet (the request form)."""
    audit.record("pv.view", object_type="case", object_id=case.id,
                 region_code=case.region_code, summary=summary)


def trajectory_query(user: User, *, status: str | None = None, region_code: str | None = None,
                     case_id: int | None = None) -> sa.Select:
    """Trajectories on cases the user may see (joined with the case for region scoping)."""
    query = scoped(sa.select(PvTrajectory).join(Case, PvTrajectory.case_id == Case.id),
                   user, Case, Action.VIEW_CASE)
    if status:
        query = query.where(PvTrajectory.status == PvStatus(status))
    if region_code:
        query = query.where(Case.region_code == region_code)
    if case_id:
        query = query.where(PvTrajectory.case_id == case_id)
    return query.order_by(PvTrajectory.id.desc())


def register_regions(user: User) -> list[str]:
    """Regions whose register the user may read."""
    return sorted(allowed_regions(user, Action.VIEW_CASE))


def register_entries(region_code: str, year: int | None = None) -> list[PvTrajectory]:
    """Issued verklaringen of one region's register, in number order."""
    query = (sa.select(PvTrajectory)
             .where(PvTrajectory.status == PvStatus.UITGEREIKT,
                    PvTrajectory.register_region_code == region_code)
             .options(selectinload(PvTrajectory.work_processes))
             .order_by(PvTrajectory.register_year, PvTrajectory.register_seq))
    if year:
        query = query.where(PvTrajectory.register_year == year)
    return list(db.session.scalars(query))


def register_years(region_code: str) -> list[int]:
    return list(db.session.scalars(
        sa.select(PvTrajectory.register_year).distinct()
        .where(PvTrajectory.register_region_code == region_code,
               PvTrajectory.register_year.is_not(None))
        .order_by(PvTrajectory.register_year.desc())))


REGISTER_COLUMNS = ("Registernummer", "Datum uitreiking", "Kandidaat", "Geboortedatum",
                    "Mbo-school", "BRIN", "Crebo", "Kwalificatie", "Aangetoonde werkprocessen",
                    "Leerbedrijf", "KvK-nummer", "SBB-erkenningsnummer", "Traject")


def register_rows(entries: Iterable[PvTrajectory]) -> list[list[Any]]:
    rows = []
    for entry in entries:
        candidate: Candidate = entry.case.candidate
        rows.append([
            entry.register_number, entry.issued_on, candidate.full_name, candidate.birth_date,
            entry.issued_school_name, entry.issued_school_brin, entry.issued_crebo,
            entry.issued_qualification_name,
            "; ".join(f"{wp.code} {wp.name}" for wp in entry.demonstrated),
            entry.issued_employer_name, entry.issued_employer_kvk, entry.issued_sbb_number,
            entry.case_id,
        ])
    return rows


def status_counts(region_code: str) -> dict[PvStatus, int]:
    """Trajectories per status on the region's cases (cases' current region)."""
    rows = db.session.execute(
        sa.select(PvTrajectory.status, sa.func.count())
        .join(Case, PvTrajectory.case_id == Case.id)
        .where(Case.region_code == region_code)
        .group_by(PvTrajectory.status)).all()
    counts = dict.fromkeys(PvStatus, 0)
    counts.update({PvStatus(status): n for status, n in rows})
    return counts


#: The step that waits for the school: the assessment is done, the school still has to
#: determine (vaststellen) the result before the verklaring can be issued.
AWAITING_VASTSTELLING = PvStatus.BEOORDEELD


def count_awaiting_vaststelling(user: User) -> int:
    """Running trajectories in the user's regions that wait for the school's vaststelling."""
    return db.session.scalar(
        trajectory_query(user, status=AWAITING_VASTSTELLING.value).with_only_columns(
            sa.func.count(PvTrajectory.id)).order_by(None)
        .where(RUNNING)) or 0


def trajectories_in_status(user: User, region_code: str, status: PvStatus,
                           limit: int = 200) -> list[PvTrajectory]:
    """Trajectories of one status on the region's cases, oldest step first (with candidate)."""
    return list(db.session.scalars(
        trajectory_query(user, status=status.value, region_code=region_code)
        .options(selectinload(PvTrajectory.case).joinedload(Case.candidate))
        .where(RUNNING)
        .order_by(None).order_by(PvTrajectory.status_since, PvTrajectory.id)
        .limit(limit)))


def timeline_items(case: Case) -> list[TimelineItem]:
    """The praktijkverklaring steps of a case, for the case timeline (connected to
    :data:`rmt.cases.service.TIMELINE_SOURCES` by :mod:`rmt.praktijkverklaring.receivers`)."""
    if not extensions.has_rows(case, "praktijkverklaring"):
        return []
    events = db.session.execute(
        sa.select(PvEvent, Qualification.name, User.name)
        .join(PvTrajectory, PvEvent.trajectory_id == PvTrajectory.id)
        .join(Qualification, PvTrajectory.qualification_id == Qualification.id)
        .outerjoin(User, PvEvent.user_id == User.id)
        .where(PvEvent.case_id == case.id)).all()
    items = []
    for event, qualification_name, user_name in events:
        step = (f"{PvStatus(event.from_status).label} → {PvStatus(event.to_status).label}"
                if event.from_status else "aangevraagd")
        items.append(TimelineItem(event.at, "praktijkverklaring",
                                  f"Praktijkverklaring {qualification_name}: {step}",
                                  event.reason, user_name or ""))
    return items



# ---------------------------------------------------------------------------------------------
# Closing the case


def break_off_on_case_close(user: User, trajectory: PvTrajectory, reason: str) -> PvEvent:
    """Break off a praktijkverklaring not yet under agreement because its case closes (in the
    closing's transaction, before the case is closed)."""
    if trajectory.status not in BROKEN_OFF_ON_CASE_CLOSE:
        raise Conflict("De praktijkverklaring is intussen gewijzigd; bekijk het traject opnieuw "
                       "voordat u afsluit.", code="open_items")
    source = trajectory.status
    trajectory.abort_reason = reason[:500]
    trajectory.status = PvStatus.AFGEBROKEN
    trajectory.status_since = clock.now()
    event = _record_event(trajectory, user, source, PvStatus.AFGEBROKEN, reason=reason[:500])
    _touch(trajectory)
    _audit("pv.transition", trajectory, f"{source.value} → afgebroken, traject afgesloten")
    signals.praktijkverklaring_changed.send(trajectory, user=user, event=event)
    return event


def open_items(case: Case) -> list[OpenItem]:
    """The case's praktijkverklaring in progress, and what closing the case does with it."""
    trajectory = open_trajectory(case)
    if trajectory is None:
        return []
    title = (f"Praktijkverklaring {trajectory.id} ({trajectory.qualification.name}), "
             f"{trajectory.status_label.lower()}")
    if trajectory.status in BROKEN_OFF_ON_CASE_CLOSE:
        return [OpenItem("praktijkverklaring", title,
                         "wordt afgebroken met de reden: traject afgesloten",
                         settle=lambda user, reason: break_off_on_case_close(
                             user, trajectory, reason))]
    return [OpenItem("praktijkverklaring", title,
                     "sluiten kan pas als de praktijkverklaring is uitgereikt of afgebroken",
                     blocks=True)]
