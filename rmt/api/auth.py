"""Bearer-token authentication for the JSON API."""

from __future__ import annotations

from flask import abort, g, request
from flask_login import AnonymousUserMixin

from rmt.auth.service import user_for_token


def authenticate_bearer() -> None:
    """Every API request authenticates with a Bearer token; a browser session does not count.

    Ignoring the session cookie is what makes it safe to exempt the API from CSRF tokens.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip() and len(token) < 200:
        user = user_for_token(token.strip())
    if user is None:
        g._login_user = AnonymousUserMixin()
        abort(401)
    g._login_user = user  # Flask-Login's current_user, for this request only
