"""How vouchers extend the core: their status changes on the case timeline.

:func:`connect` is called once by :func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from rmt.cases import service as cases_service
from rmt.vouchers.service import timeline_items


def connect() -> None:
    """Add the voucher events to every case's timeline."""
    cases_service.register_hook(cases_service.TIMELINE_SOURCES, timeline_items)
