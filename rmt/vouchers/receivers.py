"""How vouchers extend the core: their status changes on the case timeline and their section on
the case page.

:func:`connect` is called once by :func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from flask import url_for

from rmt.access import Action
from rmt.cases import extensions
from rmt.vouchers.models import Voucher
from rmt.vouchers.service import (
    case_section,
    count_awaiting_decision,
    open_items,
    timeline_items,
)
from rmt.web.waiting import add_waiting


def connect() -> None:
    """Add the voucher events to every case's timeline and the vouchers to the case page;
    requests that wait for a decision to the coordinator's start page."""
    extensions.add(extensions.timeline_sources, timeline_items)
    extensions.add(extensions.open_item_sources, open_items)
    extensions.add_section("vouchers/_case_section.html", case_section, order=10)
    extensions.add_row_probe("vouchers", Voucher.case_id)
    add_waiting("Voucheraanvragen", count_awaiting_decision,
                lambda _user: url_for("vouchers.inbox"), action=Action.DECIDE_VOUCHER, order=10)
