"""Closing and transferring without loose ends, in a real browser: the confirmation step of
closing (open items, the exit to work that needs a placement), reopening by the coordinator,
and a transfer whose summary the receiving coordinator reads before accepting, after which the
open action belongs to the new coach. Every page visited passes axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_out

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
COORDINATOR = "coordinator.mu@demo.rmt.test"
RECEIVING_COORDINATOR = "coordinator.am@demo.rmt.test"


def register(page, last_name: str) -> str:
    """Register a new candidate as the signed-in coach; returns the case page's path."""
    page.goto("/trajecten/nieuw")
    page.get_by_label("Voornaam", exact=True).fill("Ilse")
    page.get_by_label("Achternaam", exact=True).fill(last_name)
    page.get_by_label("Geboortedatum", exact=True).fill("1984-02-29")
    page.get_by_label("E-mailadres", exact=True).fill(f"{last_name.lower()}@voorbeeld.nl")
    page.get_by_label("Telefoonnummer", exact=True).fill("06 1111 2222")
    page.get_by_label("Postcode", exact=True).fill("3511 AB")
    page.get_by_label("Gemeente", exact=True).select_option(label="Utrecht")
    page.get_by_label("Hoogst afgeronde opleiding", exact=True).select_option(
        label="Mbo niveau 2")
    page.get_by_label("Arbeidssituatie", exact=True).select_option(label="Werkzoekend")
    page.get_by_label("Uitkering", exact=True).select_option(label="WW")
    page.get_by_label("Doelgroep", exact=True).select_option(label="Werkzoekenden")
    page.get_by_label("Verwijzer", exact=True).select_option(label="UWV")
    page.get_by_role("button", name="Aanmelden").click()
    if page.get_by_role("heading", level=1, name="Is dit dezelfde persoon?").is_visible():
        page.get_by_role("button", name="Toch nieuwe kandidaat aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ilse {last_name}")
    return re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]


def add_task(page, title: str) -> None:
    page.get_by_text("Actie toevoegen", exact=True).first.click()
    page.get_by_label("Actie", exact=True).fill(title)
    page.get_by_role("button", name="Actie toevoegen").click()
    expect(page.get_by_text("De actie is toegevoegd.")).to_be_visible()


def test_closing_with_confirmation_and_reopening(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    last_name = f"Afsluit{secrets.token_hex(3)}"
    case_path = register(page, last_name)
    add_task(page, "Cv nabespreken")

    page.get_by_role("link", name="Traject afsluiten").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("afsluiten$"))).to_be_visible()
    items = page.get_by_role("table", name=re.compile("^Open zaken"))
    expect(items).to_contain_text("Cv nabespreken")
    expect(items).to_contain_text("Wordt gesloten")
    assert_accessible(page)

    # An exit to work without a placement is refused at its field.
    page.get_by_label("Uitstroomreden", exact=True).select_option(label="Werk in loondienst")
    page.get_by_role("button", name="Ja, traject afsluiten").click()
    expect(page.get_by_text(re.compile("leg eerst de plaatsing vast"))).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Uitstroomreden", exact=True).select_option(label="Doorverwezen")
    page.get_by_role("button", name="Ja, traject afsluiten").click()
    expect(page.get_by_text("Het traject is afgesloten met uitstroomreden doorverwezen."))\
        .to_be_visible()
    expect(page.get_by_text(re.compile("Dit traject is afgesloten op"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Acties bij dit traject"))).to_contain_text(
        "Gesloten bij afsluiting van het traject")
    assert_accessible(page)

    # The coordinator reopens it (closed by mistake).
    sign_out(page)
    sign_in(page, COORDINATOR)
    page.goto(case_path)
    page.get_by_text("Traject heropenen", exact=True).first.click()
    page.get_by_label(re.compile("^Reden van het heropenen")).fill("Per vergissing afgesloten")
    assert_accessible(page)
    page.get_by_role("button", name="Traject heropenen").click()
    expect(page.get_by_text(re.compile("Het traject is heropend"))).to_be_visible()
    expect(page.get_by_text("Huidige stap: Aangemeld")).to_be_visible()
    assert_accessible(page)


def test_transfer_with_summary_and_actions_for_the_new_coach(page, sign_in,
                                                             assert_accessible):
    sign_in(page, COACH)
    last_name = f"Verhuis{secrets.token_hex(3)}"
    case_path = register(page, last_name)
    add_task(page, "Werkgever terugbellen")
    page.get_by_text("Overdragen aan een andere regio", exact=True).click()
    page.get_by_label("Naar regio", exact=True).select_option(label="Regio Amersfoort")
    page.get_by_label(re.compile("^Reden van de overdracht")).fill("Verhuist naar Amersfoort")
    page.get_by_role("button", name="Overdracht aanvragen").click()
    expect(page.get_by_text(re.compile("is aangevraagd"))).to_be_visible()

    sign_out(page)
    sign_in(page, RECEIVING_COORDINATOR)
    page.goto("/overdrachten")
    card = page.get_by_role("region", name=re.compile(f"Ilse {last_name}"))
    expect(card).to_contain_text("Samenvatting van het traject")
    expect(card).to_contain_text("Open acties")
    expect(card).not_to_contain_text("Werkgever terugbellen")
    coach_choice = card.get_by_label("Nieuwe loopbaancoach", exact=True)
    expect(coach_choice.locator("option").nth(1)).to_have_text(re.compile(r"\(\d+ lopend"))
    assert_accessible(page)
    new_coach = coach_choice.locator("option").nth(1).inner_text().split(" (")[0]
    coach_choice.select_option(index=1)
    card.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_text(re.compile("De overdracht is geaccepteerd"))).to_be_visible()
    assert page.url.split("#")[0].endswith(case_path)
    task_row = page.get_by_role("table", name=re.compile("^Acties bij dit traject")).get_by_role(
        "row", name=re.compile("Werkgever terugbellen"))
    expect(task_row).to_contain_text(new_coach)
    assert_accessible(page)


def test_a_leaving_coach_asks_for_confirmation_and_a_caseload_page(page, sign_in,
                                                                  assert_accessible):
    """The admin is stopped before deactivating a coach with work (nothing is saved here), and
    the coordinator's page for handing a caseload over shows the coach's cases."""
    sign_in(page, "admin@demo.rmt.test")
    page.goto("/beheer/gebruikers?rol=coach&regio=MU")
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_text(re.compile(r"\d+ lopende trajecten als loopbaancoach"))).to_be_visible()
    page.get_by_label("Account actief", exact=True).uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Bevestig het deactiveren.")).to_be_visible()
    expect(page.get_by_label(re.compile("^Toch deactiveren"))).not_to_be_checked()
    assert_accessible(page)

    sign_out(page)
    sign_in(page, COORDINATOR)
    page.goto("/trajecten/overnemen")
    expect(page.get_by_role("heading", level=1, name=re.compile("vertrekkende coach"))) \
        .to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("^Andere coach")).select_option(index=0)
    page.get_by_role("button", name="Trajecten tonen").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("^Lopende trajecten van")))\
        .to_be_visible()
    assert_accessible(page)
