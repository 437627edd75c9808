"""What other features add to a case, registered when the app starts (never at import time).

Cases is the core: it imports no feature. A feature that adds to the case registers its
functions from the ``connect()`` of its ``rmt/<feature>/receivers.py``, which
:func:`rmt.create_app` calls once:

- :data:`timeline_sources`: ``(case) -> Iterable[TimelineItem]``, extra lines on the case's
  timeline (voucher steps, praktijkverklaring steps, ...);
- :data:`placement_checks`: ``(case) -> bool``, whether the case has an active placement (the
  guard of the step *geplaatst*); any check that says yes counts.

    from rmt.cases import extensions
    extensions.add(extensions.timeline_sources, timeline_items)

:func:`rmt.cases.service.register_hook` is the same call under its older name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class TimelineItem:
    """One line on a case's timeline."""

    at: datetime | date
    kind: str  # step | note | task | transfer | consent | what a feature adds
    title: str
    detail: str
    user_name: str


#: ``(case) -> Iterable[TimelineItem]``: timeline lines that other features add.
timeline_sources: list[Callable[[Any], Iterable[TimelineItem]]] = []
#: ``(case) -> bool``: whether the case has an active placement (employers).
placement_checks: list[Callable[[Any], bool]] = []

_REGISTRIES: dict[str, list[Callable[..., Any]]] = {
    "timeline_sources": timeline_sources,
    "placement_checks": placement_checks,
}


def add(registry: list[Callable[..., Any]] | str, function: Callable[..., Any]) -> None:
    """Add ``function`` to a registry (the list, or its name) once.

    A second registration of the same function (a second app in the same process, a reloaded
    module) replaces the first instead of adding it again.
    """
    hooks = _REGISTRIES[registry] if isinstance(registry, str) else registry
    key = (getattr(function, "__module__", None), getattr(function, "__qualname__", None))
    hooks[:] = [h for h in hooks if (getattr(h, "__module__", None),
                                     getattr(h, "__qualname__", None)) != key]
    hooks.append(function)
