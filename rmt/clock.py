"""The one clock: "now" is an aware UTC moment, "today" is the calendar date in the Netherlands.

Every date a person sees or types (aangemeld op, a follow-up due "vandaag", the default period of
the statistics) is a Dutch calendar date, whatever time zone the server runs in. Timestamps are
stored in UTC. Use these functions instead of ``date.today()`` or ``datetime.now()``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The time zone of every calendar date in the product.
ZONE = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current moment, timezone-aware (UTC). Use as a callable default, never at import."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the Netherlands."""
    return datetime.now(ZONE).date()


def local(moment: datetime) -> datetime:
    """An aware moment in Dutch local time (for display and for taking its calendar date)."""
    return moment.astimezone(ZONE)


def local_date(moment: datetime) -> date:
    """The Dutch calendar date of an aware moment."""
    return moment.astimezone(ZONE).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar date, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later; the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February), as a legal term "within one month" counts."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last))
