"""What waits for a user's decision: the "Wacht op u" list of the coordinator's start page.

Each feature registers its own source from its ``receivers.connect()`` (never at import time),
so the start page knows no feature and a new feature (the privacy-request register, say) only
adds a line there::

    waiting.add_waiting("Voucheraanvragen", count_decidable, lambda user: url_for(...),
                        action=Action.DECIDE_VOUCHER, order=10)

``count_fn(user)`` returns how many items wait for ``user`` (one COUNT statement, region-scoped
through :mod:`rmt.access`); ``url_fn(user)`` the list where they are handled. A source with an
``action`` is shown only to users the policy allows it; zero counts are shown too ("nothing
waits"), so the list always says the same things in the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rmt.access import Action, can


@dataclass(frozen=True)
class WaitingSource:
    title: str
    count_fn: Callable[[Any], int]
    url_fn: Callable[[Any], str]
    action: Action | None = None
    order: int = 100


@dataclass(frozen=True)
class Waiting:
    """One line of the list: what, how many, and where to handle it."""

    title: str
    count: int
    url: str


#: title -> source; registering the same title again replaces it (one app per test).
SOURCES: dict[str, WaitingSource] = {}


def add_waiting(title: str, count_fn: Callable[[Any], int], url_fn: Callable[[Any], str], *,
                action: Action | None = None, order: int = 100) -> None:
    """Show ``title`` with ``count_fn(user)`` on the start page, linking to ``url_fn(user)``."""
    SOURCES[title] = WaitingSource(title, count_fn, url_fn, action, order)


def waiting_for(user: Any) -> list[Waiting]:
    """Every registered source the user may act on, in order: one statement per source."""
    sources = sorted(SOURCES.values(), key=lambda s: (s.order, s.title))
    return [Waiting(s.title, int(s.count_fn(user) or 0), s.url_fn(user))
            for s in sources if s.action is None or can(user, s.action)]
