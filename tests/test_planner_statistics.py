"""SQLite's planner statistics are taken when missing and again when a table has doubled, in
the background, and every pooled connection re-reads them (rmt/planner_statistics.py). On
databases of their own: the shared test database stays without statistics, as the plan tests
expect."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from rmt import planner_statistics

PLAN = "EXPLAIN QUERY PLAN SELECT * FROM case_file WHERE region = 'R1' AND coach_id = 1"


def _database(path, rows: int) -> sqlite3.Connection:
    """Without statistics SQLite reads this query through ix_coach (4 values); with them
    through ix_region (100 values)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE case_file (id INTEGER PRIMARY KEY, region TEXT, "
                       "coach_id INTEGER)")
    connection.execute("CREATE INDEX ix_region ON case_file (region)")
    connection.execute("CREATE INDEX ix_coach ON case_file (coach_id)")
    connection.execute("CREATE TABLE region (code TEXT PRIMARY KEY)")  # small: never stale
    connection.execute("CREATE VIRTUAL TABLE search USING fts5(text)")  # virtual: left out
    _add(connection, rows)
    return connection


def _add(connection: sqlite3.Connection, rows: int) -> None:
    connection.executemany("INSERT INTO case_file (region, coach_id) VALUES (?, ?)",
                           [(f"R{n % 100}", n % 4) for n in range(rows)])


def _stat(connection) -> str:
    return connection.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_coach'"
                              ).fetchone()[0]


def test_missing_and_doubled_statistics_are_refreshed(tmp_path):
    connection = _database(tmp_path / "stats.sqlite3", 1500)
    assert planner_statistics.stale_tables(connection) == ["case_file"]
    assert planner_statistics.refresh(connection) == ["case_file"]
    assert _stat(connection).startswith("1500 ")
    assert planner_statistics.refresh(connection) == []  # fresh: nothing to do
    _add(connection, 1000)  # 2,500 rows: not yet twice as many
    assert planner_statistics.stale_tables(connection) == []
    _add(connection, 500)
    assert planner_statistics.refresh(connection) == ["case_file"]
    assert _stat(connection).startswith("3000 ")


def test_deleted_rows_do_not_make_a_table_stale_for_ever(tmp_path):
    """max(rowid) stays high after deletes; the row count decides."""
    connection = _database(tmp_path / "deleted.sqlite3", 5000)
    planner_statistics.refresh(connection)
    connection.execute("DELETE FROM case_file WHERE id > 1001")
    planner_statistics.refresh(connection, force=True)
    assert _stat(connection).startswith("1001 ")
    assert planner_statistics.refresh(connection) == []


def test_small_tables_need_no_statistics(tmp_path):
    connection = _database(tmp_path / "small.sqlite3", 999)
    assert planner_statistics.refresh(connection) == []
    assert not connection.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()


def test_every_pooled_connection_plans_with_the_new_statistics(tmp_path):
    path = tmp_path / "pool.sqlite3"
    _database(path, 1200).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    keeper = planner_statistics.keep_fresh(engine, every_seconds=600)
    with engine.connect() as connection:  # opened without statistics
        assert "ix_coach" in connection.exec_driver_sql(PLAN).fetchone()[-1]
    keeper.wait()  # the check the return started, in the background
    with engine.connect() as connection:  # the same pooled connection, re-read on checkout
        assert connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar()
        assert "ix_region" in connection.exec_driver_sql(PLAN).fetchone()[-1]
    # Within the interval no further check runs, even when a table has doubled meanwhile.
    with sqlite3.connect(path, isolation_level=None) as other:
        _add(other, 1500)
    with engine.connect():
        pass
    keeper.wait()
    with engine.connect() as connection:
        stat = connection.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_coach'").scalar()
    assert stat.startswith("1200 ")
    engine.dispose()


def test_a_busy_database_is_left_for_the_next_check(tmp_path, caplog):
    path = tmp_path / "busy.sqlite3"
    _database(path, 1200).close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    keeper = planner_statistics.StatisticsKeeper(str(path), 600, busy_seconds=0.1)
    keeper.check()  # does not raise
    assert "not checked" in caplog.text and keeper.generation == 0
    writer.execute("ROLLBACK")
    keeper.check()
    assert keeper.generation == 1
    writer.close()


def test_switched_off_and_other_engines_do_nothing(tmp_path):
    path = tmp_path / "off.sqlite3"
    _database(path, 1200).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    assert planner_statistics.keep_fresh(engine, every_seconds=0) is None
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM case_file")
    with engine.connect() as connection:
        assert connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 0
    engine.dispose()
    postgres = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert planner_statistics.refresh_engine(postgres) == []  # never connects
