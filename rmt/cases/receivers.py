"""How cases hook into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from rmt.cases.import_kinds import CANDIDATES, HISTORY
from rmt.imports import kinds


def connect() -> None:
    """Candidates with their case, and the step history of such cases, can be imported
    (rmt.imports)."""
    kinds.register(CANDIDATES)
    kinds.register(HISTORY)
