"""The employers API: create/list/read, duplicate KvK 409, 422 per field, 404 across regions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.auth.service import create_api_token
from rmt.employers.models import (
    ContactMoment,
    Employer,
    Placement,
    Proposal,
    ProposalStatus,
    Vacancy,
)
from rmt.extensions import db
from tests.employers.conftest import liaison_of, make_case
from tests.factories import EmployerFactory, UserFactory, VacancyFactory, sector

TODAY = date.today()


@pytest.fixture
def bearer(app):
    def _bearer(user) -> dict[str, str]:
        with app.test_request_context():
            token = create_api_token(user, label="test")
        return {"Authorization": f"Bearer {token}"}

    return _bearer


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def employer_body(**overrides) -> dict:
    return {"kvk_number": "30123456", "name": "Bakkerij De Korenaar",
            "sector_id": sector().id, "postcode": "3811ab", "city": "Amersfoort",
            "regions": ["AM"], **overrides}


# --- employers ------------------------------------------------------------------------------


def test_create_list_and_read_employer(client, bearer):
    headers = bearer(liaison_of("AM"))
    response = client.post("/api/v1/employers", headers=headers, json=employer_body(
        contacts=[{"name": "Piet Jansen", "role": "HR", "email": "Piet@Bakkerij.nl"}]))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kvk_number"] == "30123456" and body["postcode"] == "3811 AB"
    assert body["regions"] == ["AM"] and body["sector"]["code"] == "logistiek"
    assert body["contacts"][0]["email"] == "piet@bakkerij.nl"
    assert response.headers["Location"].endswith(f"/api/v1/employers/{body['id']}")
    listed = client.get("/api/v1/employers?q=korenaar", headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get(f"/api/v1/employers/{body['id']}", headers=headers).json["name"] == (
        "Bakkerij De Korenaar")


def test_duplicate_kvk_is_409_naming_the_existing_employer(client, bearer):
    existing = EmployerFactory(kvk_number="30123456", name="De Korenaar")
    response = client.post("/api/v1/employers", headers=bearer(liaison_of("MU")),
                           json=employer_body(kvk_number="30.12.34.56"))
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "duplicate_kvk"
    assert response.json["existing_employer"] == {"id": existing.id, "name": "De Korenaar"}
    assert count(Employer) == 1


def test_employer_422_per_field_and_nothing_saved(client, bearer):
    response = client.post("/api/v1/employers", headers=bearer(liaison_of("MU")), json={
        "kvk_number": "123", "name": "", "sector_id": "x", "postcode": "12345",
        "regions": ["XX"], "sbb_number": "ab", "onbekend": 1})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"kvk_number", "name", "sector_id", "postcode", "regions", "sbb_number",
            "onbekend"} <= set(errors)
    assert "8 cijfers" in errors["kvk_number"][0]
    response = client.post("/api/v1/employers", headers=bearer(liaison_of("MU")),
                           json=employer_body(sector_id=999_999))
    assert response.status_code == 422 and "sector_id" in response.json["errors"]
    assert count(Employer) == 0


@pytest.mark.parametrize("body, status", [
    ("nojson", 415), ("{", 400), ("[1, 2]", 422), ("null", 422)])
def test_employer_bad_bodies(client, bearer, body, status):
    content_type = "text/plain" if body == "nojson" else "application/json"
    response = client.post("/api/v1/employers", headers=bearer(liaison_of("MU")), data=body,
                           content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_list_filters_and_bad_query(client, bearer):
    EmployerFactory(name="Zorg Heuvelrug", sector=sector("zorg"), regions=["MU"],
                    sbb_number="12345678")
    headers = bearer(UserFactory(role="coach", regions=["MU"]))
    ok = client.get(f"/api/v1/employers?region=MU&leerbedrijf=true&sector={sector('zorg').id}",
                    headers=headers)
    assert ok.json["total"] == 1
    for query in ("page=0", "per_page=1000", "region=XX", "sector=abc", "leerbedrijf=misschien"):
        response = client.get(f"/api/v1/employers?{query}", headers=headers)
        assert response.status_code == 422, query


# --- contact moments and vacancies ----------------------------------------------------------


def test_contact_moment_create_and_errors(client, bearer):
    employer = EmployerFactory()
    liaison = liaison_of("MU")
    headers = bearer(liaison)
    good = {"employer_id": employer.id, "region": "MU", "contact_on": TODAY.isoformat(),
            "kind": "bezoek", "summary": "Kennismaking",
            "follow_up_on": (TODAY + timedelta(days=7)).isoformat()}
    response = client.post("/api/v1/contact-moments", headers=headers, json=good)
    assert response.status_code == 201, response.json
    assert response.json["follow_up_owner"]["id"] == liaison.id
    assert response.json["region"] == "MU" and response.json["kind"] == "bezoek"
    read = client.get(f"/api/v1/contact-moments/{response.json['id']}", headers=headers)
    assert read.json["summary"] == "Kennismaking"
    for change, field in (({"region": "FV"}, "region"), ({"kind": "fax"}, "kind"),
                          ({"contact_on": "2026-02-31"}, "contact_on"),
                          ({"employer_id": 999_999}, "employer_id"),
                          ({"summary": ""}, "summary"),
                          ({"contact_on": (TODAY + timedelta(days=3)).isoformat()},
                           "contact_on")):
        response = client.post("/api/v1/contact-moments", headers=headers,
                               json={**good, **change})
        assert response.status_code == 422, change
        assert field in response.json["errors"], (change, response.json)
    assert count(ContactMoment) == 1
    listed = client.get(f"/api/v1/contact-moments?employer_id={employer.id}&open_follow_up=true",
                        headers=headers).json
    assert listed["total"] == 1


def test_vacancy_create_list_read(client, bearer):
    employer = EmployerFactory()
    headers = bearer(liaison_of("MU"))
    body = {"employer_id": employer.id, "title": "Orderpicker", "sector_id": sector().id,
            "hours_per_week": 32, "region": "MU"}
    response = client.post("/api/v1/vacancies", headers=headers, json=body)
    assert response.status_code == 201 and response.json["status"] == "open"
    assert response.json["opened_on"] == TODAY.isoformat()
    for change, field in (({"hours_per_week": 0}, "hours_per_week"),
                          ({"hours_per_week": "32"}, "hours_per_week"),
                          ({"region": "FV"}, "region"), ({"title": ""}, "title")):
        bad = client.post("/api/v1/vacancies", headers=headers, json={**body, **change})
        assert bad.status_code == 422 and field in bad.json["errors"], change
    assert count(Vacancy) == 1
    assert client.get("/api/v1/vacancies?status=open&region=MU", headers=headers).json[
        "total"] == 1
    assert client.get("/api/v1/vacancies?status=gone", headers=headers).status_code == 422


# --- proposals and placements ---------------------------------------------------------------


def test_proposal_flow_through_the_api(client, bearer):
    liaison = liaison_of("MU")
    headers = bearer(liaison)
    case = make_case("MU")
    vacancy = VacancyFactory(region_code="FV")
    response = client.post("/api/v1/proposals", headers=headers,
                           json={"case_id": case.id, "vacancy_id": vacancy.id})
    assert response.status_code == 201, response.json
    proposal_id = response.json["id"]
    assert response.json["allowed_transitions"] == ["gesprek", "afgewezen", "ingetrokken"]
    url = f"/api/v1/proposals/{proposal_id}/transitions"
    response = client.post(url, headers=headers, json={"to": "aangenomen"})
    assert response.status_code == 409 and response.json["allowed"] == [
        "gesprek", "afgewezen", "ingetrokken"]
    response = client.post(url, headers=headers, json={"to": "afgewezen"})
    assert response.status_code == 422 and "note" in response.json["errors"]
    assert client.post(url, headers=headers, json={"to": "gesprek"}).status_code == 200
    response = client.post(url, headers=headers, json={"to": "aangenomen"})
    assert response.status_code == 422 and "placement" in response.json["errors"]
    response = client.post(url, headers=headers, json={"to": "aangenomen", "placement": {
        "start_on": "gisteren", "contract_type": "freelance"}})
    assert response.status_code == 422
    assert set(response.json["errors"]["placement"]) == {"start_on", "contract_type"}
    response = client.post(url, headers=headers, json={
        "to": "aangenomen", "expected_status": "gesprek",
        "placement": {"start_on": TODAY.isoformat(), "contract_type": "vast"}})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "aangenomen" and response.json["placement_id"]
    assert [e["to_status"] for e in response.json["events"]] == [
        "voorgesteld", "gesprek", "aangenomen"]
    placement = client.get(f"/api/v1/placements/{response.json['placement_id']}",
                           headers=headers).json
    assert placement["active"] and [f["months"] for f in placement["follow_ups"]] == [1, 3, 6]
    listed = client.get(f"/api/v1/proposals?case_id={case.id}", headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["status"] == "aangenomen"


def test_proposal_consent_rule_in_the_api(client, bearer):
    headers = bearer(liaison_of("MU"))
    case = make_case("MU", consent=False)
    response = client.post("/api/v1/proposals", headers=headers,
                           json={"case_id": case.id, "vacancy_id": VacancyFactory().id})
    assert response.status_code == 422 and response.json["code"] == "no_consent"
    assert count(Proposal) == 0


def test_direct_placement_and_follow_up(client, bearer):
    case = make_case("MU")
    headers = bearer(case.coach)
    employer = EmployerFactory()
    body = {"case_id": case.id, "employer_id": employer.id, "job_title": "Monteur",
            "contract_type": "vast", "hours_per_week": 40,
            "start_on": (TODAY - timedelta(days=35)).isoformat()}
    for change, field in (({"hours_per_week": 70}, "hours_per_week"),
                          ({"contract_type": "x"}, "contract_type"),
                          ({"employer_id": 999_999}, "employer_id"),
                          ({"start_on": "2001-01-01"}, "start_on")):
        bad = client.post("/api/v1/placements", headers=headers, json={**body, **change})
        assert bad.status_code == 422 and field in bad.json["errors"], change
    assert count(Placement) == 0
    response = client.post("/api/v1/placements", headers=headers, json=body)
    assert response.status_code == 201, response.json
    url = f"/api/v1/placements/{response.json['id']}/follow-ups"
    assert client.post(f"{url}/2", headers=headers, json={"still_employed": True}
                       ).status_code == 404
    bad = client.post(f"{url}/1", headers=headers, json={"still_employed": False})
    assert bad.status_code == 422 and "reason" in bad.json["errors"]
    ok = client.post(f"{url}/1", headers=headers, json={"still_employed": True})
    assert ok.status_code == 200 and ok.json["follow_ups"][0]["still_employed"] is True
    assert client.post(f"{url}/1", headers=headers, json={"still_employed": True}
                       ).status_code == 409
    assert client.post(f"{url}/6", headers=headers, json={"still_employed": True}
                       ).status_code == 409


# --- regions and roles ----------------------------------------------------------------------


def test_other_region_is_404_and_lists_hide_it(client, bearer, world):
    headers = bearer(world.liaison["MU"])
    fv = world.proposal["FV"]
    for url in (f"/api/v1/proposals/{fv.id}", f"/api/v1/placements/{world.placement['FV'].id}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    for url, body in ((f"/api/v1/proposals/{fv.id}/transitions", {"to": "ingetrokken",
                                                                  "note": "x"}),
                      (f"/api/v1/placements/{world.placement['FV'].id}/follow-ups/1",
                       {"still_employed": True}),
                      ("/api/v1/proposals", {"case_id": world.case["FV"].id,
                                             "vacancy_id": world.vacancy["MU"].id}),
                      ("/api/v1/placements", {"case_id": world.case["FV"].id,
                                              "employer_id": world.employer.id,
                                              "job_title": "x", "contract_type": "vast",
                                              "hours_per_week": 10,
                                              "start_on": TODAY.isoformat()})):
        assert client.post(url, headers=headers, json=body).status_code == 404, url
    fv_name = world.case["FV"].candidate.full_name
    for url in ("/api/v1/proposals", "/api/v1/placements",
                f"/api/v1/proposals?employer_id={world.employer.id}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and fv_name not in response.get_data(as_text=True)
        assert response.json["total"] == 1
    assert db.session.get(Proposal, fv.id).status == ProposalStatus.AANGENOMEN


def test_admin_gets_403_on_every_employers_endpoint(app, client, bearer, world):
    headers = bearer(UserFactory(role="admin", regions=["MU", "FV"]))
    values = {"employer_id": world.employer.id, "moment_id": world.moment["MU"].id,
              "vacancy_id": world.vacancy["MU"].id, "proposal_id": world.proposal["MU"].id,
              "placement_id": world.placement["MU"].id, "months": 1}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_employers."):
            continue
        url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers=headers, json={})
            assert response.status_code in (403, 422), (rule.endpoint, method)
            if response.status_code == 422:  # the body is checked before the role: no data
                assert "candidate_name" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 15


def test_coach_cannot_register_employers_but_reads_them(client, bearer):
    headers = bearer(UserFactory(role="coach", regions=["MU"]))
    assert client.get("/api/v1/employers", headers=headers).status_code == 200
    assert client.post("/api/v1/employers", headers=headers,
                       json=employer_body()).status_code == 403
    assert client.post("/api/v1/vacancies", headers=headers, json={
        "employer_id": 1, "title": "x", "sector_id": 1, "hours_per_week": 10,
        "region": "MU"}).status_code == 403


def test_api_needs_a_token(client):
    for url in ("/api/v1/employers", "/api/v1/proposals", "/api/v1/placements",
                "/api/v1/vacancies", "/api/v1/contact-moments"):
        assert client.get(url).status_code == 401


def test_openapi_documents_the_employers_api(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/employers", "/api/v1/employers/{employer_id}",
                 "/api/v1/contact-moments", "/api/v1/vacancies", "/api/v1/proposals",
                 "/api/v1/proposals/{proposal_id}/transitions", "/api/v1/placements"):
        assert path in spec["paths"], path
    post = spec["paths"]["/api/v1/employers"]["post"]
    assert "409" in post["responses"] and "422" in post["responses"]
    assert "DuplicateEmployerProblem" in spec["components"]["schemas"]
