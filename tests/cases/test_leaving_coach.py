"""A colleague who leaves: no silent deactivation, the coordinators told, the caseload handed
over in one go."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.cases import queries, service
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.notifications.models import Kind, Notification
from rmt.process import CaseState
from tests.factories import CaseFactory, TaskFactory, UserFactory
from tests.helpers import html, post, text
from tests.querycount import count_statements


@pytest.fixture
def leaving():
    return UserFactory(role="coach", regions=["MU"], name="Vera Vertrekt")


@pytest.fixture
def caseload(leaving):
    cases = [CaseFactory(coach=leaving, status=CaseState.PLAN) for _ in range(3)]
    CaseFactory(coach=leaving, status=CaseState.AFGESLOTEN)
    TaskFactory(case=cases[0], owner=leaving, title="Cv nabespreken")
    return cases


def test_the_admin_sees_the_counts_and_must_confirm(client, login_as, leaving, caseload):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    other_case = CaseFactory(status=CaseState.PLAN)
    their_task = TaskFactory(case=other_case, owner=leaving, title="Werkgever bellen")
    login_as("admin")
    page = text(client.get(f"/beheer/gebruikers/{leaving.id}"))
    assert "3 lopende trajecten als loopbaancoach, 2 open acties" in page
    data = {"name": leaving.name, "role": "coach", "regions": ["MU"]}  # active unchecked
    refused = post(client, f"/beheer/gebruikers/{leaving.id}", data)
    assert refused.status_code == 409
    assert "Vera Vertrekt heeft 3 lopende trajecten en 2 open acties" in text(refused)
    db.session.expire_all()
    assert leaving.active
    done = post(client, f"/beheer/gebruikers/{leaving.id}", {**data,
                                                             "confirm_deactivation": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert not leaving.active
    # The coordinators are asked to reassign each running case; a task on a colleague's case
    # went to that case's coach.
    asked = db.session.scalars(sa.select(Notification.case_id).where(
        Notification.user_id == coordinator.id,
        Notification.kind == Kind.INACTIVE_COACH_CASE)).all()
    assert sorted(asked) == sorted(c.id for c in caseload)
    assert their_task.owner_id == other_case.coach_id


def test_a_user_without_work_is_deactivated_at_once(client, login_as):
    idle = UserFactory(role="coach", regions=["MU"])
    login_as("admin")
    response = post(client, f"/beheer/gebruikers/{idle.id}",
                    {"name": idle.name, "role": "coach", "regions": ["MU"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert not idle.active


def test_bulk_reassignment_moves_cases_and_tasks_in_one_go(leaving, caseload):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    new_coach = UserFactory(role="coach", regions=["MU"])
    leaving.active = False
    db.session.flush()
    flagged = queries.cases_of_inactive_coaches(coordinator)
    assert [c.id for c in flagged] == sorted(c.id for c in caseload)
    assert queries.inactive_coach_caseloads(coordinator) == [(leaving, "MU", 3)]
    moved = service.reassign_caseload(coordinator, leaving, [c.id for c in caseload[:2]],
                                      new_coach)
    db.session.flush()
    assert [c.coach for c in moved] == [new_coach, new_coach]
    assert caseload[0].tasks[0].owner is new_coach
    assert caseload[2].coach is leaving
    assert queries.cases_of_inactive_coaches(coordinator) == [caseload[2]]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == new_coach.id, Notification.kind == Kind.CASE_REASSIGNED)) == 2
    assert db.session.scalar(sa.select(AuditEntry.summary).where(
        AuditEntry.action == "case.reassign_caseload")).startswith("2 trajecten en 1 open")


def test_bulk_reassignment_is_all_or_nothing(leaving, caseload):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    new_coach = UserFactory(role="coach", regions=["MU"])
    elsewhere = CaseFactory(region_code="FV", status=CaseState.PLAN)
    with pytest.raises(DomainError):
        service.reassign_caseload(coordinator, leaving, [caseload[0].id, elsewhere.id],
                                  new_coach)
    caseload[1].coach = new_coach
    with pytest.raises(Conflict):
        service.reassign_caseload(coordinator, leaving, [caseload[0].id, caseload[1].id],
                                  UserFactory(role="coach", regions=["MU"]))
    with pytest.raises(DomainError):
        service.reassign_caseload(coordinator, leaving, [caseload[0].id],
                                  UserFactory(role="coach", regions=["FV"]))
    with pytest.raises(Forbidden):
        service.reassign_caseload(leaving, leaving, [caseload[0].id], new_coach)
    assert caseload[0].coach is leaving


def test_the_flag_query_is_one_statement(leaving, caseload):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    leaving.active = False
    db.session.flush()
    db.session.expire_all()
    assert coordinator.region_codes == {"MU"}  # the reader, loaded before counting
    with count_statements() as statements:
        flagged = queries.cases_of_inactive_coaches(coordinator)
        names = [c.coach.name for c in flagged]
    assert len(statements) == 1 and names == ["Vera Vertrekt"] * 3


def test_the_caseload_page(client, login_as, leaving, caseload):
    new_coach = UserFactory(role="coach", regions=["MU"], name="Nina Nieuw")
    leaving.active = False
    db.session.flush()
    login_as("coordinator", "MU")
    overview = text(client.get("/trajecten/overnemen"))
    assert "Vera Vertrekt" in overview
    page = html(client.get(f"/trajecten/overnemen?coach={leaving.id}"))
    assert "Nina Nieuw (0 lopende trajecten)" in page
    response = post(client, f"/trajecten/overnemen?coach={leaving.id}", {
        "case_ids": [c.id for c in caseload], "new_coach_id": new_coach.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert {c.coach_id for c in caseload} == {new_coach.id}


def test_caseload_page_for_coaches_and_other_regions(client, login_as, leaving, caseload):
    login_as("coach", "MU")
    assert client.get("/trajecten/overnemen").status_code == 403
    login_as("coordinator", "FV")
    assert client.get(f"/trajecten/overnemen?coach={leaving.id}").status_code == 404
    response = post(client, f"/trajecten/overnemen?coach={leaving.id}", {
        "case_ids": [caseload[0].id], "new_coach_id": leaving.id})
    assert response.status_code == 404
    assert caseload[0].coach is leaving


@pytest.mark.parametrize("data", [
    {"case_ids": ["abc"], "new_coach_id": "1"},
    {"case_ids": ["99999999999999999999"], "new_coach_id": "x"},
    {},
])
def test_malformed_caseload_input_is_refused_not_an_error(client, login_as, leaving, caseload,
                                                          data):
    login_as("coordinator", "MU")
    response = post(client, f"/trajecten/overnemen?coach={leaving.id}", data)
    assert response.status_code == 400
    assert client.get("/trajecten/overnemen?coach=abc").status_code == 200
