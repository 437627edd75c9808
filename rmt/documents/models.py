"""Documents, their versions and the stored bytes.

- :class:`Document`: one attachment of an owner (``owner_type`` + ``owner_id``) with a kind;
  soft deleted with a reason (``deleted_at``), never removed by a user.
- :class:`DocumentVersion`: every upload of the document (a replacement adds a version); file
  name, type, size and SHA-256. Listing versions never loads the bytes.
- :class:`DocumentBlob`: the bytes of one version, in a table of their own so the metadata
  queries stay small. Stored in the same transaction as the version row: there is never a file
  without its row or a row without its file (docs/decisions.md). Retention and erasure delete
  the blob and blank the file name (``purged_at`` on the version).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db


class DocumentKind(LabelledEnum):
    __titles__ = {
        "cv": "Cv",
        "getekend_trajectplan": "Getekend trajectplan",
        "toestemmingsformulier": "Toestemmingsformulier",
        "offerte": "Offerte",
        "factuur": "Factuur",
        "praktijkovereenkomst": "Praktijkovereenkomst",
        "arbeidsovereenkomst": "Arbeidsovereenkomst",
        "overig": "Overig",
    }
    CV = "cv"
    GETEKEND_TRAJECTPLAN = "getekend_trajectplan"
    TOESTEMMINGSFORMULIER = "toestemmingsformulier"
    OFFERTE = "offerte"
    FACTUUR = "factuur"
    PRAKTIJKOVEREENKOMST = "praktijkovereenkomst"
    ARBEIDSOVEREENKOMST = "arbeidsovereenkomst"
    OVERIG = "overig"


#: Kinds that fall under the financial retention duty (7 years): retention anonymisation and
#: erasure keep their content (docs/decisions.md).
FINANCIAL_KINDS = frozenset({DocumentKind.OFFERTE, DocumentKind.FACTUUR})


class Document(db.Model):
    """An attachment of a case, voucher, praktijkverklaring or placement."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(sa.String(30))
    owner_id: Mapped[int] = mapped_column()
    #: The case the owner belongs to (for privacy: export, erasure, retention).
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    deletion_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])

    __table_args__ = (sa.Index("ix_document_owner", "owner_type", "owner_id"),)

    @property
    def current(self) -> DocumentVersion:
        return self.versions[-1]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class DocumentVersion(db.Model):
    """One upload of a document; ``number`` counts from 1."""

    __tablename__ = "document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), index=True)
    number: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: Set when retention or erasure removed the content (the blob row is gone).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_document_version_number"),
    )


class DocumentBlob(db.Model):
    """The bytes of one version."""

    __tablename__ = "document_blob"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_version.id"),
                                            primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary())
