"""Notifications: what a user sees in the app, the e-mail outbox and the delivery preferences.

A :class:`Notification` is written by a receiver in the unit of work of the change that causes
it; the :class:`OutboundMail` rows that carry it by e-mail are written in that same unit, so a
rolled-back change leaves neither. ``flask --app rmt notify send`` delivers the outbox.

Nothing here holds personal data of candidates: a notification names its kind and the record
(type and id, the case number); the text is made from those when it is shown or mailed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db


class Kind(LabelledEnum):
    __titles__ = {
        "voucher_requested": "Voucheraanvraag wacht op besluit",
        "voucher_decided": "Besluit over voucheraanvraag",
        "transfer_requested": "Overdrachtsverzoek voor uw regio",
        "transfer_decided": "Besluit over overdrachtsverzoek",
        "task_assigned": "Actie aan u toegewezen",
        "case_reassigned": "Traject aan u toegewezen",
        "pv_ready": "Praktijkverklaring klaar om vast te stellen",
        "inactive_coach_case": "Traject van gedeactiveerde coach",
        "follow_up_due": "Nazorgcontact verwacht",
        "privacy_request": "Privacyverzoek wacht op afhandeling",
    }

    VOUCHER_REQUESTED = "voucher_requested"
    VOUCHER_DECIDED = "voucher_decided"
    TRANSFER_REQUESTED = "transfer_requested"
    TRANSFER_DECIDED = "transfer_decided"
    TASK_ASSIGNED = "task_assigned"
    CASE_REASSIGNED = "case_reassigned"
    PV_READY = "pv_ready"
    INACTIVE_COACH_CASE = "inactive_coach_case"
    FOLLOW_UP_DUE = "follow_up_due"
    PRIVACY_REQUEST = "privacy_request"


class Delivery(LabelledEnum):
    __titles__ = {
        "immediately": "Direct per e-mail",
        "digest": "In de dagelijkse samenvatting",
        "app": "Alleen in de applicatie",
    }

    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    APP = "app"


class MailStatus(LabelledEnum):
    __titles__ = {
        "pending": "Wacht op verzending",
        "sending": "Wordt verzonden",
        "sent": "Verzonden",
        "dead": "Opgegeven",
    }

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"


class Notification(db.Model):
    """One message for one user about one record (``record_type`` + ``record_id``)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_notification_user_unread (user_id first).
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, "notification_kind"))
    record_type: Mapped[str] = mapped_column(sa.String(20))
    record_id: Mapped[int] = mapped_column()
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_file.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a daily summary has carried it (delivery "digest").
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    __table_args__ = (
        # The unread count in the header: one index-only count per page.
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
    )


class Preference(db.Model):
    """How a user wants one kind of notification delivered; no row means immediately."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, "notification_pref_kind"),
                                       primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(enum_column(Delivery, "notification_delivery"))


class OutboundMail(db.Model):
    """The outbox: one e-mail (it holds no personal data of candidates).

    A notification's mail gets its subject when written and its body (the sentence and the link)
    from the notification when sent; a daily summary is written whole.

    ``notify send`` claims rows (status ``sending`` with its ``claim_token``) before sending, so
    two senders never send the same row; a failure puts it back with a later
    ``next_attempt_at``, and after the configured number of attempts it is ``dead``.
    """

    __tablename__ = "outbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notification.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    # Unique where set: one daily summary per user and day, however often ``digest`` runs.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus, "outbound_mail_status"),
                                               default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index("ix_outbound_mail_due", "status", "next_attempt_at"),
    )
