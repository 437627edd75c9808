"""Two ``notify send`` at once on a real database (SQLite file or PostgreSQL) and a real SMTP
server: every mail is delivered exactly once. The senders claim batches first (SKIP LOCKED on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so a mail claimed by one is never sent by the other."""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa
from flask import Flask

from rmt.auth.models import Role
from rmt.extensions import db
from rmt.notifications import outbox
from rmt.notifications.models import MailStatus, OutboundMail
from rmt.transaction import unit_of_work
from tests import factories
from tests.notifications.smtp import SmtpServer

MAILS = 30


def _seed(app: Flask) -> None:
    with app.app_context(), unit_of_work():
        factories.bind_session(db.session)
        user = factories.UserFactory(role=Role.COORDINATOR, regions=["MU"],
                                     email="ontvanger@notify.test")
        for number in range(MAILS):
            db.session.add(OutboundMail(user_id=user.id, to_address=user.email,
                                        subject=f"RMT: bericht {number}", body_text="tekst",
                                        body_html="<p>tekst</p>"))


def test_two_senders_never_send_a_mail_twice(fresh_app: Flask) -> None:
    server = SmtpServer().start()
    server.handler.delay = 0.02  # each delivery takes a moment, so the senders overlap
    try:
        fresh_app.config["RMT_SMTP_URL"] = server.url
        _seed(fresh_app)
        barrier = threading.Barrier(2)
        results: list[outbox.Outcome] = []
        errors: list[BaseException] = []

        def sender() -> None:
            try:
                with fresh_app.app_context():
                    barrier.wait(timeout=30)
                    results.append(outbox.send_all(limit=4, echo=lambda _text: None))
                    db.session.remove()
            except BaseException as exc:  # reported below, with the thread's traceback lost
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        subjects = Counter(server.handler.subjects())
        assert len(subjects) == MAILS
        assert set(subjects.values()) == {1}  # no duplicate
        assert sum(r.sent for r in results) == MAILS
        assert all(r.sent > 0 for r in results)  # both really sent
        with fresh_app.app_context():
            statuses = set(db.session.scalars(sa.select(OutboundMail.status)))
            db.session.remove()
        assert statuses == {MailStatus.SENT}
    finally:
        server.stop()
