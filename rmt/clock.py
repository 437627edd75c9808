"""The one clock: "now" is an aware UTC moment, "today" is the calendar date in the Netherlands.

Every date a person sees or types (aangemeld op, a follow-up due "vandaag", the default period of
the statistics) is a Dutch calendar date, whatever time zone the server runs in. Timestamps are
stored in UTC. Use these functions instead of ``date.today()`` or ``datetime.now()``;
:func:`rmt.db_types.utcnow` (the default of every timestamp column) reads :func:`now` too.

Tests (and drills) can stop the clock at a chosen moment with :func:`frozen`, e.g. at 00:30
Dutch time, when the UTC date is still the day before::

    with clock.frozen(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2027, 1, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The time zone of every calendar date in the product.
ZONE = ZoneInfo("Europe/Amsterdam")

#: The moment the clock is stopped at (:func:`frozen`), or None: the real time.
_frozen_at: datetime | None = None


def now() -> datetime:
    """The current moment, timezone-aware (UTC). Use as a callable default, never at import."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the Netherlands."""
    return now().astimezone(ZONE).date()


def local(moment: datetime) -> datetime:
    """An aware moment in Dutch local time (for display and for taking its calendar date); a
    naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE)


def local_date(moment: datetime) -> date:
    """The Dutch calendar date of an aware moment (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar date, as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Stop the clock at ``moment`` (aware; naive means Dutch local time) for tests and drills.

    Not for production code: the override is process-wide.
    """
    global _frozen_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    previous = _frozen_at
    _frozen_at = moment.astimezone(UTC)
    try:
        yield _frozen_at
    finally:
        _frozen_at = previous


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later; the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February), as a legal term "within one month" counts."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(year, month, min(day.day, last))
