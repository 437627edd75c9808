"""A coach imports a spreadsheet in a real browser: upload → mapping → dry run → import →
result; a file with an error shows it at its row and column and imports nothing. Every page
visited passes axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "imports"


def _upload(page, path: Path) -> None:
    menu_link(page, "Importeren").click()
    expect(page.get_by_role("heading", level=1, name="Importeren uit Excel of CSV")).to_be_visible()
    page.get_by_label("Wat importeert u?", exact=True).select_option(label="Kandidaten met traject")
    page.get_by_label("Regio", exact=True).select_option("MU")
    page.get_by_label("Bestand (.xlsx of .csv)", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Bestand inlezen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kolommen koppelen")


def test_coach_imports_candidates(page, sign_in, assert_accessible, tmp_path):
    sign_in(page, COACH)
    menu_link(page, "Importeren").click()
    assert_accessible(page)

    # A file with an impossible date: reported at its row and column, nothing imported
    source = (EXAMPLES / "kandidaten-mu.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = source[1].split(";")
    cells[4] = "31-02-1990"
    bad = tmp_path / "fout.csv"
    bad.write_text("\n".join([source[0], ";".join(cells)]) + "\n", encoding="utf-8")
    _upload(page, bad)
    expect(page.get_by_label("Voornaam", exact=True)).to_have_value("1")
    assert_accessible(page)
    page.get_by_role("button", name="Controleren (proefimport)").click()
    expect(page.get_by_role("heading", level=2, name="Fouten per rij")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("geldige datum"))).to_be_visible()
    expect(page.get_by_role("button", name="Importeren")).to_have_count(0)
    assert_accessible(page)

    # The example file: mapped automatically, checked, imported
    _upload(page, EXAMPLES / "kandidaten-mu.xlsx")
    page.get_by_label("Deze koppeling bewaren voor regio MU").check()
    page.get_by_role("button", name="Controleren (proefimport)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proefimport")
    expect(page.locator("#aantallen")).to_contain_text("Fouten: 0")
    assert_accessible(page)
    page.get_by_role("button", name="Importeren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import ")
    expect(page.get_by_role("status").first).to_contain_text("Import uitgevoerd")
    assert_accessible(page)
