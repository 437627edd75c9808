"""The pages a coach uses all day at 100,000 cases, through gunicorn (``make bench-pages``).

Not part of ``make test``. Per engine it

1. seeds (unless ``--reuse`` finds a seeded database) ``--cases`` cases with about ``--events``
   step events (``benchmarks.run.seed``: bulk ``executemany``/``COPY`` with the histories of
   ``benchmarks/history.py``) and ``--notes`` notes, 205 of them on one case of the coach;
   the SQLite file lives in ``--workdir`` and the PostgreSQL database is ``rmt_bench_pages``
   next to ``RMT_BENCH_DATABASE_URL``; both are kept for the next ``--reuse`` run;
2. migrates the database (``flask db upgrade``), gives the MU coach with the most open cases a
   password and an API token;
3. serves it as ``make serve-prod`` does (gunicorn, 2 workers, 127.0.0.1, rate-limit counters in
   Redis) and, with the same gunicorn settings, a bare Flask route (``benchmarks/bare.py``);
4. measures each page with ``wrk`` (Debian package), ``--connections`` connections for
   ``--seconds`` seconds, after ``--warmup`` seconds of the same load that are not counted,
   and prints p50, p95, requests per second and throughput as a percentage of the bare
   route's, measured for ``--bare-seconds`` right before that page (the machine's speed drifts
   over a run: a share against a bare figure from minutes earlier moves with the drift), and
   the CPU time per request of gunicorn (master and workers) and of the PostgreSQL server
   (``/proc``, each process tree with its ended children; on SQLite the database is in the
   worker). Each page is first requested once and the session cookie it sets is kept, as a
   browser keeps it (wrk sends one fixed Cookie header: a session changed by the server would
   otherwise be signed and sent again on every measured request); a page that still sets the
   cookie on every request is flagged in the table.

    python -m benchmarks.pages [--engines sqlite,postgresql] [--seconds 15] [--reuse]
                               [--bare-seconds 5]

A page answering anything but 200 counts as an error and is printed.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa

from benchmarks.load import BIN, COOKIE_RE, ROOT, Gunicorn, app_env, call, children, flask, sign_in
from benchmarks.run import _copy, seed

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "Bench-Pagina-Wachtwoord-42"  # noqa: S105 - a throwaway benchmark database
NOTES_ON_CASE = 205
CHUNK = 20_000
KINDS = ("gesprek", "telefoon", "e-mail", "bezoek", "notitie")

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.3f %.3f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def database_url(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'pages.sqlite3'}"
    base = sa.make_url(os.environ.get("RMT_BENCH_DATABASE_URL", DEFAULT_PG))
    return base.set(database="rmt_bench_pages").render_as_string(hide_password=False)


def seeded(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(sa.text("SELECT COUNT(*) FROM note")))
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def fresh_database(engine: str, url: str) -> None:
    if engine == "sqlite":
        Path(sa.make_url(url).database).unlink(missing_ok=True)
        return
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def seed_all(url: str, args: argparse.Namespace) -> None:
    """Cases and events (benchmarks.run.seed), then notes in bulk."""
    import flask_migrate

    from rmt import create_app
    from rmt.cases.models import Note
    from rmt.extensions import db

    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "benchmark-secret-key-not-for-production"})
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        timings = seed(app, db, args.cases, args.events, 18, 14)
        print(f"  cases and {timings['events']} events in {timings['seed']:.0f} s "
              f"(summary {timings['summary']:.0f} s)", flush=True)
        coach_id, case_id = coach_and_case(db.engine)
        authors = [row[0] for row in db.session.execute(sa.text(
            "SELECT id FROM user_account WHERE role = 'coach'"))]
        rng = random.Random(5)
        now = datetime.now(UTC).replace(microsecond=0)
        columns = ["id", "case_id", "author_id", "contact_on", "kind", "text", "created_at"]
        with db.engine.begin() as connection:
            rows = []
            for note_id in range(1, args.notes + 1):
                at = now - timedelta(minutes=rng.randrange(60 * 24 * 540))
                on_case = note_id <= NOTES_ON_CASE
                rows.append((note_id, case_id if on_case else rng.randint(1, args.cases),
                             coach_id if on_case else rng.choice(authors), at.date(),
                             rng.choice(KINDS), f"Aantekening {note_id}: gesprek gevoerd over "
                             "de volgende stap en de afspraken.", at))
                if len(rows) == CHUNK:
                    _copy(connection, Note.__table__, columns, rows)
                    rows = []
            _copy(connection, Note.__table__, columns, rows)
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(
                    "SELECT setval(pg_get_serial_sequence('note', 'id'), "
                    "(SELECT MAX(id) FROM note))"))
        # PostgreSQL: what autovacuum gives a live database (the visibility map that lets the
        # caseload counts and lists read their covering indexes alone), not a just-loaded heap.
        # Then the load's dirty pages written out (CHECKPOINT), not by the server in the
        # background while the first pages are measured: a run right after seeding had the
        # PostgreSQL case page a fifth slower than the next run on the same database.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("VACUUM ANALYZE"))
                try:
                    connection.execute(sa.text("CHECKPOINT"))
                except sa.exc.DBAPIError as error:  # needs a superuser or pg_checkpoint
                    print(f"  no CHECKPOINT ({error.orig}); measuring anyway", flush=True)
            else:
                connection.execute(sa.text("ANALYZE"))
        print(f"  {args.notes} notes; seeding took {time.perf_counter() - started:.0f} s",
              flush=True)
        db.engine.dispose()


def coach_and_case(engine: sa.Engine) -> tuple[int, int]:
    """The MU coach with the most open cases, and their open case with the most notes."""
    with engine.connect() as conn:
        coach_id = conn.scalar(sa.text(
            "SELECT coach_id FROM case_file WHERE region_code = 'MU' AND status <> 'afgesloten' "
            "GROUP BY coach_id ORDER BY COUNT(*) DESC, coach_id LIMIT 1"))
        case_id = conn.scalar(sa.text(
            "SELECT c.id FROM case_file c LEFT JOIN note n ON n.case_id = c.id "
            "WHERE c.coach_id = :coach AND c.status <> 'afgesloten' "
            "GROUP BY c.id ORDER BY COUNT(n.id) DESC, c.id LIMIT 1"), {"coach": coach_id})
    return coach_id, case_id


def prepare_coach(url: str) -> tuple[str, int, int]:
    """Password for the coach; (email, open cases, case id)."""
    from rmt import create_app
    from rmt.auth.service import hash_password

    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "benchmark-secret-key-not-for-production"})
    with app.app_context():  # the hasher's settings
        password_hash = hash_password(PASSWORD)
    engine = sa.create_engine(url)
    coach_id, case_id = coach_and_case(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE user_account SET password_hash = :h WHERE id = :id"),
                     {"h": password_hash, "id": coach_id})
        email = conn.scalar(sa.text("SELECT email FROM user_account WHERE id = :id"),
                            {"id": coach_id})
        open_cases = conn.scalar(sa.text(
            "SELECT COUNT(*) FROM case_file WHERE coach_id = :id AND status <> 'afgesloten'"),
            {"id": coach_id})
    engine.dispose()
    return email, open_cases, case_id


class Server(Gunicorn):
    """Gunicorn as serve-prod, for any WSGI app spec."""

    def __init__(self, env: dict[str, str], log: Path, app_spec: str, source: Path = ROOT
                 ) -> None:
        from benchmarks.load import free_port

        self.port = free_port()
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our venv's gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "--control-socket", str(log.with_suffix(".ctl")), app_spec],
            env=env, cwd=source, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_up(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if call(self.port, "GET", path, timeout=5)[0] == 200 and len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn on {self.port} not ready; see {self.log}")


class Load(NamedTuple):
    """What wrk measured of one page."""

    p50: float  # ms
    p95: float  # ms
    rps: float
    errors: int
    requests: int


def wrk(port: int, path: str, headers: dict[str, str], args: argparse.Namespace,
        script: Path, seconds: int | None = None) -> Load:
    """One page under ``--connections`` connections for ``seconds`` (``--seconds``)."""
    command = ["wrk", "-t", "2", "-c", str(args.connections),
               "-d", f"{seconds or args.seconds}s",
               "--timeout", "30s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"],  # noqa: S603
                         capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", out)
    if not match:
        raise SystemExit(f"no wrk result for {path}:\n{out}")
    requests, duration_us = int(match[1]), int(match[2])
    return Load(float(match[3]), float(match[4]), requests / (duration_us / 1e6), int(match[5]),
                requests)


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (Linux), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def tree_cpu_seconds(root: int | None) -> float:
    """CPU time (user and system) of a process, of the children it has reaped and of its live
    children. The difference of two readings is what the tree used in between, also for
    children that started or ended meanwhile (gunicorn's workers; PostgreSQL's backends and
    autovacuum workers). NaN without such a process (a database on another machine)."""
    fields = _stat(root) if root else None
    if fields is None:
        return math.nan
    live = children(root)
    if live is None:
        return math.nan
    ticks = 0
    for pid_fields in (fields, *map(_stat, live)):
        if pid_fields is not None:  # a child that ended just now is in its parent's counts
            ticks += sum(int(value) for value in pid_fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid(url: str) -> int | None:
    """The local PostgreSQL server's main process (the parent of our backend), or None for
    SQLite (it runs in the worker) and for a server on another machine."""
    if not url.startswith("postgresql"):
        return None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            backend = conn.scalar(sa.text("SELECT pg_backend_pid()"))
            fields = _stat(backend)
            if fields is None or Path(f"/proc/{backend}/comm").read_text().strip() != "postgres":
                return None
            return int(fields[1])  # the parent
    except OSError:
        return None
    finally:
        engine.dispose()


@dataclass
class Measured:
    """One page under load: latency, throughput, CPU per request of the app and the database,
    and the bare route's throughput measured right before it."""

    label: str
    load: Load
    size: int
    app_cpu_ms: float = math.nan
    db_cpu_ms: float = math.nan
    bare_rps: float = math.nan

    @property
    def share(self) -> float:
        return 100 * self.load.rps / self.bare_rps if self.bare_rps else math.nan


def as_a_browser(port: int, path: str, headers: dict[str, str]
                 ) -> tuple[dict[str, str], bytes, bool]:
    """Request ``path`` once and keep the session cookie its response sets, as a browser does:
    (the headers to send from now on, the page, whether the page still sets the cookie).

    wrk sends one fixed Cookie header. A session the server changed and the client did not keep
    (the first form's CSRF token, the renewal every few minutes) would be changed, signed and
    sent again on every measured request, which no browser causes."""
    status, response, body = call(port, "GET", path, headers=headers)
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    cookie = COOKIE_RE.search(response.get("set-cookie", ""))
    if cookie and "Cookie" in headers:
        headers = {**headers, "Cookie": f"rmt_session={cookie[1]}"}
        status, response, body = call(port, "GET", path, headers=headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status} with the kept cookie")
    return headers, body, "set-cookie" in response


def measure(page: tuple, args: argparse.Namespace, script: Path, app: Server | None = None,
            bare: Server | None = None, database: int | None = None) -> Measured:
    """One page: warm up, then (app pages) the bare route for ``--bare-seconds``, then the page
    with the CPU time of gunicorn (master and workers) and of the database server (``database``:
    its main process) counted around it."""
    label, port, path, headers = page
    headers, body, sets_cookie = as_a_browser(port, path, headers)
    if sets_cookie:
        label += " (sets the session cookie on every request)"
    if args.warmup:  # both workers warm (templates, caches, statements), not measured
        wrk(port, path, headers, args, script, seconds=args.warmup)
    bare_rps = math.nan
    if bare is not None and args.bare_seconds:
        bare_rps = wrk(bare.port, "/", {}, args, script, seconds=args.bare_seconds).rps
    server = app.process.pid if app else None
    before = tree_cpu_seconds(server), tree_cpu_seconds(database)
    load = wrk(port, path, headers, args, script)
    after = tree_cpu_seconds(server), tree_cpu_seconds(database)
    row = Measured(label, load, len(body), bare_rps=bare_rps)
    if app is not None and load.requests:
        row.app_cpu_ms = 1000 * (after[0] - before[0]) / load.requests
        row.db_cpu_ms = 1000 * (after[1] - before[1]) / load.requests
    print(f"  {label:<40} p50 {load.p50:8.1f}  p95 {load.p95:8.1f}  {load.rps:8.1f}/s  "
          f"{len(body) / 1024:6.0f} KB  errors {load.errors}  app {_cpu(row.app_cpu_ms)} ms  "
          f"db {_cpu(row.db_cpu_ms)} ms  bare {bare_rps:7.0f}/s  load {os.getloadavg()[0]:.1f}",
          flush=True)
    return row


def run_engine(engine: str, args: argparse.Namespace, workdir: Path) -> list[Measured]:
    url = database_url(engine, workdir)
    if not (args.reuse and seeded(url)):
        print(f"[{engine}] seeding {args.cases} cases ...", flush=True)
        fresh_database(engine, url)
        seed_all(url, args)
    logs = Path(tempfile.mkdtemp(prefix="rmt-bench-pages-logs-"))
    env = app_env(url, logs)
    flask(env, "db", "upgrade")
    email, open_cases, case_id = prepare_coach(url)
    token = flask(env, "users", "token", email, "--label", "bench").strip().splitlines()[-1]
    app = Server(env, logs / "app.log", "rmt:create_app()", args.source)
    bare = Server(env, logs / "bare.log", "benchmarks.bare:app")
    script = logs / "report.lua"
    script.write_text(WRK_SCRIPT)
    rows = []
    try:
        app.wait_up("/health/ready")
        bare.wait_up("/")
        session = sign_in(app.port, email, PASSWORD)
        bearer = {"Authorization": f"Bearer {token}"}
        pages = [
            ("bare Flask route", bare.port, "/", {}),
            (f"coach start page ({open_cases} open cases)", app.port, "/", session),
            ("region case list", app.port, "/trajecten", session),
            ("case list filtered by step", app.port, "/trajecten?stap=intake", session),
            ("case list searched by name", app.port, "/trajecten?q=nummer4711", session),
            ("case list searched by number", app.port, "/trajecten?q=4711", session),
            ("case list page 50", app.port, "/trajecten?pagina=50", session),
            (f"case page ({NOTES_ON_CASE} notes)", app.port, f"/trajecten/{case_id}", session),
            ("GET /api/v1/cases", app.port, "/api/v1/cases", bearer),
            ("change password page", app.port, "/account/wachtwoord", session),
        ]
        database = postmaster_pid(url)
        bare_page, *app_pages = pages
        rows.append(measure(bare_page, args, script))
        for page in app_pages:
            if args.only and not any(word in page[0] for word in args.only.split(",")):
                continue
            rows.append(measure(page, args, script, app=app, bare=bare, database=database))
        for row in rows:  # without --bare-seconds: against the bare route measured first
            if math.isnan(row.bare_rps):
                row.bare_rps = rows[0].load.rps
    finally:
        app.stop()
        bare.stop()
    return rows


def _cpu(milliseconds: float) -> str:
    return "–" if math.isnan(milliseconds) else f"{milliseconds:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--notes", type=int, default=300_000)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 15)))
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of the same load before each page is measured (0: none)")
    parser.add_argument("--bare-seconds", type=int, default=5,
                        help="seconds of the bare route right before each page (0: compare "
                             "with the bare route measured first)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "rmt-bench-pages")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="serve the app from this checkout (e.g. main's code for 'before')")
    parser.add_argument("--only", default="",
                        help="measure only pages whose label contains one of these words")
    parser.add_argument("--reuse", action="store_true",
                        help="keep using an already seeded database (any size)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = {engine.strip(): run_engine(engine.strip(), args, args.workdir)
            for engine in args.engines.split(",")}
    print(f"\nload average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("| engine | page | p50 ms | p95 ms | req/s | % of bare | bare req/s | app CPU ms/req "
          "| db CPU ms/req | KB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine, engine_rows in rows.items():
        for row in engine_rows:
            load = row.load
            flag = f" ({load.errors} errors)" if load.errors else ""
            print(f"| {engine} | {row.label}{flag} | {load.p50:.1f} | {load.p95:.1f} "
                  f"| {load.rps:.0f} | {row.share:.1f} | {row.bare_rps:.0f} "
                  f"| {_cpu(row.app_cpu_ms)} | {_cpu(row.db_cpu_ms)} | {row.size / 1024:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
