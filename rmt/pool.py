"""Handing out only live database connections, without a round trip on every request.

SQLAlchemy's ``pool_pre_ping`` sends a query each time a connection leaves the pool. On
PostgreSQL that is one more round trip per request, and under load each round trip costs more
than its own time: the worker sleeps, the server process wakes, and both run on cold caches (the
change-password page did 15 % fewer requests per second with the ping than without it).

So, like HikariCP's ``aliveBypassWindowMs``, a connection that was in use less than
``RMT_DB_ALIVE_BYPASS_SECONDS`` ago is handed out unchecked, unless its socket already holds
something: a server that ends a connection (restart, ``pg_terminate_backend``, an idle timeout)
says so on the socket and closes it, which :func:`_has_news` sees without a round trip. Every
other connection is pinged as ``pool_pre_ping`` did, and a dead one is replaced by a new one
(the pool retries the checkout). What neither approach catches before use (a server that
vanished without a word while the connection was in use moments ago) fails the request with a
503 and Retry-After (``rmt.errors``), and the pool replaces the connection.
"""

from __future__ import annotations

import select
import time
from typing import Any

import sqlalchemy as sa

_LAST_USED = "rmt_last_used"


def keep_alive(engine: sa.Engine, bypass_seconds: float) -> None:
    """Check a PostgreSQL connection on checkout unless it was in use within ``bypass_seconds``
    and its socket is quiet (0: check every checkout, as ``pool_pre_ping``)."""
    if engine.dialect.name != "postgresql":
        return
    dialect = engine.dialect

    @sa.event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last_used = record.info.get(_LAST_USED)
        if last_used is None:  # just connected
            return
        if time.monotonic() - last_used < bypass_seconds \
                and not _has_news(dbapi_connection, dialect.loaded_dbapi.Error):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another (a new one if need be).
            raise sa.exc.DisconnectionError(str(error)) from error

    @sa.event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()


def _has_news(dbapi_connection: Any, driver_error: type[Exception]) -> bool:
    """Whether the server sent anything to an idle connection (an error before it closed the
    connection, a notice, or the end of the stream): then it is checked properly."""
    try:
        poll = select.poll()
        poll.register(dbapi_connection.fileno(), select.POLLIN)
        return bool(poll.poll(0))
    except (OSError, ValueError, driver_error):  # closed: no socket to ask
        return True
