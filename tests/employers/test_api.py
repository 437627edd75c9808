"""The employers API: create/list/read, duplicate KvK 409, 422 per field, 404 across regions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rmt import clock
from rmt.employers import vacancies
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    ProposalStatus,
    Vacancy,
)
from rmt.extensions import db
from tests.employers.conftest import liaison_of, make_case
from tests.factories import (
    EmployerContactFactory,
    EmployerFactory,
    UserFactory,
    VacancyFactory,
    sector,
)
from tests.helpers import count

TODAY = clock.today()


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
              "placement_id": world.placement["MU"].id, "months": 1,
              "contact_id": EmployerContactFactory(employer=world.employer).id}
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
    assert checked >= 24


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
    expected = {
        "/api/v1/employers": {"get", "post"},
        "/api/v1/employers/{employer_id}": {"get", "patch"},
        "/api/v1/employers/{employer_id}/contacts": {"post"},
        "/api/v1/employers/{employer_id}/contacts/{contact_id}": {"patch"},
        "/api/v1/employers/{employer_id}/merge": {"post"},
        "/api/v1/sectors": {"get"},
        "/api/v1/contact-moments": {"get", "post"},
        "/api/v1/contact-moments/{moment_id}": {"get"},
        "/api/v1/contact-moments/{moment_id}/follow-up-done": {"post"},
        "/api/v1/vacancies": {"get", "post"},
        "/api/v1/vacancies/{vacancy_id}": {"get", "patch"},
        "/api/v1/vacancies/{vacancy_id}/status": {"post"},
        "/api/v1/proposals": {"get", "post"},
        "/api/v1/proposals/{proposal_id}": {"get"},
        "/api/v1/proposals/{proposal_id}/transitions": {"post"},
        "/api/v1/placements": {"get", "post"},
        "/api/v1/placements/{placement_id}": {"get"},
        "/api/v1/placements/{placement_id}/end": {"post"},
        "/api/v1/placements/{placement_id}/follow-ups/{months}": {"post"},
    }
    for path, methods in expected.items():
        assert path in spec["paths"], path
        assert set(spec["paths"][path]) - {"parameters"} == methods, path
        for method in methods:
            responses = spec["paths"][path][method]["responses"]
            assert "401" in responses and "403" in responses, (path, method)
            if method != "get":
                assert "422" in responses and "415" in responses, (path, method)
    patch = spec["paths"]["/api/v1/employers/{employer_id}"]["patch"]
    assert "409" in patch["responses"]
    post = spec["paths"]["/api/v1/employers"]["post"]
    assert "409" in post["responses"] and "422" in post["responses"]
    assert "DuplicateEmployerProblem" in spec["components"]["schemas"]


# --- changing records: optimistic locking, contacts, status, merge, follow-ups --------------


def test_patch_employer_with_version_and_duplicate(client, bearer):
    employer = EmployerFactory(name="Oud", regions=["MU"])
    other = EmployerFactory(kvk_number="30999999", name="Ander Bedrijf")
    headers = bearer(liaison_of("MU"))
    url = f"/api/v1/employers/{employer.id}"
    assert client.get(url, headers=headers).json["version"] == 1
    response = client.patch(url, headers=headers, json={"name": "Nieuw", "regions": ["MU", "FV"],
                                                        "version": 1})
    assert response.status_code == 200, response.json
    assert response.json["name"] == "Nieuw" and response.json["regions"] == ["FV", "MU"]
    assert response.json["version"] == 2
    assert response.json["kvk_number"] == employer.kvk_number  # untouched fields stay
    stale = client.patch(url, headers=headers, json={"name": "Oude tab", "version": 1})
    assert stale.status_code == 409 and stale.json["code"] == "stale_version"
    assert stale.json["current_version"] == 2
    duplicate = client.patch(url, headers=headers, json={"kvk_number": "30999999", "version": 2})
    assert duplicate.status_code == 409 and duplicate.json["code"] == "duplicate_kvk"
    assert duplicate.json["existing_employer"] == {"id": other.id, "name": "Ander Bedrijf"}
    bad = client.patch(url, headers=headers, json={"name": "", "postcode": "1", "regions": [],
                                                   "sector_id": True})
    assert bad.status_code == 422
    assert {"name", "postcode", "regions", "sector_id", "version"} <= set(bad.json["errors"])
    db.session.expire_all()
    assert db.session.get(Employer, employer.id).name == "Nieuw"
    assert client.patch("/api/v1/employers/999999", headers=headers,
                        json={"version": 1}).status_code == 404
    coach = bearer(UserFactory(role="coach", regions=["MU"]))
    assert client.patch(url, headers=coach, json={"version": 2}).status_code == 403


def test_contacts_through_the_api(client, bearer):
    employer = EmployerFactory()
    headers = bearer(liaison_of("MU"))
    url = f"/api/v1/employers/{employer.id}/contacts"
    bad = client.post(url, headers=headers, json={"name": "", "email": "x", "phone": "abc"})
    assert bad.status_code == 422 and {"name", "email", "phone"} <= set(bad.json["errors"])
    created = client.post(url, headers=headers, json={"name": "Piet", "role": "HR",
                                                      "phone": "06-12345678"})
    assert created.status_code == 201 and created.json["phone"] == "0612345678"
    item = f"{url}/{created.json['id']}"
    changed = client.patch(item, headers=headers, json={"email": "Piet@X.nl", "version": 1})
    assert changed.status_code == 200
    assert changed.json["email"] == "piet@x.nl" and changed.json["name"] == "Piet"
    assert client.patch(item, headers=headers, json={"name": "Oud", "version": 1}
                        ).json["code"] == "stale_version"
    other = EmployerFactory()
    assert client.patch(f"/api/v1/employers/{other.id}/contacts/{created.json['id']}",
                        headers=headers, json={"version": 2}).status_code == 404
    assert [c["name"] for c in client.get(f"/api/v1/employers/{employer.id}",
                                          headers=headers).json["contacts"]] == ["Piet"]


def test_vacancy_patch_and_status(client, bearer):
    liaison = liaison_of("MU")
    vacancy = VacancyFactory(region_code="MU", created_by=liaison, hours_per_week=32)
    fv_vacancy = VacancyFactory(region_code="FV")
    headers = bearer(liaison)
    url = f"/api/v1/vacancies/{vacancy.id}"
    response = client.patch(url, headers=headers, json={"hours_per_week": 24, "version": 1})
    assert response.status_code == 200 and response.json["hours_per_week"] == 24
    assert response.json["version"] == 2
    assert client.patch(url, headers=headers, json={"hours_per_week": 99, "version": 2}
                        ).status_code == 422
    assert client.patch(url, headers=headers, json={"region": "FV", "version": 2}
                        ).json["errors"] == {"region": ["Kies een van uw eigen regio's."]}
    assert client.patch(f"/api/v1/vacancies/{fv_vacancy.id}", headers=headers,
                        json={"version": 1}).status_code == 404
    status = f"{url}/status"
    assert client.post(status, headers=headers, json={"to": "bogus"}).status_code == 422
    conflict = client.post(status, headers=headers, json={"to": "open"})
    assert conflict.status_code == 409 and conflict.json["allowed"] == ["filled", "closed"]
    closed = client.post(status, headers=headers, json={"to": "closed"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["ended_on"] == TODAY.isoformat()
    assert client.post(f"/api/v1/vacancies/{fv_vacancy.id}/status", headers=headers,
                       json={"to": "closed"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Vacancy, fv_vacancy.id).status.value == "open"


def test_merge_through_the_api(client, bearer, world):
    duplicate = EmployerFactory(regions=["AM"], name="Gedeeld Bedrijf BV")
    moment = ContactMoment(employer=duplicate, liaison_id=world.liaison["MU"].id,
                           region_code="MU", contact_on=TODAY, kind="telefoon", summary="Dubbel")
    db.session.add(moment)
    db.session.flush()
    url = f"/api/v1/employers/{world.employer.id}/merge"
    assert client.post(url, headers=bearer(world.liaison["MU"]),
                       json={"duplicate_id": duplicate.id}).status_code == 403
    coordinator = bearer(UserFactory(role="coordinator", regions=["MU"]))
    assert client.post(url, headers=coordinator, json={"duplicate_id": world.employer.id}
                       ).status_code == 422
    assert client.post(url, headers=coordinator, json={"duplicate_id": 999_999}
                       ).status_code == 422
    response = client.post(url, headers=coordinator, json={"duplicate_id": duplicate.id})
    assert response.status_code == 200, response.json
    assert response.json["moved"] == {"contact_moment": 1}
    assert response.json["employer"]["regions"] == ["AM", "FV", "MU"]
    again = client.post(url, headers=coordinator, json={"duplicate_id": duplicate.id})
    assert again.status_code == 409 and again.json["code"] == "employer_merged"
    db.session.expire_all()
    assert db.session.get(ContactMoment, moment.id).employer_id == world.employer.id
    assert db.session.get(Employer, duplicate.id).merged_into_id == world.employer.id


def test_sectors_list(client, bearer):
    body = client.get("/api/v1/sectors", headers=bearer(liaison_of("MU"))).json
    by_code = {item["code"]: item for item in body["items"]}
    assert body["total"] == len(body["items"]) >= 4
    assert {"techniek", "zorg", "logistiek", "detailhandel"} <= set(by_code)
    assert by_code["techniek"]["name"] == "Techniek"


def test_follow_up_done_and_placement_end(client, bearer, world):
    headers = bearer(world.liaison["MU"])
    url = f"/api/v1/contact-moments/{world.moment['MU'].id}/follow-up-done"
    assert client.post(url, headers=headers, json={"x": 1}).status_code == 422
    done = client.post(url, headers=headers, json={})
    assert done.status_code == 200 and done.json["follow_up_done_at"] is not None
    assert client.post(f"/api/v1/contact-moments/{world.moment['FV'].id}/follow-up-done",
                       headers=headers, json={}).status_code == 404
    end = f"/api/v1/placements/{world.placement['MU'].id}/end"
    bad = client.post(end, headers=headers, json={"end_on": "2000-01-01", "reason": "x"})
    assert bad.status_code == 422 and "end_on" in bad.json["errors"]
    assert client.post(end, headers=headers, json={"end_on": TODAY.isoformat()}
                       ).status_code == 422
    ended = client.post(end, headers=headers, json={"end_on": TODAY.isoformat(),
                                                   "reason": "Proeftijd niet doorstaan"})
    assert ended.status_code == 200 and ended.json["active"] is False
    assert client.post(end, headers=headers, json={"end_on": TODAY.isoformat(),
                                                   "reason": "nogmaals"}).status_code == 409
    assert client.post(f"/api/v1/placements/{world.placement['FV'].id}/end", headers=headers,
                       json={"end_on": TODAY.isoformat(), "reason": "x"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ContactMoment, world.moment["FV"].id).follow_up_done_at is None
    assert db.session.get(Placement, world.placement["FV"].id).end_on is None


def test_mu_liaison_never_sees_fv_candidate_on_any_api_endpoint(app, client, bearer, world):
    """Every GET of the employers API, with the ids of MU and of FV records and with every
    filter pointing at the shared employer or the FV records: the FV candidate never shows."""
    headers = bearer(world.liaison["MU"])
    fv_case = world.case["FV"]
    # Names that cannot occur by chance in other generated data.
    fv_case.candidate.first_name, fv_case.candidate.last_name = "Fenna", "Foodvalleykandidaat"
    mu = world.case["MU"].candidate
    mu.first_name, mu.last_name = "Mats", "Middenutrechtkandidaat"
    db.session.flush()
    fv_name, mu_name = fv_case.candidate.full_name, mu.full_name
    contact = EmployerContactFactory(employer=world.employer)
    queries = ["", f"?employer_id={world.employer.id}", f"?case_id={fv_case.id}",
               f"?vacancy_id={world.vacancy['FV'].id}", "?region=FV", "?per_page=100"]
    seen_mu, checked = False, 0
    for region in ("MU", "FV"):
        values = {"employer_id": world.employer.id, "moment_id": world.moment[region].id,
                  "vacancy_id": world.vacancy[region].id,
                  "proposal_id": world.proposal[region].id,
                  "placement_id": world.placement[region].id, "contact_id": contact.id}
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("api_employers.") or "GET" not in rule.methods:
                continue
            url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
            for query in queries if not rule.arguments else [""]:
                response = client.get(url + query, headers=headers)
                assert response.status_code in (200, 404, 422), (url, query)
                text = response.get_data(as_text=True)
                assert fv_name not in text and "Foodvalleykandidaat" not in text, (url, query)
                assert fv_case.id not in _case_ids(response.json), (url, query)
                seen_mu = seen_mu or mu_name in text
                checked += 1
    assert seen_mu and checked >= 40
    # The FV records themselves are 404, not 403: their existence is not revealed.
    for url in (f"/api/v1/proposals/{world.proposal['FV'].id}",
                f"/api/v1/placements/{world.placement['FV'].id}"):
        assert client.get(url, headers=headers).status_code == 404


def _case_ids(body) -> set[int]:
    """Every ``case_id`` anywhere in a JSON answer."""
    if isinstance(body, dict):
        found = {body["case_id"]} if isinstance(body.get("case_id"), int) else set()
        return found.union(*(_case_ids(v) for v in body.values()))
    if isinstance(body, list):
        return set().union(*(_case_ids(v) for v in body))
    return set()


GARBAGE = [None, "", "x" * 6000, -1, 0, 2**63, True, 1.5, [], {}, "2026-02-30", "\u0000",
           {"$gt": 1}, ["MU"] * 50]


def test_garbage_in_every_field_of_every_endpoint_is_never_a_500(app, client, bearer, world):
    """Each field of each POST/PATCH body (from the OpenAPI document) replaced by garbage in
    an otherwise valid body: never a 500; a refusal is problem+json and leaves no rows."""
    liaison = world.liaison["MU"]
    headers = bearer(liaison)
    case = make_case("MU")
    vacancy = VacancyFactory(region_code="MU", created_by=liaison, employer=world.employer)
    proposal = vacancies.propose(liaison, make_case("MU"), vacancy)
    contact = EmployerContactFactory(employer=world.employer)
    db.session.flush()
    employer_id = world.employer.id
    placement_id = world.placement["MU"].id
    bases = {
        ("post", "/api/v1/employers"): employer_body(regions=["MU"]),
        ("patch", f"/api/v1/employers/{employer_id}"): {"version": 1, "name": "Nieuw"},
        ("post", f"/api/v1/employers/{employer_id}/contacts"): {"name": "Piet"},
        ("patch", f"/api/v1/employers/{employer_id}/contacts/{contact.id}"): {
            "version": 1, "name": "Piet"},
        ("post", f"/api/v1/employers/{employer_id}/merge"): {"duplicate_id": employer_id},
        ("post", "/api/v1/contact-moments"): {
            "employer_id": employer_id, "region": "MU", "contact_on": TODAY.isoformat(),
            "kind": "bezoek", "summary": "Gesprek"},
        ("post", f"/api/v1/contact-moments/{world.moment['MU'].id}/follow-up-done"): {},
        ("post", "/api/v1/vacancies"): {"employer_id": employer_id, "title": "Monteur",
                                         "sector_id": sector().id, "hours_per_week": 32,
                                         "region": "MU"},
        ("patch", f"/api/v1/vacancies/{vacancy.id}"): {"version": 1, "title": "Monteur"},
        ("post", f"/api/v1/vacancies/{vacancy.id}/status"): {"to": "closed"},
        ("post", "/api/v1/proposals"): {"case_id": case.id, "vacancy_id": vacancy.id},
        ("post", f"/api/v1/proposals/{proposal.id}/transitions"): {
            "to": "gesprek", "note": "Uitgenodigd"},
        ("post", "/api/v1/placements"): {"case_id": case.id, "employer_id": employer_id,
                                          "job_title": "Monteur", "contract_type": "vast",
                                          "hours_per_week": 32, "start_on": TODAY.isoformat()},
        ("post", f"/api/v1/placements/{placement_id}/end"): {"end_on": TODAY.isoformat(),
                                                              "reason": "Einde contract"},
        ("post", f"/api/v1/placements/{placement_id}/follow-ups/1"): {"still_employed": True},
    }
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    # Every endpoint that takes a body is covered here.
    with_body = {(method, path) for path, item in spec["paths"].items()
                 for method, operation in item.items()
                 if path.startswith("/api/v1/") and isinstance(operation, dict)
                 and "requestBody" in operation and any(
                     path.startswith(p) for p in ("/api/v1/employers", "/api/v1/contact-",
                                                  "/api/v1/vacancies", "/api/v1/proposals",
                                                  "/api/v1/placements"))
                 # a placement's documents are the documents API (tests/documents)
                 and not path.endswith("/documents")}
    assert len(with_body) == len(bases) == 15
    tables = (Employer, EmployerContact, ContactMoment, Vacancy, Proposal, Placement, FollowUp)
    sent = 0
    succeeded: set[str] = set()
    for (method, url), base in bases.items():
        template = _spec_path(spec, url)
        ref = spec["paths"][template][method]["requestBody"]["content"]["application/json"][
            "schema"]["$ref"].rsplit("/", 1)[1]
        for name in schemas[ref].get("properties", {}):
            for value in GARBAGE:
                before = [count(t) for t in tables]
                response = client.open(url, method=method.upper(), headers=headers,
                                       json={**base, name: value})
                sent += 1
                assert response.status_code != 500, (url, name, value)
                if response.status_code < 300:
                    succeeded.add(f"{method} {url}")
                if response.status_code >= 400:
                    assert response.mimetype == "application/problem+json", (url, name)
                    assert [count(t) for t in tables] == before, (url, name, value)
    assert sent > 1000
    # The base bodies are valid, so the garbage was tried against the rules too, not only
    # the schemas: those never accepted with garbage in a field are accepted as they are.
    for (method, url), base in bases.items():
        if f"{method} {url}" not in succeeded and not url.endswith("/merge"):
            response = client.open(url, method=method.upper(), headers=headers, json=base)
            assert response.status_code < 300, (url, response.json)
            succeeded.add(f"{method} {url}")
    assert len(succeeded) == 14


def _spec_path(spec: dict, url: str) -> str:
    """The OpenAPI path template that ``url`` matches."""
    parts = url.split("/")
    for template in spec["paths"]:
        pieces = template.split("/")
        if len(pieces) == len(parts) and all(
                p == q or (p.startswith("{") and q.isdigit()) for p, q in zip(pieces, parts,
                                                                             strict=True)):
            return template
    raise AssertionError(url)


def test_nul_characters_are_refused_per_field(client, bearer):
    headers = bearer(liaison_of("MU"))
    response = client.post("/api/v1/employers", headers=headers,
                           json=employer_body(name="Bakker\u0000ij", city="A\u0000"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "city"}
    query = client.get("/api/v1/employers?q=%00", headers=headers)
    assert query.status_code == 400 and query.mimetype == "application/problem+json"
    assert count(Employer) == 0
