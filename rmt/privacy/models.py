"""The register of privacy requests (AVG rights of the candidate), received by whoever may see
the case and handled by the region's privacy handler within the legal term."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db


class RequestKind(LabelledEnum):
    """The right the candidate invokes (AVG articles 15 to 21)."""

    __titles__ = {
        "inzage": "Inzage (art. 15)",
        "rectificatie": "Rectificatie (art. 16)",
        "verwijdering": "Verwijdering (art. 17)",
        "beperking": "Beperking van de verwerking (art. 18)",
        "overdraagbaarheid": "Overdraagbaarheid (art. 20)",
        "bezwaar": "Bezwaar (art. 21)",
    }

    INZAGE = "inzage"
    RECTIFICATIE = "rectificatie"
    VERWIJDERING = "verwijdering"
    BEPERKING = "beperking"
    OVERDRAAGBAARHEID = "overdraagbaarheid"
    BEZWAAR = "bezwaar"


class RequestStatus(LabelledEnum):
    __titles__ = {"open": "Wacht op afhandeling", "afgehandeld": "Afgehandeld"}

    OPEN = "open"
    CLOSED = "afgehandeld"


class RequestOutcome(LabelledEnum):
    __titles__ = {
        "uitgevoerd": "Uitgevoerd",
        "gedeeltelijk": "Gedeeltelijk uitgevoerd",
        "afgewezen": "Afgewezen (met motivering)",
        "ingetrokken": "Ingetrokken door de kandidaat",
    }

    DONE = "uitgevoerd"
    PARTLY = "gedeeltelijk"
    REFUSED = "afgewezen"
    WITHDRAWN = "ingetrokken"


class PrivacyRequest(db.Model):
    """One request of a candidate, about their case in this region. ``note`` and
    ``outcome_note`` describe the handling, never more personal data (the service refuses
    e-mail addresses, phone numbers and dates in them)."""

    __tablename__ = "privacy_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    #: The region that must handle it: the case's region when received, moved with the case on a
    #: transfer while it is open.
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    kind: Mapped[RequestKind] = mapped_column(enum_column(RequestKind, "privacy_request_kind"))
    received_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus, "privacy_request_status"), default=RequestStatus.OPEN)
    outcome: Mapped[RequestOutcome | None] = mapped_column(
        enum_column(RequestOutcome, "privacy_request_outcome"))
    outcome_note: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The list of open requests of a region, by due date.
        sa.Index("ix_privacy_request_region_open", "region_code", "status", "due_on"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today
