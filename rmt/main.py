"""The start page per role and the public health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from rmt import audit
from rmt.auth.models import RegionMembership, Role, User
from rmt.cases import queries
from rmt.extensions import db
from rmt.web import menu, waiting

bp = Blueprint("main", __name__)
T = TypeVar("T")

START_TEMPLATES = {
    Role.COACH: "main/start_coach.html",
    Role.LIAISON: "main/start_liaison.html",
    Role.COORDINATOR: "main/start_coordinator.html",
    Role.ADMIN: "main/start_admin.html",
}


@bp.app_template_global("main_menu")
def main_menu() -> list:
    """The main menu of the signed-in user on this page (rmt/web/menu.py, templates/_nav.html)."""
    return menu.menu_for(current_user, request.endpoint)


@bp.app_template_global("main_menu_html")
def main_menu_html() -> Markup:
    """``templates/_nav.html`` rendered, kept by the app for each (role, has a password, page,
    app root): the menu depends on nothing else (:mod:`rmt.web.menu`), and rendering it was
    about a third of the fixed cost of a page (docs/benchmarks.md)."""
    key = (current_user.role, current_user.has_password, request.endpoint, request.script_root)
    return _kept("rmt_menus", key,
                 lambda: Markup(render_template("_nav.html")))  # noqa: S704 - autoescaped


#: Roles times endpoints that show the menu: a few hundred at most.
MENU_CACHE_SIZE = 2048


def _kept(cache: str, key: tuple, build: Callable[[], T]) -> T:
    """``build()``, kept by the app under ``key`` in ``cache``: at most MENU_CACHE_SIZE entries,
    as part of each key (the app root) comes from the request."""
    kept: dict[tuple, T] = current_app.extensions.setdefault(cache, {})
    value = kept.get(key)
    if value is None:
        value = build()
        if len(kept) < MENU_CACHE_SIZE:
            kept[key] = value
    return value


@bp.app_template_global("fixed_url")
def fixed_url(endpoint: str, **values: str) -> str:
    """``url_for`` for the layout's links that are the same on every page (style sheets, icons,
    the header's links), built once per app root: a dozen ``url_for`` calls were a tenth of the
    change-password page's rendering. Only for literal arguments in templates; the app root
    comes from the request (a proxy's ``SCRIPT_NAME``), so the cache is capped as the menu's."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    return _kept("rmt_fixed_urls", key, lambda: url_for(endpoint, **values))


@bp.app_template_global("fixed_html")
def fixed_html(template: str) -> Markup:
    """A part of the layout that is the same on every page (its style sheets and icons, the
    header's name and logo), rendered once per app root: eight ``fixed_url`` calls and their
    output on every page before. Only for templates that use nothing but :func:`fixed_url`,
    literal text and ``_()`` (the app speaks Dutch only: a language chosen per user would have
    to be part of the key)."""
    return _kept("rmt_fixed_html", (request.script_root, template),
                 lambda: Markup(render_template(template).strip()))  # noqa: S704 - autoescaped


#: An id no record has, to cut a built address into what comes before and after the id.
_ANY_ID = 987_654_321


@bp.app_template_global("record_url")
def record_url(endpoint: str, name: str, ident: int) -> str:
    """``url_for(endpoint, **{name: ident})`` for an endpoint with one integer in its path (a
    case page): the address is built once per app root with a stand-in id and the id put in
    its place. A list of 25 cases built 25 addresses through the URL map; same cap and key as
    :func:`fixed_url`."""
    before, after = _kept("rmt_fixed_urls", (request.script_root, endpoint, name),
                          lambda: _around_id(url_for(endpoint, **{name: _ANY_ID})))
    return f"{before}{int(ident)}{after}"


def _around_id(address: str) -> tuple[str, str]:
    before, found, after = address.partition(str(_ANY_ID))
    if not found or str(_ANY_ID) in after:
        raise ValueError(f"cannot find the one id in {address}")
    return before, after


@bp.route("/")
@login_required
def index():
    context: dict = {"team": _team_of(current_user)}
    if current_user.role == Role.COACH:
        page = request.args.get("pagina", "1")
        context["dashboard"] = dashboard = queries.coach_dashboard(
            current_user, page=int(page) if page.isdigit() and len(page) < 7 else 1)
        # The page shows candidates' names: one audit entry with only the cases shown.
        audit.record_list_view("case.start_view", dashboard.shown_case_ids, object_type="case")
    elif current_user.role == Role.COORDINATOR:
        context["dashboard"] = queries.coordinator_dashboard(current_user)
    if current_user.role in (Role.COORDINATOR, Role.ADMIN):
        context["waiting"] = waiting.waiting_for(current_user)
    return render_template(START_TEMPLATES[current_user.role], **context)


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: Role
    region_codes: frozenset[str]


def _team_of(user: User) -> list[TeamMember]:
    """Active colleagues in the user's regions: names, roles and regions only (no case data),
    read as columns in one statement rather than as whole accounts with their memberships."""
    if not user.region_codes:
        return []
    colleague = sa.select(RegionMembership.user_id).where(
        RegionMembership.region_code.in_(sorted(user.region_codes)))
    rows = db.session.execute(
        sa.select(User.id, User.name, User.role, RegionMembership.region_code)
        .join(RegionMembership, RegionMembership.user_id == User.id)
        .where(User.active, User.id.in_(colleague))
        .order_by(User.role, User.name, User.id))
    members: dict[int, tuple[str, Role, set[str]]] = {}
    for user_id, name, role, region_code in rows:
        members.setdefault(user_id, (name, role, set()))[2].add(region_code)
    return [TeamMember(name, role, frozenset(codes)) for name, role, codes in members.values()]


@bp.route("/favicon.ico")
def favicon():
    """The icon browsers and tools ask for at the root (pages link the SVG in /static/img)."""
    return current_app.send_static_file("img/favicon.ico")


@bp.route("/gezondheid")
def health():
    """Load-balancer check: the app answers and the database is reachable. Reveals nothing else."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
