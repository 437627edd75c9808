"""The import kinds of the employers feature (rmt.imports): employers by KvK number, their
contact persons, and contact moments. Each row goes through this feature's own service
(:mod:`rmt.employers.registry`, :mod:`rmt.employers.contacts`). Registered from
``receivers.connect()``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rmt.auth.models import User
from rmt.employers import contacts, registry
from rmt.employers.models import ContactKind, ContactMoment, EmployerContact
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports.kinds import (
    CREATED,
    SKIPPED,
    Column,
    ImportKind,
    RowOutcome,
    choice_of,
    heading_key,
    parse_date,
    parse_email,
    text_of,
)


def parse_kvk(value: Any) -> str:
    return registry.normalise_kvk(text_of(20)(value))


def sector_id(value: Any) -> int:
    wanted = heading_key(value)
    for sector in registry.sectors():
        if wanted in (heading_key(sector.name), heading_key(sector.code)):
            return sector.id
    raise DomainError("Onbekende sector; gebruik de naam van een sector uit de lijst.")


def _employer(kvk_number: str):
    employer = registry.find_by_kvk(kvk_number)
    if employer is None:
        raise DomainError("Geen werkgever met dit KvK-nummer; importeer eerst de werkgever.",
                          field="kvk_number")
    return registry.resolve_merged(employer)


KVK = Column("kvk_number", "KvK-nummer", parse_kvk, required=True,
             aliases=("kvk", "kvk nummer", "kamer van koophandel"), example="30123456")


def apply_employer_row(user: User, region_code: str, values: dict[str, Any]) -> RowOutcome:
    existing = registry.find_by_kvk(values["kvk_number"])
    if existing is not None:
        return RowOutcome(SKIPPED, "employer", existing.id, "bestaat al")
    employer = registry.create_employer(user, {**values, "region_codes": [region_code]})
    return RowOutcome(CREATED, "employer", employer.id)


def apply_contact_row(user: User, region_code: str, values: dict[str, Any]) -> RowOutcome:
    employer = _employer(values["kvk_number"])
    existing = db.session.scalar(sa.select(EmployerContact).where(
        EmployerContact.employer_id == employer.id,
        sa.func.lower(EmployerContact.name) == values["name"].lower()))
    if existing is not None:
        return RowOutcome(SKIPPED, "employer_contact", existing.id, "bestaat al")
    contact = registry.add_contact(user, employer, values)
    return RowOutcome(CREATED, "employer_contact", contact.id)


def apply_contact_moment_row(user: User, region_code: str,
                             values: dict[str, Any]) -> RowOutcome:
    employer = _employer(values["kvk_number"])
    data = {**values, "region_code": region_code, "kind": values["kind"].value}
    name = data.pop("contact_name", None)
    if name:
        contact = db.session.scalar(sa.select(EmployerContact).where(
            EmployerContact.employer_id == employer.id,
            sa.func.lower(EmployerContact.name) == name.lower()))
        if contact is None:
            raise DomainError("Geen contactpersoon met deze naam bij deze werkgever.",
                              field="contact_name")
        data["contact_id"] = contact.id
    existing = db.session.scalar(sa.select(ContactMoment.id).where(
        ContactMoment.employer_id == employer.id, ContactMoment.contact_on == data["contact_on"],
        ContactMoment.kind == values["kind"], ContactMoment.summary == data["summary"]))
    if existing is not None:
        return RowOutcome(SKIPPED, "contact_moment", existing, "bestaat al")
    moment = contacts.record_contact_moment(user, employer, data)
    return RowOutcome(CREATED, "contact_moment", moment.id)


EMPLOYERS = ImportKind(
    name="employers", title="Werkgevers", key="kvk_number", apply_row=apply_employer_row,
    description="Eén rij per werkgever; een bekend KvK-nummer wordt overgeslagen.",
    columns=(
        KVK,
        Column("name", "Naam", text_of(200), required=True, aliases=("bedrijfsnaam",),
               example="Bakkerij De Korenschoof"),
        Column("sector_id", "Sector", sector_id, required=True, example="Logistiek"),
        Column("street_address", "Adres", text_of(200), aliases=("straat", "straat en huisnummer"),
               example="Stationsplein 1"),
        Column("postcode", "Postcode", text_of(10), example="3511 AB"),
        Column("city", "Plaats", text_of(100), aliases=("woonplaats", "vestigingsplaats"),
               example="Utrecht"),
        Column("sbb_number", "SBB-nummer", text_of(12), aliases=("erkenningsnummer",)),
    ))

CONTACTS = ImportKind(
    name="contacts", title="Contactpersonen van werkgevers", apply_row=apply_contact_row,
    description="Eén rij per contactpersoon, bij een werkgever die al bekend is (KvK).",
    columns=(
        KVK,
        Column("name", "Naam", text_of(200), required=True, aliases=("contactpersoon",),
               example="Sanne de Vries"),
        Column("role", "Functie", text_of(100), aliases=("rol",), example="HR-adviseur"),
        Column("phone", "Telefoon", text_of(30), aliases=("telefoonnummer",),
               example="0301234567"),
        Column("email", "E-mail", parse_email, aliases=("e-mailadres",),
               example="s.devries@example.nl"),
    ))

CONTACT_MOMENTS = ImportKind(
    name="contact_moments", title="Contactmomenten met werkgevers",
    apply_row=apply_contact_moment_row,
    description="Eén rij per contact, vastgelegd in de gekozen regio.",
    columns=(
        KVK,
        Column("contact_on", "Datum", parse_date, required=True, aliases=("contactdatum",),
               example="02-02-2026"),
        Column("kind", "Soort", choice_of(ContactKind), required=True,
               aliases=("soort contact",), example="Telefoon"),
        Column("summary", "Samenvatting", text_of(5000), required=True,
               aliases=("verslag", "omschrijving"), example="Kennismaking, vacatures besproken."),
        Column("contact_name", "Contactpersoon", text_of(200), example="Sanne de Vries"),
    ))

KINDS = (EMPLOYERS, CONTACTS, CONTACT_MOMENTS)
