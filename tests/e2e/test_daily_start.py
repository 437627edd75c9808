"""What to do today, in a real browser, with the demo data: the coordinator's "Wacht op u" leads
to each list; the coach sees overdue and due work first and pages through the caseload; the
duplicate screen offers only what can work; the page header and grouped main menu (folded at
320 px), the favicon, and the admin reading the audit log. Every page passes axe-core."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
COORDINATOR = "coordinator.mu@demo.rmt.test"
ADMIN = "admin@demo.rmt.test"


def _waiting_table(page):
    return page.get_by_role("table", name="Wat op u wacht, met het aantal")


def test_coordinator_follows_each_waiting_count_to_its_list(page, sign_in, assert_accessible):
    sign_in(page, COORDINATOR)
    expect(page.get_by_role("heading", level=2, name="Wacht op u")).to_be_visible()
    table = _waiting_table(page)
    for title in ("Voucheraanvragen", "Overdrachtsverzoeken naar uw regio",
                  "Praktijkverklaringen die wachten op vaststelling door de school",
                  "Lopende trajecten van inactieve coaches (opnieuw toewijzen)"):
        row = table.get_by_role("row", name=re.compile("^" + re.escape(title)))
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell")).to_have_text(re.compile(r"^\d+$"))
    assert_accessible(page)

    table.get_by_role("link", name="Voucheraanvragen").click()
    expect(page.get_by_role("heading", level=1,
                            name="Voucheraanvragen die op uw besluit wachten")).to_be_visible()
    assert_accessible(page)

    page.go_back()
    _waiting_table(page).get_by_role(
        "link", name="Praktijkverklaringen die wachten op vaststelling door de school").click()
    expect(page.get_by_role("heading", level=2,
                            name=re.compile("^Beoordeeld: lopende praktijkverklaringen"))
           ).to_be_visible()
    assert_accessible(page)

    page.go_back()
    _waiting_table(page).get_by_role("link", name="Overdrachtsverzoeken naar uw regio").click()
    expect(page).to_have_url(re.compile(r"/overdrachten$"))
    assert_accessible(page)


def test_coach_sees_due_work_first_and_pages_the_caseload(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    expect(page.get_by_role("heading", level=2, name=re.compile("^Mijn acties"))).to_be_visible()
    caseload = page.get_by_role("table", name=re.compile("^Mijn lopende trajecten"))
    first_rows = caseload.get_by_role("row")
    expect(first_rows).to_have_count(16)  # header + 15 cases
    # The first case listed has work that is overdue or due soon; a case without any is later.
    expect(first_rows.nth(1)).to_contain_text(re.compile("te laat|vandaag|uiterlijk"))
    first_names = caseload.get_by_role("link").all_inner_texts()
    assert_accessible(page)

    page.get_by_role("navigation", name="Paginering").get_by_role(
        "link", name=re.compile("Volgende")).click()
    expect(page).to_have_url(re.compile(r"pagina=2"))
    caseload = page.get_by_role("table", name=re.compile("^Mijn lopende trajecten"))
    expect(caseload).to_contain_text("pagina 2")
    assert not set(caseload.get_by_role("link").all_inner_texts()) & set(first_names)
    assert_accessible(page)


def test_duplicate_screen_links_to_the_running_case(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    last_name = f"Dubbel{secrets.token_hex(3)}"

    def register() -> None:
        menu_link(page, "Nieuwe aanmelding").click()
        page.get_by_label("Voornaam", exact=True).fill("Noor")
        page.get_by_label("Achternaam", exact=True).fill(last_name)
        page.get_by_label("Geboortedatum", exact=True).fill("1990-02-03")
        page.get_by_label("E-mailadres", exact=True).fill(f"{last_name.lower()}@voorbeeld.nl")
        page.get_by_label("Telefoonnummer", exact=True).fill("06 1234 9876")
        page.get_by_label("Postcode", exact=True).fill("3512 jk")
        page.get_by_label("Gemeente", exact=True).select_option(label="Utrecht")
        page.get_by_label("Hoogst afgeronde opleiding", exact=True).select_option(
            label="Mbo niveau 3")
        page.get_by_label("Arbeidssituatie", exact=True).select_option(
            label="Werkend, baan in gevaar")
        page.get_by_label("Uitkering", exact=True).select_option(label="Geen uitkering")
        page.get_by_label("Doelgroep", exact=True).select_option(
            label="Werkenden met risico op werkverlies")
        page.get_by_label("Verwijzer", exact=True).select_option(label="Werkgever")
        page.get_by_role("button", name="Aanmelden").click()

    register()
    if page.get_by_role("heading", level=1, name="Is dit dezelfde persoon?").is_visible():
        page.get_by_role("button", name="Toch nieuwe kandidaat aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Noor {last_name}")
    case_url = page.url

    register()  # the same person again: she has a running case now
    expect(page.get_by_role("heading", level=1, name="Is dit dezelfde persoon?")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(last_name))
    expect(row.get_by_role("button", name=re.compile("Dit is dezelfde persoon"))).to_have_count(0)
    to_case = row.get_by_role("link", name=re.compile("^Naar het lopende traject"))
    expect(to_case).to_have_class(re.compile("utrecht-button-link--primary-action"))
    expect(page.get_by_role("button", name="Toch nieuwe kandidaat aanmelden")).to_have_class(
        re.compile("utrecht-button--secondary-action"))
    assert_accessible(page)
    to_case.click()
    expect(page).to_have_url(case_url)


def test_menu_is_grouped_and_folds_on_a_narrow_screen(page, sign_in, assert_accessible):
    sign_in(page, COORDINATOR)
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    # Wide: a few top-level entries; groups open one at a time.
    top = nav.locator(".rmt-nav__list > li")
    assert top.count() <= 8, top.all_inner_texts()
    expect(nav.get_by_role("link", name="Voucheraanvragen", exact=True)).to_be_hidden()
    nav.locator("summary", has_text="Vouchers").click()
    expect(nav.get_by_role("link", name="Voucheraanvragen", exact=True)).to_be_visible()
    assert_accessible(page)
    nav.locator("summary", has_text="Cijfers").click()
    expect(nav.get_by_role("link", name="Voucheraanvragen", exact=True)).to_be_hidden()
    expect(nav.get_by_role("link", name="Regio's vergelijken", exact=True)).to_be_visible()

    # Narrow: the menu is one "Menu" button; the first screen is for the page.
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/")
    toggle = nav.locator("summary", has_text="Menu")
    expect(toggle).to_be_visible()
    expect(nav.get_by_role("link", name="Start", exact=True)).to_be_hidden()
    assert nav.bounding_box()["height"] < 80
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    assert_accessible(page)
    toggle.click()
    expect(nav.get_by_role("link", name="Start", exact=True)).to_be_visible()
    assert_accessible(page)
    menu_link(page, "Overdrachten").click()
    expect(page).to_have_url(re.compile(r"/overdrachten$"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 321


def test_favicon_is_served(page, live_server):
    page.goto("/inloggen")
    icon = page.locator('link[rel="icon"][type="image/svg+xml"]').get_attribute("href")
    svg = page.request.get(icon)
    assert svg.status == 200 and "svg" in svg.headers["content-type"]
    ico = page.request.get(f"{live_server}/favicon.ico")
    assert ico.status == 200 and ico.headers["content-type"] == "image/vnd.microsoft.icon"
    assert ico.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_admin_reads_the_audit_log_from_the_menu(page, sign_in, assert_accessible):
    sign_in(page, ADMIN)
    menu_link(page, "Auditlog").click()
    expect(page.get_by_role("heading", level=1, name="Auditlog")).to_be_visible()
    expect(page.get_by_text(re.compile("als functioneel beheerder de regels van alle regio"))
           ).to_be_visible()
    assert_accessible(page)
