"""The header's case search in a real browser: a case number opens the case, a name lists the
matches; every page passes axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"


def test_coach_finds_a_case_from_the_header(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    search = page.get_by_role("search", name="Trajecten zoeken")
    expect(search.get_by_label("Zoek traject")).to_be_visible()
    assert_accessible(page)

    links = page.locator("main a[href^='/trajecten/']").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.textContent.trim()])")
    case_id, name = next((href.rsplit("/", 1)[1], text) for href, text in links
                         if re.fullmatch(r"/trajecten/\d+", href) and text)

    search.get_by_label("Zoek traject").fill(f"Traject {case_id}")
    search.get_by_role("button", name="Zoek", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/trajecten/{case_id}$"))
    expect(page.get_by_text(f"Traject {case_id} ·")).to_be_visible()
    assert_accessible(page)

    word = max(re.split(r"[\s,]+", name), key=len)
    page.get_by_role("search", name="Trajecten zoeken").get_by_label("Zoek traject").fill(
        word.upper())
    page.get_by_role("search", name="Trajecten zoeken").get_by_role(
        "button", name="Zoek", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trajecten in")
    expect(page.get_by_role("link", name=re.compile(re.escape(word))).first).to_be_visible()
    assert_accessible(page)
