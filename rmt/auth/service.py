"""Sign-in rules, password hashing and API tokens, shared by the web views, the API and the CLI."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from rmt import audit, transaction
from rmt.auth.models import ApiToken, Role, User, new_session_token
from rmt.db_types import utcnow
from rmt.extensions import db

MIN_PASSWORD_LENGTH = 12
#: How precisely a token's last use is recorded (at most one write per token a minute).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# A fixed hash to verify against when the e-mail is unknown, so timing does not reveal accounts.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"  # noqa: S105


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["RMT_ARGON2_TIME_COST"],
        memory_cost=cfg["RMT_ARGON2_MEMORY_COST"],
        parallelism=cfg["RMT_ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Dutch messages for every way ``password`` falls short of the strength rule."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Gebruik minstens {MIN_PASSWORD_LENGTH} tekens.")
    kinds = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 3:
        problems.append(
            "Gebruik minstens drie van: kleine letters, hoofdletters, cijfers, leestekens."
        )
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 3 and local_part in lowered) or (
        name and any(len(part) >= 3 and part.lower() in lowered for part in name.split())
    ):
        problems.append("Het wachtwoord mag uw naam of e-mailadres niet bevatten.")
    return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


class Outcome:
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


class SecondFactor:
    """What the password step leads to when it succeeds."""

    CODE = "code"  # the user has TOTP: ask for a code
    ENROL = "enrol"  # the role requires TOTP and the user has none yet: enrol first


@dataclass(frozen=True)
class SignInResult:
    outcome: str
    user: User | None = None
    second_factor: str | None = None  # SecondFactor.CODE / ENROL, or None: signed in

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


def count_failure(user: User, now: datetime, *, action: str = "auth.sign_in_failed",
                  what: str = "mislukte poging") -> bool:
    """Count a failed password or second-factor attempt; lock the account at the limit.

    Returns True when this failure locked the account. Audited; the caller commits.
    """
    cfg = current_app.config
    user.failed_logins += 1
    summary = f"{what} {user.failed_logins}"
    locked = False
    if user.failed_logins >= cfg["RMT_MAX_FAILED_LOGINS"]:
        user.locked_until = now + timedelta(minutes=cfg["RMT_LOCKOUT_MINUTES"])
        user.failed_logins = 0
        summary += "; account tijdelijk geblokkeerd"
        locked = True
    audit.record(action, object_type="user", object_id=user.id, summary=summary, user=user)
    return locked


def complete_sign_in(user: User, now: datetime, method: str = "") -> None:
    """The last step of a successful sign-in: reset the failure counter and audit it."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("auth.sign_in", object_type="user", object_id=user.id, user=user,
                 summary=f"met tweede factor ({method})" if method else "")


def authenticate(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check credentials, count failures and lock the account after too many.

    Every attempt is audited. The caller commits, also on failure, so the counter sticks.
    A locked or inactive account gives the same answer whatever the password.
    """
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None:
        verify_password(hash_password(_DUMMY_PASSWORD), password)
        # Nothing of what was typed: it may be a password typed into the e-mail field.
        audit.record("auth.sign_in_failed", summary="onbekend account", user=None)
        return SignInResult(Outcome.INVALID)
    if user.is_locked(now):
        audit.record("auth.sign_in_locked", object_type="user", object_id=user.id, user=user)
        return SignInResult(Outcome.LOCKED, user)
    if not verify_password(user.password_hash, password) or not user.active:
        locked = count_failure(user, now)
        return SignInResult(Outcome.LOCKED if locked else Outcome.INVALID, user)
    if user.totp_enabled or user.totp_required:
        # Only half-way: the failure counter is reset after the second factor, so knowing the
        # password does not buy fresh guesses at the code.
        step = SecondFactor.CODE if user.totp_enabled else SecondFactor.ENROL
        audit.record("auth.password_ok", object_type="user", object_id=user.id, user=user,
                     summary="code gevraagd" if step == SecondFactor.CODE
                     else "tweede factor instellen")
        return SignInResult(Outcome.OK, user, step)
    complete_sign_in(user, now)
    return SignInResult(Outcome.OK, user)


def set_password(user: User, password: str) -> None:
    """Store a new password and end all other sessions of this user."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()


def create_user(
    *, email: str, name: str, role: Role, regions: list[str] | set[str], password: str
) -> User:
    user = User(email=normalise_email(email), name=name.strip(), role=Role(role),
                password_hash=hash_password(password), active=True)
    user.set_regions(regions)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} als {user.role.value} in {', '.join(sorted(regions)) or '-'}",
    )
    return user


def update_user(user: User, *, name: str, role: Role, regions: list[str] | set[str],
                active: bool) -> None:
    changes = []
    if user.name != name.strip():
        changes.append("naam")
    if user.role != Role(role):
        changes.append(f"rol {user.role.value}→{Role(role).value}")
    if user.region_codes != frozenset(regions):
        changes.append(f"regio's {','.join(sorted(user.region_codes))}→{','.join(sorted(regions))}")
    if user.active != active:
        changes.append("geactiveerd" if active else "gedeactiveerd")
    role_changed = user.role != Role(role)
    user.name = name.strip()
    user.role = Role(role)
    user.set_regions(regions)
    if (user.active and not active) or (
            role_changed and user.totp_required and not user.totp_enabled):
        # A new role that needs a second factor starts with a fresh sign-in (and enrolment).
        user.session_token = new_session_token()
    user.active = active
    audit.record("user.update", object_type="user", object_id=user.id,
                 summary="; ".join(changes) or "geen wijziging")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, label: str = "API", days: int | None = None) -> str:
    """Create a token and return it in clear text; only its hash is stored."""
    token = "rmt_" + secrets.token_urlsafe(32)
    days = days or current_app.config["RMT_API_TOKEN_DAYS"]
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_digest(token),
            label=label[:100],
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    audit.record("api_token.create", object_type="user", object_id=user.id, user=user,
                 summary=f"token '{label[:100]}', {days} dagen geldig")
    return token


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The active user behind a usable token, or None."""
    now = now or utcnow()
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == token_digest(token))
    )
    if api_token is None or not api_token.is_usable(now) or not api_token.user.active:
        return None
    last_used = api_token.last_used_at
    if last_used is None or now - last_used >= TOKEN_USE_RESOLUTION:
        # At most once a minute, and for a read after the read: using a token never makes a
        # request wait for (or fail on) SQLite's write lock just to record the moment.
        token_id = api_token.id
        transaction.defer_write(lambda: db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)))
    return api_token.user


def revoke_api_tokens(user: User) -> int:
    tokens = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for api_token in tokens:
        api_token.revoked_at = utcnow()
    if tokens:
        audit.record("api_token.revoke", object_type="user", object_id=user.id,
                     summary=f"{len(tokens)} token(s) ingetrokken")
    return len(tokens)
