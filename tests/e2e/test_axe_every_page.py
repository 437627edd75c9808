"""Every page of the app, for every role, passes axe-core (WCAG 2.1 A + AA) and none answers 500.

Per role (coach, liaison, coordinator and admin of Midden-Utrecht, from ``demo seed``): sign in
once (the sign-in and code pages are checked on the way), then crawl breadth-first from ``/``
and from every GET route of the url_map without arguments, following every same-origin
``a[href]``. URLs are grouped by pattern (digit runs become ``#``); at most two URLs of a pattern
are opened, so a list of 40 cases costs two case pages, not forty. Routes with ids that no
followed link reached (e.g. the intake of a case) are then tried with ids from the links found
(same argument names); those that answer 200 are opened and crawled too. Skipped: the API,
static files, downloads (by extension, or when the answer is not HTML), sign-out and the
language switch (checked once at the end, on the start page in English).

Findings are collected over the whole crawl and reported together (page, rule, target), along
with every 500 and every link that leads a role to an error. The crawl must reach a minimum
number of patterns and of endpoints answering with a page per role, so a broken sign-in or
crawler cannot pass by visiting nothing. ``pytest -s`` prints what was reached and which page
routes gave this role no page.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.e2e

# email; the minimum number of URL patterns opened and of endpoints that answered with a page
# (with the demo data the crawl reaches 53/30, 47/21, 62/43 and 42/23).
ROLES = {
    "coach": ("coach.mu@demo.rmt.test", 48, 27),
    "liaison": ("liaison.mu@demo.rmt.test", 42, 18),
    "coordinator": ("coordinator.mu@demo.rmt.test", 56, 38),
    "admin": ("admin@demo.rmt.test", 38, 20),
}
MAX_PAGES = 150
PER_PATTERN = 2
# Routes with ids that no link led to: how many id combinations found on pages are tried.
ID_TRIES = 12
DOWNLOAD = re.compile(r"\.(csv|xlsx|json|db|pdf|zip)$")
SKIP_PATHS = re.compile(r"^/(api/|static/|uitloggen$|inloggen)")
# Not a page of the app: answers 404 for every role, so the error page itself is checked too.
MISSING_PAGE = "/bestaat-niet"


@pytest.fixture(scope="module")
def url_map():
    """The app's routes, read in-process (the app is built only for its url_map)."""
    from rmt import create_app

    return create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "SECRET_KEY": "url-map-only"}).url_map


def page_rules(url_map) -> list:
    """The GET routes that may answer with a page: not the API, static files, downloads,
    sign-in or sign-out."""
    return [rule for rule in url_map.iter_rules()
            if "GET" in rule.methods and not SKIP_PATHS.match(rule.rule)
            and not re.search(r"\.[^/]*$", rule.rule)]  # a file name: a download


def pattern(url: str) -> str:
    """The path with digit runs as ``#``, and ``?`` if there is a query: sorting, filtering
    and paging a list are one pattern, not one per combination of parameters."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "#", parts.path) + ("?" if parts.query else "")


def to_crawl(href: str, origin: str) -> str | None:
    """The URL to open for a link, or None for links the crawl leaves alone."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None  # external, mailto:, javascript:
    if SKIP_PATHS.match(parts.path) or DOWNLOAD.search(parts.path):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


class Crawl:
    """Breadth-first over the links a role sees; findings are collected, not raised."""

    def __init__(self, page, axe_source: str, origin: str, url_map) -> None:
        self.page, self.axe_source, self.origin = page, axe_source, origin
        self.adapter = url_map.bind(urlsplit(origin).netloc)
        self.queue: deque[tuple[str, str | None]] = deque()
        self.queued: set[str] = set()
        self.per_pattern: dict[str, int] = {}
        self.seen: set[str] = set()  # every URL opened (after redirects)
        self.found: set[str] = set()  # every link seen on a page, followed or not
        self.probed: set[str] = set()  # routes with ids tried without a link to them
        self.error_pages: set[int] = set()  # statuses whose error page has been checked
        self.pages: set[str] = set()  # endpoints that answered with a page (200, HTML)
        self.opened = self.checked = 0
        self.violations: list[str] = []
        self.errors: list[str] = []

    def match(self, url: str) -> tuple[str, dict] | None:
        try:
            return self.adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            return None

    def check(self, page, label: str | None = None) -> None:
        """axe-core on the page, with every ``<details>`` opened so their content counts too."""
        self.checked += 1
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        for violation in axe_violations(page, self.axe_source):
            for node in violation["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                self.violations.append(
                    f"{label or page.url}: {violation['id']} [{violation.get('impact')}] "
                    f"{target} -- {violation['help']}"
                )

    def enqueue(self, url: str, referrer: str | None) -> None:
        key = pattern(url)
        if url in self.queued or url in self.seen or self.per_pattern.get(key, 0) >= PER_PATTERN:
            return
        self.per_pattern[key] = self.per_pattern.get(key, 0) + 1
        self.queued.add(url)
        self.queue.append((url, referrer))

    def visit(self, url: str, referrer: str | None) -> None:
        """Open one URL, check it, queue its links. ``referrer`` None: not linked, but from
        the url_map, so a 403 or 404 is an answer, not a broken link."""
        page = self.page
        self.opened += 1
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                return
            raise
        assert response is not None, url
        final = page.url
        self.seen.update((url, final))
        if urlsplit(final).path.startswith("/inloggen"):
            self.errors.append(f"{url}: sent to the sign-in page (signed out?)")
            return
        status = response.status
        if status >= 500:
            self.errors.append(f"{url}: HTTP {status} (from {referrer or 'the url_map'})")
        elif status >= 400 and referrer is not None:
            self.errors.append(f"{url}: HTTP {status}, but {referrer} links to it")
        if not response.headers.get("content-type", "").startswith("text/html"):
            return  # a download or JSON
        if status == 200 and (matched := self.match(final)):
            self.pages.add(matched[0])
        if status >= 400 and status in self.error_pages:
            return  # the same error page again (403 for each page another role may open)
        self.error_pages.add(status)
        self.check(page)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if link := to_crawl(urljoin(final, href), self.origin):
                self.found.add(link)
                self.enqueue(link, url)

    def run(self) -> None:
        while self.queue and self.opened < MAX_PAGES:
            url, referrer = self.queue.popleft()
            if url not in self.seen:
                self.visit(url, referrer)

    def fill_ids(self, rules) -> bool:
        """Open routes with ids that no link led to, with ids taken from the links found (the
        same argument names, e.g. a case id for the intake of that case). True if any opened."""
        known = [args for url in sorted(self.found | self.seen) if (m := self.match(url))
                 for args in (m[1],) if args]
        opened = False
        for rule in rules:
            if not rule.arguments or rule.endpoint in self.pages:
                continue
            tries = {tuple(sorted((name, args[name]) for name in rule.arguments))
                     for args in known if rule.arguments <= args.keys()}
            for values in sorted(tries)[:ID_TRIES]:
                url = self.origin + self.adapter.build(rule.endpoint, dict(values))
                if url in self.seen or url in self.probed or self.opened >= MAX_PAGES:
                    continue
                # A cheap request first: most ids give a redirect or 403 (another state,
                # another coach); only a page is opened in the browser.
                self.probed.add(url)
                status = self.page.request.get(url, max_redirects=0).status
                if status >= 500:
                    self.errors.append(f"{url}: HTTP {status} (ids from links found)")
                if status == 200:
                    opened = True
                    self.visit(url, None)
                    break
        return opened


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_is_accessible(role, page, sign_in, axe_source, live_server, url_map):
    email, min_patterns, min_pages = ROLES[role]
    crawl = Crawl(page, axe_source, live_server, url_map)
    sign_in(page, email, on_each_page=lambda p: crawl.check(p, f"{p.url} (signing in)"))
    assert urlsplit(page.url).path == "/", f"{email} did not get signed in: {page.url}"

    rules = page_rules(url_map)
    crawl.enqueue(live_server + "/", None)
    for rule in sorted(rules, key=lambda rule: rule.rule):
        if not rule.arguments:
            crawl.enqueue(live_server + rule.rule, None)
    crawl.enqueue(live_server + MISSING_PAGE, None)
    crawl.run()
    while crawl.fill_ids(rules):
        crawl.run()

    patterns = sorted({pattern(url) for url in crawl.seen})
    not_reached = sorted({rule.endpoint for rule in rules} - crawl.pages)
    summary = (f"{role}: {crawl.opened} URLs opened, {crawl.checked} pages checked with axe, "
               f"{len(patterns)} URL patterns, {len(crawl.pages)} endpoints answered with a page"
               f", {len(crawl.queue)} URLs left in the queue")
    print(summary, *patterns, "endpoints without a page for this role:", *not_reached,
          sep="\n  ")
    problems = crawl.errors + crawl.violations
    assert not problems, (
        f"{summary}\n{len(crawl.errors)} HTTP error(s), {len(crawl.violations)} axe finding(s):\n"
        + "\n".join(problems)
    )
    assert len(patterns) >= min_patterns, f"{summary}; expected {min_patterns} patterns or more"
    assert len(crawl.pages) >= min_pages, f"{summary}; expected {min_pages} endpoints or more"
