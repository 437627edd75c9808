"""The rules for employers, contact moments, vacancies, proposals, placements and aftercare.

Shared by the HTML views, the API and the demo seed. Services never commit; every change is
written to the audit trail here. Employer data is shared by the four regions; everything about a
candidate is reached through their case and scoped on the case's region with :mod:`rmt.access`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as nl_postcode

from rmt import audit
from rmt.access import Action, allowed_regions, can, scoped
from rmt.auth.models import RegionMembership, Role, User
from rmt.cases import service as cases_service
from rmt.cases.models import Candidate, Case, Consent, ConsentPurpose, Task
from rmt.db_types import utcnow
from rmt.employers.models import (
    FOLLOW_UP_MONTHS,
    ContactKind,
    ContactMoment,
    ContractType,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    Sector,
    Vacancy,
    VacancyStatus,
    employer_region,
    label,
)
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.process import CaseState
from rmt.regions.models import Region

REGION_CODES = ("MU", "AM", "GV", "FV")
MAX_HOURS = 60
#: How far ahead the start page looks for follow-ups that are coming up.
DUE_SOON_DAYS = 14

# ---------------------------------------------------------------------------------------------
# Proposal and vacancy lifecycles, as data


PROPOSAL_TRANSITIONS: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    ProposalStatus.VOORGESTELD: (ProposalStatus.GESPREK, ProposalStatus.AFGEWEZEN,
                                 ProposalStatus.INGETROKKEN),
    ProposalStatus.GESPREK: (ProposalStatus.AANGENOMEN, ProposalStatus.AFGEWEZEN,
                             ProposalStatus.INGETROKKEN),
    ProposalStatus.AANGENOMEN: (),
    ProposalStatus.AFGEWEZEN: (),
    ProposalStatus.INGETROKKEN: (),
}
OPEN_PROPOSAL_STATUSES = frozenset({ProposalStatus.VOORGESTELD, ProposalStatus.GESPREK})
#: A refusal or withdrawal needs a reason, so the liaison can learn from it later.
REASON_REQUIRED = frozenset({ProposalStatus.AFGEWEZEN, ProposalStatus.INGETROKKEN})
PROPOSAL_STEP_LABELS: dict[ProposalStatus, str] = {
    ProposalStatus.GESPREK: "Uitgenodigd voor gesprek",
    ProposalStatus.AANGENOMEN: "Aangenomen",
    ProposalStatus.AFGEWEZEN: "Afgewezen door werkgever",
    ProposalStatus.INGETROKKEN: "Voordracht ingetrokken",
}

VACANCY_TRANSITIONS: dict[VacancyStatus, tuple[VacancyStatus, ...]] = {
    VacancyStatus.OPEN: (VacancyStatus.FILLED, VacancyStatus.CLOSED),
    VacancyStatus.FILLED: (VacancyStatus.OPEN,),
    VacancyStatus.CLOSED: (VacancyStatus.OPEN,),
}
VACANCY_STEP_LABELS: dict[VacancyStatus, str] = {
    VacancyStatus.OPEN: "Heropenen",
    VacancyStatus.FILLED: "Markeren als vervuld",
    VacancyStatus.CLOSED: "Sluiten zonder vervulling",
}


def allowed_proposal_steps(status: ProposalStatus | str) -> tuple[ProposalStatus, ...]:
    try:
        return PROPOSAL_TRANSITIONS[ProposalStatus(status)]
    except ValueError:
        return ()


def allowed_vacancy_steps(status: VacancyStatus | str) -> tuple[VacancyStatus, ...]:
    try:
        return VACANCY_TRANSITIONS[VacancyStatus(status)]
    except ValueError:
        return ()


# ---------------------------------------------------------------------------------------------
# Normalisation shared by forms, API schemas and the service


def normalise_kvk(value: str | None) -> str:
    """'12.34.56.78' or ' 12345678 ' -> '12345678'; an 8-digit KvK number or DomainError."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"[0-9]{8}", digits) or digits == "00000000":
        raise DomainError("Vul een KvK-nummer van 8 cijfers in, zoals 30123456.",
                          field="kvk_number")
    return digits


def normalise_sbb(value: str | None) -> str | None:
    """SBB recognition number (leerbedrijf): digits only, or None when not known."""
    text = re.sub(r"\s", "", value or "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{5,12}", text):
        raise DomainError("Vul het erkenningsnummer van SBB in: alleen cijfers (5 tot 12).",
                          field="sbb_number")
    return text


def normalise_postcode(value: str | None) -> str:
    """'3511ab' -> '3511 AB' (python-stdnum); empty stays empty."""
    if not (value or "").strip():
        return ""
    try:
        return nl_postcode.validate(value)
    except StdnumError as exc:
        raise DomainError("Vul een geldige postcode in, zoals 3511 AB.", field="postcode") from exc


def normalise_phone(value: str | None) -> str:
    try:
        return cases_service.normalise_phone(value or "")
    except DomainError as exc:
        raise DomainError(exc.message, field="phone") from exc


def normalise_email(value: str | None) -> str:
    text = (value or "").strip().lower()
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise DomainError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
                          field="email")
    return text


def _text(data: dict[str, Any], key: str, max_len: int, *, required: str | None = None) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise DomainError("Vul tekst in.", field=key)
    if "\x00" in value:  # PostgreSQL cannot store it; nothing legitimate contains it
        raise DomainError("Tekst met een NUL-teken wordt niet geaccepteerd.", field=key)
    value = value.strip()
    if required and not value:
        raise DomainError(required, field=key)
    if len(value) > max_len:
        raise DomainError(f"Gebruik hoogstens {max_len} tekens.", field=key)
    return value


def _search_text(q: Any) -> str:
    """A search term without NUL characters (PostgreSQL cannot compare them), at most 100."""
    return (q if isinstance(q, str) else "").replace("\x00", "").strip()[:100]


def _hours(value: Any, key: str = "hours_per_week") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise DomainError(f"Vul een aantal uren per week in van 1 tot {MAX_HOURS}.", field=key)
    return value


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 jan + 1 -> 28/29 feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _forbidden(message: str = "U mag dit niet doen.") -> DomainError:
    return DomainError(message, code="forbidden")


STALE_MESSAGE = ("Iemand anders heeft {what} intussen gewijzigd. Uw wijziging is niet "
                 "opgeslagen; het formulier toont nu de nieuwste gegevens. Voer uw wijziging zo "
                 "nodig opnieuw in.")


def _stale(obj: Any, what: str) -> Conflict:
    return Conflict(STALE_MESSAGE.format(what=what), field="version", code="stale_version",
                    current_version=obj.version)


def _check_version(obj: Any, expected_version: Any, what: str) -> None:
    """Optimistic locking: the version the editor loaded must still be the current one."""
    if expected_version is not None and expected_version != obj.version:
        raise _stale(obj, what)


def _flush_versioned(obj: Any, what: str) -> None:
    """Write now, so a concurrent change (the row's version moved on) is a Conflict here."""
    try:
        db.session.flush()
    except StaleDataError:
        raise _stale(obj, what) from None


# ---------------------------------------------------------------------------------------------
# Employers


class DuplicateEmployer(Conflict):
    """A second registration of a KvK number; names the employer that already has it."""

    def __init__(self, existing: Employer) -> None:
        super().__init__(
            f"Dit KvK-nummer is al geregistreerd voor {existing.name}. Open die werkgever in "
            "plaats van een tweede registratie aan te maken.",
            field="kvk_number", code="duplicate_kvk",
            existing_employer={"id": existing.id, "name": existing.name})
        self.existing = existing


def resolve_merged(employer: Employer) -> Employer:
    """Follow ``merged_into`` to the employer that replaced a merged duplicate."""
    seen = {employer.id}
    while employer.merged_into is not None and employer.merged_into.id not in seen:
        employer = employer.merged_into
        seen.add(employer.id)
    return employer


def find_by_kvk(kvk_number: str) -> Employer | None:
    found = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == kvk_number))
    return resolve_merged(found) if found is not None else None


def sectors() -> list[Sector]:
    """Every sector, inactive ones too (filters, the reference list, existing records)."""
    return list(db.session.scalars(sa.select(Sector).order_by(Sector.name)))


def sector_options(current_id: int | None = None) -> list[Sector]:
    """The sectors offered in a form: the active ones, plus the record's own (even inactive)."""
    return list(db.session.scalars(
        sa.select(Sector).where(sa.or_(Sector.active, Sector.id == current_id))
        .order_by(Sector.name)))


def _chosen_sector(data: dict[str, Any], current_id: int | None) -> Sector:
    """The sector picked in ``data``: it must exist and be active, unless it is unchanged."""
    sector_id = data.get("sector_id")
    sector = db.session.get(Sector, sector_id) if isinstance(sector_id, int) and not isinstance(
        sector_id, bool) else None
    if sector is None or (not sector.active and sector.id != current_id):
        raise DomainError("Kies een sector uit de lijst.", field="sector_id")
    return sector


def regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


def clean_employer_data(data: dict[str, Any], *,
                        current_sector_id: int | None = None) -> dict[str, Any]:
    """Validate and normalise employer input (form or API); raises DomainError per field."""
    cleaned: dict[str, Any] = {
        "kvk_number": normalise_kvk(data.get("kvk_number")),
        "name": _text(data, "name", 200, required="Vul de naam van de werkgever in."),
        "street_address": _text(data, "street_address", 200),
        "postcode": normalise_postcode(data.get("postcode")),
        "city": _text(data, "city", 100),
        "sbb_number": normalise_sbb(data.get("sbb_number")),
    }
    cleaned["sector"] = _chosen_sector(data, current_sector_id)
    codes = sorted(set(data.get("region_codes") or []))
    if not codes:
        raise DomainError("Kies minstens één regio waar de werkgever actief is.",
                          field="region_codes")
    if any(code not in REGION_CODES for code in codes):
        raise DomainError("Kies alleen bestaande regio's.", field="region_codes")
    cleaned["regions"] = list(db.session.scalars(sa.select(Region).where(Region.code.in_(codes))))
    return cleaned


def create_employer(user: User, data: dict[str, Any]) -> Employer:
    """Register an employer; a KvK number that is already known raises DuplicateEmployer."""
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    cleaned = clean_employer_data(data)
    existing = find_by_kvk(cleaned["kvk_number"])
    if existing is not None:
        raise DuplicateEmployer(existing)
    employer = Employer(created_by_id=user.id, **cleaned)
    try:
        with db.session.begin_nested():
            db.session.add(employer)
            db.session.flush()
    except IntegrityError:  # registered at the same moment by someone else
        existing = find_by_kvk(cleaned["kvk_number"])
        if existing is None:
            raise
        raise DuplicateEmployer(existing) from None
    audit.record("employer.create", object_type="employer", object_id=employer.id,
                 summary=f"KvK {employer.kvk_number} {employer.name}")
    return employer


def update_employer(user: User, employer: Employer, data: dict[str, Any], *,
                    expected_version: int | None = None) -> Employer:
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    if employer.is_merged:
        raise Conflict("Deze werkgever is samengevoegd en kan niet meer worden gewijzigd.",
                       code="employer_merged")
    _check_version(employer, expected_version, "deze werkgever")
    cleaned = clean_employer_data(data, current_sector_id=employer.sector_id)
    if cleaned["kvk_number"] != employer.kvk_number:
        existing = find_by_kvk(cleaned["kvk_number"])
        if existing is not None and existing.id != employer.id:
            raise DuplicateEmployer(existing)
    changed = []
    for key, value in cleaned.items():
        if getattr(employer, key) != value:
            setattr(employer, key, value)
            changed.append(key)
    if changed:
        employer.updated_at = utcnow()
        _flush_versioned(employer, "deze werkgever")
    audit.record("employer.update", object_type="employer", object_id=employer.id,
                 summary=", ".join(changed) or "geen wijziging")
    return employer


def employer_query(*, q: str = "", sector_id: int | None = None, region_code: str | None = None,
                   leerbedrijf: bool | None = None) -> sa.Select:
    """Active (not merged) employers, searched on name or KvK number and filtered."""
    query = (sa.select(Employer).where(Employer.merged_into_id.is_(None))
             .options(selectinload(Employer.regions)))
    text = _search_text(q)
    if text:
        digits = re.sub(r"[\s.]", "", text)
        conditions = [sa.func.lower(Employer.name).contains(text.lower(), autoescape=True)]
        if re.fullmatch(r"[0-9]{1,8}", digits):
            conditions.append(Employer.kvk_number.startswith(digits, autoescape=True))
        query = query.where(sa.or_(*conditions))
    if sector_id:
        query = query.where(Employer.sector_id == sector_id)
    if region_code:
        query = query.where(Employer.id.in_(
            sa.select(employer_region.c.employer_id)
            .where(employer_region.c.region_code == region_code)))
    if leerbedrijf is True:
        query = query.where(Employer.sbb_number.is_not(None))
    elif leerbedrijf is False:
        query = query.where(Employer.sbb_number.is_(None))
    return query.order_by(Employer.name, Employer.id)


def page_of(query: sa.Select, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of a query and the total number of rows."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total


# ---------------------------------------------------------------------------------------------
# Contact persons


def clean_contact_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(data, "name", 200, required="Vul de naam van de contactpersoon in."),
        "role": _text(data, "role", 100),
        "phone": normalise_phone(data.get("phone")),
        "email": normalise_email(data.get("email")),
    }


def add_contact(user: User, employer: Employer, data: dict[str, Any]) -> EmployerContact:
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    _require_not_merged(employer)
    contact = EmployerContact(employer=employer, **clean_contact_data(data))
    db.session.add(contact)
    db.session.flush()
    audit.record("employer.contact_add", object_type="employer", object_id=employer.id,
                 summary=f"contactpersoon {contact.id}")
    return contact


def update_contact(user: User, contact: EmployerContact, data: dict[str, Any], *,
                   expected_version: int | None = None) -> EmployerContact:
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    _require_not_merged(contact.employer)
    _check_version(contact, expected_version, "deze contactpersoon")
    for key, value in clean_contact_data(data).items():
        setattr(contact, key, value)
    _flush_versioned(contact, "deze contactpersoon")
    audit.record("employer.contact_update", object_type="employer",
                 object_id=contact.employer_id, summary=f"contactpersoon {contact.id}")
    return contact


def _require_not_merged(employer: Employer) -> None:
    if employer.is_merged:
        raise Conflict("Deze werkgever is samengevoegd met een andere; werk die bij.",
                       code="employer_merged")


# ---------------------------------------------------------------------------------------------
# Contact moments


def follow_up_owners(region_code: str) -> list[User]:
    """Who can own a follow-up in a region: its active liaisons and coordinators."""
    return list(db.session.scalars(
        sa.select(User)
        .where(User.active, User.role.in_([Role.LIAISON, Role.COORDINATOR]),
               User.memberships.any(RegionMembership.region_code == region_code))
        .order_by(User.name)))


def record_contact_moment(user: User, employer: Employer, data: dict[str, Any]) -> ContactMoment:
    """A liaison (or coordinator) records a contact, in one of their own regions."""
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    _require_not_merged(employer)
    region_code = data.get("region_code")
    if region_code not in user.region_codes:
        raise DomainError("Kies een van uw eigen regio's.", field="region_code")
    contact_on = data.get("contact_on")
    if not isinstance(contact_on, date):
        raise DomainError("Vul de datum van het contact in.", field="contact_on")
    if contact_on > date.today():
        raise DomainError("Een contactmoment kan niet in de toekomst liggen.", field="contact_on")
    try:
        kind = ContactKind(data.get("kind"))
    except ValueError:
        raise DomainError("Kies een soort contact.", field="kind") from None
    summary = _text(data, "summary", 5000, required="Vat het contact kort samen.")
    contact = None
    if data.get("contact_id"):
        contact = db.session.get(EmployerContact, data["contact_id"])
        if contact is None or contact.employer_id != employer.id:
            raise DomainError("Kies een contactpersoon van deze werkgever.", field="contact_id")
    follow_up_on = data.get("follow_up_on")
    owner = None
    if follow_up_on is not None:
        if not isinstance(follow_up_on, date) or follow_up_on < contact_on:
            raise DomainError("De vervolgafspraak ligt op of na de datum van het contact.",
                              field="follow_up_on")
        owner_id = data.get("follow_up_owner_id") or user.id
        owner = db.session.get(User, owner_id) if isinstance(owner_id, int) else None
        if owner is None or owner not in follow_up_owners(region_code):
            raise DomainError("Kies een werkgeversadviseur of coördinator van deze regio.",
                              field="follow_up_owner_id")
    elif data.get("follow_up_owner_id"):
        raise DomainError("Vul ook de datum van de vervolgafspraak in.", field="follow_up_on")
    moment = ContactMoment(employer=employer, liaison_id=user.id, region_code=region_code,
                           contact=contact, contact_on=contact_on, kind=kind, summary=summary,
                           follow_up_on=follow_up_on, follow_up_owner=owner)
    db.session.add(moment)
    db.session.flush()
    audit.record("employer.contact_moment", object_type="employer", object_id=employer.id,
                 region_code=region_code, summary=f"contactmoment {moment.id} ({kind.value})")
    return moment


def complete_follow_up(user: User, moment: ContactMoment) -> ContactMoment:
    """Mark the follow-up of a contact moment as done (its owner or a colleague of the region)."""
    if not can(user, Action.MANAGE_EMPLOYERS, moment):
        raise _forbidden()
    if moment.follow_up_on is None:
        raise Conflict("Bij dit contactmoment hoort geen vervolgafspraak.", code="no_follow_up")
    if moment.follow_up_done_at is None:
        moment.follow_up_done_at = utcnow()
        audit.record("employer.follow_up_done", object_type="employer",
                     object_id=moment.employer_id, region_code=moment.region_code,
                     summary=f"contactmoment {moment.id}")
    return moment


# ---------------------------------------------------------------------------------------------
# Vacancies


def clean_vacancy_data(user: User, data: dict[str, Any], *,
                       current_sector_id: int | None = None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "title": _text(data, "title", 200, required="Vul de functietitel in."),
        "hours_per_week": _hours(data.get("hours_per_week")),
        "location": _text(data, "location", 100),
        "description": _text(data, "description", 5000),
    }
    cleaned["sector"] = _chosen_sector(data, current_sector_id)
    region_code = data.get("region_code")
    if region_code not in user.region_codes:
        raise DomainError("Kies een van uw eigen regio's.", field="region_code")
    cleaned["region_code"] = region_code
    opened_on = data.get("opened_on") or date.today()
    if not isinstance(opened_on, date) or opened_on > date.today():
        raise DomainError("De vacature kan niet in de toekomst geopend zijn.", field="opened_on")
    cleaned["opened_on"] = opened_on
    closes_on = data.get("closes_on")
    if closes_on is not None and (not isinstance(closes_on, date) or closes_on < opened_on):
        raise DomainError("De sluitingsdatum ligt op of na de openingsdatum.", field="closes_on")
    cleaned["closes_on"] = closes_on
    return cleaned


def create_vacancy(user: User, employer: Employer, data: dict[str, Any]) -> Vacancy:
    if not can(user, Action.MANAGE_EMPLOYERS):
        raise _forbidden()
    _require_not_merged(employer)
    vacancy = Vacancy(employer=employer, created_by_id=user.id, status=VacancyStatus.OPEN,
                      **clean_vacancy_data(user, data))
    db.session.add(vacancy)
    db.session.flush()
    audit.record("vacancy.create", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code,
                 summary=f"{vacancy.title} bij werkgever {employer.id}")
    return vacancy


def update_vacancy(user: User, vacancy: Vacancy, data: dict[str, Any], *,
                   expected_version: int | None = None) -> Vacancy:
    if not can(user, Action.MANAGE_EMPLOYERS, vacancy):
        raise _forbidden("Alleen werkgeversadviseurs van de regio van de vacature wijzigen haar.")
    _check_version(vacancy, expected_version, "deze vacature")
    cleaned = clean_vacancy_data(user, {**data, "region_code": data.get("region_code")},
                                 current_sector_id=vacancy.sector_id)
    for key, value in cleaned.items():
        setattr(vacancy, key, value)
    _flush_versioned(vacancy, "deze vacature")
    audit.record("vacancy.update", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code)
    return vacancy


def set_vacancy_status(user: User, vacancy: Vacancy, to: str) -> Vacancy:
    if not can(user, Action.MANAGE_EMPLOYERS, vacancy):
        raise _forbidden("Alleen werkgeversadviseurs van de regio van de vacature wijzigen haar.")
    try:
        target = VacancyStatus(to)
    except ValueError:
        raise DomainError("Kies een geldige status.", field="status") from None
    if target not in allowed_vacancy_steps(vacancy.status):
        raise Conflict(f"Een vacature met status '{label(vacancy.status).lower()}' kan niet naar "
                       f"'{label(target).lower()}'.", field="status", code="not_allowed",
                       allowed=[s.value for s in allowed_vacancy_steps(vacancy.status)])
    source = vacancy.status
    vacancy.status = target
    vacancy.ended_on = None if target == VacancyStatus.OPEN else date.today()
    audit.record("vacancy.status", object_type="vacancy", object_id=vacancy.id,
                 region_code=vacancy.region_code, summary=f"{source.value} → {target.value}")
    return vacancy


def vacancy_query(*, status: str | None = None, region_code: str | None = None,
                  sector_id: int | None = None, employer_id: int | None = None,
                  q: str = "") -> sa.Select:
    query = sa.select(Vacancy)
    if status in {s.value for s in VacancyStatus}:
        query = query.where(Vacancy.status == VacancyStatus(status))
    if region_code:
        query = query.where(Vacancy.region_code == region_code)
    if sector_id:
        query = query.where(Vacancy.sector_id == sector_id)
    if employer_id:
        query = query.where(Vacancy.employer_id == employer_id)
    text = _search_text(q).lower()
    if text:
        query = query.where(sa.or_(
            sa.func.lower(Vacancy.title).contains(text, autoescape=True),
            Vacancy.employer_id.in_(sa.select(Employer.id).where(
                sa.func.lower(Employer.name).contains(text, autoescape=True)))))
    return query.order_by(Vacancy.opened_on.desc(), Vacancy.id.desc())


# ---------------------------------------------------------------------------------------------
# Candidates seen by liaisons: only through cases of their region, with consent


def _consent_active_clause(on: date) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        Consent.candidate_id == Case.candidate_id,
        Consent.purpose == ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS,
        Consent.given_on <= on,
        sa.or_(Consent.revoked_on.is_(None), Consent.revoked_on > on))


def has_profile_consent(case: Case) -> bool:
    return case.candidate.has_consent(ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS)


def proposable_cases(user: User, vacancy: Vacancy, q: str = "", limit: int = 50) -> list[Case]:
    """Open cases in the user's regions whose candidate consented to share their profile.

    Cases already proposed (and still open) for this vacancy are left out. Cases in
    bemiddeling come first.
    """
    today = date.today()
    already = sa.select(Proposal.case_id).where(
        Proposal.vacancy_id == vacancy.id, Proposal.status.in_(OPEN_PROPOSAL_STATUSES))
    query = (scoped(sa.select(Case), user, Case, Action.PROPOSE_CANDIDATE)
             .join(Candidate, Case.candidate_id == Candidate.id)
             .where(Case.status.not_in([CaseState.AFGESLOTEN, CaseState.GEPAUZEERD]),
                    Candidate.anonymised_at.is_(None), _consent_active_clause(today),
                    Case.id.not_in(already)))
    for term in [t for t in _search_text(q).lower().split() if t][:5]:
        query = query.where(sa.or_(
            sa.func.lower(Candidate.first_name).contains(term, autoescape=True),
            sa.func.lower(Candidate.last_name).contains(term, autoescape=True)))
    in_matching = sa.case((Case.status == CaseState.BEMIDDELING, 0), else_=1)
    query = query.order_by(in_matching, Candidate.last_name, Candidate.first_name, Case.id)
    return list(db.session.scalars(
        query.options(selectinload(Case.plan)).limit(limit)).unique())


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
    from rmt.cases.models import label as case_label

    candidate = case.candidate
    employment = case_employment(user, case)
    profile = WorkProfile(
        case=case, name=candidate.full_name, region_code=case.region_code, status=case.status,
        education_level=case_label(candidate.education_level),
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


# ---------------------------------------------------------------------------------------------
# Proposals


def _require_case_access(user: User, action: Action, case: Case, message: str) -> None:
    if not can(user, action, case):
        raise _forbidden(message)


def propose(user: User, case: Case, vacancy: Vacancy, *, note: str = "",
            proposed_on: date | None = None) -> Proposal:
    """Propose the candidate of ``case`` for ``vacancy``: needs their consent, today."""
    _require_case_access(user, Action.PROPOSE_CANDIDATE, case,
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
    when = proposed_on or date.today()
    proposal = Proposal(case=case, vacancy=vacancy, region_code=case.region_code,
                        proposed_by_id=user.id, status=ProposalStatus.VOORGESTELD,
                        proposed_on=when, note=_text({"note": note}, "note", 1000))
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
    _require_case_access(user, Action.PROPOSE_CANDIDATE, case,
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
            f"Een voordracht met status '{label(proposal.status).lower()}' kan niet naar "
            f"'{label(target).lower()}'.", field="to", code="not_allowed",
            allowed=[s.value for s in allowed])
    text = _text({"note": note}, "note", 1000)
    if target in REASON_REQUIRED and not text:
        raise DomainError("Geef de reden.", field="note", code="reason_required")
    vacancy = proposal.vacancy
    placement_data: dict[str, Any] = {}
    if target == ProposalStatus.AANGENOMEN:
        # Check everything before changing anything: a refusal leaves the proposal untouched.
        _require_case_access(user, Action.MANAGE_PLACEMENTS, case,
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
        proposal.decided_on = date.today()
    event = ProposalEvent(proposal=proposal, user_id=user.id, from_status=source,
                          to_status=target, note=text)
    db.session.add(event)
    audit.record("proposal.transition", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"voordracht {proposal.id}: {source.value} → {target.value}")
    if target == ProposalStatus.AANGENOMEN:
        create_placement(user, case, vacancy.employer, placement_data, proposal=proposal)
        if fill_vacancy and vacancy.status == VacancyStatus.OPEN:
            vacancy.status = VacancyStatus.FILLED
            vacancy.ended_on = date.today()
            audit.record("vacancy.status", object_type="vacancy", object_id=vacancy.id,
                         region_code=vacancy.region_code,
                         summary=f"open → filled (voordracht {proposal.id})")
    db.session.flush()
    return event


def scoped_case_ids(user: User, action: Action = Action.VIEW_WORK_PROFILE) -> sa.Select:
    """Ids of cases in the regions where the user may do ``action`` (via rmt.access)."""
    return scoped(sa.select(Case.id), user, Case, action)


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
    proposal = _get(Proposal, proposal_id)
    if proposal is None or not can(user, Action.VIEW_WORK_PROFILE, proposal.case):
        return None
    return proposal


def _get(model: Any, ident: Any) -> Any:
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= 2**31 - 1:
        return None
    return db.session.get(model, ident)


# ---------------------------------------------------------------------------------------------
# Placements and aftercare


def clean_placement_data(data: dict[str, Any]) -> dict[str, Any]:
    try:
        contract_type = ContractType(data.get("contract_type"))
    except ValueError:
        raise DomainError("Kies het soort contract.", field="contract_type") from None
    start_on = data.get("start_on")
    if not isinstance(start_on, date):
        raise DomainError("Vul de startdatum in.", field="start_on")
    today = date.today()
    if start_on < today - timedelta(days=366) or start_on > today + timedelta(days=183):
        raise DomainError("Vul een startdatum in tussen een jaar geleden en een half jaar vooruit.",
                          field="start_on")
    end_on = data.get("end_on")
    if end_on is not None and (not isinstance(end_on, date) or end_on < start_on):
        raise DomainError("De einddatum ligt op of na de startdatum.", field="end_on")
    return {
        "job_title": _text(data, "job_title", 200, required="Vul de functie in."),
        "contract_type": contract_type,
        "hours_per_week": _hours(data.get("hours_per_week")),
        "start_on": start_on,
        "end_on": end_on,
    }


def create_placement(user: User, case: Case, employer: Employer | None, data: dict[str, Any],
                     *, proposal: Proposal | None = None) -> Placement:
    """Record a placement (via a proposal or directly) and plan its follow-ups as coach tasks."""
    _require_case_access(user, Action.MANAGE_PLACEMENTS, case,
                         "U kunt alleen plaatsingen vastleggen voor trajecten van uw regio.")
    if case.is_closed:
        raise Conflict("Dit traject is afgesloten.", code="case_closed")
    if employer is None:
        raise DomainError("Kies de werkgever.", field="employer_id")
    employer = resolve_merged(employer)
    placement = Placement(case=case, employer=employer, proposal=proposal,
                          created_by_id=user.id, **clean_placement_data(data))
    db.session.add(placement)
    db.session.flush()
    for months in FOLLOW_UP_MONTHS:
        due_on = add_months(placement.start_on, months)
        task = Task(case=case, owner_id=case.coach_id, due_on=due_on, created_by_id=user.id,
                    title=f"Nazorg {months} {'maand' if months == 1 else 'maanden'}: "
                          f"werkt de kandidaat nog bij {employer.name}?"[:300])
        db.session.add(task)
        db.session.add(FollowUp(placement=placement, months=months, due_on=due_on, task=task))
    db.session.flush()
    audit.record("placement.create", object_type="case", object_id=case.id,
                 region_code=case.region_code,
                 summary=f"plaatsing {placement.id} bij werkgever {employer.id}"
                         + (f" (voordracht {proposal.id})" if proposal else ""))
    return placement


def end_placement(user: User, placement: Placement, *, end_on: Any, reason: str) -> Placement:
    case = placement.case
    _require_case_access(user, Action.MANAGE_PLACEMENTS, case,
                         "U kunt alleen plaatsingen van trajecten van uw regio wijzigen.")
    if placement.end_on is not None and placement.end_on <= date.today():
        raise Conflict("Deze plaatsing is al beëindigd.", code="placement_ended")
    if not isinstance(end_on, date) or end_on < placement.start_on:
        raise DomainError("De einddatum ligt op of na de startdatum.", field="end_on")
    if end_on > date.today() + timedelta(days=366):
        raise DomainError("Vul een einddatum in binnen een jaar.", field="end_on")
    text = _text({"end_reason": reason}, "end_reason", 500,
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
    _require_case_access(user, Action.MANAGE_PLACEMENTS, case,
                         "U kunt alleen nazorg vastleggen voor trajecten van uw regio.")
    if follow_up.is_recorded:
        raise Conflict("De uitkomst van deze nazorg is al vastgelegd.", code="recorded")
    if follow_up.due_on > date.today() + timedelta(days=DUE_SOON_DAYS):
        raise Conflict("Deze nazorg is nog niet aan de beurt.", code="not_due")
    if not isinstance(still_employed, bool):
        raise DomainError("Geef aan of de kandidaat nog in dienst is.", field="still_employed")
    text = _text({"reason": reason}, "reason", 500)
    if not still_employed and not text:
        raise DomainError("Geef de reden dat de kandidaat niet meer in dienst is.",
                          field="reason")
    follow_up.still_employed = still_employed
    follow_up.outcome_reason = text
    follow_up.recorded_on = date.today()
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
    query = (sa.select(Placement)
             .where(Placement.case_id.in_(scoped_case_ids(user)))
             .options(joinedload(Placement.case).lazyload(Case.coach),
                      joinedload(Placement.employer), selectinload(Placement.follow_ups)))
    if case_id:
        query = query.where(Placement.case_id == case_id)
    if employer_id:
        query = query.where(Placement.employer_id == employer_id)
    today = date.today()
    if active is True:
        query = query.where(sa.or_(Placement.end_on.is_(None), Placement.end_on > today))
    elif active is False:
        query = query.where(Placement.end_on <= today)
    return query.order_by(Placement.start_on.desc(), Placement.id.desc())


def get_placement(user: User, placement_id: Any) -> Placement | None:
    placement = _get(Placement, placement_id)
    if placement is None or not can(user, Action.VIEW_WORK_PROFILE, placement.case):
        return None
    return placement


def case_has_active_placement(case: Case) -> bool:
    """The guard of the step geplaatst (registered in rmt.cases.service.PLACEMENT_CHECKS)."""
    if case.id is None:
        return False
    today = date.today()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Placement).where(
            Placement.case_id == case.id,
            sa.or_(Placement.end_on.is_(None), Placement.end_on > today))) > 0


cases_service.register_hook(cases_service.PLACEMENT_CHECKS, case_has_active_placement)


# ---------------------------------------------------------------------------------------------
# What pages show: the case section, the employer page and the liaison start page


@dataclass
class CaseEmployment:
    proposals: list[Proposal]
    placements: list[Placement]


def case_employment(user: User, case: Case) -> CaseEmployment:
    """Proposals and placements (with follow-ups) of one case, if the user may see them."""
    if case.id is None or not can(user, Action.VIEW_WORK_PROFILE, case):
        return CaseEmployment([], [])
    proposals = list(db.session.scalars(
        sa.select(Proposal).where(Proposal.case_id == case.id)
        .options(joinedload(Proposal.vacancy),
                 joinedload(Proposal.proposed_by).lazyload(User.memberships))
        .order_by(Proposal.proposed_on.desc(), Proposal.id.desc())))
    placements = list(db.session.scalars(
        sa.select(Placement).where(Placement.case_id == case.id)
        .options(joinedload(Placement.employer), selectinload(Placement.follow_ups))
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
                 summary=f"{len(proposals)} voordrachten, {len(placements)} plaatsingen getoond")
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
    today = today or date.today()
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


# ---------------------------------------------------------------------------------------------
# Merging duplicates


def _employer_references() -> list[tuple[sa.Table, sa.Column]]:
    """Every column in the schema that points to an employer (other modules' too)."""
    target = Employer.__table__.c.id
    refs = []
    for table in db.metadata.sorted_tables:
        if table is employer_region:
            continue
        for fk in table.foreign_keys:
            if fk.column is target:
                refs.append((table, fk.parent))
    return refs


def merge_employers(user: User, keep: Employer, duplicate: Employer) -> dict[str, int]:
    """Merge ``duplicate`` into ``keep``: all history is re-pointed, nothing is lost.

    Contacts, contact moments, vacancies (and with them proposals), placements and any other
    module's references move to ``keep``; regions are combined; a known SBB number is kept. The
    duplicate stays as a marked row, so its KvK number keeps pointing to ``keep``.
    """
    if not can(user, Action.MERGE_EMPLOYERS):
        raise _forbidden("Alleen een regiocoördinator voegt werkgevers samen.")
    if keep.id == duplicate.id:
        raise DomainError("Kies een andere werkgever dan deze.", field="duplicate_id")
    if keep.is_merged or duplicate.is_merged:
        raise Conflict("Een van beide werkgevers is al samengevoegd.", field="duplicate_id",
                       code="employer_merged")
    db.session.flush()
    moved: dict[str, int] = {}
    for table, column in _employer_references():
        result = db.session.execute(
            sa.update(table).where(column == duplicate.id).values({column.name: keep.id}))
        if result.rowcount:
            moved[table.name] = moved.get(table.name, 0) + result.rowcount
    known = set(keep.region_codes)
    for region in duplicate.regions:
        if region.code not in known:
            keep.regions.append(region)
    if not keep.sbb_number and duplicate.sbb_number:
        keep.sbb_number = duplicate.sbb_number
    duplicate.merged_into_id = keep.id
    duplicate.merged_at = utcnow()
    keep.updated_at = utcnow()
    db.session.flush()
    db.session.expire_all()
    summary = ", ".join(f"{name}: {count}" for name, count in sorted(moved.items()))
    audit.record("employer.merge", object_type="employer", object_id=keep.id,
                 summary=f"werkgever {duplicate.id} (KvK {duplicate.kvk_number}) samengevoegd; "
                         f"{summary or 'geen historie'}")
    return moved


# ---------------------------------------------------------------------------------------------
# Reference data


def sector_priority_regions(user: User) -> list[str]:
    """The regions whose prioritaire sectors ``user`` may set: all for the admin (reference
    data), their own regions for a coordinator, none for anyone else."""
    if can(user, Action.MANAGE_REFERENCE_DATA):
        return list(REGION_CODES)
    return sorted(allowed_regions(user, Action.SET_SECTOR_PRIORITY))


def set_sector_priorities(user: User, priorities: dict[int, set[str]]) -> list[Sector]:
    """Which sectors are prioritair in which region (sector id -> region codes).

    Only the regions the user may set (:func:`sector_priority_regions`) change; the flags of
    the other regions stay as they are, whatever the input says about them. Returns the
    sectors that changed.
    """
    editable = set(sector_priority_regions(user))
    if not editable:
        raise _forbidden("Alleen de functioneel beheerder en regiocoördinatoren stellen "
                         "prioritaire sectoren vast.")
    region_by_code = {r.code: r for r in regions()}
    changed = []
    for sector in sectors():
        current = set(sector.priority_codes)
        asked = {c for c in priorities.get(sector.id, set()) if c in editable}
        wanted = (current - editable) | asked
        if wanted != current:
            sector.priority_regions = [region_by_code[c] for c in sorted(wanted)]
            changed.append(sector)
            audit.record("sector.priority", object_type="sector", object_id=sector.id,
                         summary=f"{sector.code}: {', '.join(sorted(wanted)) or 'geen'} "
                                 f"(door {user.role.value})")
    return changed


SECTOR_CODE_LENGTH = 40


def _sector_code(name: str) -> str:
    """A fixed code for a new sector from its name ('Zorg & welzijn' -> 'zorg_welzijn'),
    unique among the existing codes (a number is added when needed)."""
    base = re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", name).encode(
        "ascii", "ignore").decode().lower()).strip("_")[:SECTOR_CODE_LENGTH - 4] or "sector"
    taken = set(db.session.scalars(sa.select(Sector.code).where(Sector.code.startswith(
        base, autoescape=True))))
    code, number = base, 2
    while code in taken:
        code, number = f"{base}_{number}", number + 1
    return code


def save_sector(user: User, sector: Sector | None, data: dict[str, Any], *,
                expected_version: int | None = None) -> Sector:
    """Create (``sector=None``) or rename / (de)activate a sector; only the functioneel
    beheerder. Names are unique regardless of case; a sector is never deleted."""
    if not can(user, Action.MANAGE_REFERENCE_DATA):
        raise _forbidden("Alleen de functioneel beheerder beheert de lijst van sectoren.")
    if sector is not None:
        _check_version(sector, expected_version, "deze sector")
    name = " ".join(_text(data, "name", 100, required="Vul de naam van de sector in.").split())
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise DomainError("Geef aan of de sector actief is.", field="active")
    clash = db.session.scalar(sa.select(Sector).where(
        sa.func.lower(Sector.name) == name.lower(), Sector.id != (sector.id if sector else 0)))
    if clash is not None:
        raise DomainError("Er is al een sector met deze naam.", field="name", code="name_exists")
    created = sector is None
    changed: list[str] = []
    if sector is None:
        sector = Sector(code=_sector_code(name), name=name, active=active)
        db.session.add(sector)
        changed = ["name", "active"]
    else:
        for key, value in (("name", name), ("active", active)):
            if getattr(sector, key) != value:
                setattr(sector, key, value)
                changed.append(key)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise _stale(sector, "deze sector") from None
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise DomainError("Er is al een sector met deze naam.", field="name",
                          code="name_exists") from None
    if created or changed:
        audit.record("sector." + ("create" if created else "update"), object_type="sector",
                     object_id=sector.id,
                     summary=f"{sector.code}: {sector.name}"
                             + ("" if sector.active else " (niet actief)"))
    return sector
