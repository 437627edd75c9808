"""``/api/v1/praktijkverklaringen``: list, create, read, transitions, assessments, errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.praktijkverklaring.models import PvEvent, PvTrajectory, PvWorkProcess
from rmt.process import CaseState
from tests.factories import CaseFactory, UserFactory
from tests.helpers import count
from tests.praktijkverklaring.api_helpers import api_for, assert_problem
from tests.praktijkverklaring.conftest import walk
from tests.praktijkverklaring.factories import make_employer

TODAY = date.today().isoformat()


def counts() -> dict[str, int]:
    return {model.__tablename__: count(model) for model in (PvTrajectory, PvWorkProcess, PvEvent)}


@pytest.fixture
def api(app, client, coach):
    return api_for(app, client, coach)


def _create_body(case, leerbedrijf, **overrides):
    body = {"case_id": case.id, "school_brin": "25 pz", "crebo": "25409",
            "employer_id": leerbedrijf.id, "praktijkopleider": "Karin Verhoef",
            "planned_start": "2026-01-05", "planned_end": "2026-06-30",
            "work_processes": ["B1-K1-W1", "b1-k1-w2"]}
    body.update(overrides)
    return body


def test_full_flow_through_the_api(api, case, school, qualification, leerbedrijf):
    response = api.post("/api/v1/praktijkverklaringen", _create_body(case, leerbedrijf))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/praktijkverklaringen/{body['id']}")
    assert body["status"] == "aangevraagd" and body["region"] == "MU"
    assert [wp["code"] for wp in body["work_processes"]] == ["B1-K1-W1", "B1-K1-W2"]
    assert body["school"]["brin"] == "25PZ" and body["qualification"]["crebo"] == "25409"
    assert body["employer"]["sbb_number"] == leerbedrijf.sbb_number
    assert body["allowed_transitions"] == ["werkprocessen_vastgesteld", "afgebroken"]
    pv = f"/api/v1/praktijkverklaringen/{body['id']}"
    version = body["version"]
    for to in ("werkprocessen_vastgesteld", "overeenkomst_getekend", "in_leren"):
        response = api.post(f"{pv}/transitions", {"to": to, "version": version})
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    for code, result in (("B1-K1-W1", "aangetoond"), ("B1-K1-W2", "nog_niet_aangetoond")):
        response = api.post(f"{pv}/assessments", {
            "work_process": code, "result": result, "assessed_on": TODAY,
            "assessor_name": "Karin Verhoef", "version": version})
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    for to in ("beoordeeld", "vastgesteld", "uitgereikt"):
        response = api.post(f"{pv}/transitions", {"to": to, "version": version})
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    final = api.get(pv).get_json()
    assert final["register_number"] == f"PV-MU-{clock.today().year}-0001"
    assert final["issued_on"] == clock.today().isoformat()
    assert [e["to_status"] for e in final["events"]][-1] == "uitgereikt"
    listed = api.get("/api/v1/praktijkverklaringen?status=uitgereikt").get_json()
    assert listed["total"] == 1 and listed["items"][0]["register_number"] == \
        final["register_number"]


def test_list_filters_and_pages(api, coach, case, make_trajectory):
    make_trajectory(case, coach)
    for _ in range(3):
        make_trajectory(CaseFactory(region_code="MU", coach=coach, status=CaseState.PLAN), coach)
    body = api.get("/api/v1/praktijkverklaringen?per_page=2&page=2").get_json()
    assert body["total"] == 4 and body["page"] == 2 and len(body["items"]) == 2
    assert api.get(f"/api/v1/praktijkverklaringen?case_id={case.id}").get_json()["total"] == 1
    assert api.get("/api/v1/praktijkverklaringen?region=AM").get_json()["total"] == 0
    for bad in ("status=onzin", "region=XX", "page=0", "per_page=1000", "case_id=-1"):
        assert_problem(api.get(f"/api/v1/praktijkverklaringen?{bad}"), 422)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"school_brin": "XYZ"}, "school_brin"),
    ({"school_brin": "26AB"}, "school_brin"),
    ({"crebo": "2540"}, "crebo"),
    ({"crebo": "12345"}, "crebo"),
    ({"employer_id": 999_999}, "employer_id"),
    ({"employer_id": "1"}, "employer_id"),
    ({"work_processes": ["B9-K9-W9"]}, "work_processes"),
    ({"work_processes": ["geen code"]}, "work_processes"),
    ({"work_processes": "B1-K1-W1"}, "work_processes"),
    ({"planned_start": "2026-05-01", "planned_end": "2026-04-01"}, "planned_end"),
    ({"planned_start": "gisteren"}, "planned_start"),
    ({"praktijkopleider": "x" * 201}, "praktijkopleider"),
    ({"case_id": 999_999}, "case_id"),
    ({"case_id": None}, "case_id"),
    ({"onbekend": 1}, "onbekend"),
    ({"praktijkopleider": "a\x00b"}, "praktijkopleider"),
])
def test_bad_input_is_422_and_saves_nothing(api, case, school, qualification, leerbedrijf,
                                            overrides, field):
    before = counts()
    body = assert_problem(api.post("/api/v1/praktijkverklaringen",
                                   _create_body(case, leerbedrijf, **overrides)), 422)
    assert field in body["errors"], body
    assert counts() == before


def test_employer_without_sbb_number_is_refused(api, case, school, qualification):
    employer = make_employer(sbb_number=None)
    body = assert_problem(api.post("/api/v1/praktijkverklaringen",
                                   _create_body(case, employer)), 422)
    assert body["code"] == "not_recognised" and "employer_id" in body["errors"]
    assert counts()["pv_trajectory"] == 0


def test_second_open_trajectory_is_409(api, case, school, qualification, leerbedrijf):
    assert api.post("/api/v1/praktijkverklaringen",
                    _create_body(case, leerbedrijf)).status_code == 201
    body = assert_problem(api.post("/api/v1/praktijkverklaringen",
                                   _create_body(case, leerbedrijf)), 409)
    assert body["code"] == "open_trajectory_exists" and body["trajectory_id"]


def test_not_json_is_415_and_broken_json_is_400(api, case):
    assert_problem(api.open("/api/v1/praktijkverklaringen", "POST", data="case_id=1",
                            content_type="application/x-www-form-urlencoded"), 415)
    response = api.open("/api/v1/praktijkverklaringen", "POST", data="{kapot",
                        content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_transition_errors(api, coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach)
    pv = f"/api/v1/praktijkverklaringen/{trajectory.id}"
    version = trajectory.version
    body = assert_problem(api.post(f"{pv}/transitions", {"to": "uitgereikt",
                                                         "version": version}), 409)
    assert body["code"] == "not_allowed"
    assert body["allowed"] == ["werkprocessen_vastgesteld", "afgebroken"]
    body = assert_problem(api.post(f"{pv}/transitions", {"to": "afgebroken",
                                                         "version": version}), 422)
    assert body["errors"] == {"reason": ["Geef een reden waarom het traject wordt afgebroken."]}
    body = assert_problem(api.post(f"{pv}/transitions", {"to": "werkprocessen_vastgesteld",
                                                         "version": version + 5}), 409)
    assert body["code"] == "stale_version" and body["current_version"] == version
    assert_problem(api.post(f"{pv}/transitions", {"to": "onzin", "version": version}), 422)
    assert_problem(api.post(f"{pv}/transitions", {"to": "in_leren"}), 422)
    assert_problem(api.post(f"{pv}/transitions", {"to": "in_leren", "version": "1"}), 422)
    db.session.expire_all()
    assert db.session.get(PvTrajectory, trajectory.id).status == PvStatus.AANGEVRAAGD


def test_guard_is_422_with_the_problem(api, coach, case, make_trajectory):
    trajectory = walk(coach, make_trajectory(case, coach), PvStatus.IN_LEREN)
    body = assert_problem(api.post(f"/api/v1/praktijkverklaringen/{trajectory.id}/transitions",
                                   {"to": "beoordeeld", "version": trajectory.version}), 422)
    assert body["code"] == "not_all_assessed"
    assert body["errors"] == {"work_processes": ["Beoordeel eerst alle gekozen werkprocessen."]}


def test_assessment_errors(api, coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach)
    pv = f"/api/v1/praktijkverklaringen/{trajectory.id}/assessments"
    good = {"work_process": "B1-K1-W1", "result": "aangetoond", "assessed_on": TODAY,
            "assessor_name": "K. Verhoef", "version": trajectory.version}
    assert assert_problem(api.post(pv, good), 409)["code"] == "not_assessable"
    walk(coach, trajectory, PvStatus.IN_LEREN)
    good["version"] = trajectory.version
    for overrides, field in (({"work_process": "B1-K1-W9"}, "work_process"),
                             ({"result": "misschien"}, "result"),
                             ({"assessed_on": (date.today() + timedelta(days=2)).isoformat()},
                              "assessed_on"),
                             ({"assessor_name": " "}, "assessor_name"),
                             ({"assessor_name": None}, "assessor_name")):
        body = assert_problem(api.post(pv, {**good, **overrides}), 422)
        assert field in body["errors"], (overrides, body)
    assert api.post(pv, good).status_code == 200


def test_read_is_audited(api, coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach)
    api.get(f"/api/v1/praktijkverklaringen/{trajectory.id}")
    actions = db.session.scalars(sa.select(AuditEntry.summary).where(
        AuditEntry.action == "pv.view", AuditEntry.object_id == str(case.id))).all()
    assert actions == [f"praktijkverklaring {trajectory.id}: bekeken via de API"]


@pytest.mark.parametrize("role", ["coordinator", "liaison", "admin"])
def test_only_coaches_change(app, client, case, coach, make_trajectory, leerbedrijf, role):
    trajectory = make_trajectory(case, coach)
    other = api_for(app, client, UserFactory(role=role, regions=["MU"]))
    status = 403 if role == "coordinator" else 404
    assert_problem(other.post(f"/api/v1/praktijkverklaringen/{trajectory.id}/transitions",
                              {"to": "afgebroken", "reason": "x",
                               "version": trajectory.version}), status)
    assert_problem(other.post("/api/v1/praktijkverklaringen", _create_body(case, leerbedrijf)),
                   403)


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/praktijkverklaringen"]
    assert "post" in paths["/api/v1/praktijkverklaringen"]
    assert "get" in paths["/api/v1/praktijkverklaringen/{pv_id}"]
    assert "patch" in paths["/api/v1/praktijkverklaringen/{pv_id}"]
    for action in ("transitions", "assessments"):
        operation = paths[f"/api/v1/praktijkverklaringen/{{pv_id}}/{action}"]["post"]
        assert {"404", "409", "422"} <= set(operation["responses"])
    schemas = spec["components"]["schemas"]
    assert "PvTrajectory" in schemas and "PvTransition" in schemas


# --- PATCH: details and werkprocessen ----------------------------------------------------------


def test_patch_details_until_the_agreement(api, case, school, qualification, leerbedrijf):
    body = api.post("/api/v1/praktijkverklaringen", _create_body(
        case, leerbedrijf, employer_id=None, praktijkopleider="", work_processes=[])).get_json()
    pv = f"/api/v1/praktijkverklaringen/{body['id']}"
    response = api.open(pv, "PATCH", {"version": body["version"],
                                      "work_processes": ["b1-k1-w1", "B1-K1-W3"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [wp["code"] for wp in body["work_processes"]] == ["B1-K1-W1", "B1-K1-W3"]
    body = api.post(f"{pv}/transitions", {"to": "werkprocessen_vastgesteld",
                                          "version": body["version"]}).get_json()
    refused = assert_problem(api.post(f"{pv}/transitions", {"to": "overeenkomst_getekend",
                                                            "version": body["version"]}), 422)
    assert set(refused["errors"]) == {"employer_id", "praktijkopleider"}
    # werkprocessen are fixed now; details are not
    assert assert_problem(api.open(pv, "PATCH", {"version": body["version"],
                                                 "work_processes": ["B1-K1-W2"]}),
                          409)["code"] == "work_processes_locked"
    response = api.open(pv, "PATCH", {"version": body["version"], "employer_id": leerbedrijf.id,
                                      "praktijkopleider": "Karin Verhoef",
                                      "planned_end": "2026-09-30", "school_brin": "25pz"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["employer"]["id"] == leerbedrijf.id and body["planned_end"] == "2026-09-30"
    assert body["praktijkopleider"] == "Karin Verhoef"
    body = api.post(f"{pv}/transitions", {"to": "overeenkomst_getekend",
                                          "version": body["version"]}).get_json()
    assert body["status"] == "overeenkomst_getekend"
    assert assert_problem(api.open(pv, "PATCH", {"version": body["version"],
                                                 "praktijkopleider": "Iemand anders"}),
                          409)["code"] == "details_locked"
    db.session.expire_all()
    assert db.session.get(PvTrajectory, body["id"]).praktijkopleider == "Karin Verhoef"


@pytest.mark.parametrize(("patch", "status", "field"), [
    ({"employer_id": "x"}, 422, "employer_id"),
    ({"school_brin": "ABCD"}, 422, "school_brin"),
    ({"school_brin": "99ZZ"}, 422, "school_brin"),
    ({"crebo": "12"}, 422, "crebo"),
    ({"crebo": "99999"}, 422, "crebo"),
    ({"planned_start": "2026-05-01", "planned_end": "2026-04-01"}, 422, "planned_end"),
    ({"work_processes": ["B1-K1-W9"]}, 422, "work_processes"),
    ({"work_processes": []}, 422, "work_processes"),
    ({"praktijkopleider": "x" * 201}, 422, "praktijkopleider"),
    ({"onbekend": 1}, 422, "onbekend"),
    ({}, 422, None),
])
def test_patch_bad_input_changes_nothing(api, coach, case, make_trajectory, patch, status,
                                         field):
    trajectory = make_trajectory(case, coach)
    before = (trajectory.version, trajectory.school_id, trajectory.employer_id,
              [wp.code for wp in trajectory.work_processes], trajectory.planned_end)
    body = assert_problem(api.open(f"/api/v1/praktijkverklaringen/{trajectory.id}", "PATCH",
                                   {"version": trajectory.version, **patch}), status)
    if field:
        assert field in body["errors"], body
    db.session.expire_all()
    trajectory = db.session.get(PvTrajectory, trajectory.id)
    assert before == (trajectory.version, trajectory.school_id, trajectory.employer_id,
                      [wp.code for wp in trajectory.work_processes], trajectory.planned_end)


def test_patch_refuses_an_employer_without_sbb_and_a_stale_version(api, coach, case,
                                                                   make_trajectory):
    trajectory = make_trajectory(case, coach)
    pv = f"/api/v1/praktijkverklaringen/{trajectory.id}"
    unrecognised = make_employer(sbb_number=None)
    body = assert_problem(api.open(pv, "PATCH", {"version": trajectory.version,
                                                 "employer_id": unrecognised.id}), 422)
    assert body["code"] == "not_recognised"
    body = assert_problem(api.open(pv, "PATCH", {"version": trajectory.version - 1,
                                                 "praktijkopleider": "X"}), 409)
    assert body["code"] == "stale_version"
    assert api.open(pv, "PATCH", {"praktijkopleider": "X"}).status_code == 422  # no version
