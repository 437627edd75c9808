"""SQLite's planner statistics are taken when missing and again when a table has doubled
(rmt/planner_statistics.py), on a database of its own: the shared test database stays without
statistics, as the plan tests expect."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from rmt import planner_statistics


def _database(path, rows: int) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE case_file (id INTEGER PRIMARY KEY, coach_id INTEGER)")
    connection.execute("CREATE INDEX ix_coach ON case_file (coach_id)")
    connection.execute("CREATE TABLE region (code TEXT PRIMARY KEY)")  # small: never stale
    connection.execute("CREATE VIRTUAL TABLE search USING fts5(text)")  # virtual: left out
    _add(connection, rows)
    return connection


def _add(connection: sqlite3.Connection, rows: int) -> None:
    connection.executemany("INSERT INTO case_file (coach_id) VALUES (?)",
                           [(n % 40,) for n in range(rows)])


def test_missing_and_doubled_statistics_are_refreshed(tmp_path):
    connection = _database(tmp_path / "stats.sqlite3", 1500)
    assert planner_statistics.stale_tables(connection) == ["case_file"]
    assert planner_statistics.refresh(connection) == ["case_file"]
    assert connection.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_coach'"
                              ).fetchone()[0].startswith("1500 ")
    assert planner_statistics.refresh(connection) == []  # fresh: nothing to do
    _add(connection, 1000)  # 2,500 rows: not yet twice as many
    assert planner_statistics.stale_tables(connection) == []
    _add(connection, 600)
    assert planner_statistics.refresh(connection) == ["case_file"]
    assert connection.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_coach'"
                              ).fetchone()[0].startswith("3100 ")


def test_small_tables_need_no_statistics(tmp_path):
    connection = _database(tmp_path / "small.sqlite3", 999)
    assert planner_statistics.refresh(connection) == []
    assert not connection.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()


def test_the_pool_refreshes_them_when_a_connection_returns(tmp_path):
    path = tmp_path / "pool.sqlite3"
    _database(path, 1200).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    planner_statistics.keep_fresh(engine, every_seconds=600)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM case_file")) == 1200
    with engine.connect() as connection:
        stat = connection.scalar(sa.text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_coach'"))
    assert stat.startswith("1200 ")
    engine.dispose()


def test_switched_off_and_other_engines_do_nothing(tmp_path):
    path = tmp_path / "off.sqlite3"
    _database(path, 1200).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    planner_statistics.keep_fresh(engine, every_seconds=0)
    with engine.connect() as connection:
        connection.scalar(sa.text("SELECT count(*) FROM case_file"))
    with engine.connect() as connection:
        assert connection.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) == 0
    engine.dispose()
    postgres = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert planner_statistics.refresh_engine(postgres) == []  # never connects
