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
    """Why a sign-in is refused while the account is locked (Dutch)."""
    return ("Dit account is tijdelijk geblokkeerd na te veel mislukte pogingen. "
            f"Probeer het over {current_app.config['RMT_LOCKOUT_MINUTES']} minuten opnieuw.")
