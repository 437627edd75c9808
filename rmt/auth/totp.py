"""Second factor: TOTP codes (RFC 6238, pyotp), one-time recovery codes and the enrolment QR code.

Rules kept here, shared by the sign-in views, the account page and the admin page:
- a code is accepted for the current 30-second step and one step either side (``valid_window=1``);
- a code is never accepted twice: the last accepted step is stored and only later steps count;
- recovery codes are shown once and stored as argon2 hashes; each works once;
- the service never commits; every change is audited.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from rmt import audit, transaction
from rmt.auth.models import TOTP_REQUIRED_ROLES, RecoveryCode, User, new_session_token
from rmt.auth.service import hash_password, verify_password
from rmt.db_types import utcnow
from rmt.extensions import db

ISSUER = "RMT Casusregistratie"
STEP_SECONDS = 30
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes
_RECOVERY_LENGTH = 10
_TOTP_RE = re.compile(r"\d{6}")
_RECOVERY_RE = re.compile(rf"[{_RECOVERY_ALPHABET}]{{{_RECOVERY_LENGTH}}}")


class Method:
    TOTP = "app"
    RECOVERY = "herstelcode"


def new_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG ``data:`` URI made here (no external service)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000",
                                                   light="#fff")


def grouped(secret: str) -> str:
    """'ABCDEFGH…' -> 'ABCD EFGH …' for typing it over by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalise_code(text: str | None) -> str:
    return re.sub(r"[\s\-]", "", text or "").lower()


def timestep(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def match_timestep(secret: str, code: str, now: datetime, after: int | None = None) -> int | None:
    """The time step whose code equals ``code`` within the window, later than ``after``."""
    if not _TOTP_RE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    current = timestep(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue  # already used (or older than a used one): no replay
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- enrolment --------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """The secret to show; kept while the user sets up the app, so a reload shows the same QR.

    Opening the page (a GET) is a read: the new secret is stored right after it, in a short write
    transaction of its own (:func:`rmt.transaction.defer_write`), so the page never fails on
    SQLite's write lock. The same request stores it before the answer leaves.
    """
    if user.totp_pending_secret is not None:
        return user.totp_pending_secret
    secret = new_secret()
    user_id = user.id
    set_committed_value(user, "totp_pending_secret", secret)
    transaction.defer_write(lambda: db.session.execute(
        sa.update(User).where(User.id == user_id).values(totp_pending_secret=secret)))
    return secret


def confirm_enrolment(user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Switch the second factor on when ``code`` fits the pending secret.

    Returns the new recovery codes in clear text (to show once), or None when the code is wrong.
    An existing second factor is replaced (new phone).
    """
    now = now or utcnow()
    secret = user.totp_pending_secret
    step = match_timestep(secret, normalise_code(code), now) if secret else None
    if step is None:
        audit.record("auth.totp_enrol_failed", object_type="user", object_id=user.id, user=user)
        return None
    replaced = user.totp_enabled
    user.totp_secret = secret
    user.totp_pending_secret = None
    user.totp_enabled_at = now
    user.totp_last_timestep = step
    codes = _replace_recovery_codes(user)
    audit.record("auth.totp_enable", object_type="user", object_id=user.id, user=user,
                 summary="tweede factor vervangen" if replaced else "tweede factor ingesteld")
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_password(normalise_code(code)))
        for code in codes
    )
    db.session.flush()
    return codes


def new_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes (the old ones stop working)."""
    codes = _replace_recovery_codes(user)
    audit.record("auth.recovery_codes_new", object_type="user", object_id=user.id, user=user)
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


# --- verification -----------------------------------------------------------------------------


def verify(user: User, code: str, now: datetime | None = None) -> str | None:
    """Check a code from the app or a recovery code; ``Method.*`` when accepted, else None.

    Failures are counted by the caller (``service.count_failure``), which knows the context.
    """
    now = now or utcnow()
    if not user.totp_enabled:
        return None
    text = normalise_code(code)
    if _TOTP_RE.fullmatch(text):
        step = match_timestep(user.totp_secret, text, now, after=user.totp_last_timestep)
        if step is None:
            return None
        user.totp_last_timestep = step
        return Method.TOTP
    if _RECOVERY_RE.fullmatch(text):
        unused = db.session.scalars(
            sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                          RecoveryCode.used_at.is_(None))
            .order_by(RecoveryCode.id)).all()
        for recovery in unused:
            if verify_password(recovery.code_hash, text):
                recovery.used_at = now
                audit.record("auth.recovery_code_used", object_type="user", object_id=user.id,
                             user=user, summary=f"nog {len(unused) - 1} over")
                return Method.RECOVERY
    return None


# --- switching off ----------------------------------------------------------------------------


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_enabled_at = None
    user.totp_last_timestep = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User) -> None:
    """The user switches the optional second factor off (only where the role allows it)."""
    if user.totp_required:
        raise ValueError("second factor is required for this role")
    _clear(user)
    audit.record("auth.totp_disable", object_type="user", object_id=user.id, user=user)


def reset(user: User) -> None:
    """An admin resets a user's second factor (lost phone): it is cleared and every session of
    the user ends; a coordinator or admin enrols again at the next sign-in."""
    _clear(user)
    user.session_token = new_session_token()
    audit.record("auth.totp_reset", object_type="user", object_id=user.id,
                 summary=f"tweede factor van {user.email} hersteld door beheerder")


# --- demo data --------------------------------------------------------------------------------

DEMO_SECRET_DEFAULT = "RMTDEMOTOTPGEHEIMVOORDEMOONLY234"  # noqa: S105 - demo accounts only
DEMO_DOMAIN = "@demo.rmt.test"


def seed_demo_totp(secret: str) -> int:
    """Give demo coordinators and admins (``*@demo.rmt.test``) a known TOTP secret, so a
    newcomer can sign in with a code computed from it. Never used outside ``demo seed``."""
    pyotp.TOTP(secret).now()  # refuses a secret that is not base32
    users = db.session.scalars(
        sa.select(User).where(User.email.endswith(DEMO_DOMAIN),
                              User.role.in_(sorted(TOTP_REQUIRED_ROLES)),
                              User.totp_secret.is_(None))).all()
    for user in users:
        user.totp_secret = secret
        user.totp_pending_secret = None
        user.totp_enabled_at = utcnow()
        audit.record("auth.totp_enable", object_type="user", object_id=user.id, user=None,
                     summary="demo-account: bekende demosleutel")
    return len(users)
