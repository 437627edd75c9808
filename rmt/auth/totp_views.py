"""The second factor in the browser: the code step of the sign-in, enrolment, the account page.

The sign-in is two-step for a user with TOTP. After the password the session holds only a
*pending second factor* marker (user id, the user's session token, where to go next, expiry);
Flask-Login knows no user until the code is verified. Both steps start a fresh session.
A coordinator or admin without TOTP is sent to enrolment instead and is signed in only after
confirming a code. Wrong codes count toward the lockout; the views answer normally, so the
request's unit of work commits the counter and its audit entry.
"""

from __future__ import annotations

import secrets
import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from rmt.auth import service, totp
from rmt.auth.blueprint import bp, lock_message, renew_session
from rmt.auth.forms import SecondFactorForm, TotpConfirmForm
from rmt.auth.models import User, new_session_token
from rmt.auth.service import SecondFactor
from rmt.db_types import utcnow
from rmt.extensions import db, limiter

PENDING_KEY = "pending_2fa"
#: After an SSO sign-in: {"p": provider name, "t": the ID token, for the provider's sign-out}.
SSO_SESSION_KEY = "sso"
PENDING_SECONDS = {SecondFactor.CODE: 5 * 60, SecondFactor.ENROL: 15 * 60}


def _totp_rate_limit() -> str:
    return current_app.config["RMT_TOTP_RATE_LIMIT"]


def begin_pending(user: User, next_url: str | None, step: str,
                  sso: dict | None = None) -> None:
    """After the password step or an SSO sign-in without the provider's MFA (in a fresh
    session): remember who is half-way, not signed in. ``sso``: the provider signed in at, kept
    for the audit trail and the provider's sign-out."""
    session[PENDING_KEY] = {
        "uid": user.id,
        "tok": user.session_token,
        "next": next_url or "",
        "step": step,
        "exp": int(time.time()) + PENDING_SECONDS[step],
        **({"sso": sso} if sso else {}),
    }


def pending_user(step: str) -> User | None:
    """The user half-way through signing in at ``step``, or None (absent, expired, revoked)."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("step") != step:
        return None
    uid, token = data.get("uid"), data.get("tok")
    if not isinstance(uid, int) or not isinstance(token, str) or data.get("exp", 0) < time.time():
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, uid)
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        session.pop(PENDING_KEY, None)
        return None
    return user


def _finish_sign_in(user: User, method: str) -> str:
    """Second factor done: a fresh session with the signed-in user; returns where to go next."""
    pending = session.get(PENDING_KEY, {})
    next_url = pending.get("next") or url_for("main.index")
    sso = pending.get("sso")
    renew_session()
    service.complete_sign_in(user, utcnow(), method,
                             via=f"via {sso['p']}" if isinstance(sso, dict) else "")
    login_user(user)
    session.permanent = True
    if isinstance(sso, dict):
        session[SSO_SESSION_KEY] = sso
    return next_url


def _start_over():
    flash("Log opnieuw in.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(_totp_rate_limit, methods=["POST"])
def second_factor():
    """Step two of the sign-in for a user with TOTP."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = pending_user(SecondFactor.CODE)
    if user is None:
        return _start_over()
    now = utcnow()
    if user.is_locked(now):
        session.pop(PENDING_KEY, None)
        flash(lock_message(), "error")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        method = totp.verify(user, form.code.data, now)
        if method:
            next_url = _finish_sign_in(user, method)
            if method == totp.Method.RECOVERY:
                left = totp.unused_recovery_codes(user)
                flash(f"U bent ingelogd met een herstelcode. U hebt nog {left} herstelcodes; "
                      "maak nieuwe aan op de pagina Tweede factor.", "warning")
            return redirect(next_url)
        # Every answer below is a normal one: the unit of work keeps the counter and the entry.
        locked = service.count_failure(user, now, action="auth.second_factor_failed",
                                       what="verkeerde code")
        if locked:
            session.pop(PENDING_KEY, None)
            flash(lock_message(), "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(
            "De code klopt niet. Vul de nieuwste code uit uw app in, of een herstelcode.")
    return render_template("auth/second_factor.html", form=form), (400 if form.errors else 200)


@bp.route("/inloggen/tweede-factor", methods=["GET", "POST"])
@limiter.limit(_totp_rate_limit, methods=["POST"])
def enrol_at_sign_in():
    """A coordinator or admin without TOTP sets it up before the app opens."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = pending_user(SecondFactor.ENROL)
    if user is None:
        return _start_over()
    return _enrol(user, signing_in=True)


@bp.route("/account/tweede-factor")
@login_required
def totp_settings():
    return render_template(
        "auth/totp_settings.html",
        unused_codes=totp.unused_recovery_codes(current_user) if current_user.totp_enabled else 0,
        disable_form=TotpConfirmForm(prefix="uit"),
        codes_form=TotpConfirmForm(prefix="nieuw"),
    )


@bp.route("/account/tweede-factor/instellen", methods=["GET", "POST"])
@login_required
@limiter.limit(_totp_rate_limit, methods=["POST"])
def totp_enrol():
    """Switch the second factor on, or move it to a new phone."""
    return _enrol(current_user, signing_in=False)


def _enrol(user: User, *, signing_in: bool):
    secret = totp.start_enrolment(user)
    form = TotpConfirmForm()
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(user, form.code.data)
        if codes is not None:
            if signing_in:
                next_url = _finish_sign_in(user, totp.Method.TOTP)
            else:
                next_url = url_for("auth.totp_settings")
            return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url,
                                   first_time=True)
        form.code.errors.append(
            "De code klopt niet. Controleer of de tijd op uw telefoon goed staat en vul de "
            "nieuwste code in.")
    uri = totp.provisioning_uri(user, secret)
    return render_template(
        "auth/totp_enrol.html", form=form, qr=totp.qr_data_uri(uri), secret=totp.grouped(secret),
        signing_in=signing_in, user=user,
    ), (400 if form.errors else 200)


def _confirm(form: TotpConfirmForm) -> str:
    """Check the code of a settings form: "ok", "wrong" or "locked" (counts toward the lockout
    like a sign-in; a lock ends the session)."""
    now = utcnow()
    if totp.verify(current_user, form.code.data, now):
        return "ok"
    locked = service.count_failure(current_user, now, action="auth.second_factor_failed",
                                   what="verkeerde code (accountpagina)")
    if locked:
        current_user.session_token = new_session_token()  # ends every session of this user
    if locked:
        logout_user()
        renew_session()
        flash(lock_message(), "error")
        return "locked"
    form.code.errors.append("De code klopt niet. Vul de nieuwste code uit uw app in.")
    return "wrong"


@bp.route("/account/tweede-factor/uitschakelen", methods=["POST"])
@login_required
@limiter.limit(_totp_rate_limit)
def totp_disable():
    form = TotpConfirmForm(prefix="uit")
    if current_user.totp_required or not current_user.totp_enabled:
        flash("Voor uw rol is de tweede factor verplicht; u kunt hem niet uitschakelen."
              if current_user.totp_required else "De tweede factor staat al uit.", "error")
        return redirect(url_for("auth.totp_settings"))
    outcome = _confirm(form) if form.validate_on_submit() else "wrong"
    if outcome == "locked":
        return redirect(url_for("auth.login"))
    if outcome == "ok":
        totp.disable(current_user)
        flash("De tweede factor is uitgeschakeld.", "success")
        return redirect(url_for("auth.totp_settings"))
    return render_template(
        "auth/totp_settings.html", unused_codes=totp.unused_recovery_codes(current_user),
        disable_form=form, codes_form=TotpConfirmForm(prefix="nieuw", formdata=None),
    ), 400


@bp.route("/account/tweede-factor/herstelcodes", methods=["POST"])
@login_required
@limiter.limit(_totp_rate_limit)
def totp_new_codes():
    form = TotpConfirmForm(prefix="nieuw")
    if not current_user.totp_enabled:
        return redirect(url_for("auth.totp_settings"))
    outcome = _confirm(form) if form.validate_on_submit() else "wrong"
    if outcome == "locked":
        return redirect(url_for("auth.login"))
    if outcome == "ok":
        codes = totp.new_recovery_codes(current_user)
        return render_template("auth/recovery_codes.html", codes=codes,
                               next_url=url_for("auth.totp_settings"), first_time=False)
    return render_template(
        "auth/totp_settings.html", unused_codes=totp.unused_recovery_codes(current_user),
        disable_form=TotpConfirmForm(prefix="uit", formdata=None), codes_form=form,
    ), 400
