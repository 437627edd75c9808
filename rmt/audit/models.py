"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rmt.db_types import UTCDateTime
from rmt.extensions import db

GENESIS_HASH = "0" * 64
#: Entries written before the chain was keyed: ``sha256(prev_hash + canonical entry)``.
LEGACY_SCHEME = "sha256"
#: ``HMAC-SHA256(audit key, prev_hash + canonical entry)``, the key kept outside the database.
KEYED_SCHEME = "hmac-sha256"


class AuditEntry(db.Model):
    """One read or change. ``hash = HMAC-SHA256(key, prev_hash + canonical entry)`` (entries
    written before the key: plain SHA-256, ``scheme`` says which); see ``service``.

    The database refuses UPDATE and DELETE on this table (triggers from the migration).
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    region_code: Mapped[str | None] = mapped_column(sa.String(2))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scheme: Mapped[str] = mapped_column(sa.String(16), server_default=LEGACY_SCHEME)

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)
