"""SQLite's planner statistics (``sqlite_stat1``), kept up to date by the app itself.

SQLite chooses between indexes by their statistics, and it has none until ``ANALYZE`` runs. A
database that grew from empty (every new installation, every large import) then gets plans
that read a whole region where one coach's cases were meant: at 100,000 cases the coach's start
page took 37 ms in its main statement instead of 4, a step filter seconds (docs/benchmarks.md).
PostgreSQL keeps its own statistics (autovacuum) and needs none of this.

:func:`refresh` runs a full ``ANALYZE`` when a table of 1,000 rows or more has no statistics or
has grown or shrunk by half since they were taken (half a second at 100,000 cases and 1,000,000
step events). The app calls it when a pooled connection is returned: the first time in each
process, then at most once per ``RMT_SQLITE_ANALYZE_SECONDS`` (ten minutes by default; a check
without anything to do costs one ``max(rowid)`` per table). The demo seed calls it too, and
``flask --app rmt db analyze`` runs it by hand.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)

#: Tables smaller than this are read whole whatever the plan.
MIN_ROWS = 1000
#: Statistics are stale when the table has this many times more (or fewer) rows.
STALE_FACTOR = 2


def _rows(cursor: Any, sql: str, *params: Any) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def stale_tables(dbapi_connection: Any) -> list[str]:
    """The tables (of ``MIN_ROWS`` rows or more) whose statistics are missing or stale."""
    cursor = dbapi_connection.cursor()
    try:
        schema = _rows(cursor, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        virtual = [name for name, sql in schema if (sql or "").upper().startswith("CREATE VIRTUAL")]
        tables = [name for name, _sql in schema
                  if not name.startswith("sqlite_") and name != "alembic_version"
                  and not any(name.startswith(v) for v in virtual)]
        known: dict[str, int] = {}
        if any(name == "sqlite_stat1" for name, _sql in schema):
            for table, stat in _rows(cursor, "SELECT tbl, stat FROM sqlite_stat1"):
                if stat:
                    known[table] = max(known.get(table, 0), int(str(stat).split()[0]))
        stale = []
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            rows = _rows(cursor, f"SELECT max(rowid) FROM {quoted}")[0][0] or 0  # noqa: S608
            counted = known.get(table)
            if rows < MIN_ROWS:
                continue
            if counted is None or rows > counted * STALE_FACTOR or rows * STALE_FACTOR < counted:
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


def refresh_engine(engine: sa.Engine, *, force: bool = False) -> list[str]:
    """:func:`refresh` on a connection of ``engine``; nothing on other engines than SQLite."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as connection:
        connection.commit()  # no transaction of SQLAlchemy's around ANALYZE
        return refresh(connection.connection.driver_connection, force=force)


def keep_fresh(engine: sa.Engine, every_seconds: float) -> None:
    """Check the statistics when a connection goes back to the pool: the first time, then at
    most once per ``every_seconds`` in this process (0: never)."""
    if engine.dialect.name != "sqlite" or every_seconds <= 0:
        return
    state = {"next": 0.0}
    lock = threading.Lock()

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is None or time.monotonic() < state["next"]:
            return
        if not lock.acquire(blocking=False):
            return
        try:
            state["next"] = time.monotonic() + every_seconds
            refresh(dbapi_connection)
        except Exception:  # a busy database: the next check tries again
            log.warning("planner statistics not refreshed", exc_info=True)
        finally:
            lock.release()
