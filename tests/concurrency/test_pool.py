"""PostgreSQL: a pooled connection is checked before use unless it was in use moments ago and
its socket is quiet (``rmt.pool``); one the server closed is replaced either way."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from rmt import pool
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="SQLite has no server connection to check; runs with RMT_TEST_DATABASE_URL=postgresql")

BACKEND = sa.text("SELECT pg_backend_pid()")


@pytest.fixture
def engine_with(monkeypatch):
    """``engine_with(bypass_seconds)``: an engine checked by rmt.pool, and a list that grows
    by one for every ping it sends (the dialect's own ping, watched, not replaced)."""
    engines = []

    def make(bypass_seconds: float) -> tuple[sa.Engine, list[int]]:
        engine = sa.create_engine(TEST_DATABASE_URL, pool_size=1, max_overflow=0)
        pool.keep_alive(engine, bypass_seconds)
        pings: list[int] = []
        ping = engine.dialect.do_ping

        def counted_ping(dbapi_connection):
            pings.append(1)
            return ping(dbapi_connection)

        monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
        engines.append(engine)
        return engine, pings

    yield make
    for engine in engines:
        engine.dispose()


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(BACKEND)


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(engine_with):
    engine, pings = engine_with(60)
    first = _backend(engine)  # a new connection: not pinged either
    assert _backend(engine) == first
    assert pings == []


def test_a_connection_idle_longer_than_the_window_is_pinged(engine_with):
    engine, pings = engine_with(0.05)
    first = _backend(engine)
    time.sleep(0.1)
    assert _backend(engine) == first
    assert pings == [1]


def test_a_connection_the_server_closed_is_replaced_even_within_the_window(engine_with):
    engine, pings = engine_with(3600)
    killed = _backend(engine)
    admin = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": killed})
            deadline = time.monotonic() + 10
            while conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                              {"pid": killed}) and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        admin.dispose()
    # The server's goodbye is on the socket: checked, found dead, replaced; the caller sees
    # nothing of it.
    assert _backend(engine) != killed
    assert pings == [1]
