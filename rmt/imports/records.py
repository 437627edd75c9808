"""Look-ups in what earlier imports made, for kinds that refer to records imported before
(the step history names a case by the kenmerk it was imported under)."""

from __future__ import annotations

import sqlalchemy as sa

from rmt.extensions import db
from rmt.imports.models import ImportRecord


def imported_id(kind: str, region_code: str, key: str) -> int | None:
    """The id of the record imported as ``kind`` under ``key`` into ``region_code``."""
    return db.session.scalar(
        sa.select(ImportRecord.object_id)
        .where(ImportRecord.kind == kind, ImportRecord.region_code == region_code,
               ImportRecord.key == key)
        .order_by(ImportRecord.id.desc()).limit(1))
