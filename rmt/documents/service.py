"""The rules of documents: upload, new version, soft delete, download, listing.

The caller loads the owner record through :func:`rmt.documents.owners.load` (404 for another
region, 403 without the role to change it); every function here checks the policy again and
writes its audit entry. Nothing is committed here: the unit of work commits after the view, so
a refused upload stores nothing, and the version row and its bytes commit together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.orm import selectinload

from rmt import audit
from rmt.auth.models import User
from rmt.db_types import utcnow
from rmt.documents import owners, storage
from rmt.documents.models import Document, DocumentBlob, DocumentKind, DocumentVersion
from rmt.documents.owners import OwnerType
from rmt.errors_domain import DomainError, Forbidden
from rmt.extensions import db

REASON_MAX = 500


def max_bytes() -> int:
    return int(current_app.config["RMT_DOCUMENT_MAX_BYTES"])


def _region(owner: OwnerType, record: Any) -> str | None:
    return getattr(owner.scope_object(record), "region_code", None)


def _kind(value: Any) -> DocumentKind:
    if isinstance(value, DocumentKind):
        return value
    kind = DocumentKind.from_label_or_value(str(value or ""))
    if kind is None:
        raise DomainError("Kies het soort document.", field="kind")
    return kind


def _add_version(user: User, document: Document, data: bytes, filename: str | None
                 ) -> DocumentVersion:
    checked = storage.check(data, filename, max_bytes())
    version = DocumentVersion(
        document=document, number=len(document.versions) + 1, filename=checked.filename,
        content_type=checked.content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user.id, uploaded_at=utcnow())
    db.session.add(version)
    db.session.flush()
    db.session.add(DocumentBlob(version_id=version.id, data=data))
    return version


def upload(user: User, owner: OwnerType, record: Any, *, kind: Any, data: bytes,
           filename: str | None) -> Document:
    """Attach a new document to ``record``."""
    if not owners.may_change(user, owner, record):
        raise Forbidden("Uw rol staat niet toe hier documenten toe te voegen.")
    document = Document(owner_type=owner.name, owner_id=record.id,
                        case_id=owner.case_id(record), kind=_kind(kind),
                        created_by_id=user.id, created_at=utcnow())
    db.session.add(document)
    version = _add_version(user, document, data, filename)
    audit.record("document.upload", object_type="case", object_id=document.case_id,
                 region_code=_region(owner, record),
                 summary=f"document {document.id} ({document.kind.label}) toegevoegd aan "
                         f"{owner.label} {record.id}: {version.size} bytes, "
                         f"sha256 {version.sha256[:12]}")
    return document


def replace(user: User, document: Document, *, data: bytes, filename: str | None
            ) -> DocumentVersion:
    """A new version of ``document``; the earlier versions are kept."""
    owner, record = owner_of(user, document, change=True)
    version = _add_version(user, document, data, filename)
    audit.record("document.version", object_type="case", object_id=document.case_id,
                 region_code=_region(owner, record),
                 summary=f"document {document.id}: versie {version.number} "
                         f"({version.size} bytes, sha256 {version.sha256[:12]})")
    return version


def delete(user: User, document: Document, *, reason: str) -> Document:
    """Soft delete with a reason: hidden from lists and downloads, kept for the audit trail
    until retention removes it."""
    owner, record = owner_of(user, document, change=True)
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise DomainError("Geef een reden waarom het document wordt verwijderd.", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"De reden mag hoogstens {REASON_MAX} tekens hebben.", field="reason")
    document.deleted_at = utcnow()
    document.deleted_by_id = user.id
    document.deletion_reason = reason
    audit.record("document.delete", object_type="case", object_id=document.case_id,
                 region_code=_region(owner, record),
                 summary=f"document {document.id} ({document.kind.label}) verwijderd")
    return document


def owner_of(user: User, document: Document, *, change: bool = False) -> tuple[OwnerType, Any]:
    return owners.load(document.owner_type, document.owner_id, user, change=change)


def load(user: User, document_id: Any, *, change: bool = False) -> Document:
    """A document that is not deleted and whose owner the user may read; else 404."""
    try:
        ident = int(str(document_id))
    except ValueError:
        abort(404)
    document = db.session.get(Document, ident) if 0 < ident <= 2**31 - 1 else None
    if document is None or document.is_deleted:
        abort(404)
    owner_of(user, document, change=change)
    return document


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def download(user: User, document: Document, number: int | None = None) -> Download:
    """The content of the newest version (or version ``number``); audited."""
    owner, record = owner_of(user, document)
    versions = {v.number: v for v in document.versions}
    version = versions.get(number) if number is not None else document.current
    if version is None or version.purged_at is not None:
        abort(404)
    data = db.session.scalar(sa.select(DocumentBlob.data)
                             .where(DocumentBlob.version_id == version.id))
    if data is None:
        abort(404)
    audit.record("document.download", object_type="case", object_id=document.case_id,
                 region_code=_region(owner, record),
                 summary=f"document {document.id} versie {version.number} gedownload")
    return Download(version.filename, version.content_type, bytes(data))


def audit_read(user: User, owner: OwnerType, record: Any, what: str) -> None:
    """Record a read of document metadata (an API list, a document's page): the file names
    are data about the candidate."""
    audit.record("document.view", object_type="case", object_id=owner.case_id(record),
                 region_code=_region(owner, record), summary=what, user=user)


def documents_of(owner: OwnerType, record: Any) -> list[Document]:
    """The documents of ``record`` that are not deleted, newest first, with their versions
    (two statements)."""
    return list(db.session.scalars(
        sa.select(Document)
        .where(Document.owner_type == owner.name, Document.owner_id == record.id,
               Document.deleted_at.is_(None))
        .options(selectinload(Document.versions))
        .order_by(Document.id.desc())))


@dataclass(frozen=True)
class Section:
    """What a record's page shows about its documents."""

    owner: OwnerType
    record: Any
    documents: list[Document]
    can_change: bool
    file_help: str
    kinds: list[tuple[str, str]]


def section(user: User, owner_name: str, record: Any, documents: list[Document] | None = None
            ) -> Section | None:
    """The documents section of a record's page (``documents``: when the caller knows them,
    e.g. that there are none)."""
    owner = owners.owner_type(owner_name)
    if not owners.may_read(user, owner, record):
        return None
    return Section(owner, record, documents_of(owner, record) if documents is None else documents,
                   owners.may_change(user, owner, record),
                   f"PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) of OpenDocument-tekst (ODT), "
                   f"hoogstens {storage.megabytes(max_bytes())}.", DocumentKind.choices())
