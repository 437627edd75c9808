"""Bad input on every praktijkverklaring form and API endpoint: a clear Dutch message at the
field, 400/409/422 (never a 500), and nothing half-saved."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.praktijkverklaring.models import (
    MboSchool,
    PvEvent,
    PvTrajectory,
    PvWorkProcess,
    Qualification,
    QualificationWorkProcess,
)
from tests.helpers import html, post
from tests.praktijkverklaring.api_helpers import api_for, assert_problem
from tests.praktijkverklaring.conftest import walk

MODELS = (MboSchool, Qualification, QualificationWorkProcess, PvTrajectory, PvWorkProcess,
          PvEvent)
JUNK = ("abc", "-1", "0", "99999999999999999999", "1.5", "\x00", "<script>", "x" * 5000, " ")


def snapshot() -> dict:
    """Every praktijkverklaring row as a tuple of its column values."""
    db.session.expire_all()
    state = {}
    for model in MODELS:
        columns = [c for c in model.__table__.c if c.name not in ("updated_at",)]
        state[model.__tablename__] = sorted(
            tuple(str(v) for v in row) for row in db.session.execute(sa.select(*columns)))
    return state


@pytest.fixture
def signed_in_coach(client, coach):
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
        session["_fresh"] = True
    return coach


def _assert_refused(response, statuses=(400, 409)) -> str:
    text = html(response)
    assert response.status_code in statuses, (response.status_code, text[:500])
    return text


@pytest.mark.parametrize("field", ["school_id", "qualification_id", "employer_id",
                                   "planned_start", "planned_end", "praktijkopleider"])
@pytest.mark.parametrize("junk", JUNK)
def test_request_form_junk(client, signed_in_coach, case, school, qualification, leerbedrijf,
                           field, junk):
    good = {"school_id": school.id, "qualification_id": qualification.id,
            "employer_id": leerbedrijf.id, "praktijkopleider": "Karin Verhoef",
            "planned_start": "2026-01-05", "planned_end": "2026-06-30"}
    before = snapshot()
    response = post(client, f"/trajecten/{case.id}/praktijkverklaring/nieuw",
                    {**good, field: junk})
    if response.status_code == 302:  # e.g. a blank optional field or harmless text
        assert field in ("employer_id", "praktijkopleider", "planned_start", "planned_end")
        return
    text = _assert_refused(response)
    if junk != "\x00":  # NUL is refused app-wide (400) before the view runs
        assert "Het formulier is niet opgeslagen." in text
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"version": "abc"}, {"version": ""}, {"version": "99999999999999999999"},
    {"version": "1", "work_processes": "abc"}, {"version": "1", "work_processes": "-5"},
    {"version": "1", "work_processes": "99999999999999999999"},
])
def test_work_process_form_junk(client, signed_in_coach, case, make_trajectory, data):
    trajectory = make_trajectory(case, signed_in_coach, choose=False)
    before = snapshot()
    _assert_refused(post(client, f"/praktijkverklaringen/{trajectory.id}/werkprocessen", data))
    assert snapshot() == before


@pytest.mark.parametrize("field", ["result", "assessed_on", "assessor_name", "version"])
@pytest.mark.parametrize("junk", JUNK)
def test_assessment_form_junk(client, signed_in_coach, case, make_trajectory, field, junk):
    trajectory = walk(signed_in_coach, make_trajectory(case, signed_in_coach), PvStatus.IN_LEREN)
    wp = trajectory.work_processes[0]
    good = {"result": "aangetoond", "assessed_on": "2026-01-10", "assessor_name": "K. Verhoef",
            "version": trajectory.version}
    before = snapshot()
    response = post(client, f"/praktijkverklaringen/{trajectory.id}/werkprocessen/{wp.id}",
                    {**good, field: junk})
    if response.status_code == 302:
        assert field == "assessor_name" and junk.strip() and len(junk) <= 200
        return
    _assert_refused(response)
    assert snapshot() == before


@pytest.mark.parametrize("field", ["school_id", "qualification_id", "employer_id",
                                   "planned_start", "planned_end", "version"])
@pytest.mark.parametrize("junk", JUNK)
def test_edit_form_junk(client, signed_in_coach, case, make_trajectory, field, junk):
    trajectory = make_trajectory(case, signed_in_coach)
    good = {"school_id": trajectory.school_id, "qualification_id": trajectory.qualification_id,
            "employer_id": trajectory.employer_id, "praktijkopleider": "Karin Verhoef",
            "planned_start": "", "planned_end": "", "version": trajectory.version}
    before = snapshot()
    response = post(client, f"/praktijkverklaringen/{trajectory.id}/gegevens",
                    {**good, field: junk})
    if response.status_code == 302:
        assert field in ("employer_id", "planned_start", "planned_end") and not junk.strip()
        return
    _assert_refused(response)
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"stap-to": "uitgereikt", "stap-version": "1"},
    {"stap-to": "onzin", "stap-version": "1"},
    {"stap-to": "werkprocessen_vastgesteld", "stap-version": "abc"},
    {"stap-to": "werkprocessen_vastgesteld"},
    {"stap-to": "", "stap-version": "1"},
    {"afbreken-to": "afgebroken", "afbreken-version": "1", "afbreken-reason": ""},
    {"afbreken-to": "afgebroken", "afbreken-version": "1", "afbreken-reason": "x" * 501},
    {"afbreken-to": "uitgereikt", "afbreken-version": "1", "afbreken-reason": "x"},
    {},
])
def test_step_form_junk(client, signed_in_coach, case, make_trajectory, data):
    trajectory = make_trajectory(case, signed_in_coach)
    before = snapshot()
    _assert_refused(post(client, f"/praktijkverklaringen/{trajectory.id}/stap", data))
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"name": "", "brin": "25PZ"}, {"name": "X", "brin": "25PZ00X"}, {"name": "X", "brin": ""},
    {"name": "x" * 201, "brin": "25PZ"}, {"name": "X", "brin": "\x00"},
])
def test_school_form_junk(client, login_as, data):
    login_as("admin")
    before = snapshot()
    _assert_refused(post(client, "/beheer/mbo-scholen/nieuw", data))
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"crebo": "abc", "name": "X", "level": "2"}, {"crebo": "25409", "name": "X", "level": "9"},
    {"crebo": "25409", "name": "X", "level": "abc"}, {"crebo": "25409", "name": "", "level": "2"},
    {"crebo": "254090", "name": "X", "level": "2"},
])
def test_qualification_form_junk(client, login_as, data):
    login_as("admin")
    before = snapshot()
    _assert_refused(post(client, "/beheer/kwalificaties/nieuw", data))
    assert snapshot() == before


@pytest.mark.parametrize("data", [
    {"werkproces-code": "", "werkproces-name": "X"},
    {"werkproces-code": "B1-K1-W1", "werkproces-name": ""},
    {"werkproces-code": "Z1-K1-W1", "werkproces-name": "X"},
    {"werkproces-code": "B1-K1-W1", "werkproces-name": "x" * 301},
])
def test_work_process_definition_form_junk(client, login_as, qualification, data):
    login_as("admin")
    before = snapshot()
    _assert_refused(post(client, f"/beheer/kwalificaties/{qualification.id}/werkprocessen",
                         data))
    assert snapshot() == before


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    None, [], "x", 1, {"case_id": "1"}, {"case_id": True}, {"case_id": 1.5},
    {"school_brin": 25, "crebo": "25409", "case_id": 1},
    {"school_brin": "25PZ", "crebo": ["25409"], "case_id": 1},
    {"school_brin": "25PZ", "crebo": "25409", "case_id": 2**40},
])
def test_api_create_junk(app, client, coach, case, school, qualification, body):
    api = api_for(app, client, coach)
    before = snapshot()
    response = api.post("/api/v1/praktijkverklaringen", body)
    expected = (415,) if body is None else (400, 422)  # no JSON body at all: 415
    assert response.status_code in expected, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert snapshot() == before


@pytest.mark.parametrize("body", [
    None, [], {"to": None, "version": 1}, {"to": 5, "version": 1},
    {"to": "in_leren", "version": 2**70}, {"to": "in_leren", "version": True},
    {"to": "afgebroken", "version": 1, "reason": "x" * 501},
    {"to": "afgebroken", "version": 1, "reason": ["x"]},
])
def test_api_transition_junk(app, client, coach, case, make_trajectory, body):
    trajectory = make_trajectory(case, coach)
    api = api_for(app, client, coach)
    before = snapshot()
    response = api.post(f"/api/v1/praktijkverklaringen/{trajectory.id}/transitions", body)
    expected = (415,) if body is None else (400, 409, 422)
    assert response.status_code in expected, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    assert snapshot() == before


@pytest.mark.parametrize("query", ["status=onzin", "region=XX", "page=0", "per_page=1000",
                                   "page=abc", "case_id=-1", "case_id=99999999999999"])
def test_api_list_junk(app, client, coach, query):
    api = api_for(app, client, coach)
    assert_problem(api.get(f"/api/v1/praktijkverklaringen?{query}"), 422)
