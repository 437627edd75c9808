"""The unit of work: one transaction per request or CLI command, committed once at the end.

Like Indico's request handler, a request loads, checks access, processes, and then commits once;
any exception rolls everything back. Views and API handlers never call ``commit()``; services
never commit either. CLI commands wrap their work in :func:`unit_of_work`.

- :func:`attempt` runs a service call in a savepoint. A refusal (``DomainError``, or a version
  conflict found at flush) removes what the call did and leaves the rest of the request (a read
  audit entry, say) intact, so the view can show the form again with the message at its field.
- :func:`defer_write` is for the writes a read makes (the read audit entry, a token's
  ``last_used_at``): they run after the read, in a short write transaction of their own (on
  PostgreSQL the audit entry is one statement that is its own transaction).
- :func:`lock_row` is the one helper for the documented places that must serialise writers before
  reading (voucher budgets, praktijkverklaring numbering).

SQLite allows one writer at a time, and a transaction that has already read cannot wait for the
write lock: SQLite refuses it at once ("database is locked") instead of waiting for the busy
timeout. So a unit of work that may write (POST, PUT, PATCH, DELETE, and CLI commands) starts its
transaction with ``BEGIN IMMEDIATE``: writers queue on the busy timeout instead of failing.
Read-only units start with a plain ``BEGIN`` and never write in it (see :func:`defer_write`).
PostgreSQL needs none of this and gets the same calls; there a read-only unit reads in
autocommit (:func:`configure_postgresql`): at READ COMMITTED every statement sees what was
committed when it started, in a transaction or not, and the BEGIN and COMMIT round trips of a
page view are saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, has_request_context, request

from rmt import planner_statistics
from rmt.extensions import db

T = TypeVar("T")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Row locks a SELECT can take (PostgreSQL); they last only as long as a transaction.
_LOCKS = re.compile(r"\bFOR (NO KEY )?UPDATE\b|\bFOR (KEY )?SHARE\b")
#: Marks a pooled connection switched to autocommit for a read-only unit (PostgreSQL).
_READ_AUTOCOMMIT = "rmt_read_autocommit"
#: True while the current unit of work may write: its SQLite transactions begin IMMEDIATE.
_writing: ContextVar[bool] = ContextVar("rmt_unit_may_write", default=False)
#: Writes a read-only unit postponed until its read transaction has ended.
_deferred: ContextVar[list[Callable[[], Any]] | None] = ContextVar("rmt_deferred", default=None)


# ---------------------------------------------------------------------------------------------
# Setting up


def install(app: Flask) -> None:
    """Give every request its unit of work and SQLite its transaction handling."""
    with app.app_context():
        configure_sqlite(db.engine)
        configure_postgresql(db.engine)
        planner_statistics.keep_fresh(db.engine, app.config["RMT_SQLITE_ANALYZE_SECONDS"])

    @app.before_request
    def begin_unit_of_work() -> None:
        _writing.set(request.method in WRITE_METHODS)
        _deferred.set([])

    @app.teardown_request
    def end_unit_of_work(_exc: BaseException | None) -> None:
        # Whatever the request left uncommitted (an exception, an abort, an error page) is
        # rolled back. Only for requests that began one: a bare request context pushed by a
        # script or a test (``test_request_context``) has no unit of work of its own.
        if _deferred.get() is not None:
            db.session.rollback()
        _writing.set(False)
        _deferred.set(None)


def configure_sqlite(engine: sa.Engine) -> None:
    """WAL, foreign keys, a busy timeout; SQLAlchemy (not pysqlite) issues BEGIN [IMMEDIATE].

    SQLAlchemy's recipe for pysqlite: switch off the driver's own transaction handling and emit
    BEGIN ourselves. That also makes SAVEPOINTs work (test isolation and :func:`attempt`).
    """
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


@lru_cache(maxsize=1024)
def _needs_transaction(statement: str) -> bool:
    """Whether a statement is more than a plain read (a write, a savepoint, a row lock). Asked
    of every statement a read-only unit runs on PostgreSQL; the statements are the app's
    compiled ones, so the answers are kept (the search of a long SELECT was 2 % of a page)."""
    return statement.lstrip()[:6].upper() != "SELECT" or bool(_LOCKS.search(statement))


def configure_postgresql(engine: sa.Engine) -> None:
    """A read-only unit of work reads in autocommit; its deferred writes (and every writing
    unit) run in a transaction as before.

    The connection is switched when the pool hands it out inside a read-only unit and back when
    it returns. The writes a read defers run after the read on that same connection: a write
    statement starts a transaction (below), a write that holds a lock across statements asks
    for one (:func:`ensure_transaction`), and :func:`commit` commits it. Outside a unit (a
    script, a test's connection) nothing changes.
    """
    if engine.dialect.name != "postgresql":
        return

    @sa.event.listens_for(engine, "checkout")
    def _autocommit_for_reads(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _deferred.get() is not None and not _writing.get():
            dbapi_connection.autocommit = True
            record.info[_READ_AUTOCOMMIT] = True

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _transaction_for_writes(conn: sa.Connection, _cursor: Any, statement: str,
                                _parameters: Any, context: Any, _executemany: bool) -> None:
        # A read-only view that writes anyway (the SSO callback creates and updates accounts)
        # gets a transaction from its first statement that is not a plain SELECT on (a write,
        # a savepoint, a row lock), as it had before: one commit at the end, one rollback on an
        # error.
        # Only a connection this module switched: one its user asked to be in autocommit
        # (``isolation_level="AUTOCOMMIT"`` for a VACUUM, say) stays as asked.
        dbapi_connection = _switched_for_reading(conn.connection)
        if dbapi_connection is None \
                or conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        if _needs_transaction(statement):
            dbapi_connection.autocommit = False

    @sa.event.listens_for(engine, "checkin")
    def _back_to_transactions(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_READ_AUTOCOMMIT, False) and dbapi_connection is not None \
                and not dbapi_connection.closed and dbapi_connection.autocommit:
            dbapi_connection.autocommit = False


# ---------------------------------------------------------------------------------------------
# The unit of work


def may_write() -> bool:
    """Whether the current unit of work is a writing one (its SQLite transactions are IMMEDIATE)."""
    return _writing.get()


def commit() -> None:
    """End the unit of work: commit once, then run the writes a read postponed.

    Called by the app after every view (:class:`rmt.RmtFlask`) and by :func:`unit_of_work`;
    nowhere else.
    """
    pending = _deferred.get()
    # A request's read-only unit keeps what it loaded (see _commit_session); outside a request
    # (a CLI batch) objects may live on into a next unit and are expired as usual.
    read_request = not _writing.get() and has_request_context()
    if not pending:
        _commit_session(expire=not read_request)
        return
    if _reading_connection() is None:
        _commit_session(expire=not read_request)
    # Else (PostgreSQL) nothing to commit: the deferred writes run on the same connection, each
    # in a transaction of its own when it needs one (a write statement starts one, see
    # configure_postgresql; ensure_transaction) or as one statement that is its own.
    _deferred.set([])
    token = _writing.set(True)
    try:
        for write in pending:
            write()
        _commit_session(expire=not read_request)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _writing.reset(token)


def _commit_session(*, expire: bool) -> None:
    """Commit; without ``expire`` the loaded objects keep their state. For a read-only request:
    the request ends here and what its session flushed (a read that writes anyway, the SSO
    callback) is what its objects hold, so expiring each object it read (a list page holds
    fifty, a case page more) was work for nothing."""
    session = db.session()
    keep = not expire and session.expire_on_commit
    if keep:
        session.expire_on_commit = False
    try:
        session.commit()
    finally:
        if keep:
            session.expire_on_commit = True


def _switched_for_reading(pooled: Any) -> Any | None:
    """The driver connection of ``pooled`` if it is in autocommit because
    :func:`configure_postgresql` switched it for a read-only unit, else None."""
    dbapi_connection = pooled.dbapi_connection
    if dbapi_connection is not None and dbapi_connection.autocommit \
            and pooled.info.get(_READ_AUTOCOMMIT):
        return dbapi_connection
    return None


def _reading_connection() -> Any | None:
    """PostgreSQL: the session's driver connection if this read-only unit reads in autocommit
    (see configure_postgresql), else None."""
    if db.session.get_bind().dialect.name != "postgresql" \
            or not db.session().in_transaction():
        return None
    return _switched_for_reading(db.session.connection().connection)


def ensure_transaction() -> None:
    """Make the statements that follow one transaction, to the end of the unit of work.

    For a read-only unit's deferred write that holds a lock across statements (the audit
    chain's advisory lock): on PostgreSQL such a unit reads in autocommit, where a lock taken
    by a plain SELECT ends with that SELECT. Elsewhere the unit is in a transaction already.
    """
    dbapi_connection = _reading_connection()
    if dbapi_connection is not None:
        # Taken back to the pool's default by configure_postgresql's checkin listener.
        dbapi_connection.autocommit = False


@contextmanager
def reading_aside() -> Iterator[None]:
    """For a read on a connection of its own during a unit of work (a process-wide cache filled
    on first use): its SQLite transaction begins as a plain ``BEGIN`` even in a writing unit.
    That unit holds the write lock on its own connection from its first statement, so a
    ``BEGIN IMMEDIATE`` beside it would wait for the unit that waits for it, until the busy
    timeout. On PostgreSQL that connection reads in autocommit, as in a read-only unit."""
    token = _writing.set(False)
    try:
        yield
    finally:
        _writing.reset(token)


def discard() -> None:
    """Throw away everything the unit of work did so far (it goes on with a fresh transaction)."""
    db.session.rollback()


@contextmanager
def unit_of_work(*, write: bool = True) -> Iterator[None]:
    """A unit of work outside a request (CLI commands, the demo seed, batches of a job).

    Commits once when the block ends; rolls back if it raises.
    """
    writing = _writing.set(write)
    deferred = _deferred.set([])
    try:
        yield
        commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _writing.reset(writing)
        _deferred.reset(deferred)


@contextmanager
def attempt() -> Iterator[None]:
    """Run a change in a savepoint: if it raises, nothing of it stays; the exception goes on.

    The savepoint is flushed before it is released, so a version conflict or a duplicate row
    surfaces here, where the view can still show it at the form.
    """
    with db.session.begin_nested():
        yield


def defer_write(write: Callable[[], T], later: Callable[[], object] | None = None) -> T | None:
    """Run ``write`` now in a writing unit of work; in a read-only one, after its commit.

    For the writes a read makes. Capture the values ``write`` needs before calling this: it runs
    after the read's commit, with the read's objects as they were (a CLI unit's expired).
    Returns what ``write`` returned when it ran now, else None. ``later``: the same write for
    after the read, when nobody needs its result (e.g. a plain INSERT instead of a new ORM
    object).
    """
    pending = _deferred.get()
    if _writing.get() or pending is None:
        return write()
    pending.append(later or write)
    return None


def lock_row(table: sa.Table | str, ident: Any, *, column: str = "id") -> None:
    """Hold one row's lock until the unit of work ends: writers of that row queue behind it.

    PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite locks the whole database for a writing unit of
    work already (``BEGIN IMMEDIATE``); outside one, a no-op UPDATE takes the write lock.
    """
    table = table if isinstance(table, sa.Table) else sa.table(table, sa.column(column))
    key = table.c[column] == ident
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(table.c[column]).where(key).with_for_update())
    elif not _writing.get():
        db.session.execute(sa.update(table).where(key).values({column: table.c[column]}))


def reserve_ids(table: sa.Table, count: int) -> list[int]:
    """``count`` new primary keys of ``table`` (an integer ``id``), for a multi-row INSERT
    whose rows others refer to (an import: candidates, then their cases).

    PostgreSQL draws them from the column's sequence, so concurrent writers never collide.
    SQLite has one writer at a time (``BEGIN IMMEDIATE``, see above) and continues after the
    highest id; a writer that did not hold the lock would fail on the primary key, never
    overwrite. Returned in ascending order."""
    if count <= 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        ids = db.session.scalars(sa.select(sa.func.nextval(sequence))
                                 .select_from(sa.func.generate_series(1, count))).all()
        return sorted(ids)
    start = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return list(range(start + 1, start + count + 1))
