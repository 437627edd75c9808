"""Coded services: service types in the regulation's three categories, delivering partners,
and every plan activity coded with both (issue 20, item 1)."""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases import demo, service
from rmt.cases.models import (
    Benefit,
    Candidate,
    DeliveryPartner,
    PlanActivity,
    ServiceCategory,
    ServiceType,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.test_api import api_for
from tests.factories import CaseFactory, UserFactory, coded, delivery_partner, service_type
from tests.helpers import html, post, text


def test_migration_seeds_service_types_in_the_three_categories_and_partners():
    categories = dict(db.session.execute(sa.select(ServiceType.code, ServiceType.category)).all())
    assert categories["loopbaanadvies"] is ServiceCategory.WERKFITBEHOUD
    assert categories["scholing"] is ServiceCategory.AANVULLENDE_CRISISDIENSTVERLENING
    assert categories["praktijkleren"] is ServiceCategory.PRAKTIJKLEREN_MBO
    assert "overig" in categories and len(categories) == 9
    assert set(categories.values()) == set(ServiceCategory)
    kinds = {p.kind.value for p in db.session.scalars(sa.select(DeliveryPartner))}
    assert kinds == {"uwv", "gemeente", "leerwerkloket", "spt", "mbo_school", "oo_fonds",
                     "private_partner"}


def test_activity_needs_an_active_service_type_and_partner():
    case = CaseFactory(status=CaseState.PLAN)
    coach = case.coach
    with pytest.raises(DomainError) as refused:
        service.add_activity(coach, case, description="Cursus", due_on=None,
                             service_type_id=None, partner_id=delivery_partner().id,
                             expected_version=None)
    assert refused.value.field == "service_type_id"
    with pytest.raises(DomainError) as refused:
        service.add_activity(coach, case, description="Cursus", due_on=None,
                             service_type_id=service_type().id, partner_id="abc",
                             expected_version=None)
    assert refused.value.field == "partner_id"
    inactive = service_type("schuldhulp")
    inactive.active = False
    with pytest.raises(DomainError) as refused:
        service.add_activity(coach, case, description="Schuldhulp", due_on=None,
                             service_type_id=inactive.id, partner_id=delivery_partner().id,
                             expected_version=None)
    assert refused.value.field == "service_type_id"
    activity = service.add_activity(coach, case, description="Adviesgesprek", due_on=None,
                                    **coded("loopbaanadvies", "Leerwerkloket"),
                                    expected_version=None)
    assert activity.service_type.category is ServiceCategory.WERKFITBEHOUD
    assert activity.partner.name == "Leerwerkloket"


def test_plan_page_adds_a_coded_activity(client, login_as):
    coach = login_as("coach", "MU")
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    db.session.flush()
    url = f"/trajecten/{case.id}/activiteiten"
    page = html(client.get(f"/trajecten/{case.id}/plan"))
    assert 'for="activiteit-service_type_id"' in page and "Loopbaanadvies (Dienstverlening" in page
    response = post(client, url, {"activiteit-description": "Cursus VCA",
                                  "activiteit-version": case.version})
    assert response.status_code == 400
    assert "Kies een soort dienst uit de lijst." in text(response)
    assert "Kies de partner die de dienst levert." in text(response)
    response = post(client, url, {"activiteit-description": "Cursus VCA",
                                  "activiteit-service_type_id": service_type("scholing").id,
                                  "activiteit-partner_id": delivery_partner("O&O-fonds").id,
                                  "activiteit-version": case.version})
    assert response.status_code == 302
    activity = db.session.scalar(sa.select(PlanActivity).where(PlanActivity.case_id == case.id))
    assert (activity.service_type.code, activity.partner.name) == ("scholing", "O&O-fonds")
    page = text(client.get(f"/trajecten/{case.id}/plan"))
    assert "Cursus VCA" in page and "Scholing" in page and "O&O-fonds" in page


def test_activity_on_another_regions_case_is_404(client, login_as):
    login_as("coach", "MU")
    other = CaseFactory(region_code="AM", status=CaseState.PLAN)
    db.session.flush()
    response = post(client, f"/trajecten/{other.id}/activiteiten", {
        "activiteit-description": "X", **{f"activiteit-{k}": v for k, v in coded().items()},
        "activiteit-version": other.version})
    assert response.status_code == 404


def test_admin_manages_service_types(client, login_as):
    login_as("admin")
    page = html(client.get("/beheer/soorten-dienst"))
    assert "Loopbaanadvies" in page and "Scholing via praktijkleren in het mbo" in page
    data = {"name": "Jobcoaching", "category": "werkfitbehoud", "active": "y"}
    assert post(client, "/beheer/soorten-dienst/nieuw", data).status_code == 302
    record = db.session.scalar(sa.select(ServiceType).where(ServiceType.name == "Jobcoaching"))
    assert record.code == "jobcoaching" and record.category is ServiceCategory.WERKFITBEHOUD
    response = post(client, "/beheer/soorten-dienst/nieuw", {**data, "name": "SCHOLING"})
    assert response.status_code == 400 and "Er is al een soort dienst met deze naam." in text(
        response)
    response = post(client, "/beheer/soorten-dienst/nieuw", {**data, "category": "iets"})
    assert response.status_code == 400
    url = f"/beheer/soorten-dienst/{record.id}"
    assert f'name="version" type="hidden" value="{record.version}"' in html(client.get(url))
    assert post(client, url, {**data, "name": "Jobcoaching op de werkvloer", "active": "",
                              "version": str(record.version)}).status_code == 302
    response = post(client, url, {**data, "name": "Te laat", "version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft dit soort dienst intussen gewijzigd" in text(response)
    db.session.expire_all()
    saved = db.session.get(ServiceType, record.id)
    assert (saved.name, saved.active, saved.code) == ("Jobcoaching op de werkvloer", False,
                                                      "jobcoaching")
    assert post(client, "/beheer/soorten-dienst/999999", data).status_code == 404


def test_admin_manages_partners(client, login_as):
    login_as("admin")
    assert "Servicepunt Techniek" in html(client.get("/beheer/partners"))
    data = {"name": "ROC Midden Nederland", "kind": "mbo_school", "active": "y"}
    assert post(client, "/beheer/partners/nieuw", data).status_code == 302
    record = db.session.scalar(sa.select(DeliveryPartner).where(
        DeliveryPartner.name == "ROC Midden Nederland"))
    assert record.kind.value == "mbo_school"
    response = post(client, "/beheer/partners/nieuw", {**data, "kind": ""})
    assert response.status_code == 400 and "Kies het soort partner." in text(response)
    url = f"/beheer/partners/{record.id}"
    assert post(client, url, {**data, "kind": "private_partner",
                              "version": str(record.version)}).status_code == 302
    response = post(client, url, {**data, "version": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(DeliveryPartner, record.id).kind.value == "private_partner"


@pytest.mark.parametrize("role", ["coach", "coordinator", "liaison"])
def test_service_reference_data_is_admin_only(client, login_as, role):
    login_as(role, "MU")
    for url in ("/beheer/soorten-dienst", "/beheer/soorten-dienst/nieuw", "/beheer/partners",
                "/beheer/partners/nieuw"):
        assert client.get(url).status_code == 403


# --- API -------------------------------------------------------------------------------------


def test_api_adds_and_lists_coded_activities(app, client):
    case = CaseFactory(status=CaseState.PLAN)
    api = api_for(app, client, case.coach)
    url = f"/api/v1/cases/{case.id}/activities"
    response = api.post(url, {"description": "Cursus VCA", "version": case.version})
    assert response.status_code == 422
    assert {"service_type_id", "partner_id"} <= set(response.json["errors"])
    response = api.post(url, {"description": "Cursus VCA", "version": case.version,
                              **coded("scholing", "O&O-fonds")})
    assert response.status_code == 201, response.json
    assert response.json["service_type"]["category"] == "aanvullende_crisisdienstverlening"
    assert response.json["partner"]["kind"] == "oo_fonds"
    listed = api.get(url).json["items"]
    assert [a["description"] for a in listed] == ["Cursus VCA"]
    types = api.get("/api/v1/service-types").json["items"]
    assert {"code": "overig", "category": "aanvullende_crisisdienstverlening"}.items() <= next(
        t for t in types if t["code"] == "overig").items()
    assert len(api.get("/api/v1/partners").json["items"]) == 7
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/cases/{case_id}/activities" in spec["paths"]


def test_api_activities_of_another_region_are_404(app, client):
    other = CaseFactory(region_code="AM", status=CaseState.PLAN)
    api = api_for(app, client, CaseFactory(status=CaseState.PLAN).coach)
    url = f"/api/v1/cases/{other.id}/activities"
    assert api.get(url).status_code == 404
    assert api.post(url, {"description": "X", "version": other.version,
                          **coded()}).status_code == 404


def test_demo_seed_codes_every_activity(app):

    coach = UserFactory(role="coach", regions=["MU"])
    db.session.flush()
    demo.insert_cases(random.Random(3), date(2026, 11, 1), 40, {"MU": [(coach.id, 1)]})
    activities = db.session.scalars(sa.select(PlanActivity)).all()
    assert activities and all(a.service_type_id for a in activities)
    assert {a.service_type.code for a in activities} - {"overig"}
    assert all(a.partner_id for a in activities)
    for candidate in db.session.scalars(sa.select(Candidate)):
        assert candidate.banenafspraak is (candidate.benefit is Benefit.WAJONG)
