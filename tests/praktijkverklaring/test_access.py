"""Every praktijkverklaring endpoint, found by walking ``app.url_map``, answers 404 to users of
another region (never 403, never the record), for the HTML pages and the API alike."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.routing import Rule

from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import PvStatus
from tests.factories import UserFactory
from tests.praktijkverklaring.api_helpers import api_for, assert_problem
from tests.praktijkverklaring.conftest import walk

#: Endpoints without a region-bound record: reference data (admin only) and the register,
#: which is scoped by its ``regio`` parameter (tested separately below).
NOT_RECORD_BOUND = {
    "praktijkverklaring.register", "praktijkverklaring.register_csv",
    "praktijkverklaring.register_xlsx", "praktijkverklaring.schools",
    "praktijkverklaring.school_edit", "praktijkverklaring.qualifications",
    "praktijkverklaring.qualification_edit", "praktijkverklaring.work_process_edit",
}
API_BODIES = {
    "transitions": {"to": "werkprocessen_vastgesteld", "version": 1},
    "assessments": {"work_process": "B1-K1-W1", "result": "aangetoond",
                    "assessed_on": date.today().isoformat(), "assessor_name": "X", "version": 1},
}
OUTSIDERS = {"coach_AM": ("coach", ["AM"]), "coordinator_AM_GV": ("coordinator", ["AM", "GV"])}


def _rules(app, prefix: str) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(prefix)]


@pytest.fixture
def issued(coach, case, make_trajectory):
    trajectory = walk(coach, make_trajectory(case, coach), PvStatus.UITGEREIKT)
    db.session.commit()
    return trajectory


def _url(rule: Rule, trajectory) -> str:
    values = {"pv_id": trajectory.id, "case_id": trajectory.case_id,
              "wp_id": trajectory.work_processes[0].id}
    return rule.build({k: v for k, v in values.items() if k in rule.arguments},
                      append_unknown=False)[1]


def test_every_html_endpoint_is_covered(app):
    endpoints = {r.endpoint for r in _rules(app, "praktijkverklaring.")}
    record_bound = endpoints - NOT_RECORD_BOUND
    assert record_bound == {
        "praktijkverklaring.create", "praktijkverklaring.trajectory", "praktijkverklaring.edit",
        "praktijkverklaring.work_processes", "praktijkverklaring.assess",
        "praktijkverklaring.step", "praktijkverklaring.certificate",
        "praktijkverklaring.certificate_pdf"}


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_html_endpoints_are_404_for_another_region(app, client, issued, who):
    role, regions = OUTSIDERS[who]
    user = UserFactory(role=role, regions=regions)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    app.config["WTF_CSRF_ENABLED"] = False  # reach the view itself, not the CSRF check
    checked = 0
    try:
        for rule in _rules(app, "praktijkverklaring."):
            if rule.endpoint in NOT_RECORD_BOUND:
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                url = _url(rule, issued)
                response = client.open(url, method=method, data={"stap-to": "afgebroken"})
                assert response.status_code == 404, (rule.endpoint, method,
                                                     response.status_code)
                assert issued.case.candidate.full_name not in response.get_data(as_text=True)
                checked += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert checked >= 10


@pytest.mark.parametrize("who", sorted(OUTSIDERS))
def test_api_endpoints_are_404_for_another_region(app, client, issued, who):
    role, regions = OUTSIDERS[who]
    api = api_for(app, client, UserFactory(role=role, regions=regions))
    checked = 0
    for rule in _rules(app, "api_praktijkverklaring."):
        if "pv_id" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = (API_BODIES.get(rule.rule.rsplit("/", 1)[-1]) if method == "POST"
                    else {"version": 1, "praktijkopleider": "X"} if method == "PATCH" else None)
            assert_problem(api.open(_url(rule, issued), method, json=body), 404)
            checked += 1
    assert checked == 4  # read, change, transitions, assessments
    listed = api.get("/api/v1/praktijkverklaringen").get_json()
    assert listed == {"items": [], "total": 0, "page": 1}
    assert api.get("/api/v1/praktijkverklaringen?region=MU").get_json()["total"] == 0


@pytest.mark.parametrize("path", ["/praktijkverklaringen/0", "/praktijkverklaringen/-1",
                                  "/praktijkverklaringen/abc", "/praktijkverklaringen/99999999",
                                  "/praktijkverklaringen/99999999999/verklaring",
                                  "/trajecten/99999/praktijkverklaring/nieuw",
                                  "/beheer/mbo-scholen/0"])
def test_bad_ids_are_404(client, login_as, path):
    login_as("coach", "MU")
    assert client.get(path).status_code in (404, 403)


def test_register_parameter_is_scoped(client, login_as, issued):
    login_as("coach", "AM")
    for url in ("/praktijkverklaringen?regio=MU", "/praktijkverklaringen/register.csv?regio=MU",
                "/praktijkverklaringen/register.xlsx?regio=MU",
                "/praktijkverklaringen?regio=XX"):
        assert client.get(url).status_code == 404, url
