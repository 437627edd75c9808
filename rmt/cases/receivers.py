"""How cases hook into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from flask import url_for

from rmt.access import Action
from rmt.cases import queries
from rmt.cases.import_kinds import CANDIDATES, HISTORY
from rmt.imports import kinds
from rmt.web.waiting import add_waiting


def connect() -> None:
    """Candidates with their case, and the step history of such cases, can be imported
    (rmt.imports); transfer requests and cases of inactive coaches wait for the coordinator."""
    kinds.register(CANDIDATES)
    kinds.register(HISTORY)
    add_waiting("Overdrachtsverzoeken naar uw regio", queries.count_pending_transfers,
                lambda _user: url_for("cases.transfers"), action=Action.DECIDE_TRANSFER,
                order=20)
    add_waiting("Lopende trajecten van inactieve coaches (opnieuw toewijzen)",
                queries.count_cases_of_inactive_coaches,
                lambda _user: url_for("main.index", _anchor="inactieve-coaches"),
                action=Action.DECIDE_TRANSFER, order=40)
