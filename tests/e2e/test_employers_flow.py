"""A werkgeversadviseur's day in a real browser: log a contact with an employer, create a
vacancy, propose a demo candidate who consented, and see the proposal accepted and the placement
recorded. Every page visited passes axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

LIAISON = "liaison.mu@demo.rmt.test"
EMPLOYER = "Transportbedrijf Van der Wal"


def test_liaison_contact_vacancy_proposal_placement(page, sign_in, assert_accessible):
    sign_in(page, LIAISON)
    expect(page.get_by_role("heading", level=2, name="Vervolgafspraken")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Mijn nazorgmomenten")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Open vacatures in uw regio")).to_be_visible()
    assert_accessible(page)

    # The registry and the employer page
    menu_link(page, "Werkgevers").click()
    expect(page.get_by_role("heading", level=1, name="Werkgevers")).to_be_visible()
    page.get_by_label("Naam of KvK-nummer", exact=True).fill("van der wal")
    page.get_by_role("button", name="Zoeken").click()
    assert_accessible(page)
    page.get_by_role("link", name=EMPLOYER, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=EMPLOYER)).to_be_visible()
    assert_accessible(page)

    # Log a contact moment; first without a summary, which is refused at the field
    page.get_by_role("link", name="Contactmoment vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contactmoment met")
    assert_accessible(page)
    page.get_by_label("Soort contact", exact=True).select_option(label="Bezoek")
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Het formulier is niet opgeslagen.")
    summary = page.get_by_label("Samenvatting", exact=True)
    expect(summary).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    summary.fill("Bezoek aan het distributiecentrum; zoekt twee heftruckchauffeurs.")
    follow_up = date.today() + timedelta(days=7)
    page.get_by_label("Datum vervolgafspraak", exact=True).fill(follow_up.isoformat())
    page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_role("status").first).to_contain_text("Het contactmoment is vastgelegd.")
    expect(page.get_by_role("cell", name=re.compile("zoekt twee heftruckchauffeurs"))
           ).to_be_visible()
    assert_accessible(page)

    # Create a vacancy
    page.get_by_role("link", name="Nieuwe vacature").click()
    expect(page.get_by_role("heading", level=1, name="Nieuwe vacature")).to_be_visible()
    assert_accessible(page)
    title = f"Heftruckchauffeur {secrets.token_hex(2)}"
    page.get_by_label("Functietitel", exact=True).fill(title)
    page.get_by_label("Uren per week", exact=True).fill("38")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    assert_accessible(page)

    # Propose a demo candidate of the region who consented to share their work profile
    page.get_by_role("link", name="Kandidaat voordragen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kandidaat voordragen")
    assert_accessible(page)
    first = page.get_by_role("button", name=re.compile("^Voordragen "))
    expect(first.first).to_be_visible()
    candidate = (first.first.get_attribute("value"), first.first.inner_text())
    first.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voordracht van")
    expect(page.get_by_role("status").first).to_contain_text("is voorgedragen voor")
    assert_accessible(page)

    # The employer invites the candidate, then hires them
    page.get_by_label("Nieuwe status", exact=True).select_option(label="Uitgenodigd voor gesprek")
    page.get_by_role("button", name="Status opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("status gesprek")
    assert_accessible(page)
    page.get_by_label("Nieuwe status", exact=True).select_option(label="Aangenomen")
    page.get_by_role("button", name="Status opslaan").click()  # start date and contract missing
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Het formulier is niet opgeslagen.")
    expect(alert).to_contain_text("Startdatum: Vul de startdatum in.")
    expect(alert).to_contain_text("Soort contract: Kies het soort contract.")
    assert_accessible(page)
    page.get_by_label("Nieuwe status", exact=True).select_option(label="Aangenomen")
    page.get_by_label("Startdatum", exact=True).fill(
        (date.today() + timedelta(days=14)).isoformat())
    page.get_by_label("Soort contract", exact=True).select_option(label="Tijdelijk contract")
    page.get_by_role("button", name="Status opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("status aangenomen")
    assert_accessible(page)

    # The placement exists, with aftercare planned at 1, 3 and 6 months
    page.get_by_role("link", name=re.compile(f"^{re.escape(title)} vanaf")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plaatsing van")
    expect(page.get_by_role("rowheader", name="6 maanden")).to_be_visible()
    expect(page.get_by_text("Tijdelijk contract, 38 uur per week")).to_be_visible()
    assert_accessible(page)
    assert candidate[0]


def test_duplicate_kvk_links_to_the_existing_employer(page, sign_in, assert_accessible):
    sign_in(page, "liaison.am@demo.rmt.test")
    page.goto("/werkgevers/nieuw")
    expect(page.get_by_role("heading", level=1, name="Nieuwe werkgever")).to_be_visible()
    page.get_by_label("KvK-nummer", exact=True).fill("9100 0011")  # Van der Wal's, spaced
    page.get_by_label("Naam", exact=True).fill("Van der Wal Transport")
    page.get_by_label("Sector", exact=True).select_option(label="Logistiek")
    page.get_by_role("button", name="Opslaan").click()
    kvk = page.get_by_label("KvK-nummer", exact=True)
    expect(kvk).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#kvk_number-fout")).to_contain_text(
        f"Dit KvK-nummer is al geregistreerd voor {EMPLOYER}")
    assert_accessible(page)
    page.locator("#kvk_number-uitleg").get_by_role("link", name=EMPLOYER).click()
    expect(page.get_by_role("heading", level=1, name=EMPLOYER)).to_be_visible()


def test_coordinator_sets_prioritaire_sectors_of_own_region(page, sign_in, assert_accessible):
    sign_in(page, "coordinator.gv@demo.rmt.test")
    menu_link(page, "Sectoren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sectoren en prioriteit")
    assert_accessible(page)
    box = page.get_by_label("Schoonmaak en facilitair prioritair in Gooi- en Vechtstreek")
    expect(box).not_to_be_checked()
    expect(page.get_by_label("Schoonmaak en facilitair prioritair in Foodvalley")).to_have_count(0)
    box.check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("zijn opgeslagen")
    expect(page.get_by_label("Schoonmaak en facilitair prioritair in Gooi- en Vechtstreek")
           ).to_be_checked()
    assert_accessible(page)
