"""The statistics in a real browser: a coordinator reads the figures of the own region, changes
the period and the breakdown, compares the four regions and downloads a table; a coach sees the
own caseload only. Every page visited passes axe-core (WCAG 2.1 A + AA) and loads nothing from
another server. Uses the demo data of ``demo seed``."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
COORDINATOR = "coordinator.mu@demo.rmt.test"


def only_own_server(page, live_server: str) -> list[str]:
    """Collects every request the page makes to another host."""
    foreign: list[str] = []
    own = urlparse(live_server).netloc
    page.on("request", lambda request: foreign.append(request.url)
            if urlparse(request.url).netloc not in (own, "") and not request.url.startswith(
                ("data:", "blob:")) else None)
    return foreign


def assert_charts_with_tables(page, count: int) -> None:
    charts = page.locator("figure.rmt-chart svg[role=img]")
    expect(charts).to_have_count(count)
    for index in range(count):
        chart = charts.nth(index)
        # A text alternative (title and description) and the same numbers in a table beside it.
        assert (chart.locator("title").text_content() or "").strip()
        assert (chart.locator("desc").text_content() or "").strip()
        pair = chart.locator("xpath=ancestor::div[contains(@class,'rmt-chart-pair')]")
        expect(pair.get_by_role("table")).to_have_count(1)
    # No inline script: the page's Content-Security-Policy would refuse it.
    assert page.locator("script:not([src])").count() == 0


def test_coordinator_reads_compares_and_downloads(page, sign_in, assert_accessible,
                                                  live_server):
    foreign = only_own_server(page, live_server)
    sign_in(page, COORDINATOR)
    menu_link(page, "Cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cijfers van Midden-Utrecht")
    summary = page.get_by_role("table", name=re.compile("^Kerncijfers per regio"))
    total = summary.get_by_role("row", name=re.compile("^Totaal"))
    instroom = int(total.get_by_role("cell").first.inner_text().replace(".", ""))
    assert instroom > 0  # the demo histories are summarised
    assert_charts_with_tables(page, 2)
    assert_accessible(page)

    # Another period and a breakdown by doelgroep.
    year = date.today().year - 1
    page.get_by_label("Van", exact=True).fill(f"{year}-01-01")
    page.get_by_label("Tot en met", exact=True).fill(f"{year}-12-31")
    page.get_by_label("Uitsplitsen naar", exact=True).select_option(label="Doelgroep")
    page.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_role("table", name="Kerncijfers per doelgroep")).to_be_visible()
    expect(page.locator(".rmt-lead")).to_contain_text(f"01-01-{year} tot en met 31-12-{year}")
    assert_accessible(page)

    # A wrong date: a Dutch message at the field, the page still shows figures.
    page.get_by_label("Tot en met", exact=True).fill(f"{year - 1}-12-31")
    page.get_by_role("button", name="Cijfers tonen").click()
    expect(page.get_by_label("Tot en met", exact=True)).to_have_accessible_description(
        re.compile("De einddatum ligt voor de begindatum."))
    assert_accessible(page)

    # The region comparison: aggregates of the four regions, small counts shielded.
    menu_link(page, "Regio's vergelijken").click()
    expect(page.get_by_role("heading", level=1, name="Regio's vergelijken")).to_be_visible()
    table = page.get_by_role("table", name="Kerncijfers per regio")
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    assert headers == ["Cijfer", "Midden-Utrecht", "Regio Amersfoort", "Gooi- en Vechtstreek",
                       "Foodvalley", "Totaal"]
    expect(page.get_by_text("minder dan 5 (klein aantal, niet getoond)").first).to_be_visible()
    assert_charts_with_tables(page, 2)
    assert_accessible(page)

    section = page.locator("#tabel-uitstroom")
    with page.expect_download() as download_info:
        section.get_by_role("link", name=re.compile("^CSV")).click()
    download = download_info.value
    assert re.fullmatch(r"regios-uitstroom-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv",
                        download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.startswith("Uitstroomreden;Midden-Utrecht;Regio Amersfoort;")
    with page.expect_download() as download_info:
        section.get_by_role("link", name=re.compile("^Excel")).click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
    assert foreign == []


def test_coach_sees_own_caseload_only(page, sign_in, assert_accessible, live_server):
    foreign = only_own_server(page, live_server)
    sign_in(page, COACH)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Regio's vergelijken")).to_have_count(0)
    menu_link(page, "Cijfers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cijfers van mijn trajecten")
    expect(page.get_by_label("Loopbaancoach", exact=True)).to_have_count(0)
    # Read-only: the only form on the page is the GET form of the period.
    forms = page.locator("main form")
    assert all(forms.nth(i).get_attribute("method") == "get" for i in range(forms.count()))
    caseload = page.get_by_role("table", name=re.compile("^Caseload per loopbaancoach"))
    rows = [r.strip() for r in caseload.get_by_role("rowheader").all_inner_texts()]
    assert len(rows) == 2 and rows[1] == "Totaal"  # this coach and the total
    assert_charts_with_tables(page, 2)
    assert_accessible(page)
    page.goto("/cijfers/regios")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Regio's vergelijken")
    assert foreign == []
