"""Second factor, privacy and audit pages in a real browser, each checked with axe-core."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.conftest import menu_link

pytestmark = pytest.mark.e2e

COORDINATOR = "coordinator.mu@demo.rmt.test"
ADMIN = "admin@demo.rmt.test"
COACH = "coach.am@demo.rmt.test"


@pytest.fixture(scope="module")
def mu_candidate_id(e2e_database_url: str, live_server: str) -> int:
    """A demo candidate in Midden-Utrecht (from `demo seed`), preferably with vouchers,
    proposals and placements on the case, and closed."""
    engine = sa.create_engine(e2e_database_url)
    try:
        with engine.connect() as conn:
            candidate_id = conn.execute(sa.text(
                "SELECT candidate_id FROM case_file c WHERE region_code = 'MU' ORDER BY "
                "(CASE WHEN EXISTS (SELECT 1 FROM voucher v WHERE v.case_id = c.id) "
                "THEN 1 ELSE 0 END) + (CASE WHEN EXISTS (SELECT 1 FROM proposal p "
                "WHERE p.case_id = c.id) THEN 1 ELSE 0 END) + (CASE WHEN EXISTS (SELECT 1 "
                "FROM placement l WHERE l.case_id = c.id) THEN 1 ELSE 0 END) DESC, "
                "status = 'afgesloten' DESC, id LIMIT 1")).scalar()
    finally:
        engine.dispose()
    if candidate_id is None:
        pytest.skip("the demo seed made no cases in MU")
    return candidate_id


def test_code_step_is_accessible_and_signs_in(page, assert_accessible):
    from tests.e2e.conftest import DEMO_PASSWORD, fresh_totp_code

    page.goto("/inloggen")
    page.get_by_label("E-mailadres", exact=True).fill(COORDINATOR)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/inloggen/code$"))
    expect(page.get_by_role("heading", level=1, name="Code invullen")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Code", exact=True).fill(fresh_totp_code(COORDINATOR))
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Goedendag, Fatima El Amrani")


def test_coordinator_privacy_and_audit_pages(page, sign_in, assert_accessible, mu_candidate_id):
    sign_in(page, COORDINATOR)
    menu_link(page, "Auditlog").click()
    expect(page.get_by_role("heading", level=1, name="Auditlog")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Vanaf datum").fill("2001-01-02")
    page.get_by_label("Tot en met datum").fill("2001-01-01")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_role("alert")).to_contain_text("De einddatum ligt voor de begindatum.")
    assert_accessible(page)

    menu_link(page, "Toestemmingen").click()
    expect(page.get_by_role("heading", level=1, name="Toestemmingenregister")).to_be_visible()
    assert_accessible(page)

    menu_link(page, "Privacyverzoeken").click()
    assert_accessible(page)

    page.goto(f"/privacy/kandidaten/{mu_candidate_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inzage:")
    expect(page.get_by_role("heading", name="Wie heeft dit dossier bekeken of gewijzigd")
           ).to_be_visible()
    for section in ("Scholingsvouchers", "Praktijkverklaringen", "Voordrachten bij werkgevers",
                    "Plaatsingen"):
        expect(page.get_by_role("heading", level=2, name=section, exact=True)).to_be_visible()
    assert_accessible(page)

    page.goto(f"/privacy/kandidaten/{mu_candidate_id}/wissen")
    expect(page.get_by_role("heading", level=1, name="Gegevens wissen op verzoek")).to_be_visible()
    assert_accessible(page)


def test_second_factor_pages_for_a_coach(page, sign_in, assert_accessible):
    sign_in(page, COACH)
    menu_link(page, "Tweede factor").click()
    expect(page.get_by_role("heading", level=1, name="Tweede factor")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Tweede factor instellen").click()
    qr = page.get_by_role("img", name=re.compile("QR-code"))
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert_accessible(page)


def test_admin_user_page_offers_second_factor_reset(page, sign_in, assert_accessible):
    sign_in(page, ADMIN)
    page.goto("/beheer/gebruikers")
    page.get_by_role("row", name=re.compile("coordinator.gv@demo.rmt.test")).get_by_role(
        "link").first.click()
    expect(page.get_by_role("button", name="Tweede factor herstellen")).to_be_visible()
    assert_accessible(page)
