"""Every case-bearing HTML endpoint, tried by users who may not see the case: always 404.

The matrix is built by walking ``app.url_map`` for the ``cases.`` blueprint, so a new route is
covered as soon as it exists. An endpoint is case-bearing when its URL names a case, a task, an
activity, a consent or a transfer. Coordinators of the case's own region may read, but every
POST that changes the case is refused (403) and changes nothing; only reassignment and the
transfer decision are theirs.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule

from rmt.audit.models import AuditEntry
from rmt.cases import service
from rmt.cases.models import Case, CaseTransfer, Consent, Note, PlanActivity, Task
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CaseFactory, TaskFactory, UserFactory, coded
from tests.helpers import html, post

ID_ARGUMENTS = {"case_id", "task_id", "activity_id", "consent_id", "transfer_id"}
# Coordinators may do these to a case of their region (policy REASSIGN_CASE, DECIDE_TRANSFER).
COORDINATOR_CHANGES = {"cases.reassign", "cases.transfer_decide", "cases.reopen"}


def _case_rules(app) -> list[tuple[Rule, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("cases.") and set(rule.arguments) & ID_ARGUMENTS:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                rules.append((rule, method))
    return rules


@pytest.fixture
def world():
    """A MU case with one of everything, and a pending transfer of it to AM."""
    coach = UserFactory(role="coach", regions=["MU"])
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    task = TaskFactory(case=case, owner=coach)
    activity = service.add_activity(coach, case, description="Cursus", due_on=None, **coded(),
                                    expected_version=None)
    consent = service.record_consent(coach, case, "profiel_delen_met_werkgevers",
                                     case.opened_on)
    transfer = service.request_transfer(coach, case, to_region_code="AM", reason="Verhuist",
                                        expected_version=None)
    db.session.flush()
    return {"case": case, "coach": coach, "ids": {
        "case_id": case.id, "task_id": task.id, "activity_id": activity.id,
        "consent_id": consent.id, "transfer_id": transfer.id}}


def _url(rule: Rule, ids: dict) -> str:
    return rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]


def _snapshot(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                   for model in (Note, Task, PlanActivity, Consent, CaseTransfer))
    return (case.version, case.status, case.region_code, case.coach_id, counts,
            db.session.scalar(sa.select(sa.func.count(Task.id)).where(Task.done_at.is_not(None))))


def test_matrix_covers_the_case_routes(app):
    endpoints = {rule.endpoint for rule, _method in _case_rules(app)}
    assert {"cases.case_page", "cases.transition", "cases.note_add", "cases.task_add",
            "cases.task_complete", "cases.intake", "cases.plan", "cases.activity_add",
            "cases.activity_status", "cases.consent_give", "cases.consent_revoke",
            "cases.reassign", "cases.transfer_request", "cases.transfer_withdraw",
            "cases.candidate_edit", "cases.transfer_decide"} <= endpoints


@pytest.mark.parametrize(("role", "region"), [
    ("coach", "FV"),  # a coach of another region
    ("coordinator", "GV"),  # a coordinator of another region
    ("liaison", "MU"),  # work profile only, and not through these pages
    ("admin", None),  # no case content at all
])
def test_outsiders_get_404_everywhere(app, client, login_as, world, role, region):
    login_as(role, *([region] if region else []))
    before = _snapshot(world["case"].id)
    audit_before = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    tried = 0
    for rule, method in _case_rules(app):
        url = _url(rule, world["ids"])
        response = client.get(url) if method == "GET" else post(client, url, {})
        assert response.status_code == 404, (rule.endpoint, method, response.status_code)
        assert "Pagina niet gevonden" in html(response)
        tried += 1
    assert tried >= 19
    assert _snapshot(world["case"].id) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == audit_before


def test_receiving_coordinator_sees_request_but_not_case(app, client, login_as, world):
    login_as("coordinator", "AM")
    for rule, method in _case_rules(app):
        if rule.endpoint == "cases.transfer_decide":
            continue
        url = _url(rule, world["ids"])
        response = client.get(url) if method == "GET" else post(client, url, {})
        assert response.status_code == 404, (rule.endpoint, method)
    assert client.get("/overdrachten").status_code == 200


def test_coordinator_of_the_region_reads_but_cannot_change(app, client, login_as, world):
    login_as("coordinator", "MU")
    ids = world["ids"]
    before = _snapshot(world["case"].id)
    for rule, method in _case_rules(app):
        url = _url(rule, ids)
        if method == "GET":
            response = client.get(url)
            expected = 403 if rule.endpoint in ("cases.intake", "cases.candidate_edit",
                                                 "cases.close") else 200
            assert response.status_code == expected, (rule.endpoint, response.status_code)
        elif rule.endpoint not in COORDINATOR_CHANGES:
            response = post(client, url, {"version": before[0], "text": "x",
                                          "aantekening-text": "x", "stap-to": "uitvoering"})
            assert response.status_code == 403, (rule.endpoint, response.status_code)
    assert _snapshot(world["case"].id) == before


def test_sending_coordinator_cannot_decide_the_transfer(client, login_as, world):
    login_as("coordinator", "MU")
    transfer_id = world["ids"]["transfer_id"]
    response = post(client, f"/overdrachten/{transfer_id}",
                    {f"t{transfer_id}-decision": "weigeren",
                     f"t{transfer_id}-decision_note": "Nee"})
    assert response.status_code == 404


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999", "2147483648"])
def test_malformed_ids_are_404(client, login_as, bad_id):
    login_as("coach", "MU")
    assert client.get(f"/trajecten/{bad_id}").status_code == 404
    assert client.get(f"/trajecten/{bad_id}/plan").status_code == 404
    assert post(client, f"/trajecten/{bad_id}/stap", {}).status_code == 404
