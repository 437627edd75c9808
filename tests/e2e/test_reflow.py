"""WCAG 2.1 SC 1.4.10 Reflow: at 320 CSS px wide no page of the app needs horizontal scrolling.

Per role (coach, liaison, coordinator and admin of Midden-Utrecht, from ``demo seed``), with
a 320 x 800 viewport: the sign-in pages, the start page, every page of the main menu (found
from its links, not hard-coded) and one page of each kind of detail that those pages link to
(a case, an employer, a vacancy, a voucher, a budget, a praktijkverklaring, ...). On every page
``document.documentElement.scrollWidth`` may exceed ``window.innerWidth`` by at most 1 px.
Content that needs two dimensions (a data table) may scroll, but only inside its own
container; the page itself may not. A failure names the page and its widest element that
sticks out of the viewport.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 320, "height": 800}
ROLES = {
    "coach": "coach.mu@demo.rmt.test",
    "liaison": "liaison.mu@demo.rmt.test",
    "coordinator": "coordinator.mu@demo.rmt.test",
    "admin": "admin@demo.rmt.test",
}
# Pages (path patterns, digit runs as ``#``) a role must have reached, so a broken menu or
# sign-in cannot pass by checking nothing.
REQUIRED = {
    "coach": {"/", "/trajecten", "/trajecten/#", "/vouchers/mijn", "/werkgevers",
              "/werkgevers/#", "/vacatures", "/praktijkverklaringen"},
    "liaison": {"/", "/werkgevers", "/werkgevers/#", "/vacatures", "/vacatures/#"},
    "coordinator": {"/", "/trajecten", "/trajecten/#", "/budgetten", "/budgetten/#",
                    "/werkgevers", "/vacatures", "/praktijkverklaringen", "/cijfers/",
                    "/cijfers/regios", "/audit"},
    "admin": {"/", "/beheer/gebruikers", "/budgetten", "/beheer/opleiders",
              "/beheer/kwalificaties"},
}
# Detail pages worth one visit each, when a page of the menu links to one.
DETAIL = re.compile(
    r"^/(trajecten/\d+(/plan)?|werkgevers/\d+|vacatures/\d+|vouchers/\d+|budgetten/\d+"
    r"|praktijkverklaringen/\d+|voordrachten/\d+|plaatsingen/\d+|kandidaten/\d+/werkprofiel"
    r"|audit/gebruikers/\d+|privacy/trajecten/\d+/audit|privacy/kandidaten/\d+)$"
)
SKIP = re.compile(r"^/(api/|static/|uitloggen$|inloggen)|\.(csv|xlsx|json|pdf|zip)$")
MAX_PAGES = 40

# How far the page sticks out, and the widest element beyond the right edge of the viewport
# that is not inside a container that scrolls or clips it.
MEASURE = """() => {
  const vw = window.innerWidth;
  // Inside a container that scrolls or clips it: an absolutely positioned element only by one
  // at or around its containing block, a fixed one by none.
  const clipped = (el) => {
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return false;
    let start = el.parentElement;
    if (position === 'absolute') {  // its containing block: the nearest positioned ancestor
      while (start && start !== document.body && getComputedStyle(start).position === 'static'
             && getComputedStyle(start).transform === 'none') start = start.parentElement;
    }
    for (let p = start; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  // The widest element sticking out; of a wrapper and what it wraps (main around a table,
  // nearly as wide), the innermost, which is the one to fix.
  let widest = null, widestWidth = -1;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= vw + 1 || r.width === 0 || clipped(el)) continue;
    const inner = widest && widest.contains(el) && r.width >= widestWidth - 48;
    if (!widest || r.width > widestWidth + 48 || inner) {
      widest = el; widestWidth = r.width;
    }
  }
  let what = null;
  if (widest) {
    const cls = typeof widest.className === 'string' && widest.className.trim()
      ? '.' + widest.className.trim().split(/\\s+/).join('.') : '';
    const text = (widest.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60);
    what = `<${widest.tagName.toLowerCase()}${widest.id ? '#' + widest.id : ''}${cls}> `
      + `${Math.round(widestWidth)}px wide, right edge at `
      + `${Math.round(widest.getBoundingClientRect().right)}px: "${text}"`;
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, widest: what};
}"""


def path_pattern(url: str) -> str:
    return re.sub(r"\d+", "#", urlsplit(url).path)


class Reflow:
    def __init__(self, page, origin: str) -> None:
        self.page, self.origin = page, origin
        self.checked: list[str] = []
        self.problems: list[str] = []

    def check(self, label: str | None = None) -> None:
        result = self.page.evaluate(MEASURE)
        if label is None:
            parts = urlsplit(self.page.url)
            label = parts.path + (f"?{parts.query}" if parts.query else "")
        self.checked.append(label)
        if result["scrollWidth"] > result["innerWidth"] + 1:
            self.problems.append(
                f"{label}: page is {result['scrollWidth']}px wide in a "
                f"{result['innerWidth']}px viewport; widest element: {result['widest']}"
            )

    def links(self, selector: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all(selector, "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            url = urljoin(self.page.url, href)
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" == self.origin and not SKIP.search(parts.path):
                query = f"?{parts.query}" if parts.query else ""
                found.append(f"{self.origin}{parts.path}{query}")
        return found

    def visit(self, url: str) -> list[str]:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (
            f"{url}: HTTP {response.status if response else '?'}")
        self.check()
        return [link for link in self.links("main a[href]") if DETAIL.match(urlsplit(link).path)]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_horizontal_scrolling_at_320px(role, page, sign_in, live_server):
    page.set_viewport_size(VIEWPORT)
    reflow = Reflow(page, live_server)
    sign_in(page, ROLES[role], on_each_page=lambda p: reflow.check(f"{p.url} (signing in)"))
    assert urlsplit(page.url).path == "/", f"{ROLES[role]} did not get signed in: {page.url}"

    details = reflow.visit(live_server + "/")
    menu = [link for link in dict.fromkeys(reflow.links("nav.rmt-nav a[href]"))
            if urlsplit(link).path != "/"]
    assert len(menu) >= 4, f"{role}: the main menu has only {menu}"
    for url in menu:
        details += reflow.visit(url)

    seen_patterns = {path_pattern(url) for url in [live_server + "/", *menu]}
    queue = list(dict.fromkeys(details))
    while queue and len(reflow.checked) < MAX_PAGES:
        url = queue.pop(0)
        key = path_pattern(url)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        queue += reflow.visit(url)

    missing = REQUIRED[role] - seen_patterns
    assert not missing, f"{role}: never reached {sorted(missing)}; checked {reflow.checked}"
    assert not reflow.problems, (
        f"{role}: {len(reflow.problems)} of {len(reflow.checked)} pages need horizontal "
        f"scrolling at {VIEWPORT['width']}px:\n" + "\n".join(reflow.problems)
    )
