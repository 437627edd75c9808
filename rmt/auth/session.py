"""The signed-in session's lifetime: eight hours after the last activity, renewed at most every
few minutes.

Flask signs and sends the session cookie again on every response by default
(``SESSION_REFRESH_EACH_REQUEST``) so a permanent session expires a lifetime after the last
request: on the cheapest page that signing was 6 % of the work. Here the session is marked
changed, and so sent again with a new signature time, only when its last renewal is
``RMT_SESSION_RENEW_SECONDS`` old: the lifetime still counts from the last activity, give or
take those minutes.

:class:`SigningKeptSessions` is Flask's signed-cookie session with its signing serializer made
once per key instead of on every request (making it was a quarter of opening the session).
"""

from __future__ import annotations

import time

from flask import Flask, Response, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

#: When the session was last renewed (seconds since the epoch).
RENEWED_AT = "_renewed"


class SigningKeptSessions(SecureCookieSessionInterface):
    """Flask's sessions, signed by a serializer kept as long as the keys it was made for (a new
    ``SECRET_KEY`` or fallback list makes a new one)."""

    def __init__(self) -> None:
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._kept is None or self._kept[0] != keys:
            self._kept = (keys, super().get_signing_serializer(app))
        return self._kept[1]


def renew_signed_in_sessions(app: Flask) -> None:
    interval = app.config["RMT_SESSION_RENEW_SECONDS"]

    @app.after_request
    def renew(response: Response) -> Response:
        # Before Flask saves the session (process_response runs these first).
        if session.permanent and "_user_id" in session:
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= interval:
                session[RENEWED_AT] = now
        return response
