"""A praktijkverklaring in a real browser, from request to the printed certificate: a coach
requests it on a case, chooses werkprocessen, moves it through every step, assesses, issues it
and prints it (print media: A4, no navigation); then the register. Every page passes axe-core
(WCAG 2.1 A + AA), the certificate also in print media."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
LEERBEDRIJF = "Transportbedrijf Van der Wal"  # demo employer with an SBB number (logistiek)
CASE_LINK = re.compile(r"^/trajecten/\d+$")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _case_without_praktijkverklaring(page) -> None:
    """Open a running case of Midden-Utrecht that has no open praktijkverklaring yet."""
    page.goto("/trajecten?stap=uitvoering")
    hrefs = [h for h in page.locator("table a.utrecht-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))") if CASE_LINK.match(h or "")]
    assert hrefs, "no running demo cases in Midden-Utrecht"
    for href in hrefs:
        page.goto(href)
        if page.get_by_role("link", name="Praktijkverklaring aanvragen").count():
            return
    pytest.fail("every listed case already has an open praktijkverklaring")


def _step(page, button: str, status_text: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status").first).to_contain_text(status_text)


def test_request_to_printed_certificate(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    _case_without_praktijkverklaring(page)
    candidate = page.get_by_role("heading", level=1).inner_text().strip()
    expect(page.get_by_role("heading", level=2, name="Praktijkverklaring")).to_be_visible()
    assert_accessible(page)

    # Request
    page.get_by_role("link", name="Praktijkverklaring aanvragen").click()
    expect(page.get_by_role("heading", level=1,
                            name="Praktijkverklaring aanvragen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Aanvragen").click()  # empty: errors at the fields
    expect(page.get_by_text("Het formulier is niet opgeslagen.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Mbo-school", exact=True).select_option(label="ROC Midden Nederland (25PZ)")
    page.get_by_label("Kwalificatie (crebo)", exact=True).select_option(
        label="Logistiek medewerker, niveau 2 (crebo 25409)")
    leerbedrijf = page.get_by_label("Leerbedrijf", exact=True)
    logistics = leerbedrijf.locator("option", has_text=LEERBEDRIJF)  # a recognised DC
    leerbedrijf.select_option(logistics.get_attribute("value"))
    page.get_by_label("Praktijkopleider", exact=True).fill("Karin Verhoef")
    page.get_by_label("Geplande start", exact=True).fill("2026-01-05")
    page.get_by_label("Gepland einde", exact=True).fill("2026-06-30")
    page.get_by_role("button", name="Aanvragen").click()

    # Werkprocessen
    expect(page.get_by_role("heading", level=1, name="Werkprocessen kiezen")).to_be_visible()
    assert_accessible(page)
    for code in ("B1-K1-W1", "B1-K1-W2", "B1-K1-W3"):
        page.get_by_label(re.compile(f"^{code} ")).check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("3 werkproces(sen) gekozen")
    expect(page.get_by_role("heading", level=1,
                            name="Praktijkverklaring Logistiek medewerker")).to_be_visible()
    assert_accessible(page)

    _step(page, "Werkprocessen vaststellen", "werkprocessen vastgesteld")
    _step(page, "Praktijkovereenkomst is getekend", "praktijkovereenkomst getekend")
    _step(page, "Start leren in de praktijk", "leren in de praktijk")
    expect(page.get_by_text("Beoordeling afronden kan nog niet")).to_be_visible()
    assert_accessible(page)

    # Assessments: two shown, one not yet
    for number, (code, result) in enumerate((("B1-K1-W1", "Aangetoond"),
                                             ("B1-K1-W2", "Aangetoond"),
                                             ("B1-K1-W3", "Nog niet aangetoond"))):
        page.get_by_role("link", name=f"Beoordelen {code}").click()
        expect(page.get_by_role("heading", level=1, name=f"Beoordeling {code}")).to_be_visible()
        if number == 0:
            assert_accessible(page)
        page.get_by_label("Resultaat", exact=True).select_option(label=result)
        expect(page.get_by_label("Beoordelaar", exact=True)).to_have_value("Karin Verhoef")
        page.get_by_role("button", name="Beoordeling opslaan").click()
        expect(page.get_by_role("status").first).to_contain_text(f"De beoordeling van {code}")

    _step(page, "Beoordeling afronden", "beoordeeld")
    _step(page, "Vastgesteld door de school", "vastgesteld door de school")
    page.get_by_role("button", name="Uitreiken en registreren").click()
    status = page.get_by_role("status").first
    expect(status).to_contain_text("is uitgereikt met registernummer PV-MU-")
    number = re.search(r"PV-MU-\d{4}-\d{4,}", status.inner_text()).group(0)
    assert_accessible(page)

    # The certificate, on screen and in print
    page.get_by_role("link", name="Verklaring bekijken en afdrukken").click()
    certificate = page.locator("article.rmt-certificate")
    expect(page.get_by_role("heading", level=1, name="Praktijkverklaring")).to_be_visible()
    for text in (number, candidate, "ROC Midden Nederland", "Logistiek medewerker",
                 "crebo 25409", "B1-K1-W1", "B1-K1-W2", "Karin Verhoef", LEERBEDRIJF,
                 "SBB-erkenningsnummer"):
        expect(certificate).to_contain_text(text)
    expect(certificate).not_to_contain_text("B1-K1-W3")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    assert_accessible(page)

    expect(certificate).to_contain_text(re.compile(
        r"Datum van uitreiking\s*\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|"
        r"september|oktober|november|december) \d{4}"))

    screen_size = page.viewport_size
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, for the screenshot
    page.emulate_media(media="print")
    expect(certificate).to_be_visible()
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_hidden()
    expect(page.locator("header.rmt-header")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("link", name="← Terug naar de praktijkverklaring")).to_be_hidden()
    assert_accessible(page)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "praktijkverklaring.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) == 1, f"the certificate takes {len(pages)} pages"
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", pdf).group(1).split()]
    assert abs(box[2] - 595) < 2 and abs(box[3] - 842) < 2, box  # A4 portrait, in points
    page.emulate_media(media="screen")
    page.set_viewport_size(screen_size)

    # The register of the region
    menu_link(page, "Praktijkverklaringen").click()
    expect(page.get_by_role("heading", level=1,
                            name="Register praktijkverklaringen Midden-Utrecht")).to_be_visible()
    expect(page.get_by_role("rowheader", name=number)).to_be_visible()
    assert_accessible(page)


def test_admin_reference_data_pages(page, sign_in, assert_accessible):
    sign_in(page, "admin@demo.rmt.test")
    menu_link(page, "Mbo-scholen").click()
    expect(page.get_by_role("heading", level=1, name="Mbo-scholen")).to_be_visible()
    expect(page.get_by_role("cell", name="25PZ")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Nieuwe school").click()
    page.get_by_label("Naam van de school", exact=True).fill("Testschool")
    page.get_by_label("BRIN-code", exact=True).fill("ABCD")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Vul een geldige BRIN-code in").first).to_be_visible()
    assert_accessible(page)

    menu_link(page, "Kwalificaties").click()
    expect(page.get_by_role("heading", level=1,
                            name="Kwalificaties en werkprocessen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Verkoopmedewerker").click()
    expect(page.get_by_role("heading", level=2, name="Werkprocessen")).to_be_visible()
    assert_accessible(page)
