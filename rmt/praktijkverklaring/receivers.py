"""How praktijkverklaringen extend the core: their steps on the case timeline and their section
on the case page.

:func:`connect` is called once by :func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from flask import url_for

from rmt.access import Action
from rmt.cases import extensions
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.praktijkverklaring.service import (
    AWAITING_VASTSTELLING,
    case_section,
    count_awaiting_vaststelling,
    open_items,
    timeline_items,
)
from rmt.web.waiting import add_waiting


def connect() -> None:
    """Add the praktijkverklaring steps to every case's timeline and its section to the page;
    trajectories waiting for the school's vaststelling to the coordinator's start page."""
    extensions.add(extensions.timeline_sources, timeline_items)
    extensions.add(extensions.open_item_sources, open_items)
    extensions.add_section("praktijkverklaring/_case_section.html", case_section, order=30)
    extensions.add_row_probe("praktijkverklaring", PvTrajectory.case_id)
    add_waiting("Praktijkverklaringen die wachten op vaststelling door de school",
                count_awaiting_vaststelling,
                lambda _user: url_for("praktijkverklaring.register",
                                      status=AWAITING_VASTSTELLING.value, _anchor="in-status"),
                action=Action.DECIDE_TRANSFER, order=30)
