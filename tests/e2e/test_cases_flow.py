"""A coach's day in a real browser: register a candidate, complete the intake, move the case
two steps on and write a note. Every page visited passes axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"


def test_coach_registers_and_moves_a_case(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    expect(page.get_by_role("heading", level=2, name="Mijn lopende trajecten")).to_be_visible()
    assert_accessible(page)

    # Aanmelding
    menu_link(page, "Nieuwe aanmelding").click()
    expect(page.get_by_role("heading", level=1, name="Nieuwe aanmelding")).to_be_visible()
    assert_accessible(page)

    last_name = f"Testpersoon{secrets.token_hex(3)}"
    page.get_by_label("Voornaam", exact=True).fill("Esther")
    page.get_by_label("Tussenvoegsel", exact=True).fill("van")
    page.get_by_label("Achternaam", exact=True).fill(last_name)
    page.get_by_label("Geboortedatum", exact=True).fill("1979-05-17")
    page.get_by_label("E-mailadres", exact=True).fill(f"{last_name.lower()}@voorbeeld.nl")
    page.get_by_label("Telefoonnummer", exact=True).fill("06 9876 5432")
    page.get_by_label("Postcode", exact=True).fill("3512 jk")
    page.get_by_label("Gemeente", exact=True).select_option(label="Utrecht")
    page.get_by_label("Hoogst afgeronde opleiding", exact=True).select_option(
        label="Mbo niveau 3")
    page.get_by_label(re.compile("^Heeft een startkwalificatie")).check()
    page.get_by_label("Arbeidssituatie", exact=True).select_option(label="Werkend, baan in gevaar")
    page.get_by_label("Uitkering", exact=True).select_option(label="Geen uitkering")
    page.get_by_label("Doelgroep", exact=True).select_option(
        label="Werkenden met risico op werkverlies")
    page.get_by_label("Verwijzer", exact=True).select_option(label="Werkgever")
    page.get_by_role("button", name="Aanmelden").click()

    if page.get_by_role("heading", level=1, name="Is dit dezelfde persoon?").is_visible():
        assert_accessible(page)
        page.get_by_role("button", name="Toch nieuwe kandidaat aanmelden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Esther van {last_name}")
    expect(page.get_by_role("status").first).to_contain_text("is aangemeld")
    expect(page.get_by_text("Huidige stap: Aangemeld")).to_be_visible()
    assert_accessible(page)

    # Aangemeld -> intake
    page.get_by_role("button", name="Naar intake").click()
    expect(page.get_by_text("Het traject staat nu in de stap Intake.")).to_be_visible()
    expect(page.get_by_text("Naar diagnose kan nog niet")).to_be_visible()
    assert_accessible(page)

    # Intake form, completed
    page.get_by_role("link", name="Intake invullen").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Intake van"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Motivatie", exact=True).fill("Wil van de drukkerij naar de zorg.")
    page.get_by_label("Wensen", exact=True).fill("Parttime, dicht bij huis.")
    page.get_by_label("Werkervaring", exact=True).fill("Twintig jaar drukkerij, ploegendienst.")
    page.get_by_label("Voorkeurssectoren", exact=True).fill("zorg, welzijn")
    page.get_by_role("button", name="Opslaan en intake afronden").click()
    expect(page.get_by_text("De intake is afgerond.")).to_be_visible()

    # Intake -> diagnose
    page.get_by_role("button", name="Naar diagnose").click()
    expect(page.get_by_text("Het traject staat nu in de stap Diagnose.")).to_be_visible()
    expect(page.get_by_text("Huidige stap: Diagnose")).to_be_visible()
    assert_accessible(page)

    # A note: the form is folded away until the coach opens it.
    note_field = page.get_by_label("Aantekening", exact=True)
    expect(note_field).to_be_hidden()
    page.locator("summary", has_text="Aantekening toevoegen").click()
    expect(note_field).to_be_visible()
    page.get_by_label("Soort", exact=True).select_option(label="Telefoon")
    note_field.fill("Gebeld over de opleiding helpende zorg.")
    page.get_by_role("button", name="Aantekening opslaan").click()
    expect(page.get_by_text("De aantekening is opgeslagen.")).to_be_visible()
    notes = page.get_by_role("list", name="Aantekeningen, nieuwste eerst")
    expect(notes).to_contain_text("Gebeld over de opleiding helpende zorg.")
    expect(notes).to_contain_text("Telefoon")
    assert_accessible(page)

    # The case is in the coach's list with its step in words (the start page shows what needs
    # action first and pages the rest: a case without actions may be on a later page).
    page.goto(f"/trajecten?q={last_name}")
    row = page.get_by_role("row", name=re.compile(last_name))
    expect(row).to_contain_text("Diagnose")


def test_case_list_filters_and_empty_form_errors(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    menu_link(page, "Overzicht trajecten").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Trajecten in"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Stap", exact=True).select_option(label="Intake")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"stap=intake"))
    assert_accessible(page)

    page.goto("/trajecten/nieuw")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Het formulier is niet opgeslagen.")
    expect(page.get_by_label("Voornaam", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
