"""Helpers shared by the second-factor, security and privacy tests."""

from __future__ import annotations

import re

import pyotp
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth import totp
from rmt.db_types import utcnow
from rmt.extensions import db
from tests.factories import UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PENDING_KEY = "pending_2fa"


def totp_user(role: str = "coordinator", *regions: str, **fields):
    """A user whose second factor is switched on with ``SECRET``."""
    fields.setdefault("totp_secret", SECRET)
    fields.setdefault("totp_enabled_at", utcnow())
    return UserFactory(role=role, regions=list(regions or ["MU"]), **fields)


def code(step_offset: int = 0, secret: str = SECRET) -> str:
    """The code for the current time step (plus ``step_offset`` steps)."""
    return pyotp.TOTP(secret).generate_otp(totp.timestep(utcnow()) + step_offset)


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


SECRET_ON_PAGE = re.compile(r'class="utrecht-code rmt-secret">([A-Z2-7 ]+)<')


def secret_on_page(html: str) -> str:
    match = SECRET_ON_PAGE.search(html)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


def recovery_codes_on_page(html: str) -> list[str]:
    return re.findall(r'<code class="utrecht-code">([a-z0-9]{5}-[a-z0-9]{5})</code>', html)
