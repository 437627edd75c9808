"""One unit of work per request: a refused save leaves nothing behind, through the pages and the
API alike; the employers package never commits itself; signals are sent by the services."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

import rmt.employers
from rmt import clock, signals
from rmt.audit.models import AuditEntry
from rmt.auth.models import Role
from rmt.employers import placements, registry
from rmt.employers.models import Employer, EmployerContact, Vacancy
from rmt.errors_domain import Forbidden
from tests.employers.conftest import liaison_of, make_case
from tests.factories import EmployerFactory, UserFactory, sector
from tests.helpers import count, post, unescaped

TODAY = clock.today()


def audited(action: str) -> int:
    return count(AuditEntry, AuditEntry.action == action)


def test_the_employers_package_never_commits():
    package = Path(rmt.employers.__file__).parent
    offenders = [path.name for path in package.glob("*.py")
                 if re.search(r"\.commit\(", path.read_text(encoding="utf-8"))]
    assert offenders == []


# --- through the pages ------------------------------------------------------------------------


def test_refused_employer_save_in_the_page_leaves_nothing(client, login_as):
    first = EmployerFactory(kvk_number="30999999")
    login_as("liaison", "AM")
    before = count(Employer)
    response = post(client, "/werkgevers/nieuw", {
        "kvk_number": first.kvk_number, "name": "Tweede registratie",
        "sector_id": str(sector().id), "region_codes": ["AM"], "postcode": "", "city": "",
        "street_address": "", "sbb_number": ""})
    assert response.status_code == 409
    assert count(Employer) == before and audited("employer.create") == 0


def test_refused_vacancy_save_in_the_page_leaves_nothing(client, login_as):
    employer = EmployerFactory(regions=["MU"])
    login_as("liaison", "MU")
    response = post(client, f"/werkgevers/{employer.id}/vacatures/nieuw", {
        "title": "Orderpicker", "sector_id": str(sector().id), "hours_per_week": "32",
        "location": "", "region_code": "MU", "opened_on": TODAY.isoformat(),
        "closes_on": (TODAY - timedelta(days=1)).isoformat(), "description": ""})
    assert response.status_code == 400
    assert "De sluitingsdatum ligt op of na de openingsdatum." in unescaped(response)
    assert count(Vacancy) == 0 and audited("vacancy.create") == 0


def test_refused_contact_save_in_the_page_leaves_nothing(client, login_as):
    employer = EmployerFactory(regions=["MU"])
    login_as("liaison", "MU")
    # Only spaces passes the form's presence check; the service refuses it.
    response = post(client, f"/werkgevers/{employer.id}/contactpersonen/nieuw", {
        "name": "   ", "role": "", "phone": "", "email": "", "version": ""})
    assert response.status_code == 400
    assert "Vul de naam van de contactpersoon in." in unescaped(response)
    assert count(EmployerContact) == 0 and audited("employer.contact_add") == 0


# --- through the API --------------------------------------------------------------------------


def test_refused_employer_with_contacts_in_the_api_leaves_nothing(client, bearer):
    headers = bearer(liaison_of("AM"))
    # The employer and its first contact are written before the second contact is refused.
    response = client.post("/api/v1/employers", headers=headers, json={
        "kvk_number": "30123456", "name": "Bakkerij De Korenaar", "sector_id": sector().id,
        "regions": ["AM"], "contacts": [{"name": "Piet Jansen"}, {"name": "   "}]})
    assert response.status_code == 422, response.json
    assert count(Employer) == 0 and count(EmployerContact) == 0
    assert audited("employer.create") == 0 and audited("employer.contact_add") == 0


def test_refused_vacancy_save_in_the_api_leaves_nothing(client, bearer):
    employer = EmployerFactory(regions=["MU"])
    headers = bearer(liaison_of("MU"))
    response = client.post("/api/v1/vacancies", headers=headers, json={
        "employer_id": employer.id, "title": "Orderpicker", "sector_id": sector().id,
        "hours_per_week": 32, "region": "MU", "opened_on": TODAY.isoformat(),
        "closes_on": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "closes_on" in response.json["errors"]
    assert count(Vacancy) == 0 and audited("vacancy.create") == 0


def test_refused_contact_save_in_the_api_leaves_nothing(client, bearer):
    employer = EmployerFactory(regions=["MU"])
    headers = bearer(liaison_of("MU"))
    response = client.post(f"/api/v1/employers/{employer.id}/contacts", headers=headers,
                           json={"name": "   "})
    assert response.status_code == 422 and "name" in response.json["errors"]
    assert count(EmployerContact) == 0 and audited("employer.contact_add") == 0


def test_role_refusal_in_the_api_is_403_and_saves_nothing(client, bearer):
    headers = bearer(UserFactory(role=Role.COACH, regions=["MU"]))
    response = client.post("/api/v1/employers", headers=headers, json={
        "kvk_number": "30123456", "name": "Bakkerij", "sector_id": sector().id,
        "regions": ["MU"]})
    assert response.status_code == 403 and count(Employer) == 0


# --- signals ----------------------------------------------------------------------------------


def test_placement_and_merge_send_their_signals():
    liaison = liaison_of("MU")
    case = make_case("MU")
    employer = EmployerFactory(regions=["MU"])
    recorded, merged = [], []
    with signals.placement_recorded.connected_to(
            lambda sender, **kw: recorded.append((sender, kw))), \
            signals.employers_merged.connected_to(
                lambda sender, **kw: merged.append((sender, kw))):
        placement = placements.create_placement(liaison, case, employer, {
            "start_on": TODAY, "contract_type": "vast", "job_title": "Inpakker",
            "hours_per_week": 24})
        coordinator = UserFactory(role=Role.COORDINATOR, regions=["MU"])
        duplicate = EmployerFactory(regions=["MU"])
        duplicate_id = duplicate.id
        registry.merge_employers(coordinator, employer, duplicate)
    assert recorded == [(case, {"user": liaison, "placement": placement})]
    assert merged == [(employer, {"user": coordinator, "duplicate_id": duplicate_id})]


@pytest.mark.parametrize("role", [Role.COACH, Role.ADMIN])
def test_role_refusal_is_forbidden(role):
    with pytest.raises(Forbidden):
        registry.create_employer(UserFactory(role=role, regions=["MU"]), {})
