"""The second factor: two-step sign-in, enrolment, recovery codes, replay, lockout, admin reset."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth import totp
from rmt.auth.models import RecoveryCode, Role
from rmt.auth.views import SIGN_IN_FAILED_MESSAGE
from rmt.db_types import utcnow
from rmt.extensions import db
from tests import helpers
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.security.routes import example_url
from tests.security.support import (
    PENDING_KEY,
    SECRET,
    audit_actions,
    code,
    recovery_codes_on_page,
    secret_on_page,
    signed_in_user_id,
    totp_user,
)

# --- two-step sign-in -------------------------------------------------------------------------


def test_password_step_leaves_only_a_pending_marker(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    response = auth.login("k@test.nl")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen/code"
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert session[PENDING_KEY]["uid"] == user.id
    # not signed in: the app is closed, the code page is open
    assert client.get("/").status_code == 302
    assert client.get("/inloggen/code").status_code == 200
    assert audit_actions()[-1] == "auth.password_ok"
    assert user.last_login_at is None


def test_code_completes_the_sign_in(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl", next_url="/account/wachtwoord")
    response = client.post_form("/inloggen/code", {"code": code()})
    assert response.status_code == 302 and response.headers["Location"] == "/account/wachtwoord"
    assert signed_in_user_id(client) == user.get_id()
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert PENDING_KEY not in session
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "auth.sign_in" and "tweede factor (app)" in entry.summary
    assert user.last_login_at is not None


def test_wrong_code_is_refused_in_dutch_at_the_field(client, auth):
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    wrong = str((int(code()) + 1) % 1_000_000).zfill(6)
    response = client.post_form("/inloggen/code", {"code": wrong})
    html = helpers.html(response)
    assert response.status_code == 400
    assert "De code klopt niet." in html and 'aria-describedby="code-uitleg code-fout"' in html
    assert signed_in_user_id(client) is None
    assert audit_actions()[-1] == "auth.second_factor_failed"


@pytest.mark.parametrize("value", ["", "12345", "1234567", "abc", "x" * 30, "12 34 5"])
def test_malformed_codes_never_sign_in(client, auth, value):
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    response = client.post_form("/inloggen/code", {"code": value})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_code_is_accepted_only_once(client, auth):
    totp_user("coordinator", "MU", email="k@test.nl")
    used = code()
    auth.login("k@test.nl")
    assert client.post_form("/inloggen/code", {"code": used}).status_code == 302
    auth.logout()
    auth.login("k@test.nl")
    response = client.post_form("/inloggen/code", {"code": used})
    assert response.status_code == 400 and signed_in_user_id(client) is None
    # the next time step's code still works
    assert client.post_form("/inloggen/code", {"code": code(+1)}).status_code == 302


def test_window_is_one_step_either_side_and_replay_is_refused():
    user = totp_user("coordinator", "MU")
    now = utcnow()
    step = totp.timestep(now)
    otp = pyotp.TOTP(SECRET)
    assert totp.verify(user, otp.generate_otp(step - 2), now) is None
    assert totp.verify(user, otp.generate_otp(step + 2), now) is None
    assert totp.verify(user, otp.generate_otp(step - 1), now) == totp.Method.TOTP
    assert user.totp_last_timestep == step - 1
    assert totp.verify(user, otp.generate_otp(step - 1), now) is None  # replay
    assert totp.verify(user, otp.generate_otp(step + 1), now) == totp.Method.TOTP
    assert totp.verify(user, otp.generate_otp(step), now) is None  # older than the last used


def test_spaces_in_the_code_are_ignored(client, auth):
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    value = code()
    assert client.post_form("/inloggen/code",
                            {"code": f" {value[:3]} {value[3:]} "}).status_code == 302


def test_pending_marker_expires(client, auth):
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], "exp": int(time.time()) - 1}
    response = client.post_form("/inloggen/code", {"code": code()}, token_page="/inloggen")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert signed_in_user_id(client) is None


def test_pending_marker_dies_with_the_session_token(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    totp.reset(user)  # e.g. the admin resets the second factor in between
    db.session.flush()
    response = client.post_form("/inloggen/code", {"code": code()}, token_page="/inloggen")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize("tampered", [{"uid": "1"}, {"tok": None}, {"step": "enrol"}, {"uid": 0}])
def test_tampered_pending_marker_is_refused(client, auth, tampered):
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], **tampered}
    response = client.get("/inloggen/code")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"


def test_code_page_without_password_step_goes_to_sign_in(client):
    assert client.get("/inloggen/code").headers["Location"] == "/inloggen"
    assert client.get("/inloggen/tweede-factor").headers["Location"] == "/inloggen"


def test_signed_in_user_visiting_code_page_goes_home(client, login_as):
    login_as("coach", "MU")
    assert client.get("/inloggen/code").headers["Location"] == "/"


# --- lockout and rate limit -------------------------------------------------------------------


def test_wrong_codes_count_toward_the_lockout(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_LOGIN_DELAY_SECONDS", 60)  # no race with the clock
    user = totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    wrong = str((int(code()) + 500_000) % 1_000_000).zfill(6)
    limit = app.config["RMT_MAX_FAILED_LOGINS"]
    for attempt in range(limit):
        response = client.post_form("/inloggen/code", {"code": wrong}, token_page="/inloggen")
        if attempt < limit - 1:
            assert response.status_code == 400
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert "Te veel mislukte pogingen" in helpers.html(client.get("/inloggen"))
    # the right password is refused while the account waits, with the one sign-in message
    assert SIGN_IN_FAILED_MESSAGE in helpers.html(auth.login("k@test.nl"))
    assert signed_in_user_id(client) is None


def test_password_success_does_not_reset_the_failure_counter(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl", "fout-wachtwoord")
    auth.login("k@test.nl")
    assert user.failed_logins == 1  # only a completed second factor resets it
    client.post_form("/inloggen/code", {"code": code()})
    assert user.failed_logins == 0


def test_code_step_is_rate_limited(app, client, auth):
    UserFactory(email="k@test.nl", role="coordinator", totp_secret=SECRET,
                totp_enabled_at=utcnow())
    app.config["RMT_MAX_FAILED_LOGINS"] = 100
    try:
        auth.login("k@test.nl")
        token = client.csrf_token("/inloggen/code")
        limit = int(app.config["RMT_TOTP_RATE_LIMIT"].split()[0])
        statuses = [client.post("/inloggen/code", data={"csrf_token": token, "code": "000000"})
                    .status_code for _ in range(limit + 1)]
    finally:
        app.config["RMT_MAX_FAILED_LOGINS"] = 5
    assert statuses[-1] == 429 and 429 not in statuses[:-1]


# --- enrolment --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_required_roles_enrol_before_the_app_opens(client, auth, role):
    user = UserFactory(email="nieuw@test.nl", role=role, regions=[] if role == "admin" else ["MU"])
    response = auth.login("nieuw@test.nl")
    assert response.headers["Location"] == "/inloggen/tweede-factor"
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302

    page = client.get("/inloggen/tweede-factor")
    html = helpers.html(page)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # QR code made locally, no external service
    secret = secret_on_page(html)
    assert secret == user.totp_pending_secret and not user.totp_enabled
    # a reload shows the same secret, so a scanned QR stays valid
    assert secret_on_page(helpers.html(client.get("/inloggen/tweede-factor"))) == secret

    bad = client.post_form("/inloggen/tweede-factor", {"code": "000000"})
    assert bad.status_code == 400 and signed_in_user_id(client) is None

    done = client.post_form("/inloggen/tweede-factor",
                            {"code": pyotp.TOTP(secret).now()})
    html = helpers.html(done)
    codes = recovery_codes_on_page(html)
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert user.totp_enabled and user.totp_secret == secret and user.totp_pending_secret is None
    assert signed_in_user_id(client) == user.get_id()
    assert client.get("/").status_code == 200
    stored = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    hashes = [r.code_hash for r in stored]
    assert len(hashes) == 10 and all(h.startswith("$argon2") for h in hashes)
    assert not any(c in h for c in codes for h in hashes)
    assert {"auth.totp_enable", "auth.sign_in"} <= set(audit_actions())


def test_coach_and_liaison_sign_in_without_second_factor(client, auth):
    UserFactory(email="c@test.nl", role="liaison")
    assert auth.login("c@test.nl").headers["Location"] == "/"


def test_coach_enables_and_disables_the_optional_second_factor(client, auth, login_as):
    coach = UserFactory(email="c@test.nl", role="coach")
    auth.login("c@test.nl")
    settings = helpers.html(client.get("/account/tweede-factor"))
    assert "Tweede factor instellen" in settings
    secret = secret_on_page(helpers.html(client.get("/account/tweede-factor/instellen")))
    response = client.post_form("/account/tweede-factor/instellen",
                                {"code": pyotp.TOTP(secret).now()})
    assert len(recovery_codes_on_page(helpers.html(response))) == 10
    assert coach.totp_enabled
    # the next sign-in is two-step
    auth.logout()
    assert auth.login("c@test.nl").headers["Location"] == "/inloggen/code"
    client.post_form("/inloggen/code", {"code": pyotp.TOTP(secret).at(
        utcnow() + timedelta(seconds=30))})
    assert signed_in_user_id(client) == coach.get_id()
    # switching off needs a valid code
    bad = client.post_form("/account/tweede-factor/uitschakelen", {"uit-code": "000000"},
                           token_page="/account/tweede-factor")
    assert bad.status_code == 400 and coach.totp_enabled
    coach.totp_last_timestep = None  # allow the current code again for this test
    db.session.flush()
    ok = client.post_form("/account/tweede-factor/uitschakelen",
                          {"uit-code": pyotp.TOTP(secret).now()},
                          token_page="/account/tweede-factor")
    assert ok.status_code == 302 and not coach.totp_enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == coach.id)) == 0
    assert "auth.totp_disable" in audit_actions()


def test_coordinator_cannot_switch_the_second_factor_off(client, login_as):
    user = login_as("coordinator", "MU", totp_secret=SECRET, totp_enabled_at=utcnow())
    html = helpers.html(client.get("/account/tweede-factor"))
    assert "verplicht" in html and 'action="/account/tweede-factor/uitschakelen"' not in html
    response = client.post_form("/account/tweede-factor/uitschakelen", {"uit-code": code()},
                                token_page="/account/tweede-factor")
    assert response.status_code == 302 and user.totp_enabled


def test_new_recovery_codes_replace_the_old_ones(client, login_as):
    user = login_as("coach", "MU")
    old = totp._replace_recovery_codes(user)
    user.totp_secret, user.totp_enabled_at = SECRET, utcnow()
    db.session.flush()
    response = client.post_form("/account/tweede-factor/herstelcodes", {"nieuw-code": code()},
                                token_page="/account/tweede-factor")
    new = recovery_codes_on_page(helpers.html(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert totp.verify(user, old[0]) is None
    assert totp.verify(user, new[0]) == totp.Method.RECOVERY


# --- recovery codes ---------------------------------------------------------------------------


def test_recovery_code_signs_in_once(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    codes = totp._replace_recovery_codes(user)
    auth.login("k@test.nl")
    response = client.post_form("/inloggen/code", {"code": codes[3].upper()})
    assert response.status_code == 302 and signed_in_user_id(client) == user.get_id()
    assert "nog 9 herstelcodes" in helpers.html(client.get("/"))
    assert "auth.recovery_code_used" in audit_actions()
    auth.logout()
    auth.login("k@test.nl")
    again = client.post_form("/inloggen/code", {"code": codes[3]})
    assert again.status_code == 400 and signed_in_user_id(client) is None


# --- admin reset ------------------------------------------------------------------------------


def test_admin_resets_a_lost_second_factor(client, auth, login_as):
    target = totp_user("coordinator", "MU", email="k@test.nl")
    totp._replace_recovery_codes(target)
    old_session = target.get_id()
    admin = login_as("admin")
    page = helpers.html(client.get(f"/beheer/gebruikers/{target.id}"))
    assert "Tweede factor herstellen" in page
    response = client.post_form(f"/beheer/gebruikers/{target.id}/tweede-factor-herstellen",
                                token_page=f"/beheer/gebruikers/{target.id}")
    assert response.status_code == 302
    assert not target.totp_enabled and target.get_id() != old_session
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == target.id)) == 0
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "auth.totp_reset")).one()
    assert entry.user_id == admin.id and entry.object_id == str(target.id)
    # the coordinator enrols again at the next sign-in
    auth.logout()
    assert auth.login("k@test.nl").headers["Location"] == "/inloggen/tweede-factor"


def test_admin_cannot_reset_own_second_factor_here(client, login_as):
    admin = login_as("admin", totp_secret=SECRET, totp_enabled_at=utcnow())
    client.post_form(f"/beheer/gebruikers/{admin.id}/tweede-factor-herstellen",
                     token_page=f"/beheer/gebruikers/{admin.id}")
    assert admin.totp_enabled


@pytest.mark.parametrize("role", ["coach", "liaison", "coordinator"])
def test_only_admins_reset_second_factors(client, login_as, role):
    target = totp_user("coordinator", "MU")
    login_as(role, "MU")
    response = client.post_form(f"/beheer/gebruikers/{target.id}/tweede-factor-herstellen",
                                token_page="/")
    assert response.status_code == 403 and target.totp_enabled


def test_promotion_to_coordinator_ends_sessions_until_enrolled(client, login_as):
    user = login_as("coach", "MU")
    from rmt.auth import service

    service.update_user(user, name=user.name, role=Role.COORDINATOR, regions=["MU"],
                        active=True)
    db.session.flush()
    assert client.get("/").status_code == 302


# --- demo accounts ----------------------------------------------------------------------------


def test_demo_seed_gives_coordinators_and_admin_the_known_secret():
    coordinator = UserFactory(email="coordinator.xx@demo.rmt.test", role="coordinator")
    admin = UserFactory(email="admin.xx@demo.rmt.test", role="admin", regions=[])
    coach = UserFactory(email="coach.xx@demo.rmt.test", role="coach")
    other = UserFactory(email="echte.coordinator@rmt.nl", role="coordinator")
    assert totp.seed_demo_totp(totp.DEMO_SECRET_DEFAULT) == 2
    assert coordinator.totp_secret == admin.totp_secret == totp.DEMO_SECRET_DEFAULT
    assert coach.totp_secret is None and other.totp_secret is None
    assert totp.seed_demo_totp(totp.DEMO_SECRET_DEFAULT) == 0  # idempotent


def test_demo_coordinator_signs_in_with_code_from_known_secret(client, auth):
    user = UserFactory(email="coordinator.yy@demo.rmt.test", role="coordinator")
    totp.seed_demo_totp(totp.DEMO_SECRET_DEFAULT)
    auth.login("coordinator.yy@demo.rmt.test", DEFAULT_PASSWORD)
    client.post_form("/inloggen/code", {"code": pyotp.TOTP(totp.DEMO_SECRET_DEFAULT).now()})
    assert signed_in_user_id(client) == user.get_id()


# --- nothing opens before the second factor ---------------------------------------------------

#: What a user half-way through the sign-in may open: the sign-in steps themselves.
HALF_WAY_PAGES = {"static", "auth.login", "main.health", "main.favicon", "api-docs.openapi_json",
                  "auth.second_factor", "auth.enrol_at_sign_in",
                  # the provider's redirect back (an SSO sign-in step; 404 for no provider)
                  "auth.sso_callback",
                  "health.live", "health.ready"}  # public liveness/readiness probes


@pytest.mark.parametrize(("role", "enrolled"), [("coordinator", False), ("admin", False),
                                                ("coordinator", True), ("admin", True)])
def test_no_page_opens_before_the_second_factor(app, client, auth, role, enrolled):
    """Walk every GET route with only the password step done: each one sends to the sign-in
    (the API answers 401), except the code and enrolment steps."""
    fields = {"totp_secret": SECRET, "totp_enabled_at": utcnow()} if enrolled else {}
    UserFactory(email="halfweg@test.nl", role=role, regions=[] if role == "admin" else ["MU"],
                **fields)
    step = auth.login("halfweg@test.nl").headers["Location"]
    assert step == ("/inloggen/code" if enrolled else "/inloggen/tweede-factor")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in HALF_WAY_PAGES or "GET" not in (rule.methods or ()):
            continue
        url = example_url(rule)
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, (url, response.status_code)
        else:
            assert response.status_code == 302, (url, response.status_code)
            assert response.headers["Location"].startswith("/inloggen"), url
        checked += 1
    assert checked >= 40
    assert client.get(step).status_code == 200  # the pending step itself is still open
    assert signed_in_user_id(client) is None
