"""The import kind of the cases feature: candidates with their case (rmt.imports).

Each row goes through this feature's own service (:func:`rmt.cases.service.register`,
``save_intake``, ``transition``), so an imported candidate meets exactly the rules of the
registration form and the API, duplicates included. Registered from ``receivers.connect()``.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from rmt import audit, clock, signals, transaction
from rmt.auth.models import Role, User
from rmt.cases import service
from rmt.cases.models import (
    Benefit,
    Candidate,
    Case,
    CaseEvent,
    EducationLevel,
    Intake,
    ReferralPartner,
    TargetGroup,
    WorkStatus,
    sort_names,
)
from rmt.db_types import utcnow
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports import kinds
from rmt.imports.kinds import (
    CREATED,
    SKIPPED,
    UPDATED,
    Column,
    ImportKind,
    RowOutcome,
    RowRefused,
    choice_of,
    heading_key,
    parse_bool,
    parse_date,
    parse_email,
    text_of,
)
from rmt.imports.records import imported_id
from rmt.process import CaseState, ExitReason
from rmt.regions import REGION_CODES
from rmt.regions.models import Municipality


def parse_region(value: Any) -> str:
    code = str(value).strip().upper()
    if code not in REGION_CODES:
        raise DomainError("Onbekende regio; vul de code in, zoals " + ", ".join(REGION_CODES)
                          + ".")
    return code


def _municipalities() -> dict[str, int]:
    """Heading key of each municipality's name → its id (read once per import run)."""
    return kinds.cached("municipalities", lambda: {
        heading_key(name): ident
        for ident, name in db.session.execute(sa.select(Municipality.id, Municipality.name))})


def municipality_id(value: Any) -> int:
    seen = kinds.cached("municipality_cells", dict)  # the same few names, thousands of times
    key = str(value)
    if key not in seen:
        seen[key] = _municipalities().get(heading_key(value))
    ident = seen[key]
    if ident is None:
        raise DomainError("Onbekende gemeente; gebruik de naam zoals in de lijst van "
                          "gemeenten.")
    return ident


CANDIDATE_COLUMNS = (
    Column("reference", "Kenmerk", text_of(100), aliases=("referentie", "eigen kenmerk"),
           example="MU-2026-001"),
    Column("first_name", "Voornaam", text_of(100), required=True, example="Fatima"),
    Column("name_prefix", "Tussenvoegsel", text_of(20), aliases=("tussenv",), example=""),
    Column("last_name", "Achternaam", text_of(100), required=True, example="Jansen"),
    Column("birth_date", "Geboortedatum", parse_date, required=True, example="14-03-1985"),
    Column("email", "E-mail", parse_email, aliases=("e-mailadres", "email"),
           example="f.jansen@example.nl"),
    Column("phone", "Telefoon", text_of(30), aliases=("telefoonnummer", "mobiel"),
           example="0612345678"),
    Column("postcode", "Postcode", text_of(10), required=True, example="3511 AB"),
    Column("municipality_id", "Gemeente", municipality_id, required=True, example="Utrecht"),
    Column("region_code", "Regio", parse_region, example="MU"),
    Column("coach_id", "Loopbaancoach", parse_email, aliases=("coach", "e-mail coach"),
           example="coach.mu@demo.rmt.test"),
    Column("status", "Stap", choice_of(CaseState), aliases=("huidige stap",),
           example="Aangemeld"),
    Column("opened_on", "Aangemeld op", parse_date, aliases=("aanmelddatum", "datum aanmelding"),
           example="2026-01-15"),
    Column("education_level", "Opleidingsniveau", choice_of(EducationLevel), required=True,
           example="Mbo niveau 2"),
    Column("has_startkwalificatie", "Startkwalificatie", parse_bool, example="ja"),
    Column("work_status", "Arbeidssituatie", choice_of(WorkStatus), required=True,
           example="Werkzoekend"),
    Column("benefit", "Uitkering", choice_of(Benefit), required=True, example="WW"),
    Column("target_group", "Doelgroep", choice_of(TargetGroup), required=True,
           example="Werkzoekenden"),
    Column("referral_partner", "Verwijzer", choice_of(ReferralPartner), required=True,
           example="UWV"),
    Column("motivation", "Motivatie", text_of(5000)),
    Column("wishes", "Wensen", text_of(5000)),
    Column("obstacles", "Belemmeringen", text_of(5000)),
    Column("work_history", "Werkervaring", text_of(5000)),
    Column("preferred_sectors", "Voorkeurssectoren", text_of(500)),
)


def _coach(user: User, values: dict[str, Any],
           find: Callable[[str], User | None] | None = None) -> User:
    email = values.get("coach_id")
    if not email:
        if user.role == Role.COACH:
            return user
        raise DomainError("Vul de loopbaancoach in (e-mailadres).", field="coach_id")
    coach = find(email) if find else db.session.scalar(sa.select(User).where(User.email == email))
    if coach is None:
        raise DomainError("Onbekende loopbaancoach: er is geen account met dit e-mailadres.",
                          field="coach_id")
    return coach


@dataclass
class CandidateRow:
    """One candidate row that passed every rule: who registers it, for which coach, and the
    cleaned data."""

    actor: User
    coach: User
    candidate: dict[str, Any]
    values: dict[str, Any]


def check_candidate_row(user: User, region_code: str, values: dict[str, Any], *,
                        find_coach: Callable[[str], User | None] | None = None,
                        find_duplicates: Callable[[User, dict[str, Any]], list[Any]],
                        municipality_ids: Container[int] | None = None) -> CandidateRow:
    """Every rule of a candidate row, for both paths (one row at a time, and
    :class:`CandidateBatch`): the region, the coach, the registration rules of
    :mod:`rmt.cases.service`, duplicates, the candidate's data and the step named.

    The one who registers is the importer when that is a coach; a coordinator or the admin
    imports on behalf of the coach named in the row (only a coach opens cases)."""
    if values.get("region_code", region_code) != region_code:
        raise DomainError(f"Deze rij hoort bij een andere regio dan {region_code}.",
                          field="region_code")
    coach = _coach(user, values, find_coach)
    actor = user if user.role == Role.COACH else coach
    service.check_registration(actor, region_code, coach)
    duplicates = find_duplicates(actor, values)
    if duplicates:
        known = duplicates[0]
        raise DomainError(f"Lijkt op een bekende kandidaat ({known.full_name}, geboren "
                          f"{known.birth_date:%d-%m-%Y}); registreer deze persoon via het "
                          "formulier.", code="duplicate")
    data = {key: values[key] for key in service.CANDIDATE_FIELDS if key in values}
    data.setdefault("has_startkwalificatie", False)
    cleaned = service.clean_candidate_data(data, municipality_ids=municipality_ids)
    step = values.get("status")
    if step and step != CaseState.AANGEMELD:
        try:
            service.check_new_case_step(step, reason=IMPORTED)
        except DomainError as error:
            raise DomainError(error.message, field="status", code=error.code) from None
    return CandidateRow(actor, coach, cleaned, values)


def _duplicates_one_by_one(actor: User, values: dict[str, Any]) -> list[Any]:
    return service.find_duplicates(
        actor, first_name=values["first_name"], last_name=values["last_name"],
        birth_date=values["birth_date"], email=values.get("email", ""),
        phone=values.get("phone", ""))


def apply_candidate_row(user: User, region_code: str, values: dict[str, Any]) -> RowOutcome:
    """Register the candidate and open the case, as the registration form does (one row; a
    file goes through :class:`CandidateBatch`, with the same rules)."""
    row = check_candidate_row(user, region_code, values,
                              find_duplicates=_duplicates_one_by_one)
    case = service.register(row.actor, candidate_data=row.candidate, region_code=region_code,
                            coach=row.coach, opened_on=values.get("opened_on"))
    intake = service.intake_values(values)
    if intake:
        service.save_intake(row.actor, case, intake, complete=False, expected_version=None)
    _import_step(row, case)
    return RowOutcome(CREATED, "case", case.id)


def _import_step(row: CandidateRow, case: Case) -> None:
    step = row.values.get("status")
    if step and step != CaseState.AANGEMELD:
        try:
            service.transition(row.actor, case, step.value, expected_version=None,
                               reason=IMPORTED)
        except DomainError as error:
            raise DomainError(error.message, field="status", code=error.code) from None


IMPORTED = "geïmporteerd"


class CandidateBatch:
    """The new candidates of one file (:class:`rmt.imports.kinds.RowBatch`): the coaches, the
    municipalities and the possible duplicates are read once up front; :meth:`check` applies
    :func:`check_candidate_row` to each row, :meth:`write` inserts the accepted ones with a
    few multi-row INSERTs (candidates, cases, first step events, intakes), appends their audit
    entries to the chain at once (:func:`rmt.audit.service.record_many`) and sends
    ``case_created`` for each case when someone listens. A step other than Aangemeld goes
    through :func:`rmt.cases.service.transition` per case, as in the form."""

    CHUNK = 500

    def __init__(self, user: User, region_code: str, rows: list[dict[str, Any]]) -> None:
        self.user, self.region_code = user, region_code
        emails = sorted({values["coach_id"] for values in rows if values.get("coach_id")})
        self.coaches: dict[str, User] = {}
        for start in range(0, len(emails), self.CHUNK):
            self.coaches.update((coach.email, coach) for coach in db.session.scalars(
                sa.select(User).where(User.email.in_(emails[start:start + self.CHUNK]))))
        self.municipality_ids = set(_municipalities().values())
        self.duplicates = service.DuplicateFinder(rows)
        self.accepted: list[CandidateRow] = []

    def _find_duplicates(self, actor: User, values: dict[str, Any]) -> list[Any]:
        return self.duplicates.find(actor, values)

    def check(self, values: dict[str, Any]) -> RowOutcome:
        row = check_candidate_row(self.user, self.region_code, values,
                                  find_coach=self.coaches.get,
                                  find_duplicates=self._find_duplicates,
                                  municipality_ids=self.municipality_ids)
        self.duplicates.add(row.candidate, self.region_code)
        self.accepted.append(row)
        return RowOutcome(CREATED, "case", None)

    def write(self) -> list[RowOutcome]:
        rows, region = self.accepted, self.region_code
        if not rows:
            return []
        now = utcnow()
        candidate_ids = transaction.reserve_ids(Candidate.__table__, len(rows))
        db.session.execute(sa.insert(Candidate.__table__), [
            {**service.new_candidate_values(row.candidate, now), "id": candidate_id}
            for row, candidate_id in zip(rows, candidate_ids, strict=True)])
        case_ids = transaction.reserve_ids(Case.__table__, len(rows))
        db.session.execute(sa.insert(Case.__table__), [
            {**service.new_case_values(region, row.coach, row.values.get("opened_on"), now),
             **sort_names(row.candidate), "candidate_id": candidate_id, "id": case_id,
             "version": 1}
            for row, candidate_id, case_id in zip(rows, candidate_ids, case_ids, strict=True)])
        # The statistics summary follows bulk inserts of events by itself (rmt.stats.summary).
        db.session.execute(sa.insert(CaseEvent.__table__), [
            service.new_case_event_values(case_id, region, row.actor, now)
            for row, case_id in zip(rows, case_ids, strict=True)])
        entries = []
        intakes = []
        for row, candidate_id, case_id in zip(rows, candidate_ids, case_ids, strict=True):
            entries.append({**service.created_audit(case_id, region, candidate_id, row.coach),
                            "user": self.user})
            intake = service.intake_values(row.values)
            if intake:
                intakes.append({**service.intake_values(dict.fromkeys(service.INTAKE_FIELDS, "")),
                                **intake,
                                "case_id": case_id, "completed_at": None, "updated_at": now})
                entries.append({"action": "case.intake", "object_type": "case",
                                "object_id": case_id, "region_code": region,
                                "summary": "intake opgeslagen", "user": self.user})
        if intakes:
            db.session.execute(sa.insert(Intake.__table__), intakes)
        audit.record_many(entries)
        self._steps(rows, case_ids)
        if signals.case_created.receivers:
            actors = {case_id: row.actor for row, case_id in zip(rows, case_ids, strict=True)}
            for case in self._load(case_ids):
                signals.case_created.send(case, user=actors[case.id])
        return [RowOutcome(CREATED, "case", case_id) for case_id in case_ids]

    def _load(self, case_ids: list[int]) -> list[Case]:
        cases: list[Case] = []
        for start in range(0, len(case_ids), self.CHUNK):
            cases.extend(db.session.scalars(sa.select(Case).where(
                Case.id.in_(case_ids[start:start + self.CHUNK])).order_by(Case.id)).unique())
        return cases

    def _steps(self, rows: list[CandidateRow], case_ids: list[int]) -> None:
        moving = [(position, row, case_id)
                  for position, (row, case_id) in enumerate(zip(rows, case_ids, strict=True))
                  if row.values.get("status") not in (None, CaseState.AANGEMELD)]
        if not moving:
            return
        cases = {case.id: case for case in self._load([case_id for _p, _r, case_id in moving])}
        for position, row, case_id in moving:
            try:
                _import_step(row, cases[case_id])
            except DomainError as error:
                raise RowRefused(position, error) from None


def candidate_batch(user: User, region_code: str, rows: list[dict[str, Any]]) -> CandidateBatch:
    return CandidateBatch(user, region_code, rows)


def update_candidate_row(user: User, region_code: str, values: dict[str, Any],
                         case_id: int) -> RowOutcome:
    """Bring the candidate of a case imported before under this kenmerk up to date
    (:func:`rmt.cases.service.update_candidate`: the rules of the edit form)."""
    case = db.session.get(Case, case_id)
    if case is None or case.region_code != region_code or case.candidate.anonymised_at:
        raise DomainError("Het traject van dit kenmerk is niet meer in deze regio.",
                          field="reference")
    data = {key: values[key] for key in service.CANDIDATE_FIELDS if key in values}
    if all(getattr(case.candidate, key) == value for key, value in
           service.clean_candidate_data(data).items()):
        return RowOutcome(SKIPPED, "case", case.id, "ongewijzigd")
    actor = user if user.role == Role.COACH else case.coach
    service.update_candidate(actor, case, data, expected_version=None)
    return RowOutcome(UPDATED, "case", case.id)


CANDIDATES = ImportKind(
    name="candidates", title="Kandidaten met traject", columns=CANDIDATE_COLUMNS,
    apply_row=apply_candidate_row, key="reference", update_row=update_candidate_row,
    batch=candidate_batch,
    description="Eén rij per kandidaat; elk krijgt een traject in de gekozen regio.")


def apply_history_row(user: User, region_code: str, values: dict[str, Any]) -> RowOutcome:
    """One step of a case imported before (by its kenmerk), on its date, through the process
    engine's rules (:func:`rmt.cases.service.transition`); rows in date order per case."""
    case_id = imported_id(CANDIDATES.name, region_code, values["reference"])
    case = db.session.get(Case, case_id) if case_id else None
    if case is None or case.region_code != region_code:
        raise DomainError("Geen geïmporteerd traject met dit kenmerk in deze regio.",
                          field="reference")
    on = values["on"]
    if on > clock.today() or on < case.opened_on:
        raise DomainError("De datum ligt voor de aanmelding of in de toekomst.", field="on")
    at = clock.start_of_day(on) + timedelta(hours=12)
    step = values["status"]
    done = db.session.scalar(sa.select(CaseEvent.id).where(
        CaseEvent.case_id == case.id, CaseEvent.to_status == step, CaseEvent.at == at))
    if done is not None:
        return RowOutcome(SKIPPED, "case", case.id, "bestaat al")
    actor = user if user.role == Role.COACH else case.coach
    exit_reason = values.get("exit_reason")
    try:
        service.transition(actor, case, step.value, expected_version=None,
                           reason="geïmporteerd", at=at,
                           exit_reason=exit_reason.value if exit_reason else None)
    except DomainError as error:
        field = "exit_reason" if error.field in ("exit_reason", "exit_reason_text") else "status"
        raise DomainError(error.message, field=field, code=error.code) from None
    return RowOutcome(UPDATED, "case_step", case.id)  # a step added to a case: an update

HISTORY = ImportKind(
    name="history", title="Stappen van trajecten", apply_row=apply_history_row,
    description="Eén rij per stap van een eerder geïmporteerd traject (op kenmerk), "
                "in volgorde van datum.",
    columns=(
        Column("reference", "Kenmerk", text_of(100), required=True,
               aliases=("referentie", "eigen kenmerk"), example="MU-2026-001"),
        Column("status", "Stap", choice_of(CaseState), required=True, example="Intake"),
        Column("on", "Datum", parse_date, required=True, aliases=("datum stap",),
               example="01-02-2026"),
        Column("exit_reason", "Uitstroomreden", choice_of(ExitReason),
               example="Werk in loondienst"),
    ))
