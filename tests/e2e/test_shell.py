"""The application shell in a real browser: sign-in, start page, admin forms, keyboard, sign-out.

Every page visited is checked with axe-core (WCAG 2.1 A + AA) through ``assert_accessible``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
ADMIN = "admin@demo.rmt.test"
# The wrong-password test uses its own account, so its failed attempt locks out nobody else.
WRONG_PASSWORD_USER = "liaison.fv@demo.rmt.test"
BAD_CREDENTIALS = "Het e-mailadres of het wachtwoord klopt niet."


def test_sign_in_page_is_accessible(page, assert_accessible):
    page.goto("/inloggen")
    expect(page).to_have_title(re.compile("Inloggen"))
    expect(page.get_by_role("heading", level=1, name="Inloggen")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)


def test_coach_signs_in_and_sees_start_page(page, sign_in, assert_accessible):
    sign_in(page, COACH)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Goedendag, Sanne de Vries")
    who = page.locator(".rmt-user__who")
    expect(who).to_contain_text("Sanne de Vries")
    expect(who).to_contain_text("Loopbaancoach")
    expect(who).to_contain_text("Midden-Utrecht")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_dutch_error(page, sign_in, assert_accessible):
    sign_in(page, WRONG_PASSWORD_USER, password="helemaal-niet-goed")

    expect(page).to_have_url(re.compile(r"/inloggen"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(BAD_CREDENTIALS)
    # The message sits in <main>, directly before the form it belongs to.
    follows = alert.evaluate(
        """(el) => {
            const form = document.querySelector('main form');
            return !!form && el.closest('main') === form.closest('main')
                && !!(el.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert follows, "the error message should come right before the sign-in form in <main>"
    # What was typed is kept; the password is not.
    expect(page.get_by_label("E-mailadres", exact=True)).to_have_value(WRONG_PASSWORD_USER)
    expect(page.get_by_label("Wachtwoord", exact=True)).to_have_value("")
    assert_accessible(page)


def test_admin_user_list_and_new_user_form(page, sign_in, assert_accessible):
    sign_in(page, ADMIN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Goedendag, Beheerder Demo")

    menu_link(page, "Gebruikers").click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers$"))
    expect(page.get_by_role("heading", level=1, name="Gebruikers")).to_be_visible()
    expect(page.get_by_role("cell", name="coach.mu@demo.rmt.test")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Nieuwe gebruiker").click()
    expect(page).to_have_url(re.compile(r"/beheer/gebruikers/nieuw$"))
    expect(page.get_by_role("heading", level=1, name="Nieuwe gebruiker")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Het formulier is niet opgeslagen.")
    email = page.get_by_label("E-mailadres", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Vul het e-mailadres in."))
    expect(page.get_by_label("Naam", exact=True)).to_have_accessible_description(
        re.compile("Vul de naam in.")
    )
    expect(page.locator("#password-fout")).to_have_text("Vul een eerste wachtwoord in.")
    expect(page.locator("#regions-fout")).to_have_text("Kies minstens één regio.")
    # The summary links jump to the fields.
    page.get_by_role("alert").get_by_role("link", name=re.compile("^Naam:")).click()
    expect(page.get_by_label("Naam", exact=True)).to_be_focused()
    assert_accessible(page)


def test_skip_link_is_first_tab_stop(page):
    page.goto("/inloggen")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mailadres", exact=True)).to_be_focused()


def test_sign_out_returns_to_sign_in_page(page, sign_in):
    sign_in(page, COACH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Goedendag, Sanne de Vries")

    page.get_by_role("banner").get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen$"))
    expect(page.get_by_role("heading", level=1, name="Inloggen")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/inloggen"))
