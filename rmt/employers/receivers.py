"""How employers hooks into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from rmt.cases import service as cases_service
from rmt.employers.placements import case_has_active_placement


def connect() -> None:
    """The step geplaatst of a case needs an active placement: cases asks employers through
    its hook list, so that cases never imports employers."""
    cases_service.register_hook(cases_service.PLACEMENT_CHECKS, case_has_active_placement)
