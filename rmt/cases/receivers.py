"""How cases hook into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from rmt import audit, signals
from rmt.access import Action
from rmt.auth.models import User
from rmt.cases import extensions, queries
from rmt.cases.import_kinds import CANDIDATES, HISTORY
from rmt.cases.models import RUNNING, Case, Task, keep_sort_names
from rmt.extensions import db
from rmt.imports import kinds
from rmt.web.waiting import add_waiting


def hand_tasks_to_coaches(deactivated: User, **_: Any) -> None:
    """Open tasks of a deactivated user on running cases of an active coach go to that coach
    (in the deactivation's transaction); tasks on the user's own cases go with the case when a
    coordinator reassigns it (``/trajecten/overnemen``)."""
    tasks = db.session.scalars(
        sa.select(Task).join(Case, Case.id == Task.case_id).join(User, User.id == Case.coach_id)
        .where(Task.owner_id == deactivated.id, Task.done_at.is_(None),
               Case.coach_id != deactivated.id, User.active.is_(True),
               RUNNING).order_by(Task.id))
    for task in tasks:
        task.owner = task.case.coach
        audit.record("case.task_owner", object_type="case", object_id=task.case_id,
                     region_code=task.case.region_code,
                     summary=f"actie {task.id}: eigenaar {deactivated.id} gedeactiveerd, nu "
                             f"coach {task.case.coach_id}")


def connect() -> None:
    """Candidates with their case, and the step history of such cases, can be imported
    (rmt.imports); a deactivated user's open tasks on others' cases go to those coaches;
    transfer requests and cases of inactive coaches wait for the coordinator; every case
    carries its candidate's name for the list's order; the case page asks whether a case has
    transfer requests, tasks, plan activities and consents with the other features' rows; a
    flush forgets what extensions.has_rows knew."""
    keep_sort_names()
    for name, (case_column, *conditions) in queries.own_row_probes().items():
        extensions.add_row_probe(name, case_column, *conditions)
    if not sa.event.contains(Session, "after_flush", extensions.forget_row_probes):
        sa.event.listen(Session, "after_flush", extensions.forget_row_probes)
    kinds.register(CANDIDATES)
    kinds.register(HISTORY)
    signals.user_deactivated.connect(hand_tasks_to_coaches)
    add_waiting("Overdrachtsverzoeken naar uw regio", queries.count_pending_transfers,
                lambda _user: url_for("cases.transfers"), action=Action.DECIDE_TRANSFER,
                order=20)
    add_waiting("Lopende trajecten van inactieve coaches (opnieuw toewijzen)",
                queries.count_cases_of_inactive_coaches,
                lambda _user: url_for("main.index", _anchor="inactieve-coaches"),
                action=Action.DECIDE_TRANSFER, order=40)
