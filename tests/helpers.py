"""Helpers shared by every test module: page text, row counts, signing in, API tokens
and form posts.

Fixtures live in ``tests/conftest.py`` (``app``, ``client``, ``auth``, ``login_as``, ``bearer``);
plain functions live here. Import them: ``from tests.helpers import html, count, post``.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from typing import Any

import sqlalchemy as sa

from rmt.extensions import db


def html(response: Any) -> str:
    """The response body as text, HTML entities left as they are."""
    return response.get_data(as_text=True)


def unescaped(response: Any) -> str:
    """The response body with HTML entities resolved ("d&#39;Heripon" -> "d'Heripon"), for
    finding names and other user text on a page."""
    return html_lib.unescape(html(response))


def text(response: Any) -> str:
    """The page as plain text with collapsed whitespace (for phrases split over tags)."""
    inline_gone = re.sub(r"</?(?:strong|em|b|span|a|code)\b[^>]*>", "", html(response))
    without_tags = re.sub(r"<[^>]+>", " ", inline_gone)
    return " ".join(html_lib.unescape(without_tags).split())


def count(model: Any, *where: Any) -> int:
    """Rows of a model (or table), optionally filtered."""
    query = sa.select(sa.func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)
    return db.session.scalar(query) or 0


def sign_in_as(client: Any, user: Any) -> None:
    """Sign ``user`` (already created) in on ``client``, as ``login_as`` does for a new one."""
    db.session.flush()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def bearer_header(token: str) -> dict[str, str]:
    """The Authorization header for an API token."""
    return {"Authorization": f"Bearer {token}"}


def post(client: Any, url: str, data: dict | None = None, **kwargs: Any) -> Any:
    """POST a form with a valid CSRF token taken from the start page (no side effects)."""
    return client.post_form(url, data or {}, token_page="/", **kwargs)


def csv_rows(response: Any) -> list[list[str]]:
    """A CSV download as rows, after checking it is written for Dutch Excel: text/csv in
    UTF-8 with a byte-order mark, cells separated by semicolons (rmt.exports)."""
    assert response.mimetype == "text/csv", response.mimetype
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), "no byte-order mark: Excel would not read UTF-8"
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))
