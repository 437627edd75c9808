"""The signed-in session's lifetime: eight hours after the last activity, renewed at most every
few minutes.

Flask signs and sends the session cookie again on every response by default
(``SESSION_REFRESH_EACH_REQUEST``) so a permanent session expires a lifetime after the last
request: on the cheapest page that signing was 6 % of the work. Here the session is marked
changed, and so sent again with a new signature time, only when its last renewal is
``RMT_SESSION_RENEW_SECONDS`` old: the lifetime still counts from the last activity, give or
take those minutes.
"""

from __future__ import annotations

import time

from flask import Flask, Response, session

#: When the session was last renewed (seconds since the epoch).
RENEWED_AT = "_renewed"


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
