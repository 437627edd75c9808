"""How praktijkverklaringen extend the core: their steps on the case timeline and their section
on the case page.

:func:`connect` is called once by :func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from rmt.cases import extensions
from rmt.praktijkverklaring.service import case_section, open_items, timeline_items


def connect() -> None:
    """Add the praktijkverklaring steps to every case's timeline and its section to the page."""
    extensions.add(extensions.timeline_sources, timeline_items)
    extensions.add(extensions.open_item_sources, open_items)
    extensions.add_section("praktijkverklaring/_case_section.html", case_section, order=30)
