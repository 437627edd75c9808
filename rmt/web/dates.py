"""Dates and moments as the pages show them: "4 dec 2026", "4 dec 2026 16:05" (Dutch time).

Babel's Dutch month names with the locale parsed once, and each day's text kept: a list page
shows 25–200 dates, most of them repeating, and Flask-Babel looked up the request's locale and
time zone for every one of them.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date

from rmt import clock

DUTCH = Locale.parse("nl")
DATE_FORMAT = "d MMM yyyy"


@lru_cache(maxsize=8192)
def _day(day: date) -> str:
    return format_date(day, DATE_FORMAT, locale=DUTCH)


def local_date(value: date | datetime) -> str:
    """A day, or the Dutch day of a stored moment: "4 dec 2026"."""
    return _day(clock.local_date(value) if isinstance(value, datetime) else value)


def local_datetime(moment: datetime) -> str:
    """A stored moment at its Dutch time: "4 dec 2026 16:05"."""
    local = clock.local(moment)
    return f"{_day(local.date())} {local:%H:%M}"
