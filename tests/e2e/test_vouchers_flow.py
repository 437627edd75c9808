"""A scholingsvoucher in a real browser: the coach requests one on a case page, a coordinator of
the region approves it from the inbox, and the budget page counts it. Every page visited passes
axe-core (WCAG 2.1 A + AA). Uses the demo data (cases, budgets, providers) of ``demo seed``."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
COORDINATOR = "coordinator.mu@demo.rmt.test"


def test_coach_requests_and_coordinator_approves(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    menu_link(page, "Mijn vouchers").click()
    expect(page.get_by_role("heading", level=1,
                            name="Vouchers van mijn kandidaten")).to_be_visible()
    assert_accessible(page)

    # An open case of this coach, from the start page.
    menu_link(page, "Start").click()
    page.get_by_role("table", name=re.compile("^Mijn lopende trajecten")).get_by_role(
        "link").first.click()
    section = page.get_by_role("region", name="Scholingsvouchers")
    expect(section).to_be_visible()
    assert_accessible(page)

    section.get_by_role("link", name="Voucher aanvragen").click()
    expect(page.get_by_role("heading", level=1, name="Voucher aanvragen")).to_be_visible()
    assert_accessible(page)

    # Sent empty: Dutch messages at the fields, nothing saved.
    page.get_by_role("button", name="Aanvragen").click()
    expect(page.get_by_role("alert")).to_contain_text("Het formulier is niet opgeslagen.")
    expect(page.get_by_label("Bedrag (€)", exact=True)).to_have_accessible_description(
        re.compile("Vul het bedrag in."))
    assert_accessible(page)

    course = f"Lasser MIG/MAG {secrets.token_hex(3)}"
    budget = page.get_by_label("Budget", exact=True)
    budget_label = budget.locator("option").nth(1).inner_text()
    assert re.search(r"nog € [\d.]+,\d\d vrij", budget_label.replace("\u00a0", " "))
    budget.select_option(index=1)
    page.get_by_label("Opleider", exact=True).select_option(index=1)
    page.get_by_label("Opleiding", exact=True).fill(course)
    page.get_by_label("Startdatum", exact=True).fill(
        (date.today() + timedelta(days=14)).isoformat())
    page.get_by_label("Einddatum", exact=True).fill(
        (date.today() + timedelta(days=90)).isoformat())
    page.get_by_label("Bedrag (€)", exact=True).fill("1.250,50")
    page.get_by_label("Motivatie", exact=True).fill(
        "Veel vraag naar lassers in de regio; de kandidaat heeft ervaring in de metaal.")
    page.get_by_role("button", name="Aanvragen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(
        rf"^Voucher \d+: {re.escape(course)}$"))
    expect(page.get_by_role("status").first).to_contain_text("is aangevraagd")
    expect(page.get_by_text("€ 1.250,50").first).to_be_visible()
    voucher_title = page.get_by_role("heading", level=1).inner_text()
    voucher_id = re.match(r"Voucher (\d+):", voucher_title).group(1)
    assert "/naar/toegekend" not in page.content()  # a coach does not decide
    assert_accessible(page)

    page.get_by_role("banner").get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen$"))

    # The coordinator of the region decides.
    sign_in(page, COORDINATOR)
    menu_link(page, "Voucheraanvragen").click()
    expect(page.get_by_role("heading", level=1,
                            name="Voucheraanvragen die op uw besluit wachten")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Voucher {voucher_id}", exact=True).click()
    decide = page.get_by_role("region", name="Toekennen")
    expect(decide).to_be_visible()
    expect(page.get_by_text(re.compile(r"Stand van het budget: nog €\s[\d.]+,\d\d vrij"))
           ).to_be_visible()
    assert_accessible(page)

    decide.get_by_label("Toelichting", exact=True).fill("Past bij het trajectplan.")
    decide.get_by_role("button", name="Toekennen").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Voucher {voucher_id}: toegekend.")
    expect(page.get_by_text("Toegekend", exact=True).first).to_be_visible()
    expect(page.get_by_role("cell", name="Aangevraagd → Toegekend")).to_be_visible()
    assert_accessible(page)

    # The budget page counts it as committed.
    page.get_by_role("link", name=re.compile(r"\(MU\)$")).click()
    committed = page.get_by_role("table", name=re.compile("meetellen als vastgelegd"))
    expect(committed.get_by_role("link", name=f"Voucher {voucher_id}", exact=True)).to_be_visible()
    assert_accessible(page)
