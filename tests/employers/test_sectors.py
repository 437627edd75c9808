"""The reference list of sectors, managed by the functioneel beheerder (admin) only."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.service import create_api_token
from rmt.employers import registry, vacancies
from rmt.employers.models import Employer, Sector
from rmt.errors_domain import DomainError
from rmt.extensions import db
from tests.employers.conftest import liaison_of
from tests.factories import EmployerFactory, UserFactory, VacancyFactory, sector
from tests.helpers import count, html


def field_error(page: str, field: str) -> str:
    """The error message shown at a field (linked to it by id)."""
    match = re.search(rf'<p class="utrecht-form-field-error-message" id="{field}-fout">(.*?)</p>',
                      page, re.S)
    return unescape(match.group(1)) if match else ""


def sector_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.like("sector.%"), AuditEntry.action != "sector.priority")))


@pytest.fixture
def admin(login_as):
    return login_as("admin")


# --- who may manage sectors ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "liaison", "coordinator"])
def test_only_the_admin_manages_sectors(client, login_as, role):
    techniek = sector("techniek")
    login_as(role, "MU")
    for url in ("/beheer/sectoren/nieuw", f"/beheer/sectoren/{techniek.id}"):
        assert client.get(url).status_code == 403, url
        assert client.post_form(url, {"name": "Nieuw", "version": "1"},
                                token_page="/").status_code == 403, url
    assert count(Sector) == 12 and sector("techniek").name == "Techniek"
    with pytest.raises(DomainError):
        registry.save_sector(UserFactory(role=role, regions=["MU"]), None, {"name": "Nieuw"})
    assert sector_actions() == []


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get("/beheer/sectoren/nieuw")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_admin_sees_the_list_with_links_the_coordinator_does_not(client, login_as):
    login_as("admin")
    page = html(client.get("/beheer/sectoren"))
    assert 'href="/beheer/sectoren/nieuw"' in page
    assert f'href="/beheer/sectoren/{sector("zorg").id}"' in page
    login_as("coordinator", "MU")
    page = html(client.get("/beheer/sectoren"))
    assert "/beheer/sectoren/nieuw" not in page
    assert f'href="/beheer/sectoren/{sector("zorg").id}"' not in page


# --- create, rename, deactivate -------------------------------------------------------------


def test_admin_creates_a_sector(client, admin):
    response = client.post_form("/beheer/sectoren/nieuw",
                                {"name": "  Creatieve   industrie ", "active": "y"})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Sector).where(Sector.name == "Creatieve industrie"))
    assert created.code == "creatieve_industrie" and created.active and created.version == 1
    assert sector_actions() == ["sector.create"]
    assert "Creatieve industrie" in html(client.get("/beheer/sectoren"))
    # Liaisons can choose it for a new employer.
    liaison = liaison_of("MU")
    with client.session_transaction() as session:
        session["_user_id"] = liaison.get_id()
    assert f'value="{created.id}"' in html(client.get("/werkgevers/nieuw"))


def test_code_of_a_new_sector_is_unique_and_fixed(admin):
    first = registry.save_sector(admin, None, {"name": "Zorg!"})
    second = registry.save_sector(admin, None, {"name": "Zórg?"})
    assert (first.code, second.code) == ("zorg_2", "zorg_3")  # "zorg" is taken
    registry.save_sector(admin, first, {"name": "Jeugdzorg"}, expected_version=first.version)
    assert first.code == "zorg_2" and first.name == "Jeugdzorg"
    assert registry.save_sector(admin, None, {"name": "€ & €"}).code == "sector"


@pytest.mark.parametrize(("name", "message"), [
    ("", "Vul de naam van de sector in."),
    ("   ", "Vul de naam van de sector in."),
    ("x" * 101, "Gebruik hoogstens 100 tekens."),
    ("Zorg en welzijn", "Er is al een sector met deze naam."),
    ("zorg EN   welzijn", "Er is al een sector met deze naam."),
])
def test_bad_name_is_refused_at_the_field(client, admin, name, message):
    response = client.post_form("/beheer/sectoren/nieuw", {"name": name, "active": "y"})
    assert response.status_code == 400
    assert message in field_error(html(response), "name")
    assert count(Sector) == 12 and sector_actions() == []


@pytest.mark.parametrize("value", ["\x00", "a\x00b", ["a", "b"], "<script>alert(1)</script>",
                                   "𝟙𝟚" * 60])
def test_garbage_is_never_a_500_and_saves_nothing(app, client, admin, value):
    techniek = sector("techniek")
    for url, base in (("/beheer/sectoren/nieuw", {}),
                      (f"/beheer/sectoren/{techniek.id}", {"version": "1"})):
        for name in ("name", "active", "version"):
            data = {"name": "Techniek", "active": "y", **base, name: value}
            before = count(Sector)
            response = client.post_form(url, data)
            assert response.status_code in (302, 400, 409), (url, name, response.status_code)
            if response.status_code != 302:
                assert count(Sector) == before
    db.session.expire_all()
    assert sector("techniek").name == "Techniek"


def test_post_without_csrf_token_saves_nothing(client, admin):
    response = client.post("/beheer/sectoren/nieuw", data={"name": "Zonder token"})
    assert response.status_code == 400
    techniek = sector("techniek")
    response = client.post(f"/beheer/sectoren/{techniek.id}",
                           data={"name": "Zonder token", "version": "1"})
    assert response.status_code == 400
    assert count(Sector) == 12 and sector("techniek").name == "Techniek"


def test_rename_with_optimistic_locking(client, admin):
    techniek = sector("techniek")
    url = f"/beheer/sectoren/{techniek.id}"
    page = html(client.get(url))
    assert 'name="version" type="hidden" value="1"' in page
    response = client.post_form(url, {"name": "Techniek en installatie", "active": "y",
                                      "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    techniek = sector("techniek")
    assert techniek.name == "Techniek en installatie" and techniek.version == 2
    assert sector_actions() == ["sector.update"]
    # An editor who loaded version 1 is refused and sees the newest data.
    response = client.post_form(url, {"name": "Techniek oud", "active": "y", "version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft deze sector intussen gewijzigd" in html(response)
    assert 'value="Techniek en installatie"' in html(response)
    # A form without a version cannot prove it saw the latest data.
    response = client.post_form(url, {"name": "Techniek zonder versie", "active": "y"})
    assert response.status_code == 409
    db.session.expire_all()
    assert sector("techniek").name == "Techniek en installatie"
    assert sector_actions() == ["sector.update"]


def test_refused_edit_changes_nothing(client, admin):
    """Deactivating and renaming to a taken name at once: neither is saved."""
    techniek = sector("techniek")
    response = client.post_form(f"/beheer/sectoren/{techniek.id}",
                                {"name": "ICT", "version": "1"})  # active unticked
    assert response.status_code == 400
    assert "Er is al een sector met deze naam." in field_error(html(response), "name")
    db.session.expire_all()
    techniek = sector("techniek")
    assert techniek.name == "Techniek" and techniek.active and techniek.version == 1
    assert sector_actions() == []


def test_unknown_sector_is_404(client, admin):
    assert client.get("/beheer/sectoren/999999").status_code == 404
    assert client.get("/beheer/sectoren/abc").status_code == 404


# --- a deactivated sector ------------------------------------------------------------------


def test_deactivated_sector_stays_with_its_records_but_is_not_offered(app, client, admin):
    bouw = sector("bouw")
    employer = EmployerFactory(sector=bouw, regions=["MU"], name="Bouwbedrijf Dijk")
    liaison = liaison_of("MU")
    vacancy = VacancyFactory(employer=employer, region_code="MU", created_by=liaison)
    db.session.flush()
    response = client.post_form(f"/beheer/sectoren/{bouw.id}",
                                {"name": "Bouw en infra", "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    bouw = sector("bouw")
    assert not bouw.active and bouw.version == 2
    assert "(niet actief)" in html(client.get("/beheer/sectoren"))
    # Never deleted: the employer and vacancy keep it.
    assert db.session.get(Employer, employer.id).sector_id == bouw.id
    # Not offered for new records, refused if sent anyway.
    assert bouw not in registry.sector_options()
    assert bouw in registry.sector_options(bouw.id)
    with client.session_transaction() as session:
        session["_user_id"] = liaison.get_id()
    assert f'value="{bouw.id}"' not in html(client.get("/werkgevers/nieuw"))
    assert f'value="{bouw.id}"' in html(client.get(f"/werkgevers/{employer.id}/bewerken"))
    response = client.post_form("/werkgevers/nieuw", {
        "kvk_number": "30999999", "name": "Nieuw Bouwbedrijf", "sector_id": str(bouw.id),
        "street_address": "", "postcode": "", "city": "", "region_codes": ["MU"],
        "sbb_number": ""})
    assert response.status_code == 400
    assert "Kies een sector uit de lijst." in field_error(html(response), "sector_id")
    with pytest.raises(DomainError) as refused:
        vacancies.create_vacancy(liaison, employer, {
            "title": "Timmerman", "sector_id": bouw.id, "hours_per_week": 36,
            "region_code": "MU"})
    assert refused.value.field == "sector_id"
    # The existing employer and vacancy can still be saved with it.
    registry.update_employer(liaison, employer, {
        "kvk_number": employer.kvk_number, "name": "Bouwbedrijf Dijk BV", "sector_id": bouw.id,
        "region_codes": ["MU"]}, expected_version=employer.version)
    vacancies.update_vacancy(liaison, vacancy, {
        "title": "Uitvoerder", "sector_id": bouw.id, "hours_per_week": 36,
        "region_code": "MU"}, expected_version=vacancy.version)
    # The API lists it as inactive.
    with app.test_request_context():
        token = create_api_token(liaison, label="test")
    body = client.get("/api/v1/sectors", headers={"Authorization": f"Bearer {token}"}).json
    by_code = {item["code"]: item for item in body["items"]}
    assert by_code["bouw"]["active"] is False and by_code["zorg"]["active"] is True
    # Reactivating offers it again.
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    response = client.post_form(f"/beheer/sectoren/{bouw.id}",
                                {"name": "Bouw en infra", "active": "y", "version": "2"})
    assert response.status_code == 302
    assert bouw in registry.sector_options()
