"""The ``auth`` blueprint and what its two view modules share (sign-in and second factor)."""

from __future__ import annotations

from flask import Blueprint, current_app, session

bp = Blueprint("auth", __name__)


def renew_session() -> None:
    """No session fixation: nothing from before survives, except the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def lock_message() -> str:
    """Why the second-factor step stops after too many wrong codes (Dutch). Only shown to someone
    who already gave the right password, so it reveals no account."""
    minutes = max(1, current_app.config["RMT_LOGIN_DELAY_MAX_SECONDS"] // 60)
    return ("Te veel mislukte pogingen. Wacht even en log opnieuw in; de wachttijd loopt op tot "
            f"hooguit {minutes} minuten.")
