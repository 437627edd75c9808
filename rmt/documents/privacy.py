"""Documents in the privacy operations: the subject-access export and anonymisation.

Registered with :mod:`rmt.privacy.registry` from :func:`rmt.documents.receivers.connect`.

- Subject access: every document of the candidate's covered cases with its metadata (kind, the
  record it belongs to, every version's name, type, size, SHA-256 and date; deleted ones with
  the date of deletion). The bytes are not in the JSON; the person gets copies on request.
- Anonymisation (retention and erasure on request, :func:`rmt.privacy.anonymise.anonymise`):
  the content of every document is deleted and its file names blanked, except the kinds under
  the financial retention duty (offerte, factuur: :data:`FINANCIAL_KINDS`), which stay for the
  seven years of the financial administration. See docs/decisions.md.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from rmt.db_types import utcnow
from rmt.documents.models import (
    FINANCIAL_KINDS,
    Document,
    DocumentBlob,
    DocumentVersion,
)
from rmt.extensions import db

TABLES = ("document", "document_version", "document_blob")
PURGED_NAME = "verwijderd"
PURGE_REASON = "Inhoud verwijderd (bewaartermijn of wissen op verzoek)."


def subject_access(candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    """Metadata of the documents of ``cases`` (two statements)."""
    case_ids = sorted(case.id for case in cases)
    if not case_ids:
        return []
    documents = db.session.scalars(
        sa.select(Document).where(Document.case_id.in_(case_ids))
        .options(selectinload(Document.versions)).order_by(Document.id))
    return [{
        "id": d.id, "case_id": d.case_id, "owner_type": d.owner_type, "owner_id": d.owner_id,
        "kind": d.kind.label, "created_at": d.created_at, "deleted_at": d.deleted_at,
        "deletion_reason": d.deletion_reason or None,
        "versions": [{"number": v.number, "filename": v.filename,
                      "content_type": v.content_type, "size": v.size, "sha256": v.sha256,
                      "uploaded_at": v.uploaded_at, "content_removed_at": v.purged_at}
                     for v in d.versions],
    } for d in documents]


def anonymise(candidate: Any, case_ids: list[int]) -> None:
    """Delete the content of the documents of ``case_ids``, except the financial kinds."""
    if not case_ids:
        return
    now = utcnow()
    removable = (sa.select(Document.id).where(Document.case_id.in_(case_ids),
                                               Document.kind.not_in(sorted(FINANCIAL_KINDS))))
    versions = sa.select(DocumentVersion.id).where(DocumentVersion.document_id.in_(removable))
    options = {"synchronize_session": False}
    db.session.execute(sa.delete(DocumentBlob).where(DocumentBlob.version_id.in_(versions)),
                       execution_options=options)
    db.session.execute(sa.update(DocumentVersion)
                       .where(DocumentVersion.document_id.in_(removable),
                              DocumentVersion.purged_at.is_(None))
                       .values(filename=PURGED_NAME, purged_at=now), execution_options=options)
    db.session.execute(sa.update(Document).where(Document.id.in_(removable))
                       .values(deletion_reason=PURGE_REASON,
                               deleted_at=sa.func.coalesce(Document.deleted_at, now)),
                       execution_options=options)
    # A deletion reason is free text, also on the financial kinds that stay.
    db.session.execute(sa.update(Document)
                       .where(Document.case_id.in_(case_ids), Document.id.not_in(removable),
                              Document.deletion_reason != "")
                       .values(deletion_reason=""), execution_options=options)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Document | DocumentVersion):
            db.session.expire(obj)
