"""The main menu (rmt/web/menu.py): few top-level entries per role, every link one the role may
open, and the same links as the policy allows (nothing lost by grouping)."""

from __future__ import annotations

import re

import pytest

from rmt.access import can
from rmt.web.menu import MENU, MenuGroup, MenuLink, ShownGroup, menu_for
from tests.helpers import html

ROLES = {"coach": ["MU"], "liaison": ["MU"], "coordinator": ["MU"], "admin": []}


def _links(entries) -> list[MenuLink]:
    found = []
    for entry in entries:
        found += entry.links if isinstance(entry, ShownGroup) else [entry]
    return found


@pytest.mark.parametrize("role", list(ROLES))
def test_top_level_is_short_and_every_link_opens(client, login_as, role):
    user = login_as(role, *ROLES[role])
    shown = menu_for(user, "main.index")
    assert len(shown) <= 7, [getattr(e, "label", e) for e in shown]
    nav = html(client.get("/")).split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]
    hrefs = re.findall(r'<a class="utrecht-link[^"]*" href="([^"]+)"', nav)
    assert len(hrefs) == len(_links(shown)) >= 4
    for href in hrefs:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("role", list(ROLES))
def test_grouping_hides_nothing_the_policy_allows(login_as, role):
    user = login_as(role, *ROLES[role])
    every = [link for entry in MENU
             for link in (entry.links if isinstance(entry, MenuGroup) else (entry,))]
    allowed = {link.endpoint for link in every
               if not link.actions or any(can(user, a) for a in link.actions)}
    assert {link.endpoint for link in _links(menu_for(user, None))} == allowed


def test_a_group_with_one_link_is_that_link(client, login_as):
    login_as("coach", "MU")  # of "Cijfers" and "Vouchers" a coach has one link each
    nav = html(client.get("/")).split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]
    assert 'href="/cijfers/">Cijfers</a>' in nav and ">Mijn vouchers</a>" in nav
    assert not re.search(r"<summary[^>]*>(Cijfers|Vouchers)<", nav)
    assert re.search(r"<summary[^>]*>Werkgevers<", nav)  # two links: a group


def test_admin_menu_has_the_audit_log(login_as):
    admin = login_as("admin")
    assert "audit.index" in {link.endpoint for link in _links(menu_for(admin, None))}


def test_admin_start_page_links_to_the_audit_log(client, login_as):
    login_as("admin")
    page = html(client.get("/"))
    main = page.split('id="inhoud"')[1]
    assert 'href="/audit">Auditlog nalopen (' in main
    assert client.get("/audit").status_code == 200


def _nav(response) -> str:
    return html(response).split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]


def test_the_kept_menu_follows_the_role_and_the_page(client, login_as):
    """The rendered menu is kept per (role, page): each role still sees its own links, and the
    current page is marked on every page, in one process one after the other."""
    login_as("coach", "MU")
    for _ in range(2):
        coach_start = _nav(client.get("/"))
        assert "Gebruikers" not in coach_start and 'aria-current="page">Start<' in coach_start
    coach_password = _nav(client.get("/account/wachtwoord"))
    assert 'aria-current="page">Wachtwoord wijzigen<' in coach_password
    assert 'aria-current="page">Start<' not in coach_password
    login_as("admin")
    admin_start = _nav(client.get("/"))
    assert ">Gebruikers</a>" in admin_start and admin_start != coach_start


def test_the_layout_links_follow_the_app_root(client, login_as):
    """The layout's fixed links (style sheets, icons, header) are built once per app root
    (rmt.main.fixed_url, fixed_html): served under a prefix, every one of them carries it."""
    login_as("coach", "MU")
    plain = html(client.get("/"))
    prefixed = html(client.get("/", environ_overrides={"SCRIPT_NAME": "/rmt"}))
    for page, root in ((plain, ""), (prefixed, "/rmt"), (html(client.get("/")), "")):
        links = re.findall(r'<link rel="[^"]+" href="([^"]+)"', page)
        assert len(links) == 6
        assert all(link.startswith(f"{root}/") and not link.startswith(f"{root}/rmt/")
                   for link in links), links
        assert f'action="{root}/uitloggen"' in page
        assert f'<a class="rmt-brand__link" href="{root}/"><img class="rmt-brand__logo" ' \
               f'src="{root}/static/img/favicon.svg"' in page


def test_the_layout_links_cache_stays_bounded(app, client, login_as, monkeypatch):
    """The app root comes from the request (a proxy's SCRIPT_NAME): past the cap, links are
    still right but no longer kept."""
    import rmt.main

    monkeypatch.setattr(rmt.main, "MENU_CACHE_SIZE", 3)
    monkeypatch.setitem(app.extensions, "rmt_fixed_urls", {})
    monkeypatch.setitem(app.extensions, "rmt_fixed_html", {})
    login_as("coach", "MU")
    for n in range(4):
        page = html(client.get("/", environ_overrides={"SCRIPT_NAME": f"/p{n}"}))
        assert f'action="/p{n}/uitloggen"' in page
        assert f'href="/p{n}/static/css/app.css"' in page and f'href="/p{n}/"' in page
    assert len(app.extensions["rmt_fixed_urls"]) == 3
    assert len(app.extensions["rmt_fixed_html"]) == 3


def test_a_record_address_is_the_one_url_for_builds(app):
    """rmt.main.record_url puts the id into an address built once per app root: the same
    string as url_for, under a prefix too, in the path or as a query argument."""
    from flask import url_for

    from rmt.main import record_url

    for root in ("", "/rmt"):
        with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            for ident in (1, 42, 987_654_321, 10**9 + 7):
                assert record_url("cases.case_page", "case_id", ident) == \
                    url_for("cases.case_page", case_id=ident)
                assert record_url("cases.note_add", "case_id", ident) == \
                    url_for("cases.note_add", case_id=ident)
                assert record_url("main.index", "pagina", ident) == \
                    url_for("main.index", pagina=ident)
