"""Helpers for the HTML tests of the case pages (tests/cases/test_views*.py)."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.regions.models import Municipality


def html(response) -> str:
    return response.get_data(as_text=True)


def text(response) -> str:
    """The page as plain text with collapsed whitespace (for phrases split over tags)."""
    inline_gone = re.sub(r"</?(?:strong|em|b|span|a|code)\b[^>]*>", "", html(response))
    without_tags = re.sub(r"<[^>]+>", " ", inline_gone)
    return " ".join(without_tags.replace("&#39;", "'").replace("&amp;", "&").split())


def post(client, url: str, data: dict | None = None):
    """POST a form with a valid CSRF token taken from the start page (no side effects).

    The test's own rows are committed first (into the test's outer transaction, still rolled
    back at the end): a refused request rolls back its session, which would otherwise also
    take the rows the test just made.
    """
    db.session.commit()
    return client.post_form(url, data or {}, token_page="/")


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
    return date.today().isoformat()
