"""Sessions: no fixation (also across the second-factor step), cookie flags, lifetime."""

from __future__ import annotations

import os

from flask.sessions import SecureCookieSessionInterface

from config import Config, TestConfig
from rmt.auth.session import RENEWED_AT, SigningKeptSessions
from tests.factories import UserFactory
from tests.security.support import PENDING_KEY, code, signed_in_user_id, totp_user


def _cookie(client) -> str | None:
    cookie = client.get_cookie("rmt_session")
    return cookie.value if cookie else None


def test_new_session_at_sign_in(client, auth):
    UserFactory(email="s@test.nl")
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["planted"] = "door-aanvaller"
    planted = _cookie(client)
    auth.login("s@test.nl")
    assert _cookie(client) != planted
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")


def test_new_session_at_both_steps_of_a_two_step_sign_in(client, auth):
    user = totp_user("coordinator", "MU", email="k@test.nl")
    with client.session_transaction() as session:
        session["planted"] = "voor-het-wachtwoord"
    auth.login("k@test.nl")
    with client.session_transaction() as session:
        assert "planted" not in session and PENDING_KEY in session
        session["planted"] = "tussen-de-stappen"
    between = _cookie(client)
    client.post_form("/inloggen/code", {"code": code()})
    assert _cookie(client) != between
    with client.session_transaction() as session:
        assert "planted" not in session and PENDING_KEY not in session
    assert signed_in_user_id(client) == user.get_id()


def test_pending_marker_is_not_a_sign_in(client, auth):
    """A session that passed the password step only cannot open any page of the app."""
    totp_user("coordinator", "MU", email="k@test.nl")
    auth.login("k@test.nl")
    for url in ("/", "/trajecten", "/audit", "/privacy", "/account/tweede-factor"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/inloggen"), url


def test_cookie_flags(app, client, auth):
    UserFactory(email="c@test.nl")
    app.config["SESSION_COOKIE_SECURE"] = True  # as in production
    try:
        header = auth.login("c@test.nl").headers["Set-Cookie"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
    assert header.startswith("rmt_session=")


def test_the_session_is_renewed_every_few_minutes(app, client, auth):
    """The lifetime counts from the last activity, but the cookie is signed and sent again only
    when its last renewal is RMT_SESSION_RENEW_SECONDS old, not on every page."""
    UserFactory(email="c@test.nl")
    assert auth.login("c@test.nl").status_code == 302
    assert client.get("/").status_code == 200
    again = client.get("/account/wachtwoord")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    with client.session_transaction() as session:
        session[RENEWED_AT] -= app.config["RMT_SESSION_RENEW_SECONDS"]
    renewed = client.get("/account/wachtwoord")
    assert renewed.status_code == 200 and "rmt_session=" in renewed.headers["Set-Cookie"]
    after = client.get("/account/wachtwoord")
    assert after.status_code == 200 and "Set-Cookie" not in after.headers


def test_production_defaults_are_strict():
    assert Config.SESSION_COOKIE_HTTPONLY and Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert Config.REMEMBER_COOKIE_HTTPONLY and Config.REMEMBER_COOKIE_SAMESITE == "Lax"
    assert Config.PERMANENT_SESSION_LIFETIME <= 8 * 60 * 60
    # Secure is on unless RMT_SECURE_COOKIES switches it off (development over http only)
    if os.environ.get("RMT_SECURE_COOKIES") is None:
        assert Config.SESSION_COOKIE_SECURE and Config.REMEMBER_COOKIE_SECURE
    assert not TestConfig.SESSION_COOKIE_SECURE  # the test client talks plain http


def test_the_kept_serializer_signs_as_flask_does_and_follows_a_new_key(app, client, auth):
    """The signing serializer is made once per key: cookies are those of Flask's own session
    interface, a new SECRET_KEY is used at once, and a cookie signed with a key moved to
    SECRET_KEY_FALLBACKS still opens the session."""
    plain = SecureCookieSessionInterface()
    UserFactory(email="k@test.nl")
    auth.login("k@test.nl")
    cookie = _cookie(client)
    kept = app.session_interface
    assert isinstance(kept, SigningKeptSessions)
    assert kept.get_signing_serializer(app) is kept.get_signing_serializer(app)
    assert kept.get_signing_serializer(app).loads(cookie) == \
        plain.get_signing_serializer(app).loads(cookie)
    old_key = app.secret_key
    try:
        app.secret_key = "een-nieuwe-sleutel-voor-deze-test-" + "x" * 16
        assert client.get("/account/wachtwoord").status_code == 302  # old cookie: signed out
        client.set_cookie("rmt_session", cookie)
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert client.get("/account/wachtwoord").status_code == 200
        resigned = kept.get_signing_serializer(app).dumps({"a": 1})
        assert plain.get_signing_serializer(app).loads(resigned) == {"a": 1}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = None
