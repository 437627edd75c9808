"""The event "privacy request waiting": the region's privacy handlers hear of a request a coach
recorded, in the app and by e-mail through the real SMTP server of the tests, without any
personal data of the candidate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt import clock, transaction
from rmt.extensions import db
from rmt.notifications import outbox
from rmt.notifications.models import Kind, Notification, OutboundMail
from rmt.privacy import requests
from tests.helpers import count
from tests.notifications.conftest import FIRST_NAME, LAST_NAME


def record(user, case):
    return requests.record_request(user, case, kind="verwijdering", received_on=clock.today(),
                                   note="Verzoek per brief, kopie in het postregister.")


def test_privacy_request_waiting_mailed_to_the_handlers(smtp, case, coach, coordinators,
                                                        other_coordinator):
    item = record(coach, case)
    notified = db.session.scalars(sa.select(Notification.user_id).where(
        Notification.kind == Kind.PRIVACY_REQUEST).order_by(Notification.user_id)).all()
    assert notified == sorted(c.id for c in coordinators)
    assert outbox.send_all().sent == 2
    assert sorted(str(m["To"]) for m in smtp.handler.messages) == sorted(
        c.email for c in coordinators)
    assert other_coordinator.email not in {str(m["To"]) for m in smtp.handler.messages}
    message = smtp.handler.messages[0]
    subject = str(message["Subject"])
    assert subject == f"RMT: Privacyverzoek wacht op afhandeling (privacyverzoek {item.id})"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Privacyverzoek {item.id} (traject {case.id}) wacht op afhandeling" in plain
    assert f"/privacy/verzoeken/{item.id}" in plain and f"/privacy/verzoeken/{item.id}" in html
    for text in (subject, plain, html):
        for personal in (FIRST_NAME, LAST_NAME, case.candidate.email, "postregister",
                         f"{case.candidate.birth_date:%d-%m-%Y}"):
            assert personal not in text


def test_a_coordinator_who_records_it_is_not_told_but_the_others_are(smtp, case,
                                                                      coordinators):
    record(coordinators[0], case)
    assert [n.user_id for n in db.session.scalars(sa.select(Notification))] == [
        coordinators[1].id]


class Undone(Exception):
    pass


def test_nothing_is_sent_when_the_recording_is_rolled_back(smtp, case, coach, coordinators):
    with pytest.raises(Undone), transaction.attempt():
        record(coach, case)
        assert count(Notification) == 2 and count(OutboundMail) == 2
        raise Undone
    assert count(Notification) == 0 and count(OutboundMail) == 0
    assert outbox.send_all().sent == 0 and smtp.handler.messages == []
