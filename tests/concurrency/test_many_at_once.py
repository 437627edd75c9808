"""Many people at once, on SQLite and PostgreSQL alike, through the real WSGI app.

Eight API clients post twenty notes each, half on a case of their own and half on one shared
case, while others read the case page (signed in through the form), the case list and the
cases API. Then four coordinators approve eight requests against a budget with room for three,
while others read. Nothing may answer 5xx, every acknowledged note is stored exactly once,
nothing unacknowledged is stored, no budget is overspent and the audit chain stays intact.
"""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa

from rmt.audit import verify_chain
from rmt.cases.models import Note
from rmt.extensions import db
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher
from tests.concurrency.live import (
    BUDGET_CENTS,
    COORDINATORS,
    VOUCHER_CENTS,
    WRITERS,
    Answer,
    bearer,
    note_body,
    run_threads,
)

NOTES_PER_WRITER = 20


class Readers:
    """Reader threads that loop until stopped, keeping every answer's status."""

    def __init__(self, server, requests: list[tuple[str, dict[str, str]]]) -> None:
        self.server = server
        self.requests = requests
        self.stop = threading.Event()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()

    def thread(self, index: int) -> threading.Thread:
        def loop() -> None:
            n = index
            while not self.stop.is_set():
                path, headers = self.requests[n % len(self.requests)]
                status = self.server.call("GET", path, headers=headers).status
                with self.lock:
                    self.statuses[(path, status)] += 1
                n += 1
        return threading.Thread(target=loop)


def _server_errors(statuses: Counter) -> dict:
    return {key: count for key, count in statuses.items() if key[1] >= 500}


def test_many_writers_and_readers(live):
    server, data = live
    app = server.app
    session = server.sign_in(data.coach_email)
    coach = bearer(data.coach_token)
    readers = Readers(server, [
        (f"/trajecten/{data.shared_case}", session),
        ("/trajecten", session),
        ("/api/v1/cases", coach),
        (f"/trajecten/{data.writer_cases[0]}", session),
    ])
    acknowledged: dict[str, int] = {}
    answers: Counter[int] = Counter()
    problems: list[str] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        for n in range(NOTES_PER_WRITER):
            case_id = data.shared_case if n % 2 else data.writer_cases[index]
            tag = f"concurrency w{index} n{n} c{case_id}"
            answer: Answer = server.call("POST", f"/api/v1/cases/{case_id}/notes",
                                         json_body=note_body(tag), headers=coach)
            with lock:
                answers[answer.status] += 1
                if answer.status == 201:
                    acknowledged[tag] = answer.json()["id"]
                elif answer.status >= 500:
                    problems.append(f"{answer.status} {answer.body[:300]!r}")

    reader_threads = [readers.thread(n) for n in range(4)]
    for thread in reader_threads:
        thread.start()
    try:
        run_threads([threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)])
    finally:
        readers.stop.set()
        for thread in reader_threads:
            thread.join(timeout=60)

    assert not problems, problems
    assert not _server_errors(readers.statuses), readers.statuses
    assert answers == {201: WRITERS * NOTES_PER_WRITER}, answers
    assert sum(readers.statuses.values()) >= 4
    assert {status for (_path, status) in readers.statuses} == {200}, readers.statuses

    with app.app_context():
        stored = db.session.execute(sa.select(Note.text, Note.id).where(
            Note.text.like("concurrency w%"))).all()
        assert Counter(text for text, _id in stored) == Counter(acknowledged.keys())  # once each
        assert dict(stored) == acknowledged  # under the id the answer gave
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Note).where(
            Note.case_id == data.shared_case)) == WRITERS * NOTES_PER_WRITER // 2
        result = verify_chain()
        assert result.ok, result
        db.session.remove()


def test_approvals_against_one_budget_never_overspend(live):
    server, data = live
    app = server.app
    coach = bearer(data.coach_token)
    readers = Readers(server, [
        ("/api/v1/vouchers", coach),
        (f"/api/v1/budgets/{data.budget}", bearer(data.coordinator_tokens[0])),
        ("/api/v1/cases", coach),
    ])
    outcomes: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def coordinator(index: int) -> None:
        token = bearer(data.coordinator_tokens[index])
        for voucher_id in data.vouchers[index::COORDINATORS]:
            answer = server.call("POST", f"/api/v1/vouchers/{voucher_id}/decision",
                                 json_body={"decision": "toegekend", "note": ""}, headers=token)
            code = answer.json().get("code", "") if answer.status != 200 else ""
            with lock:
                outcomes.append((voucher_id, answer.status, code))

    reader_threads = [readers.thread(n) for n in range(3)]
    for thread in reader_threads:
        thread.start()
    try:
        run_threads([threading.Thread(target=coordinator, args=(n,))
                     for n in range(COORDINATORS)])
    finally:
        readers.stop.set()
        for thread in reader_threads:
            thread.join(timeout=60)

    assert not _server_errors(readers.statuses), readers.statuses
    assert {status for (_path, status) in readers.statuses} == {200}, readers.statuses
    statuses = Counter(status for _id, status, _code in outcomes)
    granted = BUDGET_CENTS // VOUCHER_CENTS
    assert statuses == {200: granted, 409: len(data.vouchers) - granted}, outcomes
    assert {code for _id, status, code in outcomes if status == 409} == {
        "exceeds_remaining_budget"}, outcomes

    with app.app_context():
        approved = db.session.scalars(sa.select(Voucher.id).where(
            Voucher.id.in_(data.vouchers), Voucher.status == VoucherStatus.TOEGEKEND)).all()
        assert sorted(approved) == sorted(i for i, status, _code in outcomes if status == 200)
        committed = db.session.scalar(sa.select(sa.func.sum(Voucher.amount_cents)).where(
            Voucher.budget_id == data.budget, Voucher.status == VoucherStatus.TOEGEKEND))
        assert committed <= BUDGET_CENTS
        result = verify_chain()
        assert result.ok, result
        db.session.remove()
