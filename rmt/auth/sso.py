"""Single sign-on, the rules: who an OpenID Connect sign-in is, with which role and regions,
and whether the local second factor is still asked.

Called with the claims of an ID token that :mod:`rmt.auth.oidc` (Authlib) has already
validated. Nobody gets a role by default:

* a person is found by their linked identity at this provider (``sub``), else by an existing
  RMT user with the same *verified* e-mail address (then the identity is linked);
* when the provider has a group mapping, the groups decide the role and regions, also of an
  existing user (a changed mapping is applied and audited; no mapped group: refused), so
  off-boarding at the organisation ends access here;
* a person nobody knows is refused, unless the provider may create users *and* a group gives
  a role (just-in-time creation);
* the provider's ``amr``/``acr`` saying more than one factor was used replaces the local TOTP;
  otherwise coordinators and admins (and anyone who switched TOTP on) still give a code.

Every sign-in, refusal, link and mapping change is in the audit trail. Refusals are answered
normally (no exception) so that their audit entry is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from rmt import audit
from rmt.auth import service
from rmt.auth.models import NO_PASSWORD, ExternalIdentity, Role, User
from rmt.auth.oidc import GroupRule, Provider, Reason
from rmt.auth.service import SecondFactor
from rmt.db_types import utcnow
from rmt.extensions import db

#: When several mapped groups apply, the highest role wins (with the regions of its groups).
ROLE_ORDER = (Role.COACH, Role.LIAISON, Role.COORDINATOR, Role.ADMIN)


class Refusal:
    """Why an SSO sign-in was refused; the keys of :data:`MESSAGES`."""

    EMAIL_MISSING = "email_missing"
    EMAIL_UNVERIFIED = "email_unverified"
    UNKNOWN_PERSON = "unknown_person"
    NO_ROLE = "no_role"
    INACTIVE = "inactive"
    # from the protocol
    STATE = Reason.STATE
    DENIED = Reason.DENIED
    TOKEN = Reason.TOKEN
    UNREACHABLE = Reason.UNREACHABLE


ASK_ADMIN = "Vraag de functioneel beheerder van uw RMT om toegang."
MESSAGES = {
    Refusal.EMAIL_MISSING: (
        "Uw organisatie heeft bij het inloggen geen e-mailadres meegestuurd, dus we weten niet "
        "wie u bent. Vraag uw IT-afdeling om het e-mailadres mee te sturen (zie de handleiding "
        "voor beheerders)."),
    Refusal.EMAIL_UNVERIFIED: (
        "Uw organisatie heeft niet bevestigd dat het meegestuurde e-mailadres van u is. Daarom "
        "kunnen we u niet aan een RMT-account koppelen. " + ASK_ADMIN),
    Refusal.UNKNOWN_PERSON: (
        "U bent bij uw organisatie ingelogd, maar u hebt geen account in de "
        "RMT-casusregistratie. " + ASK_ADMIN),
    Refusal.NO_ROLE: (
        "U bent bij uw organisatie ingelogd, maar u bent geen lid van een groep die toegang "
        "geeft tot de RMT-casusregistratie. " + ASK_ADMIN),
    Refusal.INACTIVE: "Uw RMT-account is niet actief. " + ASK_ADMIN,
    Refusal.STATE: (
        "Deze aanmelding is verlopen of al gebruikt. Begin opnieuw met inloggen."),
    Refusal.DENIED: (
        "De aanmelding bij uw organisatie is afgebroken of geweigerd. Begin opnieuw met "
        "inloggen."),
    Refusal.TOKEN: (
        "Het antwoord van uw organisatie kon niet worden gecontroleerd, dus u bent niet "
        "ingelogd. Begin opnieuw; gebeurt dit weer, meld het dan de functioneel beheerder."),
    Refusal.UNREACHABLE: (
        "De inlogdienst van uw organisatie is nu niet bereikbaar of gaf een onbruikbaar "
        "antwoord. Probeer het over een paar minuten opnieuw."),
}


@dataclass(frozen=True)
class Outcome:
    """What an SSO sign-in leads to: a refusal, a second-factor step, or signed in."""

    user: User | None = None
    refusal: str | None = None
    second_factor: str | None = None  # SecondFactor.CODE / ENROL, or None
    mfa: bool = False

    @property
    def message(self) -> str:
        return MESSAGES.get(self.refusal or "", "")


def record_refusal(provider_name: str, reason: str, detail: str = "",
                   user: User | None = None) -> Outcome:
    """Audit a refused SSO sign-in; what the person sees is :data:`MESSAGES` [reason]."""
    audit.record("auth.sso_refused", object_type="user" if user else None,
                 object_id=user.id if user else None, user=user,
                 summary=f"{provider_name}: {reason}{f' ({detail})' if detail else ''}"[:500])
    return Outcome(user=user, refusal=reason)


def _groups(prov: Provider, claims: dict) -> list[str]:
    value = claims.get(prov.group_claim) if prov.group_claim else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def rule_for(prov: Provider, groups: list[str]) -> GroupRule | None:
    """The role and regions the mapped groups give: the highest role, with the regions of the
    groups that give that role. None when no group is mapped."""
    rules = [prov.groups[g] for g in groups if g in prov.groups]
    if not rules:
        return None
    role = max((r.role for r in rules), key=ROLE_ORDER.index)
    return GroupRule(role, frozenset().union(*(r.regions for r in rules if r.role == role)))


def asserts_mfa(prov: Provider, claims: dict) -> bool:
    """Did the provider say more than one factor was used (``amr`` or ``acr``, configurable)?"""
    amr = claims.get("amr")
    methods = {amr} if isinstance(amr, str) else set(amr) if isinstance(amr, list) else set()
    if prov.mfa_amr & {m for m in methods if isinstance(m, str)}:
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in prov.mfa_acr


def _verified(prov: Provider, claims: dict) -> bool:
    if not prov.email_verified_claim:
        return True
    value = claims.get(prov.email_verified_claim)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _identity(prov: Provider, subject: str) -> ExternalIdentity | None:
    return db.session.scalar(sa.select(ExternalIdentity).where(
        ExternalIdentity.provider == prov.name, ExternalIdentity.subject == subject))


def _create_user(prov: Provider, email: str, claims: dict, rule: GroupRule) -> User:
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    user = User(email=email, name=(name.strip() or email.split("@")[0])[:200], role=rule.role,
                password_hash=NO_PASSWORD, active=True)
    user.set_regions(rule.regions)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", object_type="user", object_id=user.id, user=user,
                 summary=f"{user.email} als {user.role.value} in "
                         f"{', '.join(sorted(rule.regions)) or '-'} bij eerste aanmelding via "
                         f"{prov.name} (groepen)")
    return user


def _apply_mapping(prov: Provider, user: User, rule: GroupRule, groups: list[str]) -> None:
    if user.role == rule.role and user.region_codes == rule.regions:
        return
    before = f"{user.role.value} in {','.join(sorted(user.region_codes)) or '-'}"
    service.update_user(user, name=user.name, role=rule.role, regions=set(rule.regions),
                        active=user.active)
    mapped = sorted(g for g in groups if g in prov.groups)
    audit.record("auth.sso_mapping_changed", object_type="user", object_id=user.id, user=user,
                 summary=f"{prov.name}: {before} → {rule.role.value} in "
                         f"{','.join(sorted(rule.regions)) or '-'} (groepen {', '.join(mapped)})"
                 [:500])


def sign_in(prov: Provider, claims: dict, now: datetime | None = None) -> Outcome:
    """Decide who the validated ``claims`` are and what happens next (see the module doc)."""
    now = now or utcnow()
    subject = str(claims.get("sub") or "")
    raw_email = claims.get(prov.email_claim)
    if not isinstance(raw_email, str) or "@" not in raw_email or len(raw_email) > 254:
        return record_refusal(prov.name, Refusal.EMAIL_MISSING, f"claim {prov.email_claim}")
    email = service.normalise_email(raw_email)
    verified = _verified(prov, claims)
    identity = _identity(prov, subject)
    user = identity.user if identity else None
    if user is None:
        same_email = service.find_user_by_email(email)
        if same_email is not None and not verified:
            return record_refusal(prov.name, Refusal.EMAIL_UNVERIFIED, email, user=same_email)
        user = same_email
    groups = _groups(prov, claims)
    rule = rule_for(prov, groups) if prov.groups else None
    if prov.groups and rule is None:
        return record_refusal(prov.name, Refusal.NO_ROLE,
                              f"{email}; groepen: {', '.join(groups) or 'geen'}", user=user)
    if user is None:
        if not (prov.create_users and rule is not None):
            return record_refusal(prov.name, Refusal.UNKNOWN_PERSON, email)
        if not verified:
            return record_refusal(prov.name, Refusal.EMAIL_UNVERIFIED, email)
        user = _create_user(prov, email, claims, rule)
    if not user.active:
        return record_refusal(prov.name, Refusal.INACTIVE, email, user=user)
    if identity is None:
        identity = ExternalIdentity(user_id=user.id, provider=prov.name, subject=subject[:255],
                                    email=email)
        db.session.add(identity)
        db.session.flush()
        audit.record("auth.sso_linked", object_type="user", object_id=user.id, user=user,
                     summary=f"{prov.name}: {email} gekoppeld")
    identity.email = email
    identity.last_sign_in_at = now
    if rule is not None:
        _apply_mapping(prov, user, rule, groups)
    mfa = asserts_mfa(prov, claims)
    via = f"via {prov.name}" + (", tweede factor bij de organisatie" if mfa else "")
    if not mfa and (user.totp_enabled or user.totp_required):
        step = SecondFactor.CODE if user.totp_enabled else SecondFactor.ENROL
        audit.record("auth.sso_ok", object_type="user", object_id=user.id, user=user,
                     summary=f"{via}; " + ("code gevraagd" if step == SecondFactor.CODE
                                           else "tweede factor instellen"))
        return Outcome(user=user, second_factor=step)
    service.complete_sign_in(user, now, via=via)
    return Outcome(user=user, mfa=mfa)


def identities(user: User | None = None) -> list[ExternalIdentity]:
    """The linked identities (of ``user``, or everyone's), for the admin's pages."""
    query = (sa.select(ExternalIdentity).join(ExternalIdentity.user)
             .order_by(User.name, ExternalIdentity.provider))
    if user is not None:
        query = query.where(ExternalIdentity.user_id == user.id)
    return list(db.session.scalars(query))


def unlink(identity: ExternalIdentity) -> None:
    """Remove a link (the admin): the next sign-in through that provider matches afresh."""
    audit.record("auth.sso_unlinked", object_type="user", object_id=identity.user_id,
                 summary=f"{identity.provider}: {identity.email} ontkoppeld")
    db.session.delete(identity)
