"""Users, their region memberships and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.regions.service import RegionName, region_name


class Role(LabelledEnum):
    __titles__ = {
        "coach": "Loopbaancoach",
        "liaison": "Werkgeversadviseur",
        "coordinator": "Regiocoördinator",
        "admin": "Functioneel beheerder",
    }

    COACH = "coach"
    LIAISON = "liaison"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


TOTP_REQUIRED_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class RegionMembership(db.Model):
    __tablename__ = "region_membership"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True)

    region: Mapped[Region] = relationship()


#: Stored instead of a password hash for people who only sign in through SSO (rmt.auth.sso):
#: argon2 cannot parse it, so no password ever matches.
NO_PASSWORD = "!sso"  # noqa: S105


class User(UserMixin, db.Model):
    """A person who signs in. What they may see follows from ``role`` × ``region_codes``."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated on password change and deactivation, which ends every existing session.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Second factor (TOTP, RFC 6238). ``totp_secret`` is set once enrolment is confirmed; a new
    # secret waits in ``totp_pending_secret`` until the user proves it with a code.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last accepted time step: a code is never accepted twice (no replay).
    totp_last_timestep: Mapped[int | None] = mapped_column(sa.BigInteger)

    memberships: Mapped[list[RegionMembership]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=RegionMembership.region_code
    )

    @property
    def region_codes(self) -> frozenset[str]:
        return frozenset(m.region_code for m in self.memberships)

    @property
    def regions(self) -> list[RegionName]:
        """The user's regions by name (the names are read once per process: every page's
        user is loaded with the memberships alone)."""
        return [region_name(m.region_code) for m in self.memberships]

    def set_regions(self, codes: list[str] | set[str] | frozenset[str]) -> None:
        wanted = set(codes)
        self.memberships = [m for m in self.memberships if m.region_code in wanted] + [
            RegionMembership(region_code=code)
            for code in sorted(wanted - self.region_codes)
        ]

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def has_password(self) -> bool:
        """False for people who only sign in through SSO: they have no password to change."""
        return self.password_hash != NO_PASSWORD

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def totp_required(self) -> bool:
        """Coordinators and admins must use a second factor; coaches and liaisons may."""
        return self.role in TOTP_REQUIRED_ROLES

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A Bearer token for the JSON API. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class RecoveryCode(db.Model):
    """A one-time recovery code for the second factor; only its argon2 hash is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExternalIdentity(db.Model):
    """A person's account at an OpenID Connect provider, linked to their RMT user.

    The provider's ``sub`` is the stable key (an e-mail address can be reassigned); the e-mail is
    kept to show the admin which account is linked.
    """

    __tablename__ = "external_identity"
    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(255))
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AuthSetting(db.Model):
    """A sign-in setting the admin changes on the SSO page (``sso_required``)."""

    __tablename__ = "auth_setting"

    key: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
