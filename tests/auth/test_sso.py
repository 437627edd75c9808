"""Single sign-on against a real OpenID Connect provider (``oidc-provider`` on 127.0.0.1).

Every flow goes through the app's real routes and Authlib: the button, the provider's sign-in
page, the callback with the code exchange and the ID token validation against the provider's
JWKS. Tokens no real provider issues (another audience, expired, replayed) are signed with the
provider's own key and handed out by its own token endpoint.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from joserfc.jwk import RSAKey

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.auth import oidc, service
from rmt.auth.models import AuthSetting, ExternalIdentity, Role, User
from rmt.auth.oidc import GroupRule, Provider
from rmt.auth.views import SSO_REQUIRED_MESSAGE
from rmt.extensions import db
from tests import helpers
from tests.auth.oidc_provider import (
    KEY_ID,
    OidcTestProvider,
    authorize_params,
    running_provider,
)
from tests.factories import UserFactory
from tests.security.support import PENDING_KEY, audit_actions, code, signed_in_user_id, totp_user

SECRET = "test-client-secret-0123456789"
APP = "http://localhost"
GROUPS = {
    "rmt-coach-mu": GroupRule(Role.COACH, frozenset({"MU"})),
    "rmt-coach-am": GroupRule(Role.COACH, frozenset({"AM"})),
    "rmt-coordinator-mu": GroupRule(Role.COORDINATOR, frozenset({"MU"})),
}
ACCOUNTS = {
    "coach": {"email": "Coach.SSO@test.nl", "email_verified": True, "name": "Coach SSO",
              "groups": ["rmt-coach-mu", "iedereen"]},
    "coordinator": {"email": "coord.sso@test.nl", "email_verified": True,
                    "groups": ["rmt-coordinator-mu"]},
    "newcomer": {"email": "nieuw@test.nl", "email_verified": True, "name": "Nieuwe Collega",
                 "groups": ["rmt-coach-am"]},
    "outsider": {"email": "buiten@test.nl", "email_verified": True, "groups": ["marketing"]},
    "no-email": {"groups": ["rmt-coach-mu"]},
    "unverified": {"email": "coach.sso@test.nl", "email_verified": False,
                   "groups": ["rmt-coach-mu"]},
}


def _client(name: str) -> dict:
    return {"client_id": f"rmt-{name}", "client_secret": SECRET,
            "redirect_uris": [f"{APP}/inloggen/sso/{name}/terug"],
            "post_logout_redirect_uris": [f"{APP}/uitgelogd"]}


@pytest.fixture(scope="module")
def op(tmp_path_factory) -> OidcTestProvider:
    with running_provider(tmp_path_factory.mktemp("oidc"),
                          clients=[_client(n) for n in ("test", "plain", "jit")],
                          accounts=ACCOUNTS) as provider:
        yield provider


def _providers(issuer: str) -> list[Provider]:
    common = {"issuer": issuer, "client_secret": SECRET, "scopes": "openid email profile groups"}
    return [
        # groups decide; the default amr list (the provider sends "otp" after its MFA)
        Provider(name="test", label="Testorganisatie", client_id="rmt-test",
                 group_claim="groups", groups=GROUPS, **common),
        # no groups: only existing users by verified e-mail; MFA only by this acr
        Provider(name="plain", label="Zonder groepen", client_id="rmt-plain",
                 mfa_amr=frozenset({"hwk"}), mfa_acr=frozenset({"urn:rmt:test:mfa"}), **common),
        # just-in-time creation when a group gives a role
        Provider(name="jit", label="Met aanmaken", client_id="rmt-jit", group_claim="groups",
                 groups=GROUPS, create_users=True, **common),
    ]


@pytest.fixture
def sso(app, op, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_SSO_PROVIDER_LIST", _providers(op.issuer))
    return op


def start(client, name: str = "test", next_url: str = ""):
    response = client.post_form(f"/inloggen/sso/{name}", {"next": next_url},
                                token_page="/inloggen")
    assert response.status_code == 302, helpers.html(response)
    return response.headers["Location"]


def callback(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, op, login: str, name: str = "test", *, mfa: bool = False,
            next_url: str = ""):
    return callback(client, op.sign_in(start(client, name, next_url), login, mfa=mfa))


def last_entry(action: str) -> AuditEntry:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc())).first()


def claims_for(op: OidcTestProvider, authorize_url: str, **overrides) -> dict:
    now = int(time.time())
    params = authorize_params(authorize_url)
    claims = {"iss": op.issuer, "sub": "coach", "aud": params["client_id"], "iat": now,
              "exp": now + 300, "nonce": params["nonce"], **ACCOUNTS["coach"]}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


# --- the flow ---------------------------------------------------------------------------------


def test_sign_in_buttons_post_to_the_providers(client, sso):
    html = helpers.html(client.get("/inloggen"))
    assert 'action="/inloggen/sso/test"' in html and "Inloggen met Testorganisatie" in html
    assert 'action="/inloggen/sso/plain"' in html


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso):
    params = authorize_params(start(client))
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] and params["nonce"] and params["response_type"] == "code"
    assert params["redirect_uri"] == f"{APP}/inloggen/sso/test/terug"
    assert "groups" in params["scope"].split()


def test_good_sign_in_links_the_existing_user_and_rotates_the_session(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    authorize_url = start(client, next_url="/account/wachtwoord")
    with client.session_transaction() as session:
        before = dict(session)
        session["planted"] = "fixation"
    response = callback(client, sso.sign_in(authorize_url, "coach"))
    assert response.status_code == 302 and response.headers["Location"] == "/account/wachtwoord"
    assert signed_in_user_id(client) == user.get_id()
    with client.session_transaction() as session:
        assert "planted" not in session and "sso_next" not in session
        assert not any(key.startswith("_state_") for key in session)
        assert session["sso"]["p"] == "test" and session["sso"]["t"]
    assert any(key.startswith("_state_test_") for key in before)
    assert client.get("/").status_code == 200
    identity = db.session.scalars(sa.select(ExternalIdentity)).one()
    assert (identity.user_id, identity.provider, identity.subject) == (user.id, "test", "coach")
    assert audit_actions()[-2:] == ["auth.sso_linked", "auth.sign_in"]
    assert last_entry("auth.sign_in").summary == "via test"
    assert user.last_login_at is not None


def test_the_second_sign_in_finds_the_person_by_the_providers_subject(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    sign_in(client, sso, "coach")
    client.post_form("/uitloggen", token_page="/")
    user.email = "andere.naam@test.nl"  # renamed here; the link (sub) still holds
    response = sign_in(client, sso, "coach")
    assert response.status_code == 302 and signed_in_user_id(client) == user.get_id()
    assert audit_actions().count("auth.sso_linked") == 1


def test_groups_change_the_role_and_regions_audited(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="liaison", regions=["AM", "GV"])
    response = sign_in(client, sso, "coach")
    assert response.status_code == 302
    assert user.role == Role.COACH and user.region_codes == {"MU"}
    entry = last_entry("auth.sso_mapping_changed")
    assert entry.summary == "test: liaison in AM,GV → coach in MU (groepen rmt-coach-mu)"
    assert entry.object_id == str(user.id)
    assert "user.update" in audit_actions()


def test_without_a_group_mapping_the_local_role_stays(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="liaison", regions=["AM"])
    response = sign_in(client, sso, "coach", "plain")
    assert response.status_code == 302 and signed_in_user_id(client) == user.get_id()
    assert user.role == Role.LIAISON and user.region_codes == {"AM"}


def test_just_in_time_creation_only_when_configured(client, sso):
    response = sign_in(client, sso, "newcomer", "test")
    assert response.status_code == 403 and signed_in_user_id(client) is None
    assert "geen account in de RMT-casusregistratie" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary == "test: unknown_person (nieuw@test.nl)"
    assert service.find_user_by_email("nieuw@test.nl") is None

    response = sign_in(client, sso, "newcomer", "jit")
    user = service.find_user_by_email("nieuw@test.nl")
    assert response.status_code == 302 and signed_in_user_id(client) == user.get_id()
    assert (user.role, user.region_codes, user.name) == (Role.COACH, {"AM"}, "Nieuwe Collega")
    assert not service.verify_password(user.password_hash, "!sso")
    assert "bij eerste aanmelding via jit" in last_entry("user.create").summary


# --- refusals ---------------------------------------------------------------------------------


def test_a_group_that_maps_to_no_role_is_refused_even_for_a_local_user(client, sso):
    user = UserFactory(email="buiten@test.nl", role="coach", regions=["MU"])
    response = sign_in(client, sso, "outsider")
    html = helpers.html(response)
    assert response.status_code == 403 and signed_in_user_id(client) is None
    assert "geen lid van een groep die toegang geeft" in html and '<html lang="nl">' in html
    entry = last_entry("auth.sso_refused")
    assert entry.summary == "test: no_role (buiten@test.nl; groepen: marketing)"
    assert entry.user_id == user.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)) == 0


def test_missing_email_claim_is_refused(client, sso):
    response = sign_in(client, sso, "no-email")
    assert response.status_code == 403 and signed_in_user_id(client) is None
    assert "geen e-mailadres meegestuurd" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary == "test: email_missing (claim email)"


def test_an_unverified_email_never_links_a_local_account(client, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    response = sign_in(client, sso, "unverified")
    assert response.status_code == 403 and signed_in_user_id(client) is None
    assert "niet bevestigd" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary.startswith("test: email_unverified")


def test_an_inactive_user_is_refused(client, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"], active=False)
    response = sign_in(client, sso, "coach")
    assert response.status_code == 403 and "niet actief" in helpers.html(response)
    assert signed_in_user_id(client) is None


def test_bad_state_is_refused(client, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    back = sso.sign_in(start(client), "coach")
    state = authorize_params(back)["state"]
    response = callback(client, back.replace(f"state={state}", "state=vervalst"))
    assert response.status_code == 400 and signed_in_user_id(client) is None
    assert "verlopen of al gebruikt" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary.startswith("test: state (mismatching_state")


def test_the_callback_cannot_be_replayed(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    back = sso.sign_in(start(client), "coach")
    assert callback(client, back).status_code == 302
    client.post_form("/uitloggen", token_page="/")
    response = callback(client, back)
    assert response.status_code == 400 and signed_in_user_id(client) is None
    assert audit_actions().count("auth.sign_in") == 1 and user.active


def test_a_callback_from_another_browser_is_refused(client, app, sso):
    """The state lives in the session of the browser that pressed the button."""
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    back = sso.sign_in(start(client), "coach")
    other = app.test_client()
    response = callback(other, back)
    assert response.status_code == 400
    assert "verlopen of al gebruikt" in helpers.html(response)


def test_a_token_the_test_signs_with_the_providers_key_is_accepted(client, sso):
    """The control for the forged-token tests below: only the claim they change matters."""
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    authorize_url = start(client)
    sso.next_id_token(sso.sign(claims_for(sso, authorize_url)))
    response = callback(client, sso.sign_in(authorize_url, "coach"))
    assert response.status_code == 302 and signed_in_user_id(client) == user.get_id()


@pytest.mark.parametrize(("overrides", "why"), [
    ({"aud": "een-andere-app"}, "wrong audience"),
    ({"aud": ["een-andere-app"], "azp": "rmt-test"}, "wrong audience, azp set to us"),
    ({"iss": "http://127.0.0.1:1/"}, "another issuer"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
    ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, "issued in the future"),
    ({"nonce": "niet-de-onze"}, "wrong nonce"),
    ({"nonce": None}, "no nonce"),
    ({"sub": None}, "no subject"),
])
def test_invalid_id_tokens_are_refused(client, sso, overrides, why):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    authorize_url = start(client)
    sso.next_id_token(sso.sign(claims_for(sso, authorize_url, **overrides)))
    response = callback(client, sso.sign_in(authorize_url, "coach"))
    assert response.status_code == 400, why
    assert signed_in_user_id(client) is None
    assert "kon niet worden gecontroleerd" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary.startswith("test: token")
    assert "auth.sign_in" not in audit_actions()


def test_a_token_signed_with_another_key_is_refused(client, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    authorize_url = start(client)
    stranger = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "alg": "RS256"})
    sso.next_id_token(sso.sign(claims_for(sso, authorize_url), key=stranger))
    response = callback(client, sso.sign_in(authorize_url, "coach"))
    assert response.status_code == 400 and signed_in_user_id(client) is None
    assert "BadSignatureError" in last_entry("auth.sso_refused").summary


def test_a_replayed_id_token_is_refused(client, sso):
    """A genuine ID token of an earlier sign-in, offered again in a new one: its nonce is not
    the new sign-in's."""
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    assert sign_in(client, sso, "coach").status_code == 302
    earlier = sso.last_id_token()
    client.post_form("/uitloggen", token_page="/")
    authorize_url = start(client)
    sso.next_id_token(earlier)
    response = callback(client, sso.sign_in(authorize_url, "coach"))
    assert response.status_code == 400 and signed_in_user_id(client) is None
    assert "nonce" in last_entry("auth.sso_refused").summary


def test_an_expired_token_by_the_apps_clock_is_refused(client, sso, monkeypatch):
    """The real provider's token, checked by the app's clock (rmt.clock) two hours later."""
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    later = clock.now() + timedelta(hours=2)
    authorize_url = start(client)
    back = sso.sign_in(authorize_url, "coach")
    monkeypatch.setattr(clock, "now", lambda: later)
    response = callback(client, back)
    assert response.status_code == 400 and signed_in_user_id(client) is None
    assert "ExpiredTokenError" in last_entry("auth.sso_refused").summary


def test_an_error_from_the_provider_is_a_dutch_page(client, sso):
    start(client)
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_test_")).rsplit("_", 1)[1]
    response = client.get(f"/inloggen/sso/test/terug?error=access_denied&state={state}")
    assert response.status_code == 400 and "afgebroken of geweigerd" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary.startswith("test: denied (access_denied")


def test_an_unreachable_provider_is_a_503_page(client, app, sso, monkeypatch):
    """Also right after the same provider name worked with another configuration."""
    start(client)
    monkeypatch.setitem(app.config, "RMT_SSO_PROVIDER_LIST", [Provider(
        name="test", label="Weg", issuer="http://127.0.0.1:9", client_id="x", client_secret="y")])
    response = client.post_form("/inloggen/sso/test", token_page="/inloggen")
    assert response.status_code == 503 and "niet bereikbaar" in helpers.html(response)
    assert last_entry("auth.sso_refused").summary.startswith("test: unreachable")


def test_unknown_provider_is_404(client, sso):
    assert client.post_form("/inloggen/sso/onbekend", token_page="/inloggen").status_code == 404
    assert client.get("/inloggen/sso/onbekend/terug?code=x&state=y").status_code == 404


# --- the second factor ------------------------------------------------------------------------


def test_provider_mfa_replaces_the_local_code(client, sso):
    user = totp_user("coordinator", "MU", email="coord.sso@test.nl")
    response = sign_in(client, sso, "coordinator", mfa=True)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_user_id(client) == user.get_id()
    assert last_entry("auth.sign_in").summary == "via test, tweede factor bij de organisatie"


def test_without_provider_mfa_a_coordinator_gives_the_code(client, sso):
    user = totp_user("coordinator", "MU", email="coord.sso@test.nl")
    response = sign_in(client, sso, "coordinator", next_url="/account/tweede-factor")
    assert response.headers["Location"] == "/inloggen/code"
    assert signed_in_user_id(client) is None
    with client.session_transaction() as session:
        assert session[PENDING_KEY]["uid"] == user.id and session[PENDING_KEY]["sso"]["p"] == "test"
    assert "organisatie, maar die heeft geen tweede factor" in helpers.html(
        client.get("/inloggen/code"))
    assert last_entry("auth.sso_ok").summary == "via test; code gevraagd"
    response = client.post_form("/inloggen/code", {"code": code()})
    assert response.headers["Location"] == "/account/tweede-factor"
    assert signed_in_user_id(client) == user.get_id()
    assert last_entry("auth.sign_in").summary == "via test; met tweede factor (app)"
    with client.session_transaction() as session:
        assert session["sso"]["p"] == "test"  # kept for the provider's sign-out


def test_without_provider_mfa_a_coordinator_without_totp_enrols(client, sso):
    UserFactory(email="coord.sso@test.nl", role="coordinator", regions=["MU"])
    response = sign_in(client, sso, "coordinator")
    assert response.headers["Location"] == "/inloggen/tweede-factor"
    assert signed_in_user_id(client) is None


def test_a_coach_needs_no_code_without_provider_mfa(client, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    response = sign_in(client, sso, "coach")
    assert response.headers["Location"] == "/" and signed_in_user_id(client) == user.get_id()


def test_the_mfa_rule_is_configurable_by_acr(client, sso):
    """``plain`` trusts only acr urn:rmt:test:mfa (the provider's amr "otp" is not enough)."""
    user = totp_user("coordinator", "MU", email="coord.sso@test.nl")
    response = sign_in(client, sso, "coordinator", "plain", mfa=True)
    assert response.headers["Location"] == "/" and signed_in_user_id(client) == user.get_id()
    client.post_form("/uitloggen", token_page="/")
    response = sign_in(client, sso, "coordinator", "plain")
    assert response.headers["Location"] == "/inloggen/code"


# --- sign-out, SSO required, rate limits ---------------------------------------------------


def test_sign_out_ends_the_providers_session_too(client, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    sign_in(client, sso, "coach")
    id_token = sso.last_id_token()
    response = client.post_form("/uitloggen", token_page="/")
    location = response.headers["Location"]
    assert response.status_code == 302 and location.startswith(f"{sso.issuer}/session/end?")
    params = authorize_params(location)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == f"{APP}/uitgelogd"
    assert signed_in_user_id(client) is None and client.get("/").status_code == 302
    assert last_entry("auth.sign_out").summary == "ook bij test"
    # the provider accepts the request (it shows its confirmation page)
    assert requests.get(location, timeout=5).status_code == 200
    back = client.get("/uitgelogd", follow_redirects=True)
    assert "U bent uitgelogd, ook bij uw organisatie." in helpers.html(back)


def test_a_password_sign_out_stays_local(client, auth, sso):
    UserFactory(email="lokaal@test.nl", role="coach", regions=["MU"])
    auth.login("lokaal@test.nl")
    assert auth.logout().headers["Location"] == "/inloggen"


def test_sso_required_refuses_passwords_except_for_admins(client, auth, app, sso):
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    UserFactory(email="beheer@test.nl", role="admin", regions=[])
    service.set_sso_required(True)
    response = auth.login("coach.sso@test.nl")
    assert response.status_code == 200 and SSO_REQUIRED_MESSAGE in helpers.html(response)
    assert signed_in_user_id(client) is None
    assert audit_actions()[-1] == "auth.sign_in_refused"
    response = auth.login("beheer@test.nl")  # break-glass (its TOTP step follows)
    assert response.headers["Location"] == "/inloggen/tweede-factor"
    assert sign_in(client, sso, "coach").status_code == 302  # SSO still works


def test_a_stored_setting_without_providers_locks_nobody_out(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_SSO_PROVIDER_LIST", [])
    db.session.add(AuthSetting(key="sso_required", value="1"))
    user = UserFactory(email="lokaal@test.nl", role="coach", regions=["MU"])
    assert not service.sso_required()
    assert auth.login("lokaal@test.nl").status_code == 302
    assert signed_in_user_id(client) == user.get_id()


def test_the_sso_endpoints_are_rate_limited(client, app, sso, monkeypatch):
    # per day: a fixed window that cannot roll over between the three requests
    monkeypatch.setitem(app.config, "RMT_LOGIN_RATE_LIMIT", "2 per day")
    token = client.csrf_token("/inloggen")
    statuses = [client.post("/inloggen/sso/test", data={"csrf_token": token}).status_code
                for _ in range(3)]
    assert statuses == [302, 302, 429]
    statuses = [client.get("/inloggen/sso/test/terug?code=x&state=y").status_code
                for _ in range(3)]
    assert statuses == [400, 400, 429]


# --- configuration ----------------------------------------------------------------------------


def test_providers_from_the_environment():
    env = {
        "RMT_SSO_PROVIDERS": "entra, keycloak",
        "RMT_SSO_ENTRA_ISSUER": "https://login.microsoftonline.com/t/v2.0",
        "RMT_SSO_ENTRA_CLIENT_ID": "id", "RMT_SSO_ENTRA_CLIENT_SECRET": "geheim",
        "RMT_SSO_ENTRA_LABEL": "Microsoft", "RMT_SSO_ENTRA_EMAIL_VERIFIED_CLAIM": "",
        "RMT_SSO_ENTRA_GROUP_CLAIM": "groups",
        "RMT_SSO_ENTRA_GROUPS": '{"g1": {"role": "coach", "regions": ["MU"]},'
                                ' "g2": {"role": "admin"}}',
        "RMT_SSO_ENTRA_CREATE_USERS": "1",
        "RMT_SSO_KEYCLOAK_ISSUER": "https://kc/realms/rmt",
        "RMT_SSO_KEYCLOAK_CLIENT_ID": "rmt", "RMT_SSO_KEYCLOAK_CLIENT_SECRET": "s",
        "RMT_SSO_KEYCLOAK_MFA_ACR": "gold, silver",
    }
    entra, keycloak = oidc.providers_from_env(env)
    assert (entra.name, entra.label, entra.email_verified_claim) == ("entra", "Microsoft", "")
    assert entra.groups["g2"] == GroupRule(Role.ADMIN, frozenset())
    assert entra.create_users and entra.logout
    assert keycloak.mfa_acr == {"gold", "silver"} and not keycloak.groups
    assert keycloak.discovery_url == "https://kc/realms/rmt/.well-known/openid-configuration"


@pytest.mark.parametrize(("extra", "message"), [
    ({"RMT_SSO_X_ISSUER": ""}, "set RMT_SSO_X_ISSUER"),
    ({"RMT_SSO_X_GROUPS": "{nee"}, "not valid JSON"),
    ({"RMT_SSO_X_GROUPS": '{"g": {"role": "baas"}}', "RMT_SSO_X_GROUP_CLAIM": "groups"},
     "needs a role"),
    ({"RMT_SSO_X_GROUPS": '{"g": {"role": "coach"}}', "RMT_SSO_X_GROUP_CLAIM": "groups"},
     "needs regions"),
    ({"RMT_SSO_X_GROUPS": '{"g": {"role": "coach", "regions": ["XX"]}}',
      "RMT_SSO_X_GROUP_CLAIM": "groups"}, "regions must be"),
    ({"RMT_SSO_X_GROUPS": '{"g": {"role": "admin"}}'}, "needs RMT_SSO_X_GROUP_CLAIM"),
    ({"RMT_SSO_X_CREATE_USERS": "1"}, "needs RMT_SSO_X_GROUPS"),
    ({"RMT_SSO_X_SCOPES": "email"}, "must contain openid"),
])
def test_wrong_configuration_stops_the_start(extra, message):
    env = {"RMT_SSO_PROVIDERS": "x", "RMT_SSO_X_ISSUER": "https://x", "RMT_SSO_X_CLIENT_ID": "a",
           "RMT_SSO_X_CLIENT_SECRET": "b", **extra}
    with pytest.raises(oidc.ConfigurationError, match=message):
        oidc.providers_from_env(env)


# --- the admin page ---------------------------------------------------------------------------


def test_admin_page_shows_providers_and_sets_sso_required(client, login_as, sso):
    login_as("admin")
    html = helpers.html(client.get("/beheer/sso"))
    assert "Testorganisatie" in html and "rmt-coordinator-mu" in html
    response = client.post_form("/beheer/sso", {"sso_required": "y"})
    assert response.status_code == 302
    assert last_entry("auth.setting_change").summary.endswith(": aan")
    assert db.session.get(AuthSetting, "sso_required").value == "1"
    client.post_form("/beheer/sso", {})
    assert last_entry("auth.setting_change").summary.endswith(": uit")


def test_admin_cannot_require_sso_without_a_provider(client, login_as, app, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_SSO_PROVIDER_LIST", [])
    login_as("admin")
    response = client.post_form("/beheer/sso", {"sso_required": "y"})
    assert response.status_code == 400 and "geen SSO-provider" in helpers.html(response)
    assert db.session.get(AuthSetting, "sso_required") is None


def test_admin_unlinks_an_identity(client, login_as, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    sign_in(client, sso, "coach")
    client.post_form("/uitloggen", token_page="/")
    login_as("admin")
    identity = db.session.scalars(sa.select(ExternalIdentity)).one()
    assert "coach.sso@test.nl" in helpers.html(client.get("/beheer/sso"))
    response = client.post_form(f"/beheer/sso/koppelingen/{identity.id}/verwijderen",
                                token_page="/beheer/sso")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)) == 0
    entry = last_entry("auth.sso_unlinked")
    assert entry.object_id == str(user.id) and "coach.sso@test.nl" in entry.summary
    assert client.post_form("/beheer/sso/koppelingen/999999/verwijderen",
                            token_page="/beheer/sso").status_code == 404


@pytest.mark.parametrize("role", ["coach", "liaison", "coordinator"])
def test_only_admins_reach_the_sso_page(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/beheer/sso").status_code == 403
    token = client.csrf_token("/")
    assert client.post("/beheer/sso", data={"csrf_token": token}).status_code == 403
    assert client.post("/beheer/sso/koppelingen/1/verwijderen",
                       data={"csrf_token": token}).status_code == 403


def test_an_sso_only_user_has_no_usable_password(client, auth, sso):
    sign_in(client, sso, "newcomer", "jit")
    client.post_form("/uitloggen", token_page="/")
    user = db.session.scalars(sa.select(User).where(User.email == "nieuw@test.nl")).one()
    for guess in ("!sso", "", "sso"):
        assert not service.verify_password(user.password_hash, guess)
    assert auth.login("nieuw@test.nl", "!sso").status_code == 200
    assert signed_in_user_id(client) is None


def test_the_policy_lets_forms_go_on_to_the_provider(client, sso):
    """The SSO button and the sign-out are forms answered by a redirect to the provider;
    browsers hold that redirect to ``form-action`` (tests/e2e/test_sso_flow.py shows it)."""
    csp = client.get("/inloggen").headers["Content-Security-Policy"]
    assert f"form-action 'self' {sso.issuer};" in csp
    assert "script-src 'self';" in csp


def test_the_providers_error_text_stays_out_of_the_audit_trail(client, sso):
    start(client)
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_test_")).rsplit("_", 1)[1]
    response = client.get(f"/inloggen/sso/test/terug?error=Geheim%20<b>tekst&state={state}"
                          "&error_description=Geheimtekst%20van%20iemand")
    assert response.status_code == 400
    summary = last_entry("auth.sso_refused").summary
    assert summary == "test: denied (geheimbtekst)"  # a code's characters only
    assert "Geheimtekst" not in helpers.html(response)


def test_the_signed_out_page_says_nothing_to_someone_signed_in(client, login_as):
    login_as("coach", "MU")
    response = client.get("/uitgelogd", follow_redirects=True)
    assert "U bent uitgelogd" not in helpers.html(response)


def test_a_long_id_token_stays_out_of_the_session_cookie(client, sso):
    """A person in many groups: the cookie keeps no ID token, the provider's sign-out then goes
    with the client id instead of the token hint."""
    UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    authorize_url = start(client)
    many = ["rmt-coach-mu", *(f"groep-{n:04d}-{'x' * 20}" for n in range(80))]
    sso.next_id_token(sso.sign(claims_for(sso, authorize_url, groups=many)))
    assert callback(client, sso.sign_in(authorize_url, "coach")).status_code == 302
    with client.session_transaction() as session:
        assert session["sso"] == {"p": "test", "t": ""}
    params = authorize_params(client.post_form("/uitloggen", token_page="/").headers["Location"])
    assert params["client_id"] == "rmt-test" and "id_token_hint" not in params


def test_the_users_page_shows_the_link(client, login_as, sso):
    user = UserFactory(email="coach.sso@test.nl", role="coach", regions=["MU"])
    sign_in(client, sso, "coach")
    client.post_form("/uitloggen", token_page="/")
    login_as("admin")
    html = helpers.html(client.get(f"/beheer/gebruikers/{user.id}"))
    assert "<dt>Inloggen via de organisatie</dt><dd>test (coach.sso@test.nl)</dd>" in html
