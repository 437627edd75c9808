"""How statistics follow the rest of the product; :func:`connect` is called once by create_app.

The summary tables follow the step history through ORM session events (every flush that writes
a ``CaseEvent``, and bulk statements on ``case_event``), not through
:data:`rmt.signals.case_step_changed`: they must also follow events written by factories, the
demo seed and retention, which send no signal. Installing them here (not when
:mod:`rmt.stats.models` is imported) keeps importing free of side effects.
"""

from __future__ import annotations

from typing import Any

from rmt.privacy import register_anonymiser
from rmt.stats import summary

STAT_TABLES = ("stat_case", "stat_span", "stat_stay_month")


def keep_statistics(_candidate: Any, _case_ids: list[int]) -> None:
    """Derived from the step history: no personal data or free text, kept for statistics."""


def connect() -> None:
    """Keep the summary tables up to date and tell privacy they hold no personal data.

    Idempotent: both registrations ignore a second call.
    """
    summary.install()
    register_anonymiser(tables=STAT_TABLES)(keep_statistics)
