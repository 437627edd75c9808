"""Writing notifications (in the unit of work of the change), showing them, preferences.

:func:`notify` is what the receivers call: one :class:`Notification` per recipient and, for a
recipient who wants it immediately, one :class:`OutboundMail` in the outbox, both in the
current transaction. What a notification says is made from its kind and the record's number;
whether the user may still see the record is checked when it is shown (:func:`visible`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for

from rmt import transaction
from rmt.access import Action, can
from rmt.auth.models import RegionMembership, Role, User
from rmt.cases.models import Case, CaseTransfer
from rmt.db_types import utcnow
from rmt.employers.models import Placement
from rmt.errors_domain import NotFound
from rmt.extensions import db
from rmt.notifications.models import (
    Delivery,
    Kind,
    MailStatus,
    Notification,
    OutboundMail,
    Preference,
)
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.privacy.models import PrivacyRequest
from rmt.vouchers.models import Voucher


@dataclass(frozen=True)
class RecordType:
    """How to load a notification's record, who may still read it and where it lives."""

    model: Any
    action: Action
    endpoint: str
    param: str | None  # the URL parameter that takes the id (None: a list page)
    noun: str  # Dutch, for the text: "voucher 12"

    def guarded(self, record: Any) -> Any:
        """The object whose region decides access (a placement is seen through its case)."""
        return record.case if isinstance(record, Placement) else record


RECORD_TYPES: dict[str, RecordType] = {
    "voucher": RecordType(Voucher, Action.VIEW_VOUCHER, "vouchers.detail", "voucher_id",
                          "voucher"),
    "case": RecordType(Case, Action.VIEW_CASE, "cases.case_page", "case_id", "traject"),
    "transfer": RecordType(CaseTransfer, Action.DECIDE_TRANSFER, "cases.transfers", None,
                           "overdrachtsverzoek"),
    "pv": RecordType(PvTrajectory, Action.VIEW_CASE, "praktijkverklaring.trajectory", "pv_id",
                     "praktijkverklaring"),
    "placement": RecordType(Placement, Action.VIEW_WORK_PROFILE, "employers.placement",
                            "placement_id", "plaatsing"),
    "privacy_request": RecordType(PrivacyRequest, Action.HANDLE_PRIVACY_REQUEST,
                                  "privacy.request_detail", "request_id", "privacyverzoek"),
}

#: Dutch sentences per kind; ``{case}`` is the case number, ``{number}`` the record's own.
#: Only numbers: no names or other personal data of candidates (also in e-mail subjects).
TEXTS: dict[Kind, str] = {
    Kind.VOUCHER_REQUESTED: "Voucheraanvraag {number} (traject {case}) wacht op uw besluit.",
    Kind.VOUCHER_DECIDED: "Over voucheraanvraag {number} (traject {case}) is beslist.",
    Kind.TRANSFER_REQUESTED: "Traject {case} is voor overdracht aan uw regio aangeboden.",
    Kind.TRANSFER_DECIDED: "Over het overdrachtsverzoek van traject {case} is beslist.",
    Kind.TASK_ASSIGNED: "Er is een actie aan u toegewezen bij traject {case}.",
    Kind.CASE_REASSIGNED: "Traject {case} is aan u toegewezen.",
    Kind.PV_READY: "Praktijkverklaring {number} (traject {case}) is beoordeeld en kan worden "
                   "vastgesteld.",
    Kind.INACTIVE_COACH_CASE: "De coach van traject {case} is gedeactiveerd; wijs een nieuwe "
                              "coach toe.",
    Kind.FOLLOW_UP_DUE: "Een nazorgcontact bij traject {case} (plaatsing {number}) is verwacht.",
    Kind.PRIVACY_REQUEST: "Privacyverzoek {number} (traject {case}) wacht op afhandeling, "
                          "binnen de wettelijke termijn van één maand.",
}


def sentence(notification: Notification) -> str:
    return TEXTS[notification.kind].format(number=notification.record_id,
                                           case=notification.case_id or "-")


# ---------------------------------------------------------------------------------------------
# Recipients


def region_staff(region_code: str, role: Role) -> list[User]:
    """The active users with ``role`` in ``region_code``."""
    return list(db.session.scalars(
        sa.select(User).join(RegionMembership)
        .where(RegionMembership.region_code == region_code, User.role == role,
               User.active.is_(True))
        .order_by(User.id)))


# ---------------------------------------------------------------------------------------------
# Writing


def delivery_for(user_id: int, kind: Kind) -> Delivery:
    pref = db.session.get(Preference, (user_id, kind))
    return pref.delivery if pref else Delivery.IMMEDIATELY


def notify(recipients: Iterable[User | None], kind: Kind, record_type: str, record_id: int, *,
           case_id: int | None, exclude: User | None = None) -> list[Notification]:
    """One notification per distinct active recipient (not ``exclude``), in this transaction."""
    seen: set[int] = set()
    written = []
    for user in recipients:
        if user is None or not user.active or user.id in seen:
            continue
        if exclude is not None and user.id == exclude.id:
            continue
        seen.add(user.id)
        notification = Notification(user_id=user.id, kind=kind, record_type=record_type,
                                    record_id=record_id, case_id=case_id)
        db.session.add(notification)
        written.append(notification)
        if delivery_for(user.id, kind) == Delivery.IMMEDIATELY:
            db.session.flush()
            queue_mail(user, notification)
    db.session.flush()
    return written


def queue_mail(user: User, notification: Notification) -> OutboundMail:
    """Put the e-mail of one notification in the outbox (same transaction).

    Only the subject is made now (no app needed: receivers also run in plain threads and
    scripts); the body, with its link, is rendered by the sender (:func:`mail_bodies`).
    """
    mail = OutboundMail(user_id=user.id, notification_id=notification.id,
                        to_address=user.email, subject=mail_subject(notification),
                        body_text="", body_html="")
    db.session.add(mail)
    return mail


def mail_subject(notification: Notification) -> str:
    return f"RMT: {notification.kind.label} ({_number(notification)})"


def mail_bodies(notification: Notification) -> tuple[str, str]:
    """Plain text and HTML of a notification's e-mail: the sentence and a link, no more."""
    text = sentence(notification)
    link = record_url(notification.record_type, notification.record_id, external=True)
    subject = mail_subject(notification)
    return (render_mail("notifications/mail/notification.txt", text=text, link=link),
            render_mail("notifications/mail/notification.html", text=text, link=link,
                        subject=subject))


def _number(notification: Notification) -> str:
    kind = RECORD_TYPES[notification.record_type]
    if notification.record_type in ("voucher", "pv", "privacy_request"):
        return f"{kind.noun} {notification.record_id}"
    return f"traject {notification.case_id}"


def render_mail(template: str, **context: Any) -> str:
    """Render a mail template without the request's context processors (none is needed)."""
    return current_app.jinja_env.get_template(template).render(**context)


def base_url() -> str:
    return current_app.config.get("RMT_BASE_URL") or "http://localhost:5000"


def record_url(record_type: str, record_id: int, *, external: bool = False) -> str:
    """The page of a record; without a request (the CLI), built from RMT_BASE_URL."""
    kind = RECORD_TYPES[record_type]
    values = {kind.param: record_id} if kind.param else {}
    if not external and has_request_context():
        return url_for(kind.endpoint, **values)
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(kind.endpoint, values, force_external=external)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class Item:
    notification: Notification
    visible: bool  # False: the user can no longer read the record; show nothing of it
    text: str
    url: str | None


def unread_count(user_id: int) -> int:
    """``SELECT count(*) FROM notification WHERE user_id = ? AND read_at IS NULL``."""
    return db.session.scalar(sa.select(unread_count_of(user_id))) or 0


def unread_count_of(user_id: Any) -> sa.ScalarSelect:
    """The unread count as a scalar subquery: of a user id, or of a column (the signed-in
    user's is read with the user themselves, in one statement: ``rmt.load_user``)."""
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


def page_of(user: User, *, limit: int = 50) -> list[Item]:
    """The user's latest notifications; each record checked with rmt.access now."""
    rows = list(db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc()).limit(limit)))
    records = _load_records(rows)
    return [_item(user, n, records) for n in rows]


def _load_records(rows: list[Notification]) -> dict[tuple[str, int], Any]:
    """One query per record type on the page (no query per row)."""
    wanted: dict[str, set[int]] = {}
    for n in rows:
        wanted.setdefault(n.record_type, set()).add(n.record_id)
    found: dict[tuple[str, int], Any] = {}
    for record_type, ids in wanted.items():
        model = RECORD_TYPES[record_type].model
        for record in db.session.scalars(sa.select(model).where(model.id.in_(sorted(ids)))):
            found[(record_type, record.id)] = record
    return found


def readable(user: User, record_type: str, record: Any) -> bool:
    if record is None:
        return False
    kind = RECORD_TYPES[record_type]
    return can(user, kind.action, kind.guarded(record))


def _item(user: User, n: Notification, records: dict[tuple[str, int], Any]) -> Item:
    record = records.get((n.record_type, n.record_id))
    if not readable(user, n.record_type, record):
        return Item(n, False, "", None)
    return Item(n, True, sentence(n), record_url(n.record_type, n.record_id))


def open_notification(user: User, notification_id: int) -> str:
    """Mark one notification read and return its record's page; NotFound when it is not the
    user's or the record can no longer be read (another region's record is a 404)."""
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != user.id:
        raise NotFound()
    model = RECORD_TYPES[n.record_type].model
    if not readable(user, n.record_type, db.session.get(model, n.record_id)):
        raise NotFound()
    if n.read_at is None:
        # Opening is a GET (a read-only unit of work): the write runs after it, on its own.
        ident = n.id
        transaction.defer_write(lambda: db.session.execute(
            sa.update(Notification).where(Notification.id == ident,
                                          Notification.read_at.is_(None))
            .values(read_at=utcnow())))
    return record_url(n.record_type, n.record_id)


def mark_read(user: User, notification_id: int) -> None:
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != user.id:
        raise NotFound()
    if n.read_at is None:
        n.read_at = utcnow()


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    return result.rowcount or 0


# ---------------------------------------------------------------------------------------------
# Preferences


def preferences(user: User) -> dict[Kind, Delivery]:
    stored = {p.kind: p.delivery for p in db.session.scalars(
        sa.select(Preference).where(Preference.user_id == user.id))}
    return {kind: stored.get(kind, Delivery.IMMEDIATELY) for kind in Kind}


def set_preferences(user: User, wanted: dict[str, str]) -> None:
    """Store one delivery per kind (unknown kinds or deliveries are ignored by the form)."""
    for kind in Kind:
        value = wanted.get(kind.value)
        if value is None:
            continue
        delivery = Delivery(value)
        pref = db.session.get(Preference, (user.id, kind))
        if pref is None:
            db.session.add(Preference(user_id=user.id, kind=kind, delivery=delivery))
        else:
            pref.delivery = delivery
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Dead letters (admin)


def dead_letters(limit: int = 200) -> list[OutboundMail]:
    return list(db.session.scalars(
        sa.select(OutboundMail).where(OutboundMail.status == MailStatus.DEAD)
        .order_by(OutboundMail.id.desc()).limit(limit)))


def retry_dead_letter(mail_id: int) -> None:
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.status != MailStatus.DEAD:
        raise NotFound()
    mail.status = MailStatus.PENDING
    mail.attempts = 0
    mail.next_attempt_at = utcnow()
    mail.claim_token = None
