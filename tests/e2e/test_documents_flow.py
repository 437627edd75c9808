"""Documents in a real browser: a coach uploads to a case from the case page; a renamed HTML
file is refused with a Dutch message at the field; a PDF is stored, listed, opened and
downloaded. Every page visited passes axe-core (WCAG 2.1 A + AA). Uses the demo data."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")


def test_coach_uploads_a_document_on_the_case_page(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    menu_link(page, "Start").click()
    page.get_by_role("table", name=re.compile("^Mijn lopende trajecten")).get_by_role(
        "link").first.click()
    section = page.get_by_role("region", name="Documenten")
    expect(section).to_be_visible()
    assert_accessible(page)

    # A web page renamed to .pdf: refused, with the message at the field.
    section.get_by_label("Soort document").select_option("cv")
    section.get_by_label("Bestand").set_input_files(
        {"name": "cv.pdf", "mimeType": "application/pdf",
         "buffer": b"<!DOCTYPE html><html><script>alert(1)</script></html>"})
    section.get_by_role("button", name="Document opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Het formulier is niet opgeslagen.")
    expect(page.get_by_label("Bestand", exact=True)).to_have_accessible_description(
        re.compile("webpagina"))
    assert_accessible(page)

    name = f"cv-{secrets.token_hex(3)}.pdf"
    page.get_by_label("Soort document").select_option("cv")
    page.get_by_label("Bestand", exact=True).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="Document opslaan").click()
    section = page.get_by_role("region", name="Documenten")
    expect(section.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)

    section.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Nieuwste versie downloaden").click()
    assert download.value.suggested_filename == name
