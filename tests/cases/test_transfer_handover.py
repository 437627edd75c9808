"""A transfer hands the case over whole: open actions to the new coach, a summary (without
notes) for the receiving coordinator before deciding, and caseload sizes at every coach choice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.cases import queries, service
from rmt.extensions import db
from rmt.notifications.models import Kind, Notification
from rmt.process import CaseState
from tests.factories import CaseFactory, NoteFactory, TaskFactory, UserFactory
from tests.helpers import html, post, sign_in_as, text
from tests.querycount import count_statements


@pytest.fixture
def people():
    return {
        "coach_mu": UserFactory(role="coach", regions=["MU"], name="Sanne Mu"),
        "colleague_mu": UserFactory(role="coordinator", regions=["MU"], name="Fatima Mu"),
        "coord_am": UserFactory(role="coordinator", regions=["AM"], name="Ayse Am",
                                email="ayse.am@test.rmt.nl"),
        "coach_am": UserFactory(role="coach", regions=["AM"], name="Lotte Am"),
        "coach_am2": UserFactory(role="coach", regions=["AM"], name="Bram Am"),
    }


@pytest.fixture
def transfer(people):
    case = CaseFactory(coach=people["coach_mu"], status=CaseState.DIAGNOSE,
                       candidate__last_name="Overdrachtsma")
    NoteFactory(case=case, text="Geheime aantekening over de thuissituatie")
    TaskFactory(case=case, owner=people["coach_mu"], title="Cv nabespreken")
    TaskFactory(case=case, owner=people["colleague_mu"], title="Budget nakijken")
    return service.request_transfer(people["coach_mu"], case, to_region_code="AM",
                                    reason="Verhuist naar Amersfoort",
                                    expected_version=case.version)


def test_open_tasks_move_to_the_new_coach_on_acceptance(people, transfer):
    case = transfer.case
    done = TaskFactory(case=case, owner=people["coach_mu"], title="Intake plannen")
    service.complete_task(people["coach_mu"], case, done.id)
    am_task = TaskFactory(case=case, owner=people["coach_am2"], title="Kennismaken")
    service.decide_transfer(people["coord_am"], transfer, accept=True,
                            new_coach=people["coach_am"])
    db.session.flush()
    owners = {t.title: t.owner for t in case.tasks}
    assert owners["Cv nabespreken"] is people["coach_am"]
    assert owners["Budget nakijken"] is people["coach_am"]
    assert owners["Intake plannen"] is people["coach_mu"]  # done: its history stays
    assert am_task.owner is people["coach_am2"]  # already of the new region
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == people["coach_am"].id,
        Notification.kind == Kind.CASE_REASSIGNED)) == 1


def test_a_refusal_moves_nothing(people, transfer):
    service.decide_transfer(people["coord_am"], transfer, accept=False, note="Geen plek")
    assert {t.owner for t in transfer.case.tasks} == {people["coach_mu"], people["colleague_mu"]}


def test_the_receiving_coordinator_sees_a_summary_without_notes(client, people, transfer):
    sign_in_as(client, people["coord_am"])
    page = text(client.get("/overdrachten"))
    assert "Samenvatting van het traject" in page
    assert "Open acties 2" in page and "Aantekeningen 1" in page
    assert "Geheime aantekening" not in page and "Cv nabespreken" not in page
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "transfer.summary_view"))
    assert entry is not None and str(transfer.case_id) in entry.summary


def test_the_coach_choice_shows_caseloads(client, people, transfer):
    CaseFactory(coach=people["coach_am"], region_code="AM", status=CaseState.PLAN)
    CaseFactory(coach=people["coach_am"], region_code="AM", status=CaseState.INTAKE)
    CaseFactory(coach=people["coach_am"], region_code="AM", status=CaseState.AFGESLOTEN)
    CaseFactory(coach=people["coach_am2"], region_code="AM", status=CaseState.PLAN)
    sign_in_as(client, people["coord_am"])
    page = html(client.get("/overdrachten"))
    assert "Lotte Am (2 lopende trajecten)" in page
    assert "Bram Am (1 lopend traject)" in page


def test_caseloads_is_one_grouped_statement(people):
    coaches = [UserFactory(role="coach", regions=["GV"]) for _ in range(6)]
    for number, coach in enumerate(coaches):
        for _ in range(number % 3):
            CaseFactory(coach=coach, region_code="GV", status=CaseState.PLAN)
    db.session.flush()
    with count_statements() as statements:
        loads = queries.caseloads({c.id for c in coaches})
    assert len(statements) == 1
    assert loads == {c.id: n % 3 for n, c in enumerate(coaches) if n % 3}


def test_reassign_choice_shows_caseloads(client, login_as, people):
    case = CaseFactory(coach=people["coach_mu"], status=CaseState.PLAN)
    other = UserFactory(role="coach", regions=["MU"], name="Kees Mu")
    login_as("coordinator", "MU")
    assert "Kees Mu (0 lopende trajecten)" in html(client.get(f"/trajecten/{case.id}/coach"))
    response = post(client, f"/trajecten/{case.id}/coach", {
        "coach-coach_id": other.id, "coach-version": case.version})
    assert response.status_code == 302
