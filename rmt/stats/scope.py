"""What a figure is about: a :class:`Scope` (whose cases), a :class:`Period` and a
:class:`Dimension` (the breakdown). Plain values shared by every stats module."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from rmt import clock
from rmt.enums import LabelledEnum
from rmt.regions import REGION_CODES
from rmt.stats.suppression import TOTAL

__all__ = ["REGION_CODES", "TOTAL", "Dimension", "Period", "Scope", "rate"]


class Dimension(LabelledEnum):
    """What the figures are broken down by."""

    __titles__ = {"regio": "Regio", "doelgroep": "Doelgroep", "verwijzer": "Verwijzer",
                  "coach": "Loopbaancoach"}

    REGION = "regio"
    TARGET_GROUP = "doelgroep"
    REFERRAL_PARTNER = "verwijzer"
    COACH = "coach"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end`` inclusive; ``on`` is the reference date for the stock."""

    start: date
    end: date
    on: date

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        """The last 12 months: from the first day of the month 11 months ago up to today
        (the Dutch calendar date)."""
        today = today or clock.today()
        month = today.month - 11
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return cls(date(year, month, 1), today, today)

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches."""
        current = date(self.start.year, self.start.month, 1)
        result = []
        while current <= self.end:
            result.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
        return result


@dataclass(frozen=True)
class Scope:
    """Whose figures: facts attributed to ``regions``, optionally one coach's caseload and one
    doelgroep or verwijzer."""

    regions: tuple[str, ...]
    coach_id: int | None = None
    target_group: str | None = None
    referral_partner: str | None = None
    #: True when the scope is a coach's own caseload (read-only view for coaches).
    own_caseload: bool = False

    def narrowed(self, **changes: Any) -> Scope:
        return replace(self, **changes)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None without a base."""
    return round(100.0 * part / whole, 1) if whole else None
