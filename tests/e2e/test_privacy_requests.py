"""The register of privacy requests in a real browser: a coach records a request from the case
page, the region's coordinator sees it waiting (notification, register), handles it and closes
it. Every page is checked with axe-core (WCAG 2.1 A + AA)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import sign_out

pytestmark = pytest.mark.e2e

COACH = "coach.mu@demo.rmt.test"
COORDINATOR = "coordinator.mu@demo.rmt.test"


@pytest.fixture(scope="module")
def open_case_id(e2e_database_url: str, live_server: str) -> int:
    """An open case of the demo coach of Midden-Utrecht whose candidate is not anonymised."""
    engine = sa.create_engine(e2e_database_url)
    try:
        with engine.connect() as conn:
            case_id = conn.execute(sa.text(
                "SELECT c.id FROM case_file c JOIN user_account u ON u.id = c.coach_id "
                "JOIN candidate p ON p.id = c.candidate_id WHERE u.email = :email "
                "AND c.status != 'afgesloten' AND p.anonymised_at IS NULL ORDER BY c.id "
                "LIMIT 1"), {"email": COACH}).scalar()
    finally:
        engine.dispose()
    if case_id is None:
        pytest.skip("the demo seed made no open case for the MU coach")
    return case_id


def test_privacy_request_journey(page, sign_in, assert_accessible, open_case_id):
    sign_in(page, COACH)
    page.goto(f"/trajecten/{open_case_id}")
    section = page.locator("#privacyverzoeken")
    expect(section.get_by_role("heading", name="Privacyverzoeken")).to_be_visible()
    section.get_by_role("link", name="Privacyverzoek vastleggen").click()
    expect(page.get_by_role("heading", level=1, name="Privacyverzoek vastleggen")).to_be_visible()
    assert_accessible(page)

    # a note with personal data is refused at its field
    page.get_by_label("Soort verzoek").select_option("verwijdering")
    page.get_by_label("Toelichting").fill("Mail van iemand@example.nl")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.locator("#note-fout")).to_contain_text("Noteer geen persoonsgegevens")
    assert_accessible(page)

    page.get_by_label("Toelichting").fill("Per brief ontvangen; vraagt om verwijdering.")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page).to_have_url(re.compile(r"/privacy/verzoeken/\d+$"))
    request_url = page.url
    expect(page.get_by_role("status").first).to_contain_text("afhandelen uiterlijk")
    expect(page.get_by_text("wacht op de privacybehandelaar")).to_be_visible()
    assert_accessible(page)

    page.goto("/privacy/verzoeken")
    expect(page.get_by_role("heading", level=1, name="Register van privacyverzoeken"))\
        .to_be_visible()
    assert_accessible(page)

    sign_out(page)
    sign_in(page, COORDINATOR)
    page.goto("/meldingen")
    expect(page.get_by_text(re.compile(r"Privacyverzoek \d+ \(traject "
                                       f"{open_case_id}" r"\) wacht op afhandeling"))
           .first).to_be_visible()
    assert_accessible(page)

    page.goto("/privacy")
    page.get_by_role("link", name="register van privacyverzoeken").click()
    number = request_url.rsplit("/", 1)[1]
    row = page.get_by_role("row").filter(has_text=f"Verzoek {number}")
    expect(row).to_contain_text("Verwijdering (art. 17)")
    assert_accessible(page)
    row.get_by_role("link", name=f"Verzoek {number}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verwijdering (art. 17)")
    expect(page.get_by_role("link", name="Gegevens wissen op verzoek")).to_be_visible()
    assert_accessible(page)

    # refusing needs its reasons
    page.get_by_label("Uitkomst").select_option("afgewezen")
    page.get_by_role("button", name="Verzoek afhandelen").click()
    expect(page.locator("#outcome_note-fout")).to_contain_text("motivering")
    assert_accessible(page)
    page.get_by_label("Uitkomst").select_option("afgewezen")
    page.get_by_label("Motivering of toelichting")\
        .fill("Wettelijke bewaarplicht van de subsidieverantwoording.")
    page.get_by_role("button", name="Verzoek afhandelen").click()
    expect(page).to_have_url(re.compile(r"/privacy/verzoeken$"))
    expect(page.get_by_role("status").first).to_contain_text("afgehandeld")
    expect(page.get_by_role("row").filter(has_text=f"Verzoek {number}")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Afgehandelde verzoeken").click()
    expect(page.get_by_role("row").filter(has_text=f"Verzoek {number}"))\
        .to_contain_text("Afgewezen")
    assert_accessible(page)
