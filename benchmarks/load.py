"""Load test: many clients at once against gunicorn, on SQLite and PostgreSQL (``make load``).

Not part of ``make test``. Per engine it

1. makes a fresh database (a temporary SQLite file, or ``rmt_load_<pid>`` next to
   ``RMT_LOAD_DATABASE_URL``), migrates it and fills it with ``flask --app rmt demo seed``;
2. creates an API token with ``flask --app rmt users token`` (the sign-in form is used once, for
   the session cookie of the HTML readers: its rate limit never blocks the load);
3. serves it exactly as ``make serve-prod`` does: ``gunicorn --workers 2 --bind 127.0.0.1:PORT
   'rmt:create_app()'`` with the rate-limit counters in Redis (``--instances 2``: two gunicorn
   instances on two ports against the same database and Redis, clients spread over both);
4. runs ``--clients`` threads for ``--seconds``: API writers posting notes (each on a case of its
   own, and some on one shared case) and readers (the case page and the case list as HTML with
   a session cookie, and ``GET /api/v1/cases``); halfway it kills one gunicorn worker with
   SIGKILL;
5. checks the database: every acknowledged note (201 with its id) is stored exactly once under
   that id, a note whose connection was dropped by the killed worker at most once, and nothing
   else; then runs ``flask --app rmt audit verify``.

It prints a table per engine and exits non-zero on any 5xx answer or any lost, duplicated or
unexpected write. Every note's text carries a unique run/client/request tag.

    python -m benchmarks.load [--engine sqlite|postgresql|both] [--clients 32] [--seconds 30]
                              [--instances 1] [--cases 300]

Environment: ``LOAD_CLIENTS``, ``LOAD_SECONDS``, ``LOAD_INSTANCES``, ``LOAD_CASES`` (defaults of
the flags), ``RMT_LOAD_DATABASE_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/
test``; a database next to it is created and dropped), ``RMT_RATELIMIT_STORAGE_URI`` (default
``redis://127.0.0.1:6379/0``). Logs of gunicorn stay in the printed temporary folder.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from rmt import MODEL_MODULES
from rmt.auth.models import User
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider, Voucher

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COACH = "coach.mu@demo.rmt.test"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COOKIE_RE = re.compile(r"rmt_session=([^;]*)")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COORDINATOR = "coordinator.mu@demo.rmt.test"
#: The budget race after the load: requests on a budget with room for only some of them,
#: decided at the same moment by threads spread over every instance.
RACE_REQUESTS = 8
RACE_ROOM = 3
RACE_CENTS = 1_000_00
RACE_THREADS = 4
#: One client in this many writes; of the writers, one in SHARED_EVERY writes on the shared case.
WRITER_EVERY = 2
SHARED_EVERY = 4


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Results:
    """Every answer of a run: status (or "dropped"/"error") and duration per request kind."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    acknowledged: dict[str, int] = field(default_factory=dict)  # tag -> note id
    dropped: set[str] = field(default_factory=set)
    refused: set[str] = field(default_factory=set)  # answered, not 201
    server_errors: list[str] = field(default_factory=list)
    client_errors: Counter = field(default_factory=Counter)

    def add(self, kind: str, status: int | str, ms: float, body: bytes = b"") -> None:
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.durations[kind].append(ms)
            if isinstance(status, int) and status >= 500:
                self.server_errors.append(f"{kind} {status} {body[:200]!r}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------
# HTTP


def call(port: int, method: str, path: str, *, headers: dict[str, str] | None = None,
         json_body: object = None, form: dict | None = None,
         timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (gunicorn's sync workers close every connection)."""
    headers = dict(headers or {})
    body = None
    if json_body is not None:
        body = json.dumps(json_body)
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


def sign_in(port: int, email: str, password: str) -> dict[str, str]:
    """The Cookie header of a session signed in through the real form."""
    _status, headers, body = call(port, "GET", "/inloggen")
    cookie, token = COOKIE_RE.search(headers.get("set-cookie", "")), CSRF_RE.search(body.decode())
    if not cookie or not token:
        raise SystemExit("no session cookie or CSRF token on /inloggen")
    status, headers, _body = call(port, "POST", "/inloggen",
                                  headers={"Cookie": f"rmt_session={cookie[1]}"},
                                  form={"csrf_token": token[1], "email": email,
                                        "password": password, "next": ""})
    signed_in = COOKIE_RE.search(headers.get("set-cookie", ""))
    if status != 302 or not signed_in:
        raise SystemExit(f"sign-in as {email} failed: {status}")
    return {"Cookie": f"rmt_session={signed_in[1]}"}


# ---------------------------------------------------------------------------------------------
# Database, app, gunicorn


class Database:
    """A fresh database for one run; dropped (PostgreSQL) or deleted with the folder (SQLite)."""

    def __init__(self, engine: str, workdir: Path) -> None:
        self.engine_name = engine
        if engine == "sqlite":
            self.url = f"sqlite:///{workdir / 'load.sqlite3'}"
            self._admin = None
            return
        base = sa.make_url(os.environ.get("RMT_LOAD_DATABASE_URL", DEFAULT_PG))
        self.name = f"rmt_load_{os.getpid()}"
        self._admin = sa.create_engine(base.set(database="postgres"),
                                       isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        self.url = base.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self._admin is not None:
            with self._admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self._admin.dispose()


def app_env(database_url: str, workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "RMT_DATABASE_URL": database_url,
        "RMT_INSTANCE_PATH": str(workdir / "instance"),
        "RMT_SECRET_KEY": uuid.uuid4().hex,
        "RMT_RATELIMIT_STORAGE_URI": os.environ.get("RMT_RATELIMIT_STORAGE_URI",
                                                    "redis://127.0.0.1:6379/0"),
        "RMT_LOG_FORMAT": "json",
        "RMT_DEMO_PASSWORD": "Load-Test-Wachtwoord-42",
    })
    env.pop("RMT_ENV", None)  # production settings, as serve-prod
    return env


def flask(env: dict[str, str], *args: str) -> str:
    # Our own venv's flask with fixed arguments: no untrusted input.
    result = subprocess.run([str(BIN / "flask"), "--app", "rmt", *args], env=env, cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int] | None:
    """The live child processes of ``pid`` (Linux ``/proc``), or None if it cannot be read."""
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return None


class Gunicorn:
    """``gunicorn --workers 2 --bind 127.0.0.1:PORT 'rmt:create_app()'``, as serve-prod."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        self._log_file = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our venv's gunicorn, fixed arguments
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             # Its own control socket: the default path is shared by every gunicorn of the user.
             "--control-socket", str(log.with_suffix(".ctl")),
             "rmt:create_app()"], env=env, cwd=ROOT, stdout=self._log_file,
            stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if call(self.port, "GET", "/health/ready", timeout=5)[0] == 200 and \
                        len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn on {self.port} not ready; see {self.log}")

    def workers(self) -> list[int]:
        return children(self.process.pid) or []

    def kill_one_worker(self) -> int | None:
        workers = self.workers()
        if not workers:
            return None
        os.kill(workers[0], signal.SIGKILL)
        return workers[0]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log_file.close()


def writable_cases(database_url: str) -> list[int]:
    """Open cases of the demo coach of region MU (who may add notes to them)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text(
                "SELECT c.id FROM case_file c JOIN user_account u ON u.id = c.coach_id "
                "WHERE u.email = :email AND c.status NOT IN ('afgesloten') ORDER BY c.id"),
                {"email": COACH}))
    finally:
        engine.dispose()


def stored_notes(database_url: str, run_tag: str) -> list[tuple[str, int]]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(
                "SELECT text, id FROM note WHERE text LIKE :tag"), {"tag": f"{run_tag}%"})]
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Clients


def client_loop(index: int, ports: list[int], deadline: float, results: Results, run_tag: str,
                token: str, session: dict[str, str], own_case: int, shared_case: int,
                page_cases: list[int]) -> None:
    """One client until the deadline: a writer (even index) or a reader (odd index)."""
    port = ports[index % len(ports)]
    rng = random.Random(index)
    bearer = {"Authorization": f"Bearer {token}"}
    writer = index % WRITER_EVERY == 0
    n = 0
    while time.monotonic() < deadline:
        n += 1
        if writer:
            case_id = shared_case if (index // WRITER_EVERY) % SHARED_EVERY == 0 else own_case
            kind = "write shared case" if case_id == shared_case else "write own case"
            tag = f"{run_tag} c{index} r{n}"
            body = {"contact_on": date.today().isoformat(), "kind": "gesprek", "text": tag}
            request = ("POST", f"/api/v1/cases/{case_id}/notes", bearer, body)
        else:
            tag = ""
            kind = ("case page", "case list", "api cases")[n % 3]
            path = {"case page": f"/trajecten/{rng.choice(page_cases)}",
                    "case list": "/trajecten", "api cases": "/api/v1/cases"}[kind]
            request = ("GET", path, bearer if kind == "api cases" else session, None)
        method, path, headers, body = request
        started = time.perf_counter()
        try:
            status, _headers, content = call(port, method, path, headers=headers,
                                             json_body=body)
        except (ConnectionError, http.client.HTTPException) as exc:
            # The killed worker's connections: reset or closed without an answer.
            results.add(kind, "dropped", (time.perf_counter() - started) * 1000)
            if tag:
                with results.lock:
                    results.dropped.add(tag)
            with results.lock:
                results.client_errors[type(exc).__name__] += 1
            continue
        except OSError as exc:  # a timeout: counted apart, treated as dropped for integrity
            results.add(kind, "timeout", (time.perf_counter() - started) * 1000)
            with results.lock:
                results.client_errors[type(exc).__name__] += 1
                if tag:
                    results.dropped.add(tag)
            continue
        results.add(kind, status, (time.perf_counter() - started) * 1000, content)
        if tag:
            with results.lock:
                if status == 201:
                    results.acknowledged[tag] = json.loads(content)["id"]
                else:
                    results.refused.add(tag)


# ---------------------------------------------------------------------------------------------
# One run


@dataclass
class Verdict:
    problems: list[str]
    audit: str
    dropped_stored: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_integrity(results: Results, stored: list[tuple[str, int]], audit_ok: bool,
                    audit_text: str) -> Verdict:
    problems = []
    counts = Counter(text for text, _id in stored)
    ids = defaultdict(set)
    for text, ident in stored:
        ids[text].add(ident)
    for tag, ident in results.acknowledged.items():
        if counts[tag] != 1:
            problems.append(f"acknowledged {tag!r} (id {ident}) stored {counts[tag]} times")
        elif ids[tag] != {ident}:
            problems.append(f"acknowledged {tag!r} stored under id {ids[tag]}, answered {ident}")
    dropped_stored = 0
    for tag in results.dropped:
        dropped_stored += counts[tag] > 0
        if counts[tag] > 1:
            problems.append(f"dropped {tag!r} stored {counts[tag]} times")
    for tag in results.refused:
        if counts[tag]:
            problems.append(f"refused {tag!r} stored {counts[tag]} times")
    unexpected = set(counts) - set(results.acknowledged) - results.dropped - results.refused
    problems += [f"unexpected note {tag!r}" for tag in sorted(unexpected)]
    if results.server_errors:
        problems.append(f"{len(results.server_errors)} answers >= 500")
    if not audit_ok:
        problems.append("audit verify failed: " + audit_text)
    return Verdict(problems, audit_text, dropped_stored)


@dataclass
class Race:
    """The budget race: answers per status and what the database holds afterwards."""

    statuses: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    approved: int = 0
    committed_cents: int = 0

    def problems(self) -> list[str]:
        found = []
        if self.statuses != Counter({200: RACE_ROOM, 409: RACE_REQUESTS - RACE_ROOM}):
            found.append(f"budget race answers {dict(self.statuses)}, expected {RACE_ROOM} x 200")
        if self.codes and set(self.codes) != {"exceeds_remaining_budget"}:
            found.append(f"budget race refusals {dict(self.codes)}")
        if self.approved != self.statuses[200] or self.committed_cents > RACE_ROOM * RACE_CENTS:
            found.append(f"budget race: {self.approved} approved, {self.committed_cents} cents "
                         f"committed of {RACE_ROOM * RACE_CENTS}")
        return found


def seed_budget_race(database_url: str, run_tag: str, case_id: int) -> tuple[int, list[int]]:
    """A new budget with room for RACE_ROOM vouchers and RACE_REQUESTS requests on it."""
    for name in MODEL_MODULES:  # every mapped class, so the relationships resolve
        importlib.import_module(name)
    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            coach_id = session.scalar(sa.select(User.id).where(User.email == COACH))
            provider_id = session.scalar(sa.select(TrainingProvider.id).limit(1))
            fund = FundingSource(name=f"Belastingtest {run_tag}")
            session.add(fund)
            session.flush()
            budget = Budget(region_code="MU", funding_source_id=fund.id, year=date.today().year,
                            amount_cents=RACE_ROOM * RACE_CENTS, max_per_voucher_cents=RACE_CENTS)
            session.add(budget)
            session.flush()
            vouchers = [Voucher(case_id=case_id, region_code="MU", budget_id=budget.id,
                                provider_id=provider_id, course_name=f"Cursus {n}",
                                start_on=date.today(), end_on=date.today(),
                                amount_cents=RACE_CENTS, motivation="Belastingtest",
                                status=VoucherStatus.AANGEVRAAGD, requested_by_id=coach_id)
                        for n in range(RACE_REQUESTS)]
            session.add_all(vouchers)
            session.flush()
            return budget.id, [voucher.id for voucher in vouchers]
    finally:
        engine.dispose()


def run_budget_race(database_url: str, ports: list[int], token: str, budget_id: int,
                    voucher_ids: list[int]) -> Race:
    """Decide every request at once from threads spread over the instances, then count."""
    race = Race()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}"}

    def decide(index: int) -> None:
        port = ports[index % len(ports)]
        for voucher_id in voucher_ids[index::RACE_THREADS]:
            status, _headers, body = call(port, "POST", f"/api/v1/vouchers/{voucher_id}/decision",
                                          headers=headers,
                                          json_body={"decision": "toegekend", "note": ""})
            code = json.loads(body or b"{}").get("code", "") if status != 200 else ""
            with lock:
                race.statuses[status] += 1
                if code:
                    race.codes[code] += 1

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(RACE_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            approved = conn.execute(sa.select(sa.func.count(), sa.func.sum(Voucher.amount_cents))
                                    .where(Voucher.budget_id == budget_id,
                                           Voucher.status == VoucherStatus.TOEGEKEND)).one()
        race.approved, race.committed_cents = approved[0], approved[1] or 0
    finally:
        engine.dispose()
    return race


def run_engine(engine: str, clients: int, seconds: float, instances: int,
               case_count: int) -> tuple[str, bool]:
    workdir = Path(tempfile.mkdtemp(prefix=f"rmt-load-{engine}-"))
    database = Database(engine, workdir)
    env = app_env(database.url, workdir)
    servers: list[Gunicorn] = []
    try:
        t0 = time.monotonic()
        flask(env, "db", "upgrade")
        flask(env, "demo", "seed", "--cases", str(case_count))
        token = flask(env, "users", "token", COACH, "--label", "load").strip().splitlines()[-1]
        coordinator_token = flask(env, "users", "token", COORDINATOR, "--label",
                                  "load").strip().splitlines()[-1]
        seed_seconds = time.monotonic() - t0
        cases = writable_cases(database.url)
        if len(cases) < 2:
            raise SystemExit(f"too few open cases of {COACH}: {len(cases)}")
        servers = [Gunicorn(env, workdir / f"gunicorn-{n}.log") for n in range(instances)]
        for server in servers:
            server.wait_ready()
        ports = [server.port for server in servers]
        session = sign_in(ports[0], COACH, env["RMT_DEMO_PASSWORD"])

        results = Results()
        run_tag = f"load-{uuid.uuid4().hex[:8]}"
        shared_case, own_cases = cases[0], cases[1:]
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=client_loop, args=(
            n, ports, deadline, results, run_tag, token, session,
            own_cases[n % len(own_cases)], shared_case, cases)) for n in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(seconds / 2)
        killed = servers[0].kill_one_worker()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.monotonic() - started
        budget_id, voucher_ids = seed_budget_race(database.url, run_tag, shared_case)
        race = run_budget_race(database.url, ports, coordinator_token, budget_id, voucher_ids)
        for server in servers:
            server.stop()
        servers = []

        audit = subprocess.run([str(BIN / "flask"), "--app", "rmt", "audit", "verify"],  # noqa: S603
                               env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        audit_text = (audit.stdout + audit.stderr).strip().splitlines()[-1]
        verdict = check_integrity(results, stored_notes(database.url, run_tag),
                                  audit.returncode == 0, audit_text)
        verdict.problems += race.problems()
        table = render(engine, clients, seconds, instances, case_count, seed_seconds, elapsed,
                       killed, results, verdict, workdir)
        table += (f"\nBudget race over {instances} instance(s): {RACE_REQUESTS} requests on a "
                  f"budget with room for {RACE_ROOM}, decided by {RACE_THREADS} threads at once: "
                  f"answers {dict(race.statuses)}, refusals {dict(race.codes)}; "
                  f"{race.approved} approved, {race.committed_cents / 100:.2f} EUR committed of "
                  f"{RACE_ROOM * RACE_CENTS / 100:.2f} EUR "
                  f"({'OK' if not race.problems() else 'FAILED'}).\n")
        return table, verdict.ok
    finally:
        for server in servers:
            server.stop()
        database.drop()
        if os.environ.get("LOAD_KEEP") != "1":
            shutil.rmtree(workdir / "instance", ignore_errors=True)
            for db_file in workdir.glob("load.sqlite3*"):
                db_file.unlink()


def render(engine: str, clients: int, seconds: float, instances: int, case_count: int,
           seed_seconds: float, elapsed: float, killed: int | None, results: Results,
           verdict: Verdict, workdir: Path) -> str:
    kinds = ["write own case", "write shared case", "case page", "case list", "api cases"]
    columns = sorted({status for (_kind, status) in results.statuses}, key=str)
    lines = [
        f"### {engine}, {instances} gunicorn instance(s) × 2 workers, {clients} clients, "
        f"{seconds:g} s",
        "",
        f"Demo seed of {case_count} cases: {seed_seconds:.0f} s. Worker killed halfway: "
        f"pid {killed}. Logs: {workdir}.",
        "",
        "| request | " + " | ".join(str(c) for c in columns) + " | req/s | p50 ms | p95 ms |",
        "|---|" + "---:|" * (len(columns) + 3),
    ]
    total = Counter()
    for kind in kinds:
        row = [results.statuses[(kind, c)] for c in columns]
        for c, value in zip(columns, row, strict=True):
            total[c] += value
        durations = results.durations.get(kind, [])
        lines.append(f"| {kind} | " + " | ".join(str(v) for v in row)
                     + f" | {len(durations) / elapsed:.1f} | {percentile(durations, 0.5):.0f}"
                     f" | {percentile(durations, 0.95):.0f} |")
    all_durations = [d for values in results.durations.values() for d in values]
    lines.append("| **all** | " + " | ".join(str(total[c]) for c in columns)
                 + f" | {len(all_durations) / elapsed:.1f} | "
                 f"{percentile(all_durations, 0.5):.0f} | {percentile(all_durations, 0.95):.0f} |")
    lines += [
        "",
        f"Integrity: {'OK' if verdict.ok else 'FAILED'} — {len(results.acknowledged)} "
        f"acknowledged notes each stored once under their id; {len(results.dropped)} dropped "
        f"writes, {verdict.dropped_stored} of them stored (once); {len(results.refused)} "
        f"refused and not stored. "
        f"Audit: {verdict.audit}",
    ]
    if results.client_errors:
        lines.append(f"Client-side errors: {dict(results.client_errors)}.")
    lines += [f"- {problem}" for problem in verdict.problems[:20]]
    lines += [f"- {error}" for error in results.server_errors[:5]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", 32)))
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("LOAD_SECONDS", 30)))
    parser.add_argument("--instances", type=int,
                        default=int(os.environ.get("LOAD_INSTANCES", 1)))
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LOAD_CASES", 300)))
    args = parser.parse_args(argv)
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    ok = True
    for engine in engines:
        table, passed = run_engine(engine, args.clients, args.seconds, args.instances,
                                   args.cases)
        print(table, flush=True)
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
