"""PostgreSQL connection loss: killed backends give 503 + Retry-After, never a 500, and the
pool recovers on its own (``rmt.pool``: a connection the server closed is replaced before use).

The app's connections are terminated with ``pg_terminate_backend`` between requests and while
requests run, as a database restart or failover would do.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from rmt.cases.models import Note
from rmt.extensions import db
from tests.concurrency.live import Answer, bearer, note_body, run_threads
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="SQLite has no server connection to lose; runs with RMT_TEST_DATABASE_URL=postgresql")

TERMINATE = sa.text("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
STILL_RUNNING = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)")


@pytest.fixture
def killer(live):
    server, _data = live
    engine = sa.create_engine(server.app.config["SQLALCHEMY_DATABASE_URI"],
                              isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)

    def kill() -> int:
        """Terminate the app's connections; return once the server has closed them (as after
        a restart: the server process is gone and has told its client so)."""
        with engine.connect() as conn:
            pids = [pid for pid, terminated in conn.execute(TERMINATE) if terminated]
            deadline = time.monotonic() + 10
            while pids and conn.scalar(STILL_RUNNING, {"pids": pids}) \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
        return len(pids)

    yield kill
    engine.dispose()


def _acceptable(answer: Answer, html: bool = False) -> bool:
    if answer.status in (200, 201):
        return True
    kind = "text/html" if html else "application/problem+json"
    return (answer.status == 503 and bool(answer.headers.get("retry-after"))
            and answer.headers.get("content-type", "").startswith(kind))


def test_killed_idle_connections_are_replaced(live, killer):
    server, data = live
    token = bearer(data.coach_token)
    for _ in range(3):  # fill the pool with a few connections
        assert server.call("GET", "/api/v1/cases", headers=token).status == 200
    assert killer() >= 1
    assert server.call("GET", "/api/v1/cases", headers=token).status == 200
    created = server.call("POST", f"/api/v1/cases/{data.loss_case}/notes",
                          json_body=note_body("loss idle"), headers=token)
    assert created.status == 201, created.body


def test_killed_connections_while_requests_run(live, killer):
    server, data = live
    token = bearer(data.coach_token)
    session = server.sign_in(data.coach_email)
    stop = threading.Event()
    answers: list[tuple[str, Answer]] = []
    pages: list[Answer] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        n = 0
        while not stop.is_set():
            if index == 0:  # a signed-in browser reading the case page
                answer = server.call("GET", f"/trajecten/{data.loss_case}", headers=session)
                with lock:
                    pages.append(answer)
                continue
            if n % 2:
                tag = f"loss busy c{index} n{n}"
                answer = server.call("POST", f"/api/v1/cases/{data.loss_case}/notes",
                                     json_body=note_body(tag), headers=token)
            else:
                tag = ""
                answer = server.call("GET", "/api/v1/cases", headers=token)
            with lock:
                answers.append((tag, answer))
            n += 1

    def kill_repeatedly() -> None:
        for _ in range(8):
            time.sleep(0.25)
            killer()
        stop.set()

    run_threads([threading.Thread(target=client, args=(n,)) for n in range(5)]
                + [threading.Thread(target=kill_repeatedly)], timeout=60)

    wrong = [(tag, a.status, a.headers.get("content-type"), a.body[:200])
             for tag, a in answers if not _acceptable(a)]
    assert not wrong, wrong
    wrong_pages = [(a.status, a.headers.get("content-type")) for a in pages
                   if not _acceptable(a, html=True)]
    assert pages and not wrong_pages, wrong_pages
    statuses = Counter(a.status for _tag, a in answers)
    print("connection-loss answers:", dict(statuses),
          "pages:", dict(Counter(a.status for a in pages)))
    assert statuses[200] + statuses[201] > 0, statuses

    # The pool recovers: the next requests work.
    assert server.call("GET", "/api/v1/cases", headers=token).status == 200
    assert server.call("GET", f"/trajecten/{data.loss_case}", headers=session).status == 200
    assert server.call("POST", f"/api/v1/cases/{data.loss_case}/notes",
                       json_body=note_body("loss after"), headers=token).status == 201

    acknowledged = {tag for tag, a in answers if a.status == 201}
    refused = {tag for tag, a in answers if tag and a.status == 503}
    with server.app.app_context():
        stored = Counter(db.session.scalars(sa.select(Note.text).where(
            Note.text.like("loss busy %"))).all())
        db.session.remove()
    assert all(stored[tag] == 1 for tag in acknowledged), stored
    assert set(stored) <= acknowledged | refused
    assert all(count == 1 for count in stored.values())
