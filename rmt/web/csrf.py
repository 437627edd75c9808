"""A page's CSRF token, signed at most once a minute per session instead of on every page.

Flask-WTF signs the session's CSRF secret, with a timestamp, for every page that shows a form:
every signed-in page does (the header's sign-out form). Each time it makes a new itsdangerous
serializer and signs again. :func:`keep_page_tokens` puts a token that was signed for the
same secret and key less than :data:`SIGNED_FOR_SECONDS` ago where Flask-WTF keeps the
request's token (``g.csrf_token``, documented by ``generate_csrf``), and Flask-WTF hands that
one out. It is the token Flask-WTF makes (same serializer, same salt), at most a minute older:
valid for ``WTF_CSRF_TIME_LIMIT`` less that minute. A session without a CSRF secret yet gets
one from Flask-WTF, as before. The settings are read as Flask-WTF reads them
(``WTF_CSRF_SECRET_KEY``, ``WTF_CSRF_FIELD_NAME``); a form whose ``Meta`` named a secret or field
of its own would need its own token (none does).
"""

from __future__ import annotations

import time
from functools import lru_cache

from flask import Flask, current_app, g, session
from itsdangerous import URLSafeTimedSerializer

#: How long one signed token serves the pages of a session.
SIGNED_FOR_SECONDS = 60
#: Flask-WTF's salt for CSRF tokens (``flask_wtf.csrf``).
SALT = "wtf-csrf-token"


@lru_cache(maxsize=8)
def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


@lru_cache(maxsize=4096)
def _signed(secret_key: str | bytes, raw_token: str, _minute: int) -> str:
    """The signed token for this session secret in this minute (``_minute`` is the key)."""
    return _serializer(secret_key).dumps(raw_token)


def _field_name() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def page_token() -> str | None:
    """A signed token for this request's session, if it has a CSRF secret already."""
    raw_token = session.get(_field_name())
    if not isinstance(raw_token, str):
        return None
    secret_key = current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    return _signed(secret_key, raw_token, int(time.time() // SIGNED_FOR_SECONDS))


def forget_page_token() -> None:
    """After the session was cleared (a new sign-in): the token made for its old secret must not
    reach a form; Flask-WTF makes a new secret and token when a form asks."""
    g.pop(_field_name(), None)


def keep_page_tokens(app: Flask) -> None:
    """Hand every request of a session with a CSRF secret a token signed within the minute."""

    @app.before_request
    def _kept_token() -> None:
        token = page_token()
        if token is None:
            forget_page_token()  # nothing of an earlier request in a shared app context
        else:
            setattr(g, _field_name(), token)
