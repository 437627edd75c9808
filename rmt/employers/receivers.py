"""How employers hook into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from typing import Any

from rmt.access import Action, can
from rmt.cases import extensions
from rmt.employers.import_kinds import KINDS as IMPORT_KINDS
from rmt.employers.models import Placement, Proposal
from rmt.employers.pages import CaseEmployment, case_employment
from rmt.employers.placements import case_has_active_placement, open_items, work_placements
from rmt.imports import kinds


def work_section(user: Any, case: Any) -> CaseEmployment | None:
    """Proposals and placements on the case page, for those who may see the work profile."""
    return case_employment(user, case) if can(user, Action.VIEW_WORK_PROFILE, case) else None


def connect() -> None:
    """The step geplaatst of a case needs an active placement (cases asks employers through
    its registry, so that cases never imports employers); the work section on the case page."""
    extensions.add(extensions.placement_checks, case_has_active_placement)
    extensions.add(extensions.open_item_sources, open_items)
    extensions.add(extensions.work_placement_sources, work_placements)
    extensions.add_section("employers/_case_section.html", work_section, order=20)
    extensions.add_row_probe("proposals", Proposal.case_id)
    extensions.add_row_probe("placements", Placement.case_id)
    for kind in IMPORT_KINDS:  # employers, their contacts and contact moments (rmt.imports)
        kinds.register(kind)
