"""Reference data of the trajectplan: service types (coded services) and delivering partners.

The functioneel beheerder maintains both lists, with optimistic locking, as the vouchers'
reference data. A record is never deleted: an inactive one stays with the activities that have
it but is not offered for new ones. Services never commit (the unit of work does).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from rmt import audit
from rmt.access import Action, require
from rmt.auth.models import User
from rmt.cases.models import DeliveryPartner, PartnerKind, ServiceCategory, ServiceType
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db

STALE_MESSAGE = ("Iemand anders heeft {what} intussen gewijzigd. Er is niets opgeslagen; bekijk "
                 "de huidige gegevens en voer uw wijziging zo nodig opnieuw in.")


def _require_admin(user: User) -> None:
    require(user, Action.MANAGE_REFERENCE_DATA,
            message="Alleen de functioneel beheerder beheert deze gegevens.")


def _check_version(obj: Any, expected_version: Any, what: str) -> None:
    if expected_version is None:
        return
    if not (isinstance(expected_version, int) and expected_version == obj.version):
        raise Conflict(STALE_MESSAGE.format(what=what), field="version", code="stale_version",
                       current_version=obj.version)


def _flush_versioned(what: str) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(STALE_MESSAGE.format(what=what), field="version",
                       code="stale_version") from None


def _name(value: Any, message: str) -> str:
    name = str(value or "").strip()
    if not name:
        raise DomainError(message, field="name")
    if len(name) > 100:
        raise DomainError("Gebruik hoogstens 100 tekens.", field="name")
    return name


def _enum(enum_cls: Any, value: Any, field: str, message: str) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message, field=field) from None


def _code_from(name: str) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")[:32] or "dienst"
    candidate, n = code, 1
    while db.session.scalar(sa.select(ServiceType.id).where(ServiceType.code == candidate)):
        n += 1
        candidate = f"{code}_{n}"
    return candidate


def save_service_type(user: User, record: ServiceType | None, data: dict[str, Any], *,
                      expected_version: int | None = None) -> ServiceType:
    """Create (``record=None``) or update a service type; ``code`` is set once, from the name."""
    _require_admin(user)
    if record is not None:
        _check_version(record, expected_version, "dit soort dienst")
    name = _name(data.get("name"), "Vul de naam van het soort dienst in.")
    category = _enum(ServiceCategory, data.get("category"), "category",
                     "Kies de categorie uit de regeling.")
    clash = db.session.scalar(sa.select(ServiceType).where(
        sa.func.lower(ServiceType.name) == name.lower()))
    if clash is not None and clash is not record:
        raise DomainError("Er is al een soort dienst met deze naam.", field="name",
                          code="name_exists")
    created = record is None
    if record is None:
        record = ServiceType(code=_code_from(name), name=name)
        db.session.add(record)
    record.name = name
    record.category = category
    record.active = bool(data.get("active", True))
    _flush_versioned("dit soort dienst")
    audit.record("service_type." + ("create" if created else "update"),
                 object_type="service_type", object_id=record.id,
                 summary=f"{record.code} ({category.label})", user=user)
    return record


def save_partner(user: User, record: DeliveryPartner | None, data: dict[str, Any], *,
                 expected_version: int | None = None) -> DeliveryPartner:
    """Create (``record=None``) or update a delivering partner."""
    _require_admin(user)
    if record is not None:
        _check_version(record, expected_version, "deze partner")
    name = _name(data.get("name"), "Vul de naam van de partner in.")
    kind = _enum(PartnerKind, data.get("kind"), "kind", "Kies het soort partner.")
    clash = db.session.scalar(sa.select(DeliveryPartner).where(
        sa.func.lower(DeliveryPartner.name) == name.lower()))
    if clash is not None and clash is not record:
        raise DomainError("Er is al een partner met deze naam.", field="name",
                          code="name_exists")
    created = record is None
    if record is None:
        record = DeliveryPartner(name=name)
        db.session.add(record)
    record.name = name
    record.kind = kind
    record.active = bool(data.get("active", True))
    _flush_versioned("deze partner")
    audit.record("delivery_partner." + ("create" if created else "update"),
                 object_type="delivery_partner", object_id=record.id,
                 summary=kind.label, user=user)
    return record


def service_types(*, active_only: bool = False) -> list[ServiceType]:
    query = sa.select(ServiceType).order_by(ServiceType.active.desc(), ServiceType.name)
    if active_only:
        query = query.where(ServiceType.active)
    return list(db.session.scalars(query))


def partners(*, active_only: bool = False) -> list[DeliveryPartner]:
    query = sa.select(DeliveryPartner).order_by(DeliveryPartner.active.desc(),
                                                DeliveryPartner.name)
    if active_only:
        query = query.where(DeliveryPartner.active)
    return list(db.session.scalars(query))


def active_service_type(ident: Any) -> ServiceType:
    record = _get(ServiceType, ident)
    if record is None or not record.active:
        raise DomainError("Kies een soort dienst uit de lijst.", field="service_type_id")
    return record


def active_partner(ident: Any) -> DeliveryPartner:
    record = _get(DeliveryPartner, ident)
    if record is None or not record.active:
        raise DomainError("Kies de partner die de dienst levert.", field="partner_id")
    return record


def _get(model: Any, ident: Any) -> Any:
    if isinstance(ident, str) and ident.strip().isdigit():
        ident = int(ident.strip())
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= 2**31 - 1:
        return None
    return db.session.get(model, ident)
