"""How imports hook into the rest of the app; :func:`rmt.create_app` calls :func:`connect`
once. Nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from rmt.cases import extensions
from rmt.cases.extensions import TimelineItem
from rmt.extensions import db
from rmt.imports.models import ImportRecord, ImportRun


def imported_line(case: Any) -> Iterable[TimelineItem]:
    """"Geïmporteerd" on the timeline of a case an import created."""
    if not extensions.has_rows(case, "imports"):
        return
    rows = db.session.execute(
        sa.select(ImportRun, ImportRecord.row_number)
        .join(ImportRecord, ImportRecord.run_id == ImportRun.id)
        .where(ImportRecord.object_type == "case", ImportRecord.object_id == case.id))
    for run, row_number in rows:
        yield TimelineItem(run.at, "import", "Geïmporteerd",
                           f"uit {run.filename}, rij {row_number} (import {run.id})",
                           run.user.name if run.user else "")


def connect() -> None:
    extensions.add(extensions.timeline_sources, imported_line)
    extensions.add_row_probe("imports", ImportRecord.object_id, ImportRecord.object_type == "case")
