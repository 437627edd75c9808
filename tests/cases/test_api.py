"""The cases API: list, create (with duplicates), read, patch, transitions and notes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.service import create_api_token
from rmt.cases import service
from rmt.cases.models import Candidate, Case, CaseEvent, Note
from rmt.extensions import db
from rmt.process import CaseState
from rmt.regions.models import Municipality
from tests.factories import CandidateFactory, CaseFactory, NoteFactory, UserFactory
from tests.helpers import bearer_header

# ---------------------------------------------------------------------------------------------
# Helpers shared by the test_api* modules (plain functions, no fixtures or tests)


class ApiClient:
    """The Flask test client with a Bearer token and JSON helpers."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = bearer_header(token) if token else {}

    def get(self, url: str, **kwargs: Any):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any):
        return self.client.post(url, json=json, headers=self.headers, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any):
        return self.client.patch(url, json=json, headers=self.headers, **kwargs)

    def open(self, url: str, method: str, **kwargs: Any):
        return self.client.open(url, method=method, headers=self.headers, **kwargs)


def api_for(app, client, user) -> ApiClient:
    with app.test_request_context():
        token = create_api_token(user, label="test")
    db.session.flush()
    return ApiClient(client, token)


def municipality_id(name: str = "Utrecht") -> int:
    return db.session.scalar(sa.select(Municipality.id).where(Municipality.name == name))


def new_candidate(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Fatma", "name_prefix": "", "last_name": "Yildiz",
        "birth_date": "1985-03-14", "email": "Fatma@Voorbeeld.nl", "phone": "06-1234 5678",
        "postcode": "3511ab", "municipality_id": municipality_id(), "education_level": "mbo2",
        "has_startkwalificatie": True, "work_status": "werkzoekend", "benefit": "ww",
        "target_group": "werkzoekenden", "referral_partner": "uwv",
    }
    data.update(overrides)
    return data


COUNTED = {"candidate": Candidate, "case": Case, "case_event": CaseEvent, "note": Note,
           "audit_entry": AuditEntry}


def row_counts() -> dict[str, int]:
    return {name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for name, model in COUNTED.items()}


def case_audit_actions(case_id: int) -> list[str]:
    """Audit actions recorded on one case, oldest first."""
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id))
        .order_by(AuditEntry.id)))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def api(app, client, coach) -> ApiClient:
    return api_for(app, client, coach)


# ---------------------------------------------------------------------------------------------
# List


def test_list_shows_own_regions_only_with_summary_candidate(api, coach):
    mine = CaseFactory(coach=coach, status=CaseState.INTAKE)
    CaseFactory(region_code="AM")
    response = api.get("/api/v1/cases")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert item["id"] == mine.id and item["region"] == "MU" and item["status"] == "intake"
    assert item["coach"] == {"id": coach.id, "name": coach.name}
    assert item["version"] == mine.version
    assert item["allowed_transitions"] == ["diagnose", "aangemeld", "gepauzeerd", "afgesloten"]
    # Lists are not audited per record, so they show the name only; details on the case itself.
    assert set(item["candidate"]) == {"id", "first_name", "name_prefix", "last_name",
                                      "full_name"}


def test_list_filters(api, coach):
    other_coach = UserFactory(role="coach", regions=["MU", "AM"])
    a = CaseFactory(coach=coach, status=CaseState.INTAKE,
                    candidate=CandidateFactory(first_name="Jan", last_name="Jansen",
                                               email="jan@voorbeeld.nl", phone="0611111111"))
    b = CaseFactory(coach=other_coach, status=CaseState.PLAN,
                    candidate=CandidateFactory(first_name="Piet", name_prefix="de",
                                               last_name="Vries", phone="0622222222"))
    c = CaseFactory(coach=other_coach, region_code="AM", status=CaseState.PLAN)
    coach.set_regions(["MU", "AM"])
    db.session.flush()

    def ids(query: str) -> list[int]:
        response = api.get("/api/v1/cases" + query)
        assert response.status_code == 200, response.json
        return sorted(item["id"] for item in response.json["items"])

    assert ids("") == sorted([a.id, b.id, c.id])
    assert ids("?status=plan") == sorted([b.id, c.id])
    assert ids("?region=AM") == [c.id]
    assert ids(f"?coach={other_coach.id}") == sorted([b.id, c.id])
    assert ids(f"?coach={other_coach.id}&region=MU&status=plan") == [b.id]
    assert ids("?q=jans") == [a.id]
    assert ids("?q=piet%20de%20VRIES") == [b.id]
    assert ids("?q=JAN@voorbeeld") == [a.id]
    assert ids("?q=06-2222%202222") == [b.id]
    assert ids("?q=niemand") == []
    assert ids("?q=%25") == []  # LIKE wildcards are matched literally


def test_list_paginates_newest_first(api, coach):
    cases = [CaseFactory(coach=coach, opened_on=date.today() - timedelta(days=n))
             for n in range(7)]
    first = api.get("/api/v1/cases?per_page=3").json
    assert first["total"] == 7 and first["page"] == 1
    assert [i["id"] for i in first["items"]] == [c.id for c in cases[:3]]
    third = api.get("/api/v1/cases?per_page=3&page=3").json
    assert [i["id"] for i in third["items"]] == [cases[6].id]
    assert api.get("/api/v1/cases?per_page=3&page=9").json == {
        "items": [], "total": 7, "total_capped": False, "page": 9, "next_cursor": None}


def test_list_keyset_pages_follow_next_cursor(api, coach):
    cases = [CaseFactory(coach=coach, opened_on=date.today() - timedelta(days=n // 2))
             for n in range(7)]  # pairs opened on the same day: the id breaks the tie
    newest_first = sorted(cases, key=lambda c: (c.opened_on, c.id), reverse=True)
    seen, cursor, pages = [], None, 0
    while True:
        body = api.get("/api/v1/cases?per_page=3" + (f"&after={cursor}" if cursor else "")).json
        assert body["total"] == len(cases) - len(seen)  # what follows the cursor is counted
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [c.id for c in newest_first] and pages == 3
    # the same first page through page=1 and its cursor
    first = api.get("/api/v1/cases?per_page=3").json
    assert first["next_cursor"] == f"{newest_first[2].opened_on.isoformat()}.{newest_first[2].id}"


@pytest.mark.parametrize("cursor", ["x", "2026-13-45.1", "2026-01-01.0", "2026-01-01",
                                    "2026-01-01.99999999999"])
def test_list_refuses_a_malformed_cursor(api, coach, cursor):
    response = api.get(f"/api/v1/cases?after={cursor}")
    assert response.status_code == 422
    assert response.json["errors"]["after"]


def test_list_count_stops_at_the_cap(api, coach, monkeypatch):
    from rmt.cases import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 4)
    for _ in range(6):
        CaseFactory(coach=coach)
    body = api.get("/api/v1/cases?per_page=2").json
    assert (body["total"], body["total_capped"]) == (4, True)
    # the page asked for is always counted up to: page 3 of 2 sees all 6
    body = api.get("/api/v1/cases?per_page=2&page=3").json
    assert (body["total"], body["total_capped"], len(body["items"])) == (6, False, 2)


def test_coordinator_lists_region_read_only(app, client, coach):
    case = CaseFactory(coach=coach)
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    coordinator_api = api_for(app, client, coordinator)
    body = coordinator_api.get("/api/v1/cases").json
    assert [i["id"] for i in body["items"]] == [case.id]
    assert body["items"][0]["allowed_transitions"] == []
    single = coordinator_api.get(f"/api/v1/cases/{case.id}")
    assert single.status_code == 200 and single.json["allowed_transitions"] == []
    assert case_audit_actions(case.id) == ["case.view"]


# ---------------------------------------------------------------------------------------------
# Create


def test_create_new_candidate(api, coach):
    response = api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU"})
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"/api/v1/cases/{body['id']}")
    assert body["status"] == "aangemeld" and body["region"] == "MU" and body["version"] == 1
    assert body["coach"]["id"] == coach.id and body["opened_on"] == date.today().isoformat()
    candidate = body["candidate"]
    assert candidate["postcode"] == "3511 AB" and candidate["email"] == "fatma@voorbeeld.nl"
    assert candidate["phone"] == "0612345678" and candidate["birth_date"] == "1985-03-14"
    assert candidate["municipality"] == {"id": municipality_id(), "name": "Utrecht"}
    assert candidate["full_name"] == "Fatma Yildiz"
    case = db.session.get(Case, body["id"])
    assert [e.to_status for e in case.events] == [CaseState.AANGEMELD]
    assert case_audit_actions(case.id) == ["case.create"]


def test_create_for_another_coach_of_the_region(api):
    colleague = UserFactory(role="coach", regions=["MU"])
    response = api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU",
                                           "coach_id": colleague.id})
    assert response.status_code == 201
    assert response.json["coach"]["id"] == colleague.id


@pytest.mark.parametrize("coach_spec", [("coach", ["AM"]), ("coordinator", ["MU"]), None])
def test_create_with_unsuitable_coach_is_422(api, coach_spec):
    coach_id = 999_999
    if coach_spec:
        coach_id = UserFactory(role=coach_spec[0], regions=coach_spec[1]).id
    before = row_counts()
    response = api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU",
                                           "coach_id": coach_id})
    body = assert_problem(response, 422)
    assert list(body["errors"]) == ["coach_id"]
    assert row_counts() == before


def test_create_in_a_region_not_mine_is_422(api):
    before = row_counts()
    body = assert_problem(api.post("/api/v1/cases", {"candidate": new_candidate(),
                                                     "region": "AM"}), 422)
    assert "region" in body["errors"]
    assert row_counts() == before


def test_create_refuses_likely_duplicates_until_confirmed(api, coach):
    existing = CaseFactory(coach=coach, candidate=CandidateFactory(
        first_name="Fatma", last_name="Yildiz", birth_date=date(1985, 3, 14))).candidate
    CaseFactory(region_code="AM", candidate=CandidateFactory(email="fatma@voorbeeld.nl"))
    before = row_counts()
    response = api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU"})
    body = assert_problem(response, 409)
    assert body["code"] == "possible_duplicates"
    # Only candidates known in the user's own regions are shown.
    assert [d["id"] for d in body["duplicates"]] == [existing.id]
    assert body["duplicates"][0]["cases"] == [
        {"id": existing.cases[0].id, "region": "MU", "status": "aangemeld"}]
    assert row_counts() == before

    confirmed = api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU",
                                            "confirm_new_candidate": True})
    assert confirmed.status_code == 201
    assert confirmed.json["candidate"]["id"] != existing.id


@pytest.mark.parametrize("field,value", [("email", "FATMA@voorbeeld.nl"),
                                         ("phone", "06 1234 5678")])
def test_duplicates_by_email_or_phone(api, coach, field, value):
    CaseFactory(coach=coach, candidate=CandidateFactory(email="fatma@voorbeeld.nl",
                                                        phone="0612345678"))
    data = new_candidate(first_name="Anders", last_name="Iemand", email="", phone="")
    data[field] = value
    body = assert_problem(api.post("/api/v1/cases", {"candidate": data, "region": "MU"}), 409)
    assert body["code"] == "possible_duplicates"


def test_existing_candidate_with_open_case_is_409(api, coach):
    case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    before = row_counts()
    response = api.post("/api/v1/cases", {"existing_candidate_id": case.candidate_id,
                                           "region": "MU"})
    body = assert_problem(response, 409)
    assert body["code"] == "open_case_exists" and body["case_id"] == case.id
    assert row_counts() == before


def test_existing_candidate_after_closing_gets_new_case(api, coach):
    old = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)
    response = api.post("/api/v1/cases", {"existing_candidate_id": old.candidate_id,
                                           "region": "MU"})
    assert response.status_code == 201, response.json
    assert response.json["candidate"]["id"] == old.candidate_id
    assert response.json["id"] != old.id


def test_existing_candidate_of_another_region_is_unknown(api):
    elsewhere = CaseFactory(region_code="AM", status=CaseState.AFGESLOTEN)
    body = assert_problem(api.post("/api/v1/cases", {
        "existing_candidate_id": elsewhere.candidate_id, "region": "MU"}), 422)
    assert list(body["errors"]) == ["existing_candidate_id"]


def test_coordinator_cannot_create(app, client):
    coordinator_api = api_for(app, client, UserFactory(role="coordinator", regions=["MU"]))
    before = row_counts()
    assert_problem(coordinator_api.post(
        "/api/v1/cases", {"candidate": new_candidate(), "region": "MU"}), 403)
    assert row_counts() == before


# ---------------------------------------------------------------------------------------------
# Read and update


def test_read_case(api, coach):
    case = CaseFactory(coach=coach, status=CaseState.GEPAUZEERD, paused_from=CaseState.PLAN)
    response = api.get(f"/api/v1/cases/{case.id}")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "gepauzeerd" and body["paused_from"] == "plan"
    assert body["allowed_transitions"] == ["plan", "afgesloten"]
    assert body["closed_on"] is None and body["exit_reason"] is None
    assert body["candidate"]["birth_date"] == case.candidate.birth_date.isoformat()
    assert set(body["candidate"]) >= {"email", "phone", "postcode", "education_level",
                                      "has_startkwalificatie", "work_status", "benefit",
                                      "target_group", "referral_partner", "municipality"}


def test_read_is_audited(api, coach):
    case = CaseFactory(coach=coach)
    api.get(f"/api/v1/cases/{case.id}")
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id),
        AuditEntry.action == "case.view"))
    assert entry is not None and entry.user_id == coach.id and entry.region_code == "MU"


def test_patch_candidate_with_version(api, coach):
    case = CaseFactory(coach=coach)
    db.session.commit()
    version = case.version
    response = api.patch(f"/api/v1/cases/{case.id}", {
        "version": version, "candidate": {"phone": "06 9876 5432", "postcode": "3812ab",
                                          "benefit": "bijstand"}})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["version"] == version + 1
    assert body["candidate"]["phone"] == "0698765432"
    assert body["candidate"]["postcode"] == "3812 AB"
    assert body["candidate"]["benefit"] == "bijstand"
    assert case_audit_actions(case.id)[-1] == "candidate.update"


def test_patch_with_stale_version_is_409_and_keeps_first_save(api, coach):
    case = CaseFactory(coach=coach)
    db.session.commit()
    version = case.version
    first = api.patch(f"/api/v1/cases/{case.id}", {"version": version,
                                                    "candidate": {"last_name": "Eerste"}})
    assert first.status_code == 200
    second = api.patch(f"/api/v1/cases/{case.id}", {"version": version,
                                                     "candidate": {"last_name": "Tweede"}})
    body = assert_problem(second, 409)
    assert body["code"] == "stale_version" and body["current_version"] == version + 1
    assert "version" in body["errors"]
    db.session.expire_all()
    assert db.session.get(Case, case.id).candidate.last_name == "Eerste"


def test_patch_by_coordinator_is_403(app, client, coach):
    case = CaseFactory(coach=coach)
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    response = api_for(app, client, coordinator).patch(
        f"/api/v1/cases/{case.id}", {"version": case.version, "candidate": {"last_name": "X"}})
    assert_problem(response, 403)


# ---------------------------------------------------------------------------------------------
# Transitions


def _move(api, case_id: int, to: str, version: int, **extra: Any):
    return api.post(f"/api/v1/cases/{case_id}/transitions", {"to": to, "version": version,
                                                             **extra})


def test_transition_walks_forward(api, coach):
    case = CaseFactory(coach=coach)
    db.session.commit()
    version = case.version
    response = _move(api, case.id, "intake", version)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "intake" and body["version"] == version + 1
    assert body["allowed_transitions"] == ["diagnose", "aangemeld", "gepauzeerd", "afgesloten"]
    events = db.session.scalars(sa.select(CaseEvent.to_status).where(
        CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    assert events == ["aangemeld", "intake"]


def test_invalid_transition_is_409_naming_the_allowed_ones(api, coach):
    case = CaseFactory(coach=coach)
    before = row_counts()
    body = assert_problem(_move(api, case.id, "geplaatst", case.version), 409)
    assert body["code"] == "not_allowed"
    assert body["allowed"] == ["intake", "gepauzeerd", "afgesloten"]
    assert row_counts() == before


@pytest.mark.parametrize("status,to,extra,field,code", [
    (CaseState.INTAKE, "diagnose", {}, "to", "intake_incomplete"),
    (CaseState.PLAN, "uitvoering", {}, "to", "plan_without_activity"),
    (CaseState.DIAGNOSE, "intake", {}, "reason", "reason_required"),
    (CaseState.DIAGNOSE, "intake", {"reason": "   "}, "reason", "reason_required"),
    (CaseState.DIAGNOSE, "afgesloten", {}, "exit_reason", "exit_reason_required"),
    (CaseState.DIAGNOSE, "afgesloten", {"exit_reason": "overig"}, "exit_reason_text",
     "exit_reason_text_required"),
])
def test_guard_failure_is_422_per_field(api, coach, status, to, extra, field, code):
    case = CaseFactory(coach=coach, status=status)
    before = row_counts()
    body = assert_problem(_move(api, case.id, to, case.version, **extra), 422)
    assert body["code"] == code
    assert list(body["errors"]) == [field] and body["errors"][field][0]
    assert row_counts() == before


def test_close_with_exit_reason(api, coach):
    case = CaseFactory(coach=coach, status=CaseState.BEMIDDELING)
    db.session.commit()
    response = _move(api, case.id, "afgesloten", case.version, exit_reason="overig",
                     exit_reason_text="Emigreert")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "afgesloten" and body["exit_reason"] == "overig"
    assert body["exit_reason_text"] == "Emigreert"
    assert body["closed_on"] == date.today().isoformat() and body["allowed_transitions"] == []
    again = assert_problem(_move(api, case.id, "intake", body["version"]), 409)
    assert again["code"] == "case_closed"


def test_transition_with_stale_version_is_409(api, coach):
    case = CaseFactory(coach=coach)
    db.session.commit()
    body = assert_problem(_move(api, case.id, "intake", case.version - 1), 409)
    assert body["code"] == "stale_version" and body["current_version"] == case.version


def test_transition_by_coordinator_is_403(app, client, coach):
    case = CaseFactory(coach=coach)
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    assert_problem(_move(api_for(app, client, coordinator), case.id, "intake", case.version),
                   403)


def test_walk_through_intake_with_service_facts(api, coach):
    case = CaseFactory(coach=coach, status=CaseState.INTAKE)
    service.save_intake(coach, case, {"motivation": "Wil de zorg in", "work_history": "Retail"},
                        complete=True, expected_version=None)
    db.session.commit()
    response = _move(api, case.id, "diagnose", case.version)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "diagnose"


# ---------------------------------------------------------------------------------------------
# Notes


def test_notes_list_and_add(api, coach):
    case = CaseFactory(coach=coach)
    older = NoteFactory(case=case, contact_on=date.today() - timedelta(days=3), text="Eerste")
    response = api.post(f"/api/v1/cases/{case.id}/notes", {
        "contact_on": date.today().isoformat(), "kind": "e-mail", "text": "  Mail gestuurd  "})
    assert response.status_code == 201, response.json
    note = response.json
    assert note["kind"] == "e-mail" and note["text"] == "Mail gestuurd"
    assert note["author"] == {"id": coach.id, "name": coach.name}
    listed = api.get(f"/api/v1/cases/{case.id}/notes").json
    assert listed["total"] == 2 and listed["page"] == 1
    assert [n["id"] for n in listed["items"]] == [note["id"], older.id]
    assert case_audit_actions(case.id) == ["case.note_add", "case.view"]


def test_notes_paginate(api, coach):
    case = CaseFactory(coach=coach)
    for n in range(5):
        NoteFactory(case=case, contact_on=date.today() - timedelta(days=n))
    page = api.get(f"/api/v1/cases/{case.id}/notes?per_page=2&page=3").json
    assert page["total"] == 5 and len(page["items"]) == 1


def test_coordinator_reads_notes_but_cannot_add(app, client, coach):
    case = CaseFactory(coach=coach)
    NoteFactory(case=case)
    coordinator_api = api_for(app, client, UserFactory(role="coordinator", regions=["MU"]))
    assert coordinator_api.get(f"/api/v1/cases/{case.id}/notes").json["total"] == 1
    before = row_counts()
    assert_problem(coordinator_api.post(f"/api/v1/cases/{case.id}/notes", {
        "contact_on": date.today().isoformat(), "kind": "gesprek", "text": "x"}), 403)
    assert row_counts() == before


def test_note_on_closed_case_is_409(api, coach):
    case = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)
    body = assert_problem(api.post(f"/api/v1/cases/{case.id}/notes", {
        "contact_on": date.today().isoformat(), "kind": "gesprek", "text": "x"}), 409)
    assert body["code"] == "case_closed"


# ---------------------------------------------------------------------------------------------
# OpenAPI


def test_openapi_documents_cases(client):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/transitions",
            "/api/v1/cases/{case_id}/notes"} <= set(spec["paths"])
    assert set(spec["paths"]["/api/v1/cases"]) >= {"get", "post"}
    assert set(spec["paths"]["/api/v1/cases/{case_id}"]) >= {"get", "patch"}
    schemas = spec["components"]["schemas"]
    assert "verhuisd_buiten_regio" in schemas["Transition"]["properties"]["exit_reason"]["enum"]
    assert schemas["Transition"]["properties"]["to"]["enum"][0] == "aangemeld"
    assert "e-mail" in schemas["NoteCreate"]["properties"]["kind"]["enum"]
    assert "zonder_startkwalificatie" in schemas["CandidateCreate"]["properties"][
        "target_group"]["enum"]
    assert schemas["Case"]["properties"]["region"]["enum"] == ["MU", "AM", "GV", "FV"]
    conflict = spec["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]["responses"]["409"]
    assert "application/problem+json" in conflict["content"]
    params = {p["name"]: p for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == 100
    assert "gepauzeerd" in params["status"]["schema"]["enum"]
    assert "next_cursor" in params["after"]["description"]
    assert "Traject 301" in params["q"]["description"]
    listed = schemas["CaseList"]["properties"]
    assert {"total", "total_capped", "page", "next_cursor"} <= set(listed)
    assert "1.000" in listed["total"]["description"]
