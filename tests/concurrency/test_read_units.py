"""PostgreSQL: a read-only unit of work reads in autocommit (no BEGIN and COMMIT round trips);
the writes it defers run after the read, in a transaction where they need one (a write
statement, a lock held across statements) or as one statement that is its own (the audit
entry); every writing unit runs in a transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt import transaction
from rmt.audit import service as audit_service
from rmt.audit.models import AuditEntry
from rmt.auth.models import ApiToken
from rmt.cases.models import Case
from rmt.extensions import db
from tests.concurrency.live import bearer, note_body
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="SQLite reads in a plain BEGIN (rmt.transaction); runs on PostgreSQL")


def _statements(app, request):
    """(first word, whether the connection was in autocommit) of every statement ``request``
    (a function of a test client, or one calling the live server) runs, and its response."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_args):
        verb = statement.split()[0].upper()
        if "audit_chain_end" in statement:  # locks the audit chain
            verb = "LOCK"
        elif "audit_append" in statement:  # locks, checks the chain's end and appends
            verb = "APPEND"
        seen.append((verb, conn.connection.dbapi_connection.autocommit))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = request(app.test_client())
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen, response


def test_a_read_runs_in_autocommit_and_its_deferred_writes_after_it(live):
    """An API read: the token's last use is an UPDATE, which starts a transaction; the audit
    entry is the chain's end (read) and one statement that locks the chain, checks that end and
    appends."""
    server, data = live
    with server.app.app_context():  # the token's use is due to be recorded
        db.session.execute(sa.update(ApiToken).values(last_used_at=None))
        db.session.commit()
    seen, response = _statements(server.app, lambda client: client.get(
        f"/api/v1/cases/{data.loss_case}", headers=bearer(data.coach_token)))
    assert response.status_code == 200
    first_write = next(i for i, (verb, _auto) in enumerate(seen) if verb in ("UPDATE", "APPEND"))
    reads, writes = seen[:first_write], seen[first_write:]
    assert reads and all(autocommit for _verb, autocommit in reads)
    assert ("UPDATE", False) in writes and [verb for verb, _ in writes].count("APPEND") == 1
    assert "LOCK" not in [verb for verb, _ in seen]


def _last_entries(app, count):
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())
                                     .limit(count)).all()
        db.session.remove()
    return entries


def test_a_page_view_appends_its_audit_entry_without_a_transaction(live):
    """A signed-in page view reads in autocommit and appends its entry with two more
    statements (the chain's end; the checked append, its own transaction): no BEGIN, no
    COMMIT, no separate lock; the chain holds."""
    server, data = live
    session = server.sign_in(data.coach_email)
    seen, response = _statements(server.app, lambda _client: server.call(
        "GET", f"/trajecten/{data.loss_case}", headers=session))
    assert response.status == 200
    assert seen[-2:] == [("SELECT", True), ("APPEND", True)]
    assert all(autocommit for _verb, autocommit in seen)
    newest, before = _last_entries(server.app, 2)
    assert (newest.action, newest.object_id) == ("case.view", str(data.loss_case))
    assert newest.prev_hash == before.hash
    with server.app.app_context():
        assert audit_service.verify_chain().ok


def test_an_entry_hashed_against_an_old_chain_end_is_hashed_again(live, monkeypatch):
    """Another entry came between reading the chain's end and appending: the statement appends
    nothing and returns the real end; the entry is hashed against it and appended."""
    server, data = live
    session = server.sign_in(data.coach_email)
    # The chain's end as it was long ago: the first entry.
    monkeypatch.setattr(audit_service, "_LAST_HASH", sa.select(AuditEntry.hash)
                        .order_by(AuditEntry.id).limit(1))
    seen, response = _statements(server.app, lambda _client: server.call(
        "GET", f"/trajecten/{data.loss_case}", headers=session))
    assert response.status == 200
    assert [verb for verb, _ in seen].count("APPEND") == 2
    newest, before = _last_entries(server.app, 2)
    assert newest.prev_hash == before.hash
    with server.app.app_context():
        assert audit_service.verify_chain().ok


def test_a_busy_chain_appends_under_its_lock_in_a_transaction(live, monkeypatch):
    """When the chain's end keeps moving, the entry is appended as every write appends: the
    lock and the INSERT in one transaction (a lock taken by a SELECT in autocommit would end
    with that SELECT)."""
    server, data = live
    session = server.sign_in(data.coach_email)
    monkeypatch.setattr(audit_service, "_APPEND_ATTEMPTS", 0)
    seen, response = _statements(server.app, lambda _client: server.call(
        "GET", f"/trajecten/{data.loss_case}", headers=session))
    assert response.status == 200
    assert seen[-2:] == [("LOCK", False), ("INSERT", False)]
    with server.app.app_context():
        assert audit_service.verify_chain().ok


def test_a_write_after_reads_runs_in_a_transaction_on_the_same_pool(live):
    server, data = live
    token = bearer(data.coach_token)
    for _ in range(3):  # pooled connections that have served reads
        _statements(server.app, lambda client: client.get("/api/v1/cases", headers=token))
    seen, response = _statements(server.app, lambda client: client.post(
        f"/api/v1/cases/{data.loss_case}/notes", json=note_body("na het lezen"),
        headers=token))
    assert response.status_code == 201
    assert seen and not any(autocommit for _verb, autocommit in seen)


def _exit_reason_text(app, case_id):
    with app.app_context():
        return db.session.scalar(sa.select(Case.exit_reason_text).where(Case.id == case_id))


@pytest.mark.parametrize("ending", ["error", "commit"])
def test_a_read_unit_that_writes_anyway_writes_in_one_transaction(live, ending):
    """A GET view that writes directly (the SSO callback does) gets a transaction from its
    first write on: an error rolls every write back, the end of the unit commits them."""
    server, data = live
    app = server.app
    text = f"geschreven in een leesverzoek ({ending})"
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()  # a read-only unit of work begins
        try:
            assert db.session.scalar(sa.select(Case.id).where(Case.id == data.loss_case))
            db.session.execute(sa.update(Case).where(Case.id == data.loss_case)
                               .values(exit_reason_text=text))
            db.session.execute(sa.update(Case).where(Case.id == data.loss_case)
                               .values(exit_reason_text=text + "!"))
            assert not db.session.connection().connection.dbapi_connection.autocommit
            if ending == "commit":
                transaction.commit()
        finally:
            app.do_teardown_request()  # rolls back what was not committed
    stored = _exit_reason_text(app, data.loss_case)
    if ending == "commit":
        assert stored == text + "!"
    else:  # neither write stayed
        assert stored is None or "(error)" not in stored


def test_a_connection_asked_for_autocommit_keeps_it_in_a_read_unit(live):
    """Maintenance that must run outside a transaction (VACUUM) asks for autocommit itself:
    the read-unit switch leaves such a connection as it was asked to be."""
    server, _data = live
    app = server.app

    def vacuum() -> None:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE case_file"))
            assert conn.connection.dbapi_connection.autocommit

    with app.app_context():  # a script (the benchmark's seeding)
        vacuum()
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()  # a read-only unit of work begins
        try:
            vacuum()
        finally:
            app.do_teardown_request()
