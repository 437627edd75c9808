"""Sign-in, sign-out and changing one's own password (the second factor: ``totp_views``).

Failed sign-ins are counted and audited in the request's unit of work: the view answers
normally (it does not raise), so the counter, the lockout and the audit entry are committed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from rmt import audit
from rmt.auth import oidc, service
from rmt.auth.blueprint import bp, login_rate_limit, renew_session, safe_next
from rmt.auth.forms import LoginForm, PasswordChangeForm
from rmt.auth.sso_views import SSO_SESSION_KEY, provider_logout  # also adds the SSO routes
from rmt.auth.totp_views import begin_pending  # also adds the second-factor routes to bp
from rmt.extensions import limiter

__all__ = ["bp", "safe_next"]

SIGN_IN_FAILED_MESSAGE = (
    "Het e-mailadres of het wachtwoord klopt niet. Na een aantal mislukte pogingen moet u "
    "steeds iets langer wachten voordat een nieuwe poging wordt gecontroleerd (hooguit een "
    "kwartier).")


SSO_REQUIRED_MESSAGE = (
    "Log in met het account van uw organisatie (de knop hieronder). Inloggen met een "
    "RMT-wachtwoord is alleen nog mogelijk voor de functioneel beheerder.")


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = service.authenticate(form.email.data, form.password.data)
        if result.ok:
            next_url = safe_next(form.next.data)
            renew_session()
            if result.second_factor:
                # Not signed in yet: the session only says a second factor is pending.
                begin_pending(result.user, next_url, result.second_factor)
                return redirect(url_for(
                    "auth.second_factor" if result.second_factor == service.SecondFactor.CODE
                    else "auth.enrol_at_sign_in"))
            login_user(result.user)
            session.permanent = True
            return redirect(next_url or url_for("main.index"))
        if result.outcome == service.Outcome.SSO_REQUIRED:
            form.form_errors.append(SSO_REQUIRED_MESSAGE)
            return render_template("auth/login.html", form=form,
                                   providers=oidc.providers()), 200
        # A normal answer: the unit of work keeps the failure counter and the audit entry.
        # One message for every failure (unknown address, wrong password, inactive account,
        # an account that must wait): the answer never tells whether an account exists.
        form.form_errors.append(SIGN_IN_FAILED_MESSAGE)
        status = 200
    else:
        status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form, providers=oidc.providers()), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    """Ends the local session; after an SSO sign-in also the provider's session, where the
    provider offers RP-initiated logout (its end-session page comes back to the sign-in page)."""
    signed_in_via = session.get(SSO_SESSION_KEY)
    provider_url = provider_logout(signed_in_via)
    audit.record("auth.sign_out", object_type="user", object_id=current_user.id,
                 summary=f"ook bij {signed_in_via['p']}" if provider_url else "")
    logout_user()
    renew_session()
    if provider_url:
        return redirect(provider_url)
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    if not current_user.has_password:  # SSO only: the password is kept by the organisation
        return render_template("auth/password.html", form=None), (
            400 if request.method == "POST" else 200)
    form = PasswordChangeForm(user=current_user)
    if form.validate_on_submit():
        if not service.verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Het huidige wachtwoord klopt niet.")
            return render_template("auth/password.html", form=form), 400
        service.set_password(current_user, form.new_password.data)
        audit.record("user.password_change", object_type="user", object_id=current_user.id)
        login_user(current_user)  # re-issue this session with the rotated session token
        flash("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)
