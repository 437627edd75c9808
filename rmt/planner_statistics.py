"""SQLite's planner statistics (``sqlite_stat1``), kept up to date by the app itself.

SQLite chooses between indexes by their statistics, and it has none until ``ANALYZE`` runs. A
database that grew from empty (every new installation, every large import) then gets plans
that read a whole region where one coach's cases were meant: at 100,000 cases the coach's start
page took 37 ms in its main statement instead of 4, a search 287 ms per request instead of 37
(docs/benchmarks.md, run 4). PostgreSQL keeps its own statistics (autovacuum) and needs none of
this.

:func:`refresh` runs a full ``ANALYZE`` when a table of 1,000 rows or more has no statistics or
has at least doubled since they were taken (0.5–1.7 s at 100,000 cases and 1,000,000 step
events). :func:`keep_fresh` has the app do that itself: when a pooled connection is returned,
the first time in each process and then at most once per ``RMT_SQLITE_ANALYZE_SECONDS`` (ten
minutes by default), a background thread checks on a connection of its own (one
``max(rowid)`` per table when nothing is to be done), so no request waits for it. SQLite reads
the statistics when a connection opens; every pooled connection of the process re-reads them
(``ANALYZE sqlite_schema``) on its next checkout after they changed, whichever process took
them. The demo seed calls :func:`refresh_engine` too, and ``flask --app rmt db analyze`` runs
it by hand.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

#: Tables smaller than this are read whole whatever the plan.
MIN_ROWS = 1000
#: Statistics are stale when the table has this many times more rows.
STALE_FACTOR = 2


def _rows(cursor: Any, sql: str, *params: Any) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _has_stat_table(cursor: Any) -> bool:
    return bool(_rows(cursor, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"))


def _row_count(cursor: Any, quoted: str, exact: bool) -> int:
    """``max(rowid)`` as a cheap upper bound, or ``count(*)`` when ``exact`` (or when the
    table has no rowid)."""
    if not exact:
        try:
            return _rows(cursor, f"SELECT max(rowid) FROM {quoted}")[0][0] or 0  # noqa: S608
        except sqlite3.OperationalError:  # a WITHOUT ROWID table
            pass
    return _rows(cursor, f"SELECT count(*) FROM {quoted}")[0][0]  # noqa: S608


def stale_tables(dbapi_connection: Any) -> list[str]:
    """The tables of ``MIN_ROWS`` rows or more without statistics, or with at least twice the
    rows their statistics counted. ``max(rowid)`` flags a table cheaply; ``count(*)`` confirms
    (ids left unused by deletes or gaps never make a table look stale for ever)."""
    cursor = dbapi_connection.cursor()
    try:
        schema = _rows(cursor, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        virtual = [name for name, sql in schema if (sql or "").upper().startswith("CREATE VIRTUAL")]
        tables = [name for name, _sql in schema
                  if not name.startswith("sqlite_") and name != "alembic_version"
                  and not any(name.startswith(v) for v in virtual)]
        known: dict[str, int] = {}
        if _has_stat_table(cursor):
            for table, stat in _rows(cursor, "SELECT tbl, stat FROM sqlite_stat1"):
                if stat:
                    known[table] = max(known.get(table, 0), int(str(stat).split()[0]))
        stale = []
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            counted = known.get(table)
            threshold = MIN_ROWS if counted is None else max(MIN_ROWS, counted * STALE_FACTOR)
            if (_row_count(cursor, quoted, exact=False) >= threshold
                    and _row_count(cursor, quoted, exact=True) >= threshold):
                stale.append(table)
        return stale
    finally:
        cursor.close()


def refresh(dbapi_connection: Any, *, force: bool = False) -> list[str]:
    """``ANALYZE`` when :func:`stale_tables` finds any (or ``force``); returns those tables.
    Runs outside a transaction, on the driver's connection (pysqlite in autocommit mode)."""
    stale = stale_tables(dbapi_connection)
    if stale or force:
        started = time.monotonic()
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("ANALYZE")
        finally:
            cursor.close()
        log.info("planner statistics refreshed (%s) in %.0f ms", ", ".join(stale) or "forced",
                 (time.monotonic() - started) * 1000)
    return stale


def fingerprint(dbapi_connection: Any) -> str:
    """A digest of ``sqlite_stat1``: it changes whenever any process took new statistics."""
    cursor = dbapi_connection.cursor()
    try:
        if not _has_stat_table(cursor):
            return ""
        rows = _rows(cursor, "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx")
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        cursor.close()


def refresh_engine(engine: sa.Engine, *, force: bool = False) -> list[str]:
    """:func:`refresh` on a connection of ``engine``; nothing on other engines than SQLite. A
    database busy beyond its busy timeout is left for the next check."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        connection.commit()  # no transaction of SQLAlchemy's around ANALYZE
        try:
            return refresh(connection.connection.driver_connection, force=force)
        except sqlite3.OperationalError:
            log.warning("planner statistics not refreshed", exc_info=True)
            return []


class StatisticsKeeper:
    """The state of :func:`keep_fresh` for one engine (tests wait on :meth:`wait`)."""

    def __init__(self, path: str, every_seconds: float, busy_seconds: float = 15) -> None:
        self.path = path
        self.every_seconds = every_seconds
        self.busy_seconds = busy_seconds
        self.generation = 0
        self._fingerprint: str | None = None
        self._next = 0.0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def maybe_check(self) -> None:
        """Start a background check when one is due and none is running."""
        with self._lock:
            now = time.monotonic()
            if now < self._next or (self._thread is not None and self._thread.is_alive()):
                return
            self._next = now + self.every_seconds
            self._thread = threading.Thread(target=self.check, daemon=True,
                                            name="rmt-planner-statistics")
            self._thread.start()

    def check(self) -> None:
        """Refresh on a connection of its own, then tell the pool when the statistics changed."""
        try:
            connection = sqlite3.connect(self.path, isolation_level=None,
                                         timeout=self.busy_seconds)
            try:
                refresh(connection)
                current = fingerprint(connection)
            finally:
                connection.close()
        except sqlite3.Error:  # busy beyond the timeout, or gone: the next check tries again
            log.warning("planner statistics not checked", exc_info=True)
            return
        with self._lock:
            if current != self._fingerprint:
                if self._fingerprint is not None or current:
                    self.generation += 1
                self._fingerprint = current

    def wait(self, timeout: float = 30) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


def keep_fresh(engine: sa.Engine, every_seconds: float) -> StatisticsKeeper | None:
    """Keep the statistics of ``engine``'s SQLite file up to date (0 seconds: never)."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or every_seconds <= 0 or path in (None, "", ":memory:"):
        return None
    keeper = StatisticsKeeper(path, every_seconds)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info["planner_statistics"] = keeper.generation  # read when it opened

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get("planner_statistics") == keeper.generation:
            return
        try:
            dbapi_connection.execute("ANALYZE sqlite_schema")  # re-read sqlite_stat1
            record.info["planner_statistics"] = keeper.generation
        except sqlite3.Error:
            log.warning("planner statistics not re-read", exc_info=True)

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, _record: Any) -> None:
        keeper.maybe_check()

    return keeper
