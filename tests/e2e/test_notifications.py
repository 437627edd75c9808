"""Notifications in a real browser: the header link, the page, mark all read, the settings form.
Every page is checked with axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

COACH = "coach.am@demo.rmt.test"


def test_notifications_page_and_settings(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    header_link = page.locator(".rmt-user__notifications a")
    expect(header_link).to_contain_text("Meldingen")
    header_link.click()
    expect(page).to_have_url(re.compile(r"/meldingen$"))
    expect(page.get_by_role("heading", level=1, name="Meldingen")).to_be_visible()
    assert_accessible(page)
    mark_all = page.get_by_role("button", name="Alles als gelezen markeren")
    if mark_all.count():
        mark_all.click()
        expect(page.get_by_role("status")).to_contain_text("als gelezen gemarkeerd")
        expect(page.locator(".rmt-user__notifications a")).not_to_contain_text("ongelezen")
        assert_accessible(page)

    page.get_by_role("link", name="Instellingen voor meldingen").click()
    expect(page.get_by_role("heading", level=1, name="Instellingen meldingen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Actie aan u toegewezen").select_option("digest")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("opgeslagen")
    expect(page.get_by_label("Actie aan u toegewezen")).to_have_value("digest")
    assert_accessible(page)
