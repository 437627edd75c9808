"""The cases API's access matrix, its audit of reads, concurrency and its query counts."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases import service
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.test_api import (
    ApiClient,
    api_for,
    assert_problem,
    case_audit_actions,
    new_candidate,
    row_counts,
)
from tests.factories import CaseFactory, NoteFactory, UserFactory

TODAY = date.today().isoformat()

#: Every endpoint that holds one case: (method, path, JSON body).
CASE_ENDPOINTS = [
    ("GET", "/api/v1/cases/{id}", None),
    ("PATCH", "/api/v1/cases/{id}", {"version": 1, "candidate": {"last_name": "Anders"}}),
    ("POST", "/api/v1/cases/{id}/transitions", {"to": "intake", "version": 1}),
    ("GET", "/api/v1/cases/{id}/notes", None),
    ("POST", "/api/v1/cases/{id}/notes", {"contact_on": TODAY, "kind": "gesprek",
                                          "text": "Gesprek gehad"}),
]
#: Users who may not see a Midden-Utrecht case at all.
OUTSIDERS = {
    "coach_other_region": ("coach", ["AM"]),
    "coordinator_other_region": ("coordinator", ["AM", "GV"]),
    "liaison_same_region": ("liaison", ["MU"]),
    "admin": ("admin", ["MU"]),
}


@pytest.fixture
def case():
    case = CaseFactory(region_code="MU", status=CaseState.INTAKE)
    NoteFactory(case=case)
    db.session.commit()
    return case


@pytest.mark.parametrize("method,path,body", CASE_ENDPOINTS, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_case_endpoints_are_404_for_outsiders(app, client, case, who, method, path, body):
    role, regions = OUTSIDERS[who]
    api = api_for(app, client, UserFactory(role=role, regions=regions))
    before = row_counts()
    version = case.version
    response = api.open(path.format(id=case.id), method, json=body)
    assert_problem(response, 404)
    assert "errors" not in response.json and str(case.id) not in response.json["detail"]
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == version


@pytest.mark.parametrize("method,path,body", [
    *CASE_ENDPOINTS,
    ("GET", "/api/v1/cases", None),
    ("POST", "/api/v1/cases", {"region": "MU"}),
], ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer rmt_onbekend"}])
def test_every_endpoint_needs_a_token(client, case, method, path, body, headers):
    before = row_counts()
    response = client.open(path.format(id=case.id), method=method, json=body, headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts() == before


def test_session_cookie_is_not_enough(client, login_as, case):
    login_as("coach", "MU")
    assert client.get(f"/api/v1/cases/{case.id}").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/cases/999999", "/api/v1/cases/0",
                                  "/api/v1/cases/-1", "/api/v1/cases/abc",
                                  "/api/v1/cases/99999999999", "/api/v1/cases/1.5",
                                  "/api/v1/cases/999999/notes",
                                  "/api/v1/cases/99999999999/notes"])
def test_unknown_or_malformed_ids_are_404(app, client, path):
    api = api_for(app, client, UserFactory(role="coach", regions=["MU"]))
    assert_problem(api.get(path), 404)


@pytest.mark.parametrize("who", ["liaison_same_region", "admin"])
def test_collection_is_403_for_roles_without_case_access(app, client, case, who):
    role, regions = OUTSIDERS[who]
    api = api_for(app, client, UserFactory(role=role, regions=regions))
    before = row_counts()
    assert_problem(api.get("/api/v1/cases"), 403)
    assert_problem(api.post("/api/v1/cases", {"candidate": new_candidate(), "region": "MU"}),
                   403)
    assert row_counts() == before


@pytest.mark.parametrize("who", ["coach_other_region", "coordinator_other_region"])
def test_collection_hides_other_regions(app, client, case, who):
    role, regions = OUTSIDERS[who]
    api = api_for(app, client, UserFactory(role=role, regions=regions))
    mine = CaseFactory(region_code="AM")
    body = api.get("/api/v1/cases").json
    assert [item["id"] for item in body["items"]] == [mine.id] and body["total"] == 1
    assert api.get("/api/v1/cases?region=MU").json == {
        "items": [], "total": 0, "total_capped": False, "page": 1, "next_cursor": None}
    assert api.get(f"/api/v1/cases?coach={case.coach_id}").json["total"] == 0


def test_coach_of_other_region_cannot_open_case_in_region_not_theirs(app, client, case):
    api = api_for(app, client, UserFactory(role="coach", regions=["AM"]))
    before = row_counts()
    body = assert_problem(api.post("/api/v1/cases", {"existing_candidate_id": case.candidate_id,
                                                     "region": "MU"}), 422)
    assert list(body["errors"]) == ["region"]
    assert row_counts() == before


def test_duplicates_of_other_regions_are_not_revealed(app, client, case):
    api = api_for(app, client, UserFactory(role="coach", regions=["AM"]))
    person = case.candidate
    data = new_candidate(first_name=person.first_name, last_name=person.last_name,
                         birth_date=person.birth_date.isoformat(), email=person.email,
                         phone=person.phone)
    response = api.post("/api/v1/cases", {"candidate": data, "region": "AM"})
    assert response.status_code == 201  # no 409 naming a person of another region
    assert response.json["candidate"]["id"] != person.id


def test_reads_are_audited_and_failed_reads_are_not(app, client, case):
    coach_api = api_for(app, client, case.coach)
    coach_api.get(f"/api/v1/cases/{case.id}")
    coach_api.get(f"/api/v1/cases/{case.id}/notes")
    coach_api.get("/api/v1/cases")
    api_for(app, client, UserFactory(role="coach", regions=["AM"])).get(
        f"/api/v1/cases/{case.id}")
    assert case_audit_actions(case.id) == ["case.view", "case.view"]


# ---------------------------------------------------------------------------------------------
# Concurrency


def test_concurrent_save_found_at_flush_is_409(app, client, case, monkeypatch):
    """Another request saves between our version check and our flush: 409, nothing saved."""
    api = api_for(app, client, case.coach)
    version = case.version
    real_update = service.update_candidate

    def update_then_someone_else_saves(user, case_, data, expected_version):
        db.session.execute(sa.text("UPDATE case_file SET version = version + 1 WHERE id = :id"),
                           {"id": case_.id})
        real_update(user, case_, data, expected_version)  # checks the version it loaded

    monkeypatch.setattr(service, "update_candidate", update_then_someone_else_saves)
    response = api.patch(f"/api/v1/cases/{case.id}", {"version": version,
                                                      "candidate": {"last_name": "Botsing"}})
    body = assert_problem(response, 409)
    assert body["code"] == "stale_version"
    db.session.expire_all()
    assert db.session.get(Case, case.id).candidate.last_name != "Botsing"


# ---------------------------------------------------------------------------------------------
# Query counts


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)


def _count_statements(api: ApiClient, url: str) -> int:
    counter = StatementCounter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        response = api.get(url)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    assert response.status_code == 200, response.json
    # Not the test harness's savepoints: whether one is released at the start of the request
    # depends on what the test itself read before it.
    return len([s for s in counter.statements
                if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))])


@pytest.mark.parametrize("query", ["", "?q=a", "?status=intake&region=MU&per_page=100"])
def test_case_list_uses_a_fixed_number_of_statements(app, client, query):
    coach = UserFactory(role="coach", regions=["MU"])
    api = api_for(app, client, coach)
    api.get("/api/v1/cases")  # warm the token: its last_used_at is written at most once a minute
    for _ in range(3):
        CaseFactory(region_code="MU", status=CaseState.INTAKE)  # each with its own coach
    db.session.commit()
    with_three = _count_statements(api, "/api/v1/cases" + query)
    for _ in range(27):
        CaseFactory(region_code="MU", status=CaseState.INTAKE)
    db.session.commit()
    with_thirty = _count_statements(api, "/api/v1/cases" + query)
    assert with_three == with_thirty
    print(f"GET /api/v1/cases{query}: {with_thirty} statements")


def test_case_read_uses_a_fixed_number_of_statements(app, client, case):
    api = api_for(app, client, case.coach)
    api.get("/api/v1/cases")  # warm the token: its last_used_at is written at most once a minute
    first = _count_statements(api, f"/api/v1/cases/{case.id}")
    for _ in range(20):
        NoteFactory(case=case)
    db.session.commit()
    assert _count_statements(api, f"/api/v1/cases/{case.id}") == first
    notes = _count_statements(api, f"/api/v1/cases/{case.id}/notes?per_page=100")
    for _ in range(20):
        NoteFactory(case=case, author_id=UserFactory(role="coach", regions=["MU"]).id)
    db.session.commit()
    assert _count_statements(api, f"/api/v1/cases/{case.id}/notes?per_page=100") == notes
    print(f"GET case: {first} statements, GET notes: {notes} statements")
