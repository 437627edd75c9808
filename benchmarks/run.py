"""Benchmark of the pipeline statistics: ``python -m benchmarks.run`` (``make bench``).

For each engine (a fresh SQLite file and a fresh PostgreSQL database, dropped afterwards) it
seeds ``--cases`` cases with about ``--events`` step events spread over ``--months`` months
(bulk inserts: ``executemany`` on SQLite, ``COPY`` on PostgreSQL, never the ORM per row),
builds the statistics summary from that history, and then measures, through the Flask test
client signed in as a coordinator:

- the statistics page of each of the four regions (default period: the last 12 months),
- the region comparison (all four regions),
- the funnel of the service (the summary tables) and a hand-written SQL funnel over the raw
  ``case_event`` rows, for one region and for all four, in the same run.

It prints p50/p95 latencies and query counts per request. Wall-clock numbers are machine
dependent; the test suite asserts query counts, never times.

    python -m benchmarks.run --cases 100000 --events 1000000 --months 18
    python -m benchmarks.run --cases 5000 --events 50000 --engines sqlite --repeat 10
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from benchmarks.history import REFERRAL_PARTNERS, REGIONS, TARGET_GROUPS, walk

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COACHES_PER_REGION = 25
#: Histories busier than the tests' (fewer early closes, three times the pauses, backward steps
#: and transfers), so 100,000 cases reach about 1,000,000 events in 18 months.
CLOSE_RATE, DETOURS = 0.03, 3.0
CHUNK_CASES = 5_000

FUNNEL_SQL = """
WITH cohort AS (
    SELECT case_id, region_code FROM case_event
    WHERE from_status IS NULL AND at >= :start AND at < :stop AND region_code IN ({regions})
),
reached AS (
    SELECT e.case_id, MAX(CASE e.to_status
        WHEN 'aangemeld' THEN 0 WHEN 'intake' THEN 1 WHEN 'diagnose' THEN 2 WHEN 'plan' THEN 3
        WHEN 'uitvoering' THEN 4 WHEN 'bemiddeling' THEN 5 WHEN 'geplaatst' THEN 6
        WHEN 'nazorg' THEN 7 ELSE 0 END) AS top
    FROM case_event e JOIN cohort c ON c.case_id = e.case_id
    WHERE e.at < :stop
    GROUP BY e.case_id
)
SELECT c.region_code, COUNT(*) AS instroom,
    SUM(CASE WHEN r.top >= 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.top >= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.top >= 3 THEN 1 ELSE 0 END), SUM(CASE WHEN r.top >= 4 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.top >= 5 THEN 1 ELSE 0 END), SUM(CASE WHEN r.top >= 6 THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.top >= 7 THEN 1 ELSE 0 END)
FROM cohort c JOIN reached r ON r.case_id = c.case_id
GROUP BY c.region_code
"""


# ---------------------------------------------------------------------------------------------
# Databases


@contextmanager
def sqlite_database(keep: bool) -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="rmt-bench-"))
    path = folder / "bench.sqlite3"
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            print(f"  (kept {path})")
        else:
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()


@contextmanager
def postgres_database(url: str, keep: bool) -> Iterator[str]:
    """A dedicated database next to the one in ``url``, dropped afterwards."""
    base = sa.make_url(url)
    name = f"rmt_bench_{os.getpid()}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"  (kept database {name})")
        else:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------------------------------------
# Seeding


def _users(db) -> tuple[dict[str, list[int]], dict[str, object]]:
    from rmt.auth.models import Role, User

    coaches: dict[str, list[int]] = {}
    coordinators = {}
    for region in REGIONS:
        for n in range(COACHES_PER_REGION):
            user = User(email=f"coach{n}.{region.lower()}@bench.test", name=f"Coach {region} {n}",
                        password_hash="!unusable", role=Role.COACH)  # noqa: S106
            user.set_regions([region])
            db.session.add(user)
            coaches.setdefault(region, []).append(user)
        coordinator = User(email=f"coordinator.{region.lower()}@bench.test",
                           name=f"Coördinator {region}", password_hash="!unusable",  # noqa: S106
                           role=Role.COORDINATOR)
        coordinator.set_regions([region])
        db.session.add(coordinator)
        coordinators[region] = coordinator
    db.session.commit()
    return ({r: [u.id for u in us] for r, us in coaches.items()},
            {r: u.get_id() for r, u in coordinators.items()})


def _copy(connection: sa.Connection, table: sa.Table, columns: list[str], rows: list[tuple]):
    """Bulk insert: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(
                f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])


def seed(app, db, cases: int, events: int, months: int, seed_value: int) -> dict[str, float]:
    from rmt.cases.models import Candidate, Case, CaseEvent
    from rmt.cases.search import search_text_of
    from rmt.regions.models import Municipality
    from rmt.stats.summary import rebuild

    rng = random.Random(seed_value)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    coaches, coordinators = _users(db)
    municipality = db.session.scalar(sa.select(Municipality.id).limit(1))
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(days=round(months * 30.44))
    candidate_t, case_t, event_t = Candidate.__table__, Case.__table__, CaseEvent.__table__
    candidate_cols = ["id", "first_name", "name_prefix", "last_name", "birth_date", "email",
                      "phone", "postcode", "municipality_id", "education_level",
                      "has_startkwalificatie", "work_status", "benefit", "target_group",
                      "referral_partner", "created_at", "search_text"]
    case_cols = ["id", "candidate_id", "region_code", "coach_id", "status", "paused_from",
                 "opened_on", "closed_on", "exit_reason", "exit_reason_text", "status_since",
                 "created_at", "updated_at", "version", "sort_last_name", "sort_first_name"]
    event_cols = ["id", "case_id", "region_code", "at", "from_status", "to_status", "reason",
                  "exit_reason"]
    event_id = 0
    written = 0
    with db.engine.begin() as connection:
        for chunk_start in range(1, cases + 1, CHUNK_CASES):
            candidate_rows, case_rows, event_rows = [], [], []
            for case_id in range(chunk_start, min(cases + 1, chunk_start + CHUNK_CASES)):
                region = rng.choices(REGIONS, [40, 25, 20, 15])[0]
                start = first + (now - first) * rng.random()
                # Aim at the requested number of events: what is still to write, spread over
                # the cases still to come; a case that starts late gets shorter gaps.
                wanted = max(1, round((events - event_id) / (cases - case_id + 1)))
                days = max(1.0, (now - start).total_seconds() / 86400)
                gap = max(1, min(30, int(2 * days / (wanted + 1))))
                steps = walk(rng, start, now, region, max_gap_days=gap, close_rate=CLOSE_RATE,
                             detours=DETOURS)[:2 * wanted]
                last = steps[-1]
                candidate_rows.append((
                    case_id, "Kandidaat", "", f"Nummer{case_id}", date(1980, 1, 1),
                    f"k{case_id}@bench.test", f"06{case_id:08d}", "3511 AB", municipality,
                    "mbo2", True, "werkzoekend", "ww", rng.choice(TARGET_GROUPS),
                    rng.choice(REFERRAL_PARTNERS), start,
                    search_text_of("Kandidaat", "", f"Nummer{case_id}",
                                   f"k{case_id}@bench.test", f"06{case_id:08d}")))
                paused_from = steps[-2].to_status if last.to_status == "gepauzeerd" else None
                case_rows.append((
                    case_id, case_id, last.region, rng.choice(coaches[last.region]),
                    last.to_status, paused_from, start.date(),
                    last.at.date() if last.to_status == "afgesloten" else None,
                    last.exit_reason, "", last.at, start, last.at, 1, f"Nummer{case_id}",
                    "Kandidaat"))
                for step in steps:
                    event_id += 1
                    event_rows.append((event_id, case_id, step.region, step.at, step.from_status,
                                       step.to_status, "", step.exit_reason))
            _copy(connection, candidate_t, candidate_cols, candidate_rows)
            _copy(connection, case_t, case_cols, case_rows)
            _copy(connection, event_t, event_cols, event_rows)
            written += len(event_rows)
        if connection.dialect.name == "postgresql":
            for table in ("candidate", "case_file", "case_event"):
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed table names
                    f"(SELECT MAX(id) FROM {table}))"))
    timings["seed"] = time.perf_counter() - started
    started = time.perf_counter()
    with db.engine.begin() as connection:
        rebuild(connection)
    timings["summary"] = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))
    timings["events"] = written
    timings["coordinators"] = coordinators
    return timings


# ---------------------------------------------------------------------------------------------
# Measuring


class QueryCounter:
    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def measure(action: Callable[[], object], repeat: int, counter: QueryCounter
            ) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, queries per call) over ``repeat`` calls after two warm-up calls."""
    for _ in range(2):
        action()
    samples = []
    queries = 0
    for _ in range(repeat):
        before = counter.count
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
        queries = counter.count - before
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples) + 0.5) - 1))]
    return statistics.median(samples), p95, queries


def run_engine(name: str, url: str, args: argparse.Namespace) -> list[tuple]:
    import flask
    import flask_migrate

    from rmt import create_app
    from rmt.clock import ZONE as LOCAL_TZ
    from rmt.extensions import db
    from rmt.stats import service
    from rmt.stats.monitor import Quarter
    from rmt.stats.service import Dimension, Period, Scope

    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "benchmark-secret-key-not-for-production"})
    rows = []
    with app.app_context():
        flask_migrate.upgrade()
        print(f"[{name}] seeding {args.cases:,} cases ...", flush=True)
        info = seed(app, db, args.cases, args.events, args.months, args.seed)
        print(f"[{name}] {info['events']:,} events seeded in {info['seed']:.1f} s; summary "
              f"built in {info['summary']:.1f} s", flush=True)
        counter = QueryCounter(db.engine)
        client = app.test_client()
        period = Period.default()
        # Dutch calendar days, as the statistics count them.
        start = datetime.combine(period.start, datetime.min.time(), LOCAL_TZ).astimezone(UTC)
        stop = datetime.combine(period.end + timedelta(days=1), datetime.min.time(),
                                LOCAL_TZ).astimezone(UTC)

        def page(url: str, user_id: str) -> Callable[[], object]:
            def call():
                with client.session_transaction() as session:
                    session["_user_id"] = user_id
                    session["_fresh"] = True
                # The run holds one app context: forget the user loaded by the previous request
                # (its session was removed), as a fresh request in production would.
                flask.g.__dict__.clear()
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                db.session.remove()
            return call

        coordinators = info["coordinators"]
        for region in REGIONS:
            rows.append((name, f"statistics page {region}",
                         *measure(page("/cijfers/", coordinators[region]), args.repeat,
                                  counter)))
        rows.append((name, "comparison, 4 regions",
                     *measure(page("/cijfers/regios", coordinators["MU"]), args.repeat,
                              counter)))
        # The quarterly monitor of the last whole quarter, one region and the province.
        quarter = Quarter.current().previous()
        for where in ("MU", "provincie"):
            rows.append((name, f"quarterly monitor {where}", *measure(page(
                f"/cijfers/monitor?kwartaal={quarter}&regio={where}", coordinators["MU"]),
                args.repeat, counter)))

        def hand_written(regions: tuple[str, ...]) -> Callable[[], object]:
            names = ", ".join(f"'{r}'" for r in regions)
            statement = sa.text(FUNNEL_SQL.format(regions=names)).bindparams(
                sa.bindparam("start", type_=_utc_type()), sa.bindparam("stop", type_=_utc_type()))

            def call():
                with db.engine.connect() as connection:
                    return connection.execute(statement, {"start": start, "stop": stop}).all()
            return call

        def service_funnel(regions: tuple[str, ...]) -> Callable[[], object]:
            def call():
                result = service.intake_and_funnel(Scope(regions), period, Dimension.REGION)
                db.session.remove()
                return result
            return call

        for label, regions in (("MU", ("MU",)), ("4 regions", REGIONS)):
            hand = measure(hand_written(regions), args.repeat, counter)
            ours = measure(service_funnel(regions), args.repeat, counter)
            rows.append((name, f"funnel {label}: hand-written SQL on case_event", *hand))
            rows.append((name, f"funnel {label}: service (summary tables)", *ours))
            check_same_funnel(hand_written(regions)(), service_funnel(regions)())
        db.session.remove()
        db.engine.dispose()
    return rows


def _utc_type():
    from rmt.db_types import UTCDateTime

    return UTCDateTime()


def check_same_funnel(hand: list, ours: dict) -> None:
    """Both funnels must agree, or the comparison means nothing."""
    steps = ["aangemeld", "intake", "diagnose", "plan", "uitvoering", "bemiddeling",
             "geplaatst", "nazorg"]
    for row in hand:
        region, values = row[0], [int(v) for v in row[1:]]
        mine = [ours.get((step, region), 0) for step in steps]
        if values != mine:  # pragma: no cover - a bug
            raise SystemExit(f"funnel mismatch for {region}: hand {values} != service {mine}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("RMT_BENCH_DATABASE_URL",
                                                                  DEFAULT_PG))
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    results = []
    for engine in args.engines.split(","):
        engine = engine.strip()
        if engine == "sqlite":
            with sqlite_database(args.keep) as url:
                results += run_engine("sqlite", url, args)
        elif engine == "postgresql":
            with postgres_database(args.postgres_url, args.keep) as url:
                results += run_engine("postgresql", url, args)
        else:
            parser.error(f"unknown engine {engine}")
    print()
    print(f"{args.cases:,} cases, ~{args.events:,} events over {args.months} months; "
          f"{args.repeat} requests each; default period (last 12 months)")
    print(f"{'engine':<11} {'what':<50} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for engine, what, p50, p95, queries in results:
        print(f"{engine:<11} {what:<50} {p50:>8.1f} {p95:>8.1f} {queries:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
