"""The ``auth`` blueprint and what its view modules share (sign-in, second factor, SSO)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, session

from rmt.web.csrf import forget_page_token

bp = Blueprint("auth", __name__)


def renew_session() -> None:
    """No session fixation: nothing from before survives, except the chosen language."""
    language = session.get("lang")
    session.clear()
    forget_page_token()
    if language:
        session["lang"] = language


def login_rate_limit() -> str:
    """Sign-in attempts per IP address: the password form and the SSO endpoints alike."""
    return current_app.config["RMT_LOGIN_RATE_LIMIT"]


def lock_message() -> str:
    """Why the second-factor step stops after too many wrong codes (Dutch). Only shown to someone
    who already gave the right password, so it reveals no account."""
    minutes = max(1, current_app.config["RMT_LOGIN_DELAY_MAX_SECONDS"] // 60)
    return ("Te veel mislukte pogingen. Wacht even en log opnieuw in; de wachttijd loopt op tot "
            f"hooguit {minutes} minuten.")


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only when it is a path on this site; otherwise None (no open redirect)."""
    if not target or len(target) > 2000:
        return None
    if any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
