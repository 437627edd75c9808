"""Saved column mappings (per region and kind), import runs, and the records each run made."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.db_types import UTCDateTime, utcnow
from rmt.extensions import db


class ImportMapping(db.Model):
    """The mapping a region saved for a kind: column name → heading in the file."""

    __tablename__ = "import_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    columns: Mapped[dict] = mapped_column(sa.JSON)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("region_code", "kind", name="uq_import_mapping"),)


class ImportRun(db.Model):
    """One import that was carried out (dry runs are not stored): who, when, what, counts."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    row_count: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    mapping: Mapped[dict] = mapped_column(sa.JSON)

    user: Mapped[User | None] = relationship()


class ImportRecord(db.Model):
    """A record an import created, with the key it was imported under (kenmerk, KvK): a second
    import of the same key finds it here and creates nothing new."""

    __tablename__ = "import_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("import_run.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    key: Mapped[str | None] = mapped_column(sa.String(100))
    row_number: Mapped[int] = mapped_column()
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()

    run: Mapped[ImportRun] = relationship()

    __table_args__ = (
        sa.Index("ix_import_record_key", "kind", "region_code", "key"),
        sa.Index("ix_import_record_object", "object_type", "object_id"),
    )
