"""Delivering the outbox over SMTP, the daily summary and the aftercare follow-ups that are due.

Sending is safe with two senders at once: a sender first *claims* a batch in a short write
transaction (status ``sending``, its own ``claim_token``), then sends outside any transaction,
then records each result only on rows that still carry its token. On PostgreSQL the claim reads
with ``SELECT ... FOR UPDATE SKIP LOCKED`` (the second sender skips the rows the first is
claiming); on SQLite the claim's transaction begins IMMEDIATE, so claims run one after the
other. A claim that a crashed sender left behind is taken over after :data:`CLAIM_TIMEOUT`.
"""

from __future__ import annotations

import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import ngettext

from rmt import clock
from rmt.auth.models import Role, User
from rmt.cases.models import Case, Task
from rmt.employers.models import FollowUp, Placement
from rmt.extensions import db
from rmt.notifications.models import (
    Delivery,
    Kind,
    MailStatus,
    Notification,
    OutboundMail,
    Preference,
)
from rmt.notifications.service import (
    mail_bodies,
    notify,
    record_url,
    region_staff,
    render_mail,
    sentence,
)
from rmt.transaction import unit_of_work

#: A ``sending`` row older than this belongs to a sender that died; another may take it over.
CLAIM_TIMEOUT = timedelta(minutes=10)


# ---------------------------------------------------------------------------------------------
# SMTP


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool  # smtps:// (implicit TLS)
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        """``smtp://user:pass@host:587?starttls=1`` or ``smtps://user:pass@host:465``."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("RMT_SMTP_URL moet beginnen met smtp:// of smtps:// en een host "
                             "bevatten.")
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        return cls(host=parts.hostname, port=parts.port or (465 if implicit else 25),
                   ssl=implicit, starttls=starttls and not implicit,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)

    def connect(self, timeout: float = 30) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.ssl:
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout,
                                                    context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=timeout)
            if self.starttls:
                server.starttls(context=context)
        if self.username:
            server.login(self.username, self.password or "")
        return server


def build_message(mail: OutboundMail, sender: str, body_text: str,
                  body_html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="rmt.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    return message


# ---------------------------------------------------------------------------------------------
# Claim, send, record


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def claim_batch(limit: int) -> tuple[str, list[int]]:
    """Mark up to ``limit`` due mails as ``sending`` with a fresh token, in one short write
    transaction; return the token and their ids."""
    token = secrets.token_hex(16)
    with unit_of_work(write=True):  # SQLite: BEGIN IMMEDIATE, so claims queue
        now = clock.now()
        query = (sa.select(OutboundMail.id)
                 .where(sa.or_(
                     sa.and_(OutboundMail.status == MailStatus.PENDING,
                             OutboundMail.next_attempt_at <= now),
                     sa.and_(OutboundMail.status == MailStatus.SENDING,
                             OutboundMail.claimed_at < now - CLAIM_TIMEOUT)))
                 .order_by(OutboundMail.next_attempt_at, OutboundMail.id).limit(limit))
        if _is_postgres():
            query = query.with_for_update(skip_locked=True)
        ids = list(db.session.scalars(query))
        if ids:
            db.session.execute(
                sa.update(OutboundMail).where(OutboundMail.id.in_(ids))
                .values(status=MailStatus.SENDING, claim_token=token, claimed_at=now))
    return token, ids


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def send_batch(limit: int = 50, echo: Callable[[str], None] = print) -> Outcome:
    """Claim one batch, deliver it (SMTP, or the console without RMT_SMTP_URL), record it."""
    outcome = Outcome()
    token, ids = claim_batch(limit)
    if not ids:
        return outcome
    with unit_of_work(write=False):
        mails = list(db.session.scalars(
            sa.select(OutboundMail).where(OutboundMail.id.in_(ids),
                                          OutboundMail.claim_token == token)
            .order_by(OutboundMail.id)))
        bodies = _render_bodies(mails)
        sender = current_app.config["RMT_MAIL_FROM"]
        messages = [(mail.id, mail.attempts,
                     build_message(mail, sender, *bodies.get(mail.id, (mail.body_text,
                                                                       mail.body_html))))
                    for mail in mails]
    results = _deliver(messages, echo)
    _record(token, messages, results, outcome)
    return outcome


def _render_bodies(mails: list[OutboundMail]) -> dict[int, tuple[str, str]]:
    """The bodies of notification mails (the receivers leave them to the sender), by mail id;
    one query for the batch. Nothing is written back."""
    pending = [m for m in mails if m.notification_id is not None and not m.body_text]
    if not pending:
        return {}
    notifications = {n.id: n for n in db.session.scalars(sa.select(Notification).where(
        Notification.id.in_([m.notification_id for m in pending])))}
    return {mail.id: mail_bodies(notifications[mail.notification_id]) for mail in pending}


def _deliver(messages: list[tuple[int, int, EmailMessage]],
             echo: Callable[[str], None]) -> dict[int, str | None]:
    """Send each message; the error text per id (None: delivered)."""
    url = current_app.config.get("RMT_SMTP_URL")
    if not url:
        for _id, _attempts, message in messages:
            body = message.get_body(("plain",))
            echo(f"--- e-mail (geen RMT_SMTP_URL: niet verzonden) ---\n"
                 f"Aan: {message['To']}\nOnderwerp: {message['Subject']}\n\n"
                 f"{body.get_content() if body else ''}")
        return {mail_id: None for mail_id, _a, _m in messages}
    results: dict[int, str | None] = {}
    try:
        server = SmtpSettings.parse(url).connect()
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        return {mail_id: _error_text(exc) for mail_id, _a, _m in messages}
    try:
        for mail_id, _attempts, message in messages:
            try:
                server.send_message(message)
                results[mail_id] = None
            except (OSError, smtplib.SMTPException) as exc:
                results[mail_id] = _error_text(exc)
                # SMTPException is an OSError too: only a lost connection ends the batch.
                lost = (isinstance(exc, smtplib.SMTPServerDisconnected)
                        or not isinstance(exc, smtplib.SMTPException))
                if lost:
                    break
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    for mail_id, _a, _m in messages:
        results.setdefault(mail_id, "niet verzonden: de verbinding viel weg")
    return results


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: base × 2^(attempts − 1), at most a day."""
    base = current_app.config["RMT_NOTIFY_BACKOFF_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def _record(token: str, messages: list[tuple[int, int, EmailMessage]],
            results: dict[int, str | None], outcome: Outcome) -> None:
    max_attempts = current_app.config["RMT_NOTIFY_MAX_ATTEMPTS"]
    with unit_of_work(write=True):
        now = clock.now()
        for mail_id, attempts, _message in messages:
            error = results[mail_id]
            mine = sa.update(OutboundMail).where(OutboundMail.id == mail_id,
                                                 OutboundMail.claim_token == token)
            tries = attempts + 1
            if error is None:
                db.session.execute(mine.values(status=MailStatus.SENT, sent_at=now,
                                               attempts=tries, claim_token=None,
                                               last_error=""))
                outcome.sent += 1
            elif tries >= max_attempts:
                db.session.execute(mine.values(status=MailStatus.DEAD, attempts=tries,
                                               claim_token=None, last_error=error))
                outcome.dead += 1
                outcome.errors.append(error)
            else:
                db.session.execute(mine.values(status=MailStatus.PENDING, attempts=tries,
                                               claim_token=None, last_error=error,
                                               next_attempt_at=now + backoff(tries)))
                outcome.retried += 1
                outcome.errors.append(error)


def send_all(limit: int = 50, echo: Callable[[str], None] = print) -> Outcome:
    """Send batches until nothing is due (what ``notify send`` does once)."""
    total = Outcome()
    while True:
        outcome = send_batch(limit, echo)
        total.sent += outcome.sent
        total.retried += outcome.retried
        total.dead += outcome.dead
        total.errors += outcome.errors
        if outcome.sent + outcome.retried + outcome.dead < limit:
            return total


# ---------------------------------------------------------------------------------------------
# Aftercare follow-ups due


def follow_up_recipients(placement: Placement, case: Case) -> list[User]:
    """The liaison who recorded the placement, else the liaisons of the case's region."""
    recorder = db.session.get(User, placement.created_by_id)
    if (recorder is not None and recorder.active and recorder.role == Role.LIAISON
            and case.region_code in recorder.region_codes):
        return [recorder]
    return region_staff(case.region_code, Role.LIAISON)


def open_follow_ups(today: date) -> list[tuple[FollowUp, Placement, Case]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(FollowUp, Placement, Case)
        .join(Placement, FollowUp.placement_id == Placement.id)
        .join(Case, Placement.case_id == Case.id)
        .where(FollowUp.still_employed.is_(None), FollowUp.due_on <= today)
        .order_by(FollowUp.due_on, FollowUp.id))]


def notify_due_follow_ups(today: date) -> int:
    """A notification per follow-up that is due and not yet recorded, once: a placement's
    recipient is not notified again for a due date it was already notified on or after."""
    written = 0
    for follow_up, placement, case in open_follow_ups(today):
        since = datetime.combine(follow_up.due_on, datetime.min.time(), tzinfo=clock.now().tzinfo)
        for user in follow_up_recipients(placement, case):
            done = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
                Notification.user_id == user.id, Notification.kind == Kind.FOLLOW_UP_DUE,
                Notification.record_type == "placement",
                Notification.record_id == placement.id, Notification.created_at >= since))
            if not done:
                written += len(notify([user], Kind.FOLLOW_UP_DUE, "placement", placement.id,
                                      case_id=case.id))
    return written


# ---------------------------------------------------------------------------------------------
# The daily summary


@dataclass
class DigestLine:
    text: str
    url: str


@dataclass
class Digest:
    user: User
    tasks: list[DigestLine] = field(default_factory=list)
    follow_ups: list[DigestLine] = field(default_factory=list)
    notifications: list[DigestLine] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.tasks or self.follow_ups or self.notifications)


def _when(day: date, today: date) -> str:
    label = f"{day:%d-%m-%Y}"
    return f"{label} (te laat)" if day < today else f"{label} (vandaag)"


def collect_digests(today: date) -> list[Digest]:
    """Per user: open tasks and follow-ups due today or earlier, and the notifications that
    wait for the summary (delivery "digest"). Only numbers and dates: no task titles (they may
    name a candidate)."""
    digests: dict[int, Digest] = {}

    def digest_of(user: User) -> Digest:
        return digests.setdefault(user.id, Digest(user))

    tasks = db.session.execute(
        sa.select(Task, User).join(User, Task.owner_id == User.id)
        .where(Task.done_at.is_(None), Task.due_on <= today, User.active.is_(True))
        .order_by(Task.due_on, Task.id))
    for task, owner in tasks:
        digest_of(owner).tasks.append(DigestLine(
            f"Actie bij traject {task.case_id}, uiterlijk {_when(task.due_on, today)}",
            record_url("case", task.case_id, external=True)))
    for follow_up, placement, case in open_follow_ups(today):
        for user in follow_up_recipients(placement, case):
            digest_of(user).follow_ups.append(DigestLine(
                ngettext("Nazorgcontact na %(num)d maand", "Nazorgcontact na %(num)d maanden",
                         follow_up.months) + f" bij traject {case.id}, "
                f"verwacht {_when(follow_up.due_on, today)}",
                record_url("placement", placement.id, external=True)))
    waiting = db.session.execute(
        sa.select(Notification, User).join(User, Notification.user_id == User.id)
        .join(Preference, sa.and_(Preference.user_id == Notification.user_id,
                                  Preference.kind == Notification.kind))
        .where(Preference.delivery == Delivery.DIGEST, Notification.digested_at.is_(None),
               User.active.is_(True))
        .order_by(Notification.id))
    for notification, user in waiting:
        digest = digest_of(user)
        digest.notifications.append(DigestLine(
            sentence(notification),
            record_url(notification.record_type, notification.record_id, external=True)))
        digest.notification_ids.append(notification.id)
    return [d for d in digests.values() if not d.empty]


def queue_digests(today: date) -> int:
    """One summary mail per user and day in the outbox (a second run that day adds none)."""
    queued = 0
    now = clock.now()
    for digest in collect_digests(today):
        key = f"digest:{digest.user.id}:{today.isoformat()}"
        exists = db.session.scalar(sa.select(OutboundMail.id).where(
            OutboundMail.dedupe_key == key))
        if exists:
            continue
        subject = f"RMT: uw overzicht van {today:%d-%m-%Y}"
        context = {"digest": digest, "today": today, "subject": subject}
        db.session.add(OutboundMail(
            user_id=digest.user.id, to_address=digest.user.email, subject=subject,
            body_text=render_mail("notifications/mail/digest.txt", **context),
            body_html=render_mail("notifications/mail/digest.html", **context),
            dedupe_key=key))
        if digest.notification_ids:
            db.session.execute(sa.update(Notification)
                               .where(Notification.id.in_(digest.notification_ids))
                               .values(digested_at=now))
        queued += 1
    db.session.flush()
    return queued
