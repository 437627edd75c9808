"""The scheduled and operator commands run while people work, on SQLite and PostgreSQL alike.

While API clients add notes and others read pages, the demo seed, the statistics rebuild (in
batches) and the retention run do their work through the same unit of work as the requests.
Neither side may fail: no 5xx for the people, exit code 0 for the commands, every acknowledged
note stored exactly once, and the audit chain intact.
"""

from __future__ import annotations

import threading
from collections import Counter

import sqlalchemy as sa

from rmt.audit import verify_chain
from rmt.cases.models import Note
from rmt.extensions import db
from rmt.stats.models import StatCase
from tests.concurrency.live import Answer, bearer, note_body, run_threads
from tests.concurrency.test_many_at_once import Readers

WRITERS = 4
NOTES_PER_WRITER = 15
COMMANDS = (
    ["demo", "seed", "--cases", "40"],
    ["stats", "rebuild", "--batch-size", "5"],
    ["retention", "run", "--batch-size", "5"],
)


def test_commands_and_people_at_the_same_time(live):
    server, data = live
    app = server.app
    coach = bearer(data.coach_token)
    session = server.sign_in(data.coach_email)
    readers = Readers(server, [
        (f"/trajecten/{data.writer_cases[1]}", session),
        ("/api/v1/cases", coach),
    ])
    acknowledged: dict[str, int] = {}
    answers: Counter[int] = Counter()
    lock = threading.Lock()

    def writer(index: int) -> None:
        for n in range(NOTES_PER_WRITER):
            tag = f"cli-while-working w{index} n{n}"
            answer: Answer = server.call("POST", f"/api/v1/cases/{data.writer_cases[index]}/notes",
                                         json_body=note_body(tag), headers=coach)
            with lock:
                answers[answer.status] += 1
                if answer.status == 201:
                    acknowledged[tag] = answer.json()["id"]

    results: list[tuple[list[str], int, str]] = []

    def operator() -> None:
        runner = app.test_cli_runner()
        for args in COMMANDS:
            result = runner.invoke(args=args, catch_exceptions=True)
            results.append((args, result.exit_code, result.output[-500:]))

    reader_threads = [readers.thread(n) for n in range(2)]
    for thread in reader_threads:
        thread.start()
    try:
        run_threads([threading.Thread(target=operator),
                     *(threading.Thread(target=writer, args=(n,)) for n in range(WRITERS))],
                    timeout=300)
    finally:
        readers.stop.set()
        for thread in reader_threads:
            thread.join(timeout=60)

    assert [(args, code) for args, code, _out in results] == [(args, 0) for args in COMMANDS], \
        results
    assert answers == {201: WRITERS * NOTES_PER_WRITER}, answers
    assert {status for (_path, status) in readers.statuses} == {200}, readers.statuses
    with app.app_context():
        stored = dict(db.session.execute(sa.select(Note.text, Note.id).where(
            Note.text.like("cli-while-working w%"))).all())
        assert stored == acknowledged
        # The rebuilt summary covers every case, the demo cases included.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatCase)) >= 40
        result = verify_chain()
        assert result.ok, result
        db.session.remove()
