"""PostgreSQL: a read-only unit of work reads in autocommit (no BEGIN and COMMIT round trips);
the writes it defers, and every writing unit, run in a transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt import transaction
from rmt.cases.models import Case
from rmt.extensions import db
from tests.concurrency.live import bearer, note_body
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="SQLite reads in a plain BEGIN (rmt.transaction); runs on PostgreSQL")


def _statements(app, request):
    """(first word, whether the connection was in autocommit) of every statement ``request``
    (a function of a test client) runs, and its response."""
    seen: list[tuple[str, bool]] = []

    def record(conn, _cursor, statement, *_args):
        verb = statement.split()[0].upper()
        if "audit_chain_end" in statement:  # locks the audit chain
            verb = "LOCK"
        seen.append((verb, conn.connection.dbapi_connection.autocommit))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = request(app.test_client())
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen, response


def test_a_read_runs_in_autocommit_and_its_deferred_write_in_a_transaction(live):
    server, data = live
    seen, response = _statements(server.app, lambda client: client.get(
        f"/api/v1/cases/{data.loss_case}", headers=bearer(data.coach_token)))
    assert response.status_code == 200
    # The read, then what it deferred: the audit entry of the view (the chain's lock first).
    assert ("LOCK", False) in seen and ("INSERT", False) in seen
    first_write = next(i for i, (verb, _auto) in enumerate(seen)
                       if verb in ("INSERT", "UPDATE", "LOCK"))
    reads, writes = seen[:first_write], seen[first_write:]
    assert reads and all(autocommit for _verb, autocommit in reads)
    assert writes and not any(autocommit for _verb, autocommit in writes)


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
