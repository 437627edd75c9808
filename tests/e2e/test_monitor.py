"""The quarterly monitor in a real browser (issue 20, items 5 and 6): a coordinator opens the
province monitor from the menu, sees the flow charts with their data tables, switches to the
own region and to another quarter, and downloads the report. Every page passes axe-core
(WCAG 2.1 A + AA) and loads nothing from another server. Uses the demo data of ``demo seed``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from rmt.stats.monitor import Quarter
from tests.e2e.conftest import menu_link
from tests.e2e.test_stats import assert_charts_with_tables, only_own_server

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator.mu@demo.rmt.test"


def test_coordinator_reads_the_monitor(page, sign_in, assert_accessible, live_server,
                                       tmp_path: Path):
    foreign = only_own_server(page, live_server)
    sign_in(page, COORDINATOR)
    menu_link(page, "Kwartaalmonitor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("provincie Utrecht")
    assert_charts_with_tables(page, 2)
    expect(page.get_by_role("table", name="Personen gestart naar doelgroep")).to_be_visible()
    expect(page.get_by_role("table", name="Diensten naar categorie van de regeling")
           ).to_be_visible()
    assert_accessible(page)

    # The own region, a quarter earlier: the demo spreads its history over 18 months.
    earlier = Quarter.current().previous()
    page.get_by_label("Kwartaal", exact=True).select_option(str(earlier))
    page.get_by_label("Regio of provincie", exact=True).select_option(label="Midden-Utrecht")
    page.get_by_role("button", name="Monitor tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Kwartaalmonitor {earlier.label}, Midden-Utrecht")
    placements = page.get_by_role("table", name="Plaatsingen naar sector (SBI)")
    expect(placements).to_be_visible()
    assert_charts_with_tables(page, 2)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert re.fullmatch(r"monitor-MU-\d{4}-Q[1-4]\.xlsx", target.name)
    assert target.stat().st_size > 1000
    assert foreign == []
