"""Sign-in rules, password hashing and API tokens, shared by the web views, the API and the CLI."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import ngettext
from sqlalchemy.orm import joinedload
from zxcvbn import zxcvbn

from rmt import audit, clock, signals, transaction
from rmt.auth import oidc
from rmt.auth.models import (
    ApiToken,
    AuthSetting,
    Role,
    User,
    new_session_token,
)
from rmt.db_types import utcnow
from rmt.errors_domain import DomainError
from rmt.extensions import db

MIN_PASSWORD_LENGTH = 12
#: How precisely a token's last use is recorded (at most one write per token a minute).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# What an attempt on an unknown or delayed account is verified against, so that every sign-in
# attempt costs exactly one argon2 verification and timing does not reveal accounts.
_DUMMY_PASSWORD = "not-a-real-password-for-timing"  # noqa: S105
#: The dummy hash per set of argon2 parameters, computed once per process on first use.
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _argon2_parameters() -> tuple[int, int, int]:
    cfg = current_app.config
    return (cfg["RMT_ARGON2_TIME_COST"], cfg["RMT_ARGON2_MEMORY_COST"],
            cfg["RMT_ARGON2_PARALLELISM"])


def _hasher() -> PasswordHasher:
    time_cost, memory_cost, parallelism = _argon2_parameters()
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def _dummy_hash() -> str:
    """A hash made with the app's own parameters, so verifying against it costs what a real
    verification costs. Made lazily, once per process (not per request)."""
    parameters = _argon2_parameters()
    if parameters not in _dummy_hashes:
        _dummy_hashes[parameters] = _hasher().hash(_DUMMY_PASSWORD)
    return _dummy_hashes[parameters]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Words anyone guessing an RMT password tries first: the organisation, the province, and the
#: Dutch words people build passwords from (seasons, months, "welkom", "wachtwoord").
GUESSABLE_WORDS = (
    "rmt", "utrecht", "regionaal", "mobiliteitsteam", "provincie", "amersfoort", "foodvalley",
    "gooi", "vecht", "welkom", "wachtwoord", "geheim", "inloggen", "zomer", "winter", "lente",
    "herfst", "voorjaar", "najaar", "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december", "maandag", "dinsdag",
    "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "nederland", "holland",
)
#: zxcvbn evaluates this many characters at most (its own limit); longer passwords are judged
#: by their first 72, which only makes the judgement stricter.
_ZXCVBN_MAX_LENGTH = 72
#: zxcvbn's English feedback in Dutch; a message not listed here is left out.
ZXCVBN_DUTCH = {
    "Use a few words, avoid common phrases.":
        "Gebruik een paar woorden, geen bekende uitdrukking.",
    "Add another word or two. Uncommon words are better.":
        "Voeg een of twee woorden toe; ongebruikelijke woorden zijn beter.",
    "Straight rows of keys are easy to guess.":
        "Rijen toetsen naast elkaar zijn makkelijk te raden.",
    "Short keyboard patterns are easy to guess.":
        "Korte patronen op het toetsenbord zijn makkelijk te raden.",
    "Use a longer keyboard pattern with more turns.":
        "Gebruik geen patronen op het toetsenbord.",
    'Repeats like "aaa" are easy to guess.': 'Herhalingen zoals "aaa" zijn makkelijk te raden.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        'Herhalingen zoals "abcabcabc" zijn nauwelijks moeilijker te raden dan "abc".',
    "Avoid repeated words and characters.": "Vermijd herhaalde woorden en tekens.",
    'Sequences like "abc" or "6543" are easy to guess.':
        'Reeksen zoals "abc" of "6543" zijn makkelijk te raden.',
    "Avoid sequences.": "Vermijd reeksen.",
    "Recent years are easy to guess.": "Recente jaartallen zijn makkelijk te raden.",
    "Avoid recent years.": "Vermijd recente jaartallen.",
    "Avoid years that are associated with you.": "Vermijd jaartallen die met u te maken hebben.",
    "Dates are often easy to guess.": "Datums zijn vaak makkelijk te raden.",
    "Avoid dates and years that are associated with you.":
        "Vermijd datums en jaartallen die met u te maken hebben.",
    "This is a top-10 common password.": "Dit is een van de tien meest gebruikte wachtwoorden.",
    "This is a top-100 common password.": "Dit is een van de honderd meest gebruikte wachtwoorden.",
    "This is a very common password.": "Dit is een veelgebruikt wachtwoord.",
    "This is similar to a commonly used password.": "Dit lijkt op een veelgebruikt wachtwoord.",
    "A word by itself is easy to guess.": "Een los woord is makkelijk te raden.",
    "Names and surnames by themselves are easy to guess.":
        "Namen en achternamen zijn los makkelijk te raden.",
    "Common names and surnames are easy to guess.":
        "Veelvoorkomende namen en achternamen zijn makkelijk te raden.",
    "Capitalization doesn't help very much.": "Hoofdletters helpen nauwelijks.",
    "All-uppercase is almost as easy to guess as all-lowercase.":
        "Alleen hoofdletters is bijna even makkelijk te raden als alleen kleine letters.",
    "Reversed words aren't much harder to guess.":
        "Omgekeerde woorden zijn nauwelijks moeilijker te raden.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        "Voorspelbare vervangingen, zoals '@' in plaats van 'a', helpen nauwelijks.",
}
GUESSABLE_MESSAGE = ("Dit wachtwoord is te makkelijk te raden. Kies bijvoorbeeld een zin van "
                     "vier of meer ongebruikelijke woorden.")


def guessable_inputs(*, email: str = "", name: str = "") -> list[str]:
    """What zxcvbn treats as known words for this user: their own details, the organisation,
    common Dutch words, and the years around now (zxcvbn's own idea of "recent" is older)."""
    local_part = email.split("@")[0]
    year = clock.today().year
    return [email, local_part, *re.split(r"[._\-+]", local_part), name, *name.split(),
            *GUESSABLE_WORDS, *(str(y) for y in range(year - 3, year + 2))]


def guessability_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Dutch messages when zxcvbn finds ``password`` too easy to guess (offline, no network)."""
    inputs = [word.lower() for word in guessable_inputs(email=email, name=name) if word]
    result = zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=inputs)
    if result["score"] >= current_app.config["RMT_PASSWORD_MIN_SCORE"]:
        return []
    feedback = result["feedback"]
    reasons = [ZXCVBN_DUTCH[text] for text in (feedback["warning"], *feedback["suggestions"])
               if text in ZXCVBN_DUTCH]
    return [" ".join([GUESSABLE_MESSAGE, *dict.fromkeys(reasons)])]


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Dutch messages for every way ``password`` falls short of the strength rule.

    For new passwords only (forms and CLI); existing passwords keep working.
    """
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
    if not problems and password:
        problems.extend(guessability_problems(password, email=email, name=name))
    return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


class Outcome:
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"
    SSO_REQUIRED = "sso_required"  # right password, but this person signs in through SSO


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


def failure_delay(failures: int) -> timedelta:
    """How long an account waits after ``failures`` failed attempts in a row.

    The first ``RMT_MAX_FAILED_LOGINS`` failures cost nothing; after that each failure doubles
    the wait (1, 2, 4, ... times ``RMT_LOGIN_DELAY_SECONDS``), capped at
    ``RMT_LOGIN_DELAY_MAX_SECONDS``. Nobody is locked out for longer than the cap.
    """
    cfg = current_app.config
    free = cfg["RMT_MAX_FAILED_LOGINS"]
    if failures < free:
        return timedelta(0)
    cap = cfg["RMT_LOGIN_DELAY_MAX_SECONDS"]
    exponent = min(failures - free, 32)  # 2**32 seconds is far beyond any cap
    return timedelta(seconds=min(cfg["RMT_LOGIN_DELAY_SECONDS"] * 2**exponent, cap))


def count_failure(user: User, now: datetime, *, action: str = "auth.sign_in_failed",
                  what: str = "mislukte poging") -> bool:
    """Count a failed password or second-factor attempt; past the free attempts the account
    waits (``failure_delay``) before the next attempt is even checked.

    Returns True when this failure starts a wait. Audited; the caller commits. The counter is
    reset only by a complete sign-in.
    """
    user.failed_logins += 1
    summary = f"{what} {user.failed_logins}"
    delay = failure_delay(user.failed_logins)
    if delay:
        user.locked_until = now + delay
        summary += f"; volgende poging na {int(delay.total_seconds())} s"
    audit.record(action, object_type="user", object_id=user.id, summary=summary, user=user)
    return bool(delay)


def complete_sign_in(user: User, now: datetime, method: str = "", via: str = "") -> None:
    """The last step of a successful sign-in: reset the failure counter and audit it.
    ``method``: the local second factor used; ``via``: the SSO provider (rmt.auth.sso)."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    parts = [via, f"met tweede factor ({method})" if method else ""]
    audit.record("auth.sign_in", object_type="user", object_id=user.id, user=user,
                 summary="; ".join(part for part in parts if part))


def authenticate(email: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check credentials and count failures; an account past its free attempts waits.

    Every attempt is audited and costs exactly one argon2 verification, whichever way it goes
    (unknown address, waiting account, wrong password, inactive account), so neither the time
    nor the answer tells whether an address has an account. The caller commits, also on
    failure, so the counter sticks, and shows one message for every failure.
    """
    now = now or utcnow()
    user = find_user_by_email(email)
    if user is None:
        verify_password(_dummy_hash(), password)
        # Nothing of what was typed: it may be a password typed into the e-mail field.
        audit.record("auth.sign_in_failed", summary="onbekend account", user=None)
        return SignInResult(Outcome.INVALID)
    if user.is_locked(now):
        # Not even checked: the password is verified against the dummy hash to cost the same.
        verify_password(_dummy_hash(), password)
        audit.record("auth.sign_in_locked", object_type="user", object_id=user.id, user=user)
        return SignInResult(Outcome.LOCKED, user)
    if not verify_password(user.password_hash, password) or not user.active:
        count_failure(user, now)
        return SignInResult(Outcome.INVALID, user)
    if user.role not in LOCAL_SIGN_IN_ROLES and sso_required():
        audit.record("auth.sign_in_refused", object_type="user", object_id=user.id, user=user,
                     summary="inloggen via de organisatie (SSO) is verplicht")
        return SignInResult(Outcome.SSO_REQUIRED, user)
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


#: Who keeps the password sign-in when SSO is required: the admins (break-glass access, with
#: their TOTP), so a broken identity provider never locks everybody out.
LOCAL_SIGN_IN_ROLES = frozenset({Role.ADMIN})
SSO_REQUIRED_SETTING = "sso_required"


def sso_required() -> bool:
    """Must everyone but the admins sign in through SSO? Only when a provider is configured:
    without one, the setting cannot lock anybody out."""
    if not oidc.providers():
        return False
    setting = db.session.get(AuthSetting, SSO_REQUIRED_SETTING)
    return setting is not None and setting.value == "1"


def set_sso_required(required: bool) -> None:
    """The admin's setting (audited). Switching it on needs a configured provider."""
    if required and not oidc.providers():
        raise DomainError("Er is geen SSO-provider ingesteld; zonder provider kan inloggen via "
                          "de organisatie niet verplicht worden.", field="sso_required",
                          code="no_sso_provider")
    value = "1" if required else "0"
    setting = db.session.get(AuthSetting, SSO_REQUIRED_SETTING)
    if (setting.value if setting else "0") == value:
        return
    if setting is None:
        db.session.add(AuthSetting(key=SSO_REQUIRED_SETTING, value=value, changed_at=utcnow()))
    else:
        setting.value = value
        setting.changed_at = utcnow()
    audit.record("auth.setting_change", object_type="auth_setting", object_id=SSO_REQUIRED_SETTING,
                 summary="SSO verplicht voor iedereen behalve beheerders: "
                         + ("aan" if required else "uit"))


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
                active: bool, by: User | None = None) -> None:
    """Change a user (the admin's page). Deactivation, another role or other regions revoke all
    the person's API tokens in this unit of work (audited): a token carries the rights its
    holder had when it was made. Sends ``user_deactivated`` / ``user_role_changed`` /
    ``user_regions_changed``."""
    changes = []
    previous_role, previous_regions = user.role, user.region_codes
    role_changed = user.role != Role(role)
    regions_changed = user.region_codes != frozenset(regions)
    deactivated = user.active and not active
    if user.name != name.strip():
        changes.append("naam")
    if role_changed:
        changes.append(f"rol {user.role.value}→{Role(role).value}")
    if regions_changed:
        changes.append(f"regio's {','.join(sorted(user.region_codes))}→{','.join(sorted(regions))}")
    if user.active != active:
        changes.append("geactiveerd" if active else "gedeactiveerd")
    user.name = name.strip()
    user.role = Role(role)
    user.set_regions(regions)
    if deactivated or (role_changed and user.totp_required and not user.totp_enabled):
        # A new role that needs a second factor starts with a fresh sign-in (and enrolment).
        user.session_token = new_session_token()
    user.active = active
    audit.record("user.update", object_type="user", object_id=user.id,
                 summary="; ".join(changes) or "geen wijziging")
    if deactivated or role_changed or regions_changed:
        revoke_api_tokens(user)
    if deactivated:
        signals.user_deactivated.send(user, by=by)
    if role_changed:
        signals.user_role_changed.send(user, by=by, previous_role=previous_role)
    if regions_changed:
        signals.user_regions_changed.send(user, by=by, previous_regions=previous_regions)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, label: str = "API", days: int | None = None) -> str:
    """Create a token and return it in clear text; only its hash is stored.

    The bare step, without the second-factor rule: people get tokens through
    :func:`issue_api_token`."""
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


SECOND_FACTOR_FOR_API_MESSAGE = (
    "Voor deze rol is een tweede factor verplicht. Een API-token kan pas worden gemaakt als de "
    "gebruiker de tweede factor heeft ingesteld.")


def issue_api_token(user: User, *, label: str = "API", days: int | None = None,
                    without_second_factor: bool = False) -> str:
    """Create a token for a person (the CLI; any future page): refused for an inactive user and,
    for a role that requires a second factor, for a user who has not set one up, unless the
    operator explicitly overrides that (audited)."""
    if not user.active:
        raise DomainError("Deze gebruiker is niet actief.", code="user_inactive")
    if user.totp_required and not user.totp_enabled:
        if not without_second_factor:
            raise DomainError(SECOND_FACTOR_FOR_API_MESSAGE, code="second_factor_required")
        audit.record("api_token.without_second_factor", object_type="user", object_id=user.id,
                     user=user, summary="token gemaakt zonder tweede factor (beheerder)")
    return create_api_token(user, label=label, days=days)


#: The token, its user and the user's regions in one statement (every API request), built once.
_TOKEN_WITH_USER = (sa.select(ApiToken)
                    .where(ApiToken.token_hash == sa.bindparam("token_hash", type_=sa.String))
                    .options(joinedload(ApiToken.user).joinedload(User.memberships)))


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The active user behind a usable token, or None."""
    now = now or utcnow()
    api_token = db.session.scalars(
        _TOKEN_WITH_USER, {"token_hash": token_digest(token)}).unique().one_or_none()
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
                     summary=ngettext("%(num)d token ingetrokken", "%(num)d tokens ingetrokken",
                                      len(tokens)))
    return len(tokens)
