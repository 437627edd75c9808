"""How praktijkverklaringen extend the core: their steps on the case timeline.

:func:`connect` is called once by :func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from rmt.cases import service as cases_service
from rmt.praktijkverklaring.service import timeline_items


def connect() -> None:
    """Add the praktijkverklaring steps to every case's timeline."""
    cases_service.register_hook(cases_service.TIMELINE_SOURCES, timeline_items)
