"""The import kind of the cases feature: candidates with their case (rmt.imports).

Each row goes through this feature's own service (:func:`rmt.cases.service.register`,
``save_intake``, ``transition``), so an imported candidate meets exactly the rules of the
registration form and the API, duplicates included. Registered from ``receivers.connect()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from rmt import clock
from rmt.auth.models import Role, User
from rmt.cases import service
from rmt.cases.models import (
    Benefit,
    Case,
    CaseEvent,
    EducationLevel,
    ReferralPartner,
    TargetGroup,
    WorkStatus,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports.kinds import (
    CREATED,
    SKIPPED,
    UPDATED,
    Column,
    ImportKind,
    RowOutcome,
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


def municipality_id(value: Any) -> int:
    wanted = heading_key(value)
    for ident, name in db.session.execute(sa.select(Municipality.id, Municipality.name)):
        if heading_key(name) == wanted:
            return ident
    raise DomainError("Onbekende gemeente; gebruik de naam zoals in de lijst van gemeenten.")


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


def _coach(user: User, values: dict[str, Any]) -> User:
    email = values.get("coach_id")
    if not email:
        if user.role == Role.COACH:
            return user
        raise DomainError("Vul de loopbaancoach in (e-mailadres).", field="coach_id")
    coach = db.session.scalar(sa.select(User).where(User.email == email))
    if coach is None:
        raise DomainError("Onbekende loopbaancoach: er is geen account met dit e-mailadres.",
                          field="coach_id")
    return coach


def apply_candidate_row(user: User, region_code: str, values: dict[str, Any]) -> RowOutcome:
    """Register the candidate and open the case, as the registration form does.

    The one who registers is the importer when that is a coach; a coordinator or the admin
    imports on behalf of the coach named in the row (only a coach opens cases)."""
    if values.get("region_code", region_code) != region_code:
        raise DomainError(f"Deze rij hoort bij een andere regio dan {region_code}.",
                          field="region_code")
    coach = _coach(user, values)
    actor = user if user.role == Role.COACH else coach
    service.check_registration(actor, region_code, coach)
    duplicates = service.find_duplicates(
        actor, first_name=values["first_name"], last_name=values["last_name"],
        birth_date=values["birth_date"], email=values.get("email", ""),
        phone=values.get("phone", ""))
    if duplicates:
        known = duplicates[0]
        raise DomainError(f"Lijkt op een bekende kandidaat ({known.full_name}, geboren "
                          f"{known.birth_date:%d-%m-%Y}); registreer deze persoon via het "
                          "formulier.", code="duplicate")
    data = {key: values[key] for key in service.CANDIDATE_FIELDS if key in values}
    data.setdefault("has_startkwalificatie", False)
    case = service.register(actor, candidate_data=data, region_code=region_code, coach=coach,
                            opened_on=values.get("opened_on"))
    intake = {key: values[key] for key in service.INTAKE_FIELDS if key in values}
    if intake:
        service.save_intake(actor, case, intake, complete=False, expected_version=None)
    step = values.get("status")
    if step and step != CaseState.AANGEMELD:
        try:
            service.transition(actor, case, step.value, expected_version=None,
                               reason="geïmporteerd")
        except DomainError as error:
            raise DomainError(error.message, field="status", code=error.code) from None
    return RowOutcome(CREATED, "case", case.id)


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
