"""Helpers of the HTML tests of the case pages (tests/cases/test_views*.py) that only these
tests need. Page text, row counts and form posts come from :mod:`tests.helpers`."""

from __future__ import annotations

import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.regions.models import Municipality


def municipality_id(name: str = "Utrecht") -> int:
    return db.session.scalar(sa.select(Municipality.id).where(Municipality.name == name))


def registration_data(**overrides) -> dict:
    data = {
        "first_name": "Fatma", "name_prefix": "", "last_name": "Yildiz",
        "birth_date": "1985-03-14", "email": "fatma.yildiz@voorbeeld.nl",
        "phone": "06 1234 5678", "postcode": "3511ab", "municipality_id": municipality_id(),
        "education_level": "mbo2", "has_startkwalificatie": "y", "work_status": "werkzoekend",
        "benefit": "ww", "target_group": "werkzoekenden", "referral_partner": "uwv",
        "region_code": "MU",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def fresh(case: Case) -> Case:
    """The case as the database has it now."""
    db.session.expire_all()
    return db.session.get(Case, case.id)


def audit_actions(case: Case) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "case",
                                           AuditEntry.object_id == str(case.id))
        .order_by(AuditEntry.id)))


def today_iso() -> str:
    """Today's Dutch date as a date input sends it."""
    return clock.today().isoformat()
