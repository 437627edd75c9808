"""Browser tests: the real app in a subprocess, driven by Debian's Chromium through Playwright.

One live server and one browser per session; a fresh browser context (cookies, storage) per
test. The database is a temporary SQLite file, or, when ``RMT_TEST_DATABASE_URL`` points at
PostgreSQL, a separate database created next to it (``rmt_e2e_<pid>``) and dropped at the end.
The schema and the demo users come from the real CLI (``db upgrade``, ``demo seed``).

Every page checked with ``assert_accessible`` is saved as a full-page screenshot in
``test-artifacts/screenshots/<test>-<n>.png`` and must have no axe-core violations for
WCAG 2.1 A and AA.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TEST_DATABASE_URL = os.environ.get("RMT_TEST_DATABASE_URL", "")

DEMO_PASSWORD = "Demo-RMT-2026!"
# Demo coordinators and the admin sign in with a second factor; `demo seed` gives them this
# TOTP secret (see README), so the tests compute the code like a newcomer would.
DEMO_TOTP_SECRET = "RMTDEMOTOTPGEHEIMVOORDEMOONLY234"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 30.0
SERVER_LOG = pytest.StashKey[Path]()
TEST_LOG_START = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an ``e2e`` test (``pytest -m "not e2e"`` skips them)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On failure, attach what the app server logged during the test (tracebacks of a 500)."""
    report = yield
    log = item.config.stash.get(SERVER_LOG, None)
    start = item.stash.get(TEST_LOG_START, None)
    if report.failed and log is not None and start is not None and log.exists():
        with log.open(encoding="utf-8", errors="replace") as fh:
            fh.seek(start)
            text = fh.read()
        if text.strip():
            report.sections.append((f"live server log ({report.when})", text[-20_000:]))
    return report


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Override the suite's in-process transaction fixture: the browser talks to a server."""
    return None


# --- database -------------------------------------------------------------------------------


def _postgres_admin_conninfo(url: str) -> tuple[str, str]:
    """(libpq URL of the server's ``postgres`` database, SQLAlchemy URL of the e2e database)."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"rmt_e2e_{os.getpid()}"
    admin = base.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), base.set(database=name).render_as_string(
        hide_password=False
    )


def _postgres_execute(conninfo: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.sqlite3'}"
        return

    import psycopg

    admin, url = _postgres_admin_conninfo(TEST_DATABASE_URL)
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    try:
        _postgres_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres_execute(admin, f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.exit(f"PostgreSQL is not reachable at {TEST_DATABASE_URL}: {exc}", 2)
    try:
        yield url
    finally:
        _postgres_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- live server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "rmt", *args]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"The app server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(
        f"The app server did not answer {url} in {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def live_server(
    e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """Migrate and seed a fresh database with the real CLI, then serve the app on a free port."""
    workdir = tmp_path_factory.mktemp("e2e-server")
    env = {
        **os.environ,
        "RMT_ENV": "development",
        "RMT_DATABASE_URL": e2e_database_url,
        "RMT_SECRET_KEY": secrets.token_hex(32),
        "RMT_INSTANCE_PATH": str(workdir / "instance"),
        "RMT_DEMO_PASSWORD": DEMO_PASSWORD,
        "RMT_DEMO_TOTP_SECRET": DEMO_TOTP_SECRET,
        "RMT_RATELIMIT_STORAGE_URI": "memory://",
        # Every browser test signs in from 127.0.0.1; the limits themselves are tested in
        # tests/auth and tests/security, here they would only make the flows depend on order.
        "RMT_LOGIN_RATE_LIMIT": "1000 per minute",
        "RMT_TOTP_RATE_LIMIT": "1000 per minute",
        "RMT_SECURE_COOKIES": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_DEBUG", None)
    for command in (("db", "upgrade"), ("demo", "seed")):
        result = subprocess.run(
            _flask(*command),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"`flask --app rmt {' '.join(command)}` failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    pytestconfig.stash[SERVER_LOG] = log
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            _flask("run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"),
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{base_url}/inloggen", proc, log)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --- browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}; install it with "
            "`sudo apt-get install chromium chromium-driver` (or run `make chromium`).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server: str, request: pytest.FixtureRequest) -> Iterator:
    log = request.config.stash.get(SERVER_LOG, None)
    if log is not None and log.exists():
        request.node.stash[TEST_LOG_START] = log.stat().st_size
    # bypass_csp only so axe-core can be injected; the app's own pages never need it.
    context = browser.new_context(base_url=live_server, bypass_csp=True, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


# --- helpers --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}; run `npm ci` first.", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe-core violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            html = node.get("html", "")
            html = html if len(html) <= 200 else html[:197] + "..."
            lines.append(f"    target: {target}")
            lines.append(f"      html: {html}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n            ")
            if summary:
                lines.append(f"      why:  {summary}")
    return "\n".join(lines)


def axe_violations(page, axe_source: str) -> list[dict]:
    """The axe-core violations (WCAG 2.1 A + AA) of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async (tags) => await axe.run(document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    return result["violations"]


@pytest.fixture
def assert_accessible(request: pytest.FixtureRequest, axe_source: str) -> Callable:
    """``assert_accessible(page)``: screenshot the page, then require zero WCAG 2.1 AA findings."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    counter = {"n": 0}

    def _assert_accessible(page) -> None:
        counter["n"] += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{test_name}-{counter['n']}.png"), full_page=True)
        violations = axe_violations(page, axe_source)
        if violations:
            pytest.fail(format_violations(page.url, violations))

    return _assert_accessible


# The last TOTP time step used per account: the app refuses a code twice, so a second sign-in
# of the same account uses a later step (the app accepts one step either side of now).
_LAST_TOTP_STEP: dict[str, int] = {}


def fresh_totp_code(email: str, secret: str = DEMO_TOTP_SECRET) -> str:
    """A code for ``email`` that the app has not seen yet; waits for the next 30 s step if the
    accepted window is used up (only when one account signs in more than three times in 30 s)."""
    import pyotp

    while True:
        now = time.time()
        current, left = int(now // 30), 30 - now % 30
        steps = [current + offset for offset in (-1, 0, 1)
                 if current + offset > _LAST_TOTP_STEP.get(email, -1)]
        if steps and steps[0] == current - 1 and left < 5:
            steps = steps[1:]  # the previous step is about to leave the window
        if steps:
            _LAST_TOTP_STEP[email] = steps[0]
            return pyotp.TOTP(secret).generate_otp(steps[0])
        time.sleep(left + 0.2)


@pytest.fixture
def sign_in() -> Callable:
    """``sign_in(page, email)``: fill in and submit the real sign-in form, and the code step
    for accounts with a second factor (demo coordinators and the admin). ``on_each_page(page)``,
    if given, is called on the sign-in page and on the code page before they are filled in."""

    def _sign_in(page, email: str, password: str = DEMO_PASSWORD,
                 on_each_page: Callable | None = None) -> None:
        page.goto("/inloggen")
        if on_each_page:
            on_each_page(page)
        page.get_by_label("E-mailadres", exact=True).fill(email)
        page.get_by_label("Wachtwoord", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen").click()
        if re.search(r"/inloggen/code$", page.url):
            if on_each_page:
                on_each_page(page)
            page.get_by_label("Code", exact=True).fill(fresh_totp_code(email))
            with page.expect_navigation():
                page.get_by_role("button", name="Controleren").click()

    return _sign_in


def menu_link(page, name: str):
    """The main menu's link ``name``, visible: a link inside a group (a ``<details>``) is shown
    by clicking the group's button first, as a user would."""
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        fold = nav.locator("details.rmt-nav__fold > summary")
        if fold.is_visible() and not nav.locator("details.rmt-nav__fold[open]").count():
            fold.click()  # narrow screens: the whole menu is folded behind "Menu"
        hidden = page.get_by_role("link", name=name, exact=True, include_hidden=True)
        group = nav.locator("details.rmt-nav__group").filter(has=hidden)
        if group.count() and not link.is_visible():
            group.locator("summary").click()
    return link


def sign_out(page) -> None:
    """Sign out with the header's button and wait for the sign-in page, as a user would.
    (Clearing cookies instead races a late response that sets the session cookie again.)"""
    from playwright.sync_api import expect

    page.get_by_role("banner").get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen$"))
