"""Single sign-on in the browser: the button's start, the provider's redirect back, the page
after the provider's sign-out.

The protocol is Authlib's (:mod:`rmt.auth.oidc`), the rules are :mod:`rmt.auth.sso`. A refusal
is a normal answer with a Dutch page, so its audit entry is committed. A successful sign-in
starts a fresh session exactly like the password sign-in: either signed in, or only a pending
second factor (the TOTP step of :mod:`rmt.auth.totp_views`) when the provider did not assert
multi-factor authentication for a role that needs it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user

from rmt.auth import oidc, sso
from rmt.auth.blueprint import bp, login_rate_limit, renew_session, safe_next
from rmt.auth.service import SecondFactor
from rmt.auth.totp_views import SSO_SESSION_KEY, begin_pending
from rmt.extensions import limiter

#: Where to go after an SSO sign-in, kept from the button to the provider's answer.
SSO_NEXT_KEY = "sso_next"
#: Longer ID tokens (a user in hundreds of groups) are not kept in the session cookie; the
#: provider's sign-out then goes without ``id_token_hint`` (with ``client_id``).
MAX_ID_TOKEN_IN_SESSION = 1800
STATUS = {sso.Refusal.STATE: 400, sso.Refusal.DENIED: 400, sso.Refusal.TOKEN: 400,
          sso.Refusal.UNREACHABLE: 503}

__all__ = ["SSO_SESSION_KEY", "provider_logout"]


def _provider_or_404(name: str) -> oidc.Provider:
    prov = oidc.provider(name)
    if prov is None:
        abort(404)
    return prov


def _refused(prov: oidc.Provider, outcome: sso.Outcome) -> ResponseReturnValue:
    return render_template("auth/sso_refused.html", provider=prov, outcome=outcome,
                           message=outcome.message), STATUS.get(outcome.refusal or "", 403)


@bp.route("/inloggen/sso/<name>", methods=["POST"])
@limiter.limit(login_rate_limit)
def sso_start(name: str):
    """The button on the sign-in page: off to the provider (state, nonce, PKCE by Authlib)."""
    prov = _provider_or_404(name)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    try:
        response = oidc.authorization_redirect(
            prov, url_for("auth.sso_callback", name=prov.name, _external=True))
    except oidc.ProviderError as exc:
        return _refused(prov, sso.record_refusal(prov.name, exc.reason, exc.detail))
    session[SSO_NEXT_KEY] = safe_next(request.form.get("next")) or ""
    return response


@bp.route("/inloggen/sso/<name>/terug")
@limiter.limit(login_rate_limit)
def sso_callback(name: str):
    """The provider's redirect back: validate, decide, and sign in (or ask the code)."""
    prov = _provider_or_404(name)
    try:
        claims, id_token = oidc.complete_authorization(prov)
    except oidc.ProviderError as exc:
        return _refused(prov, sso.record_refusal(prov.name, exc.reason, exc.detail))
    outcome = sso.sign_in(prov, claims)
    if outcome.refusal or outcome.user is None:
        return _refused(prov, outcome)
    next_url = safe_next(session.get(SSO_NEXT_KEY))
    renew_session()
    signed_in_via = {"p": prov.name,
                     "t": id_token if len(id_token) <= MAX_ID_TOKEN_IN_SESSION else ""}
    if outcome.second_factor:
        begin_pending(outcome.user, next_url, outcome.second_factor, sso=signed_in_via)
        return redirect(url_for("auth.second_factor" if outcome.second_factor == SecondFactor.CODE
                                else "auth.enrol_at_sign_in"))
    login_user(outcome.user)
    session.permanent = True
    session[SSO_SESSION_KEY] = signed_in_via
    return redirect(next_url or url_for("main.index"))


@bp.route("/uitgelogd")
def sso_signed_out():
    """Where the provider's end-session page sends the browser back."""
    if current_user.is_authenticated:  # not after a sign-out of ours: nothing to say
        return redirect(url_for("main.index"))
    flash("U bent uitgelogd, ook bij uw organisatie.", "info")
    return redirect(url_for("auth.login"))


def provider_logout(signed_in_via: object) -> str | None:
    """The provider's end-session URL for a session that began with SSO, or None."""
    if not isinstance(signed_in_via, dict):
        return None
    prov = oidc.provider(str(signed_in_via.get("p")))
    if prov is None:
        return None
    return oidc.logout_url(prov, signed_in_via.get("t") or None,
                           url_for("auth.sso_signed_out", _external=True))
