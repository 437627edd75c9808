"""The shared employer registry: employers (one per KvK number), contact persons, merging
duplicates, and the reference list of sectors with their priority per region.

Employer data is shared by the four regions. Services never commit; every change is audited.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from rmt import audit, signals
from rmt.access import Action, allowed_regions, can
from rmt.auth.models import User
from rmt.cases.sectors import as_section
from rmt.db_types import utcnow
from rmt.employers.common import (
    check_version,
    chosen_sector,
    flush_versioned,
    require,
    require_not_merged,
    search_text,
    stale,
    text_input,
)
from rmt.employers.models import Employer, EmployerContact, Sector, employer_region
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.regions import REGION_CODES
from rmt.regions.models import Region
from rmt.validation import normalise_phone
from rmt.validation import normalise_postcode as _normalise_postcode


def normalise_postcode(value: str | None) -> str:
    """'3511ab' -> '3511 AB'; an employer's postcode is optional, so empty stays empty."""
    return _normalise_postcode(value, required=False)


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


def normalise_email(value: str | None) -> str:
    """An e-mail address in lower case; empty stays empty."""
    text = (value or "").strip().lower()
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise DomainError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
                          field="email")
    return text


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
    """The (current) employer registered with this KvK number, if any."""
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


def regions() -> list[Region]:
    """The four regions, by name."""
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


def clean_employer_data(data: dict[str, Any], *,
                        current_sector_id: int | None = None) -> dict[str, Any]:
    """Validate and normalise employer input (form or API); raises DomainError per field."""
    cleaned: dict[str, Any] = {
        "kvk_number": normalise_kvk(data.get("kvk_number")),
        "name": text_input(data, "name", 200, required="Vul de naam van de werkgever in."),
        "street_address": text_input(data, "street_address", 200),
        "postcode": normalise_postcode(data.get("postcode")),
        "city": text_input(data, "city", 100),
        "sbb_number": normalise_sbb(data.get("sbb_number")),
    }
    cleaned["sector"] = chosen_sector(data, current_sector_id)
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
    require(user, Action.MANAGE_EMPLOYERS)
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
                 summary=f"KvK {employer.kvk_number}")
    return employer


def update_employer(user: User, employer: Employer, data: dict[str, Any], *,
                    expected_version: int | None = None) -> Employer:
    """Change an employer; a KvK number of another employer raises DuplicateEmployer."""
    require(user, Action.MANAGE_EMPLOYERS)
    if employer.is_merged:
        raise Conflict("Deze werkgever is samengevoegd en kan niet meer worden gewijzigd.",
                       code="employer_merged")
    check_version(employer, expected_version, "deze werkgever")
    cleaned = clean_employer_data(data, current_sector_id=employer.sector_id)
    if cleaned["kvk_number"] != employer.kvk_number:
        existing = find_by_kvk(cleaned["kvk_number"])
        if existing is not None and existing.id != employer.id:
            raise DuplicateEmployer(existing)
    changed = []
    # No autoflush while comparing: loading ``regions`` would flush the fields already set,
    # and the version would go up twice for one change.
    with db.session.no_autoflush:
        for key, value in cleaned.items():
            if getattr(employer, key) != value:
                setattr(employer, key, value)
                changed.append(key)
    if changed:
        employer.updated_at = utcnow()
        flush_versioned(employer, "deze werkgever")
    audit.record("employer.update", object_type="employer", object_id=employer.id,
                 summary=", ".join(changed) or "geen wijziging")
    return employer


def employer_query(*, q: str = "", sector_id: int | None = None, region_code: str | None = None,
                   leerbedrijf: bool | None = None) -> sa.Select:
    """Active (not merged) employers, searched on name or KvK number and filtered."""
    query = (sa.select(Employer).where(Employer.merged_into_id.is_(None))
             .options(selectinload(Employer.regions)))
    text = search_text(q)
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


def clean_contact_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise contact person input; DomainError per field."""
    return {
        "name": text_input(data, "name", 200, required="Vul de naam van de contactpersoon in."),
        "role": text_input(data, "role", 100),
        "phone": normalise_phone(data.get("phone")),
        "email": normalise_email(data.get("email")),
    }


def add_contact(user: User, employer: Employer, data: dict[str, Any]) -> EmployerContact:
    """Add a contact person to an employer that is not merged."""
    require(user, Action.MANAGE_EMPLOYERS)
    require_not_merged(employer)
    contact = EmployerContact(employer=employer, **clean_contact_data(data))
    db.session.add(contact)
    db.session.flush()
    audit.record("employer.contact_add", object_type="employer", object_id=employer.id,
                 summary=f"contactpersoon {contact.id}")
    return contact


def update_contact(user: User, contact: EmployerContact, data: dict[str, Any], *,
                   expected_version: int | None = None) -> EmployerContact:
    """Change a contact person (optimistic locking on ``expected_version``)."""
    require(user, Action.MANAGE_EMPLOYERS)
    require_not_merged(contact.employer)
    check_version(contact, expected_version, "deze contactpersoon")
    for key, value in clean_contact_data(data).items():
        setattr(contact, key, value)
    flush_versioned(contact, "deze contactpersoon")
    audit.record("employer.contact_update", object_type="employer",
                 object_id=contact.employer_id, summary=f"contactpersoon {contact.id}")
    return contact


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
    require(user, Action.MERGE_EMPLOYERS,
            message="Alleen een regiocoördinator voegt werkgevers samen.")
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
    signals.employers_merged.send(keep, user=user, duplicate_id=duplicate.id)
    return moved


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
        raise Forbidden("Alleen de functioneel beheerder en regiocoördinatoren stellen "
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
                                 f"(door {user.role.label})")
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
    require(user, Action.MANAGE_REFERENCE_DATA,
            message="Alleen de functioneel beheerder beheert de lijst van sectoren.")
    if sector is not None:
        check_version(sector, expected_version, "deze sector")
    name = " ".join(text_input(data, "name", 100, required="Vul de naam van de sector in.").split())
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise DomainError("Geef aan of de sector actief is.", field="active")
    section = as_section(data.get("sbi_section"))
    if section is None and data.get("sbi_section") not in (None, ""):
        raise DomainError("Kies een SBI-sectie uit de lijst.", field="sbi_section")
    clash = db.session.scalar(sa.select(Sector).where(
        sa.func.lower(Sector.name) == name.lower(), Sector.id != (sector.id if sector else 0)))
    if clash is not None:
        raise DomainError("Er is al een sector met deze naam.", field="name", code="name_exists")
    created = sector is None
    changed: list[str] = []
    if sector is None:
        sector = Sector(code=_sector_code(name), name=name, active=active, sbi_section=section)
        db.session.add(sector)
        changed = ["name", "active", "sbi_section"]
    else:
        for key, value in (("name", name), ("active", active), ("sbi_section", section)):
            if getattr(sector, key) != value:
                setattr(sector, key, value)
                changed.append(key)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        raise stale(sector, "deze sector") from None
    except IntegrityError:  # the same name saved at the same moment by someone else
        raise DomainError("Er is al een sector met deze naam.", field="name",
                          code="name_exists") from None
    if created or changed:
        audit.record("sector." + ("create" if created else "update"), object_type="sector",
                     object_id=sector.id,
                     summary="actief" if sector.active else "niet actief")
    return sector
