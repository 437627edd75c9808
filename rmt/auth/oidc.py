"""OpenID Connect, the protocol: providers from the configuration, and Authlib doing the work.

Authlib (a kept library) does the protocol: discovery, the authorization code flow with PKCE
(S256), state and nonce kept in the session and checked, the code exchange, the ID token's
signature against the provider's JWKS. This module only configures it strictly:

* the ID token's ``iss`` must be the configured issuer and its ``aud`` must hold our client id
  (Authlib's default checks neither the audience nor, for a single other audience, more than
  ``azp``), ``exp``/``iat``/``nbf`` are checked against :func:`rmt.clock.now` with a small skew;
* discovery must name the configured issuer (no mix-up), and an ``iss`` on the authorization
  response (RFC 9207) must be that issuer too.

What a valid sign-in *means* (who the person is, their role, the second factor) is decided in
:mod:`rmt.auth.sso`; the views are in :mod:`rmt.auth.sso_views`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from authlib.oidc.core import CodeIDToken
from flask import Flask, current_app, request
from joserfc.errors import JoseError

from rmt import clock
from rmt.auth.models import Role
from rmt.regions import REGION_CODES

#: The ``amr`` values (RFC 8176 and what Entra ID and Keycloak send) that mean more than one
#: factor was used. ``pwd`` alone is one factor.
DEFAULT_MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris",
                             "pin", "sc", "ngcmfa", "rsa", "wia"})
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
HTTP_TIMEOUT_SECONDS = 10


class ConfigurationError(RuntimeError):
    """The SSO environment variables are wrong; the app refuses to start (clear message)."""


@dataclass(frozen=True)
class GroupRule:
    """What membership of one provider group gives: a role, in these regions."""

    role: Role
    regions: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Provider:
    """One OpenID Connect provider the app trusts (see docs/sso.md)."""

    name: str  # in URLs and the audit trail: [a-z0-9-]
    label: str  # on the sign-in button: "Inloggen met <label>"
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    email_claim: str = "email"
    #: The claim that says the e-mail address is verified; "" when the provider only ever
    #: sends addresses it manages (a single-tenant Entra ID with verified domains).
    email_verified_claim: str = "email_verified"
    group_claim: str = ""
    groups: Mapping[str, GroupRule] = field(default_factory=dict)
    #: Create an RMT user on first sign-in when a group gives a role (off by default).
    create_users: bool = False
    mfa_amr: frozenset[str] = DEFAULT_MFA_AMR
    mfa_acr: frozenset[str] = frozenset()
    #: End the provider's session too at sign-out (RP-initiated logout), when it offers it.
    logout: bool = True

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _env_bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _words(value: str | None) -> frozenset[str]:
    return frozenset(part for part in re.split(r"[\s,]+", value or "") if part)


def parse_groups(text: str, where: str) -> dict[str, GroupRule]:
    """``{"<group>": {"role": "coach", "regions": ["MU"]}, ...}`` (JSON) into rules."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigurationError(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: expected a JSON object of group -> rule")
    rules = {}
    for group, rule in raw.items():
        if not isinstance(rule, dict) or rule.get("role") not in {r.value for r in Role}:
            raise ConfigurationError(
                f"{where}: group {group!r} needs a role, one of {', '.join(r.value for r in Role)}")
        regions = rule.get("regions", [])
        if not isinstance(regions, list) or any(code not in REGION_CODES for code in regions):
            raise ConfigurationError(
                f"{where}: group {group!r}: regions must be a list of {', '.join(REGION_CODES)}")
        role = Role(rule["role"])
        if role != Role.ADMIN and not regions:
            raise ConfigurationError(f"{where}: group {group!r}: a {role.value} needs regions")
        rules[str(group)] = GroupRule(role, frozenset(regions))
    return rules


def providers_from_env(environ: Mapping[str, str] | None = None) -> list[Provider]:
    """The providers named in ``RMT_SSO_PROVIDERS`` with their ``RMT_SSO_<NAME>_*`` settings."""
    env = os.environ if environ is None else environ
    providers = []
    for name in _words(env.get("RMT_SSO_PROVIDERS")):
        if not NAME_PATTERN.match(name):
            raise ConfigurationError(f"RMT_SSO_PROVIDERS: {name!r} is not a-z, 0-9 and '-'")
        prefix = f"RMT_SSO_{name.upper().replace('-', '_')}_"

        def get(key: str, default: str = "", prefix: str = prefix) -> str:
            return env.get(prefix + key, default).strip()

        missing = [prefix + key for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
                   if not get(key)]
        if missing:
            raise ConfigurationError(f"SSO provider {name!r}: set {', '.join(missing)}")
        groups = parse_groups(get("GROUPS"), prefix + "GROUPS") if get("GROUPS") else {}
        create_users = _env_bool(get("CREATE_USERS"), False)
        if groups and not get("GROUP_CLAIM"):
            raise ConfigurationError(f"{prefix}GROUPS needs {prefix}GROUP_CLAIM")
        if create_users and not groups:
            raise ConfigurationError(f"{prefix}CREATE_USERS needs {prefix}GROUPS (a role)")
        scopes = get("SCOPES", "openid email profile")
        if "openid" not in scopes.split():
            raise ConfigurationError(f"{prefix}SCOPES must contain openid")
        providers.append(Provider(
            name=name, label=get("LABEL", name), issuer=get("ISSUER"),
            client_id=get("CLIENT_ID"), client_secret=get("CLIENT_SECRET"), scopes=scopes,
            email_claim=get("EMAIL_CLAIM", "email"),
            email_verified_claim=env.get(prefix + "EMAIL_VERIFIED_CLAIM", "email_verified").strip(),
            group_claim=get("GROUP_CLAIM"), groups=groups, create_users=create_users,
            mfa_amr=_words(get("MFA_AMR")) or DEFAULT_MFA_AMR, mfa_acr=_words(get("MFA_ACR")),
            logout=_env_bool(get("LOGOUT"), True),
        ))
    return sorted(providers, key=lambda p: p.name)


# --- Authlib ----------------------------------------------------------------------------------


class ProviderError(Exception):
    """The sign-in at the provider did not give a valid ID token. ``reason`` says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:200]


class Reason:
    STATE = "state"  # no sign-in of ours waits for this answer (forged, replayed, expired)
    DENIED = "denied"  # the provider answered with an error (the person cancelled, say)
    TOKEN = "token"  # noqa: S105 - the ID token failed validation (signature, iss, aud, exp, nonce)
    UNREACHABLE = "unreachable"  # the provider could not be reached or answered nonsense


class _IdToken(CodeIDToken):
    """Authlib's ID token claims, validated against the app's clock (:mod:`rmt.clock`)."""

    def validate(self, now: int | None = None, leeway: int = 0) -> None:
        super().validate(int(clock.now().timestamp()) if now is None else now, leeway)


def init_app(app: Flask) -> None:
    """The providers come from ``RMT_SSO_PROVIDERS`` unless the configuration gave a list."""
    if app.config.get("RMT_SSO_PROVIDER_LIST") is None:
        app.config["RMT_SSO_PROVIDER_LIST"] = providers_from_env()
    app.extensions["rmt.sso_clients"] = {}


def providers() -> list[Provider]:
    return list(current_app.config.get("RMT_SSO_PROVIDER_LIST") or [])


def provider(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def form_origins() -> frozenset[str]:
    """The origins of the providers' issuers, for the policy's ``form-action``."""
    origins = set()
    for prov in providers():
        parts = urlsplit(prov.issuer)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return frozenset(origins)


def _client(prov: Provider) -> FlaskOAuth2App:
    """Authlib's client for ``prov``, one per app and provider configuration (it caches the
    discovery document and the keys)."""
    cache = current_app.extensions["rmt.sso_clients"]
    key = (prov.name, prov.issuer, prov.client_id, prov.client_secret, prov.scopes)
    client = cache.get(key)
    if client is None:
        # Made directly rather than through Authlib's ``OAuth`` registry: the registry keeps
        # the first client of a name (a changed configuration would not take effect) and
        # would fill gaps from app.config keys named after the provider.
        client = FlaskOAuth2App(
            FlaskIntegration(prov.name), prov.name, client_id=prov.client_id,
            client_secret=prov.client_secret, server_metadata_url=prov.discovery_url,
            client_kwargs={"scope": prov.scopes, "code_challenge_method": "S256",
                           "default_timeout": HTTP_TIMEOUT_SECONDS})
        cache[key] = client
    return client


def _metadata(prov: Provider) -> dict[str, Any]:
    try:
        metadata = _client(prov).load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderError(Reason.UNREACHABLE, f"discovery: {exc}") from exc
    if metadata.get("issuer", "").rstrip("/") != prov.issuer.rstrip("/"):
        raise ProviderError(Reason.UNREACHABLE,
                            f"discovery names issuer {metadata.get('issuer')!r}")
    return metadata


def authorization_redirect(prov: Provider, redirect_uri: str):
    """The redirect to the provider's sign-in; state, nonce and the PKCE verifier wait in the
    session (Authlib)."""
    _metadata(prov)
    try:
        return _client(prov).authorize_redirect(redirect_uri)
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError) as exc:
        raise ProviderError(Reason.UNREACHABLE, str(exc)) from exc


def complete_authorization(prov: Provider) -> tuple[dict[str, Any], str]:
    """On the provider's redirect back: check state, exchange the code (with the PKCE
    verifier), validate the ID token. Returns (its claims, the raw ID token)."""
    metadata = _metadata(prov)
    issuer_param = request.args.get("iss")
    if issuer_param is not None and issuer_param.rstrip("/") != prov.issuer.rstrip("/"):
        raise ProviderError(Reason.TOKEN, f"iss parameter {issuer_param!r}")
    options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": prov.client_id},
        "sub": {"essential": True},
    }
    try:
        token = _client(prov).authorize_access_token(
            claims_options=options, claims_cls=_IdToken,
            leeway=current_app.config["RMT_SSO_CLOCK_SKEW_SECONDS"])
    except OAuthError as exc:
        # Only the error code, reduced to a code's characters: the description (and, on the
        # redirect back, the code itself) is whatever the query string says, and the audit
        # trail keeps codes, not free text.
        code = re.sub(r"[^a-z0-9_]", "", str(exc.error or "").lower())[:40] or "error"
        reason = Reason.STATE if code == "mismatching_state" else Reason.DENIED
        raise ProviderError(reason, code) from exc
    except JoseError as exc:
        raise ProviderError(Reason.TOKEN, f"{type(exc).__name__}: {exc}") from exc
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise ProviderError(Reason.UNREACHABLE, f"{type(exc).__name__}: {exc}") from exc
    if "userinfo" not in token:
        raise ProviderError(Reason.TOKEN, "no ID token in the token response")
    return dict(token["userinfo"]), token["id_token"]


def logout_url(prov: Provider, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it has none."""
    if not prov.logout:
        return None
    try:
        metadata = _metadata(prov)
    except ProviderError:
        return None  # the local session ends anyway
    if not metadata.get("end_session_endpoint"):
        return None
    extra = {} if id_token else {"client_id": prov.client_id}
    return _client(prov).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, **extra)["url"]
