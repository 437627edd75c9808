"""The outbox delivered to a real SMTP server (aiosmtpd, started by the tests): delivery,
retry after a refusal, dead letters, the console in development, the daily summary, and that no
candidate's name ever appears in a message."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from rmt import clock, transaction
from rmt.cases import service as cases
from rmt.employers.models import FollowUp, Placement
from rmt.extensions import db
from rmt.notifications import outbox
from rmt.notifications.models import (
    Delivery,
    Kind,
    MailStatus,
    Notification,
    OutboundMail,
    Preference,
)
from rmt.notifications.outbox import SmtpSettings
from rmt.vouchers import service as vouchers
from tests.factories import EmployerFactory, TaskFactory, UserFactory
from tests.helpers import count
from tests.notifications.conftest import FIRST_NAME, LAST_NAME
from tests.notifications.test_events import request_voucher


def test_smtp_url_forms():
    plain = SmtpSettings.parse("smtp://mail%40rmt.nl:ge%3Aheim@mail.example:587?starttls=1")
    assert (plain.host, plain.port, plain.starttls, plain.ssl) == ("mail.example", 587, True,
                                                                   False)
    assert (plain.username, plain.password) == ("mail@rmt.nl", "ge:heim")
    implicit = SmtpSettings.parse("smtps://u:p@mail.example")
    assert (implicit.port, implicit.ssl, implicit.starttls) == (465, True, False)


def test_delivery_plain_text_and_html_in_dutch(smtp, case, coordinators):
    voucher = request_voucher(case)
    outcome = outbox.send_all()
    assert outcome.sent == 2
    assert sorted(str(m["To"]) for m in smtp.handler.messages) == sorted(
        c.email for c in coordinators)
    message = smtp.handler.messages[0]
    assert f"voucher {voucher.id}" in str(message["Subject"])
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Voucheraanvraag {voucher.id} (traject {case.id}) wacht op uw besluit." in plain
    assert f"/vouchers/{voucher.id}" in plain and f"/vouchers/{voucher.id}" in html
    assert '<html lang="nl">' in html
    assert {m.status for m in db.session.scalars(sa.select(OutboundMail))} == {MailStatus.SENT}
    assert outbox.send_all().sent == 0  # nothing twice


def test_retry_after_the_server_refused(smtp, app, case, coordinators):
    smtp.handler.refuse = 1
    request_voucher(case)
    first = outbox.send_all()
    assert (first.sent, first.retried) == (1, 1)
    waiting = db.session.scalar(sa.select(OutboundMail).where(
        OutboundMail.status == MailStatus.PENDING))
    assert waiting.attempts == 1 and "451" in waiting.last_error
    assert waiting.next_attempt_at > clock.now()  # backoff: not before its time
    assert outbox.send_all().sent == 0
    waiting.next_attempt_at = clock.now() - timedelta(seconds=1)
    db.session.flush()
    assert outbox.send_all().sent == 1
    assert len(smtp.handler.messages) == 2
    assert waiting.attempts == 2 and waiting.status == MailStatus.SENT


def test_backoff_doubles(app):
    with app.test_request_context():
        app.config["RMT_NOTIFY_BACKOFF_SECONDS"] = 60
        assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


def test_dead_letter_after_the_configured_attempts_shown_to_the_admin(
        smtp, app, client, login_as, case, coordinators):
    app.config["RMT_NOTIFY_MAX_ATTEMPTS"] = 2
    app.config["RMT_NOTIFY_BACKOFF_SECONDS"] = 0
    smtp.handler.refuse_always = True
    request_voucher(case)
    assert outbox.send_all().retried == 2
    assert outbox.send_all().dead == 2
    dead = db.session.scalars(sa.select(OutboundMail)).all()
    assert {(m.status, m.attempts) for m in dead} == {(MailStatus.DEAD, 2)}
    assert outbox.send_all().dead == 0  # given up: no more tries
    login_as("admin")
    page = client.get("/beheer/onbestelbare-e-mail").get_data(as_text=True)
    assert dead[0].to_address in page and "451" in page
    client.post_form(f"/beheer/onbestelbare-e-mail/{dead[0].id}/opnieuw",
                     token_page="/beheer/onbestelbare-e-mail")
    db.session.refresh(dead[0])
    assert (dead[0].status, dead[0].attempts) == (MailStatus.PENDING, 0)


def test_dead_letters_page_is_for_the_admin_only(client, login_as):
    login_as("coordinator", "MU")
    assert client.get("/beheer/onbestelbare-e-mail").status_code == 403


def test_no_mail_after_a_rollback(smtp, case, coordinators):
    try:
        with transaction.attempt():
            request_voucher(case)
            raise RuntimeError("mislukt")
    except RuntimeError:
        pass
    assert outbox.send_all().sent == 0
    assert smtp.handler.messages == []


def test_without_smtp_the_mail_is_printed_and_marked_sent(app, case, coordinators):
    app.config["RMT_SMTP_URL"] = None
    printed: list[str] = []
    request_voucher(case)
    assert outbox.send_all(echo=printed.append).sent == 2
    assert len(printed) == 2 and "Voucheraanvraag" in printed[0]
    assert count(OutboundMail, OutboundMail.status == MailStatus.SENT) == 2


def test_the_cli_sends_to_the_console_without_smtp(app, case, coordinators):
    app.config["RMT_SMTP_URL"] = None
    request_voucher(case)
    result = app.test_cli_runner().invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "geen RMT_SMTP_URL" in result.output and "Verzonden: 2" in result.output


def _placement(case, liaison, *, months_ago: int = 2) -> Placement:
    employer = EmployerFactory()
    start = clock.today() - timedelta(days=31 * months_ago)
    placement = Placement(case=case, employer=employer, job_title="Orderpicker",
                          contract_type="vast", hours_per_week=32, start_on=start,
                          created_by_id=liaison.id)
    db.session.add(placement)
    db.session.flush()
    db.session.add(FollowUp(placement=placement, months=1, due_on=start + timedelta(days=31)))
    db.session.flush()
    return placement


def test_digest_lists_due_tasks_and_follow_ups_without_personal_data(smtp, app, case, coach):
    liaison = UserFactory(role="liaison", regions=["MU"])
    today = clock.today()
    TaskFactory(case=case, owner=coach, title=f"Bel {FIRST_NAME} {LAST_NAME}",
                due_on=today - timedelta(days=2))
    TaskFactory(case=case, owner=coach, title="Later", due_on=today + timedelta(days=5))
    placement = _placement(case, liaison)
    db.session.add(Preference(user_id=coach.id, kind=Kind.CASE_REASSIGNED,
                              delivery=Delivery.DIGEST))
    other = UserFactory(role="coach", regions=["MU"])
    cases.reassign(coach, case, other, None)
    cases.reassign(other, case, coach, None)  # the coach's notification waits for the digest
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 dagoverzichten klaargezet" in result.output  # the coach and the liaison
    again = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert "0 dagoverzichten klaargezet" in again.output  # one per user and day
    outbox.send_all()
    by_to = {str(m["To"]): m for m in smtp.handler.messages}
    coach_text = by_to[coach.email].get_body(("plain",)).get_content()
    assert f"Actie bij traject {case.id}, uiterlijk" in coach_text and "(te laat)" in coach_text
    assert coach_text.count("Actie bij traject") == 1  # not the task due later
    assert f"Traject {case.id} is aan u toegewezen." in coach_text
    liaison_text = by_to[liaison.email].get_body(("plain",)).get_content()
    assert f"Nazorgcontact na 1 maand bij traject {case.id}" in liaison_text
    assert f"/plaatsingen/{placement.id}" in liaison_text
    for text in smtp.handler.texts():
        assert FIRST_NAME not in text and LAST_NAME not in text and "Bel " not in text


def test_digest_carries_the_notifications_waiting_for_it(smtp, app, case, coordinators):
    for coordinator in coordinators:
        db.session.add(Preference(user_id=coordinator.id, kind=Kind.VOUCHER_REQUESTED,
                                  delivery=Delivery.DIGEST))
    db.session.flush()
    voucher = request_voucher(case)
    assert count(OutboundMail) == 0
    with transaction.unit_of_work():
        assert outbox.queue_digests(clock.today()) == 2
    outbox.send_all()
    assert len(smtp.handler.messages) == 2
    assert all(f"Voucheraanvraag {voucher.id}" in t for t in smtp.handler.texts())
    assert count(Notification, Notification.digested_at.is_(None)) == 0


def test_app_only_preference_is_in_neither_mail_nor_digest(smtp, case, coordinators):
    for coordinator in coordinators:
        db.session.add(Preference(user_id=coordinator.id, kind=Kind.VOUCHER_REQUESTED,
                                  delivery=Delivery.APP))
    db.session.flush()
    request_voucher(case)
    assert outbox.queue_digests(clock.today()) == 0
    assert outbox.send_all().sent == 0
    assert count(Notification) == 2


def test_follow_up_due_is_notified_once_to_the_liaison_who_placed(smtp, app, case):
    liaison = UserFactory(role="liaison", regions=["MU"])
    colleague = UserFactory(role="liaison", regions=["MU"])
    _placement(case, liaison)
    runner = app.test_cli_runner()
    assert "1 melding over" in runner.invoke(args=["notify", "due"]).output
    assert "0 meldingen over" in runner.invoke(args=["notify", "due"]).output
    rows = db.session.scalars(sa.select(Notification)).all()
    assert [(n.user_id, n.kind) for n in rows] == [(liaison.id, Kind.FOLLOW_UP_DUE)]
    assert colleague.id not in {n.user_id for n in rows}


def test_follow_up_goes_to_the_regions_liaisons_when_the_placer_left(smtp, app, case):
    liaison = UserFactory(role="liaison", regions=["MU"], active=False)
    colleagues = [UserFactory(role="liaison", regions=["MU"]) for _ in range(2)]
    _placement(case, liaison)
    with transaction.unit_of_work():
        assert outbox.notify_due_follow_ups(clock.today()) == 2
    assert {n.user_id for n in db.session.scalars(sa.select(Notification))} == {
        c.id for c in colleagues}


def test_no_candidate_name_in_any_message(smtp, case, coach, coordinators, other_coordinator):
    """Every kind of event, then every message: subjects and bodies hold no name."""
    colleague = UserFactory(role="coach", regions=["MU"])
    voucher = request_voucher(case)
    vouchers.decide(coordinators[0], voucher, approve=False, note=f"Niet voor {LAST_NAME}")
    cases.add_task(coach, case, title=f"Bel {FIRST_NAME}", due_on=date.today(), owner=colleague)
    cases.reassign(coach, case, colleague, None)
    transfer = cases.request_transfer(colleague, case, to_region_code="AM",
                                      reason=f"{FIRST_NAME} verhuist", expected_version=None)
    cases.decide_transfer(other_coordinator, transfer, accept=False, note=f"Niet {LAST_NAME}")
    assert outbox.send_all().sent >= 6
    kinds = {n.kind for n in db.session.scalars(sa.select(Notification))}
    assert kinds >= {Kind.VOUCHER_REQUESTED, Kind.VOUCHER_DECIDED, Kind.TASK_ASSIGNED,
                     Kind.CASE_REASSIGNED, Kind.TRANSFER_REQUESTED, Kind.TRANSFER_DECIDED}
    for text in smtp.handler.texts():
        assert FIRST_NAME not in text and LAST_NAME not in text


def test_a_claim_left_by_a_dead_sender_is_taken_over(smtp, case, coordinators):
    request_voucher(case)
    _token, ids = outbox.claim_batch(10)
    assert len(ids) == 2
    assert outbox.send_all().sent == 0  # claimed by the (now silent) first sender
    for mail in db.session.scalars(sa.select(OutboundMail)):
        mail.claimed_at = clock.now() - outbox.CLAIM_TIMEOUT - timedelta(seconds=1)
    db.session.flush()
    assert outbox.send_all().sent == 2
    assert len(smtp.handler.messages) == 2
