"""One unit of work per request: a refusal leaves nothing behind, a role refusal is a 403, and
the cases code never commits itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from rmt import transaction
from rmt.audit.models import AuditEntry
from rmt.cases import service, views
from rmt.cases.models import Note
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.regions.models import Region
from tests.cases.test_api import api_for, assert_problem
from tests.factories import CaseFactory, UserFactory
from tests.helpers import count, post, text

CASES_PACKAGE = Path(__file__).resolve().parents[2] / "rmt" / "cases"
REFUSAL = "Deze aantekening kan nu niet worden opgeslagen."


@pytest.fixture
def half_done_note(monkeypatch):
    """``service.add_note`` writes the note (and its audit entry), then refuses."""
    real_add_note = service.add_note

    def add_then_refuse(*args, **kwargs):
        real_add_note(*args, **kwargs)
        raise DomainError(REFUSAL, field="text")

    monkeypatch.setattr(service, "add_note", add_then_refuse)


def _note_audits(case) -> int:
    return count(AuditEntry, AuditEntry.action == "case.note_add",
                 AuditEntry.object_id == str(case.id))


def test_cases_code_never_commits():
    offenders = [path.name for path in sorted(CASES_PACKAGE.glob("*.py"))
                 if ".commit(" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_refusal_through_the_form_leaves_nothing_behind(client, login_as, half_done_note):
    coach = login_as("coach", "MU")
    case = CaseFactory(coach=coach)
    response = post(client, f"/trajecten/{case.id}/aantekeningen", {
        "aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "gesprek",
        "aantekening-text": "Gesprek over scholing"})
    assert response.status_code == 400
    assert REFUSAL in text(response)
    assert count(Note) == 0 and _note_audits(case) == 0


def test_refusal_through_the_api_leaves_nothing_behind(app, client, half_done_note):
    case = CaseFactory(coach=UserFactory(role="coach", regions=["MU"]))
    api = api_for(app, client, case.coach)
    response = api.post(f"/api/v1/cases/{case.id}/notes", {
        "contact_on": date.today().isoformat(), "kind": "gesprek", "text": "Gesprek"})
    body = assert_problem(response, 422)
    assert body["errors"] == {"text": [REFUSAL]}
    assert count(Note) == 0 and _note_audits(case) == 0


def test_policy_refusal_is_403_on_the_page(client, login_as):
    login_as("coordinator", "MU")
    case = CaseFactory(region_code="MU")
    response = post(client, f"/trajecten/{case.id}/aantekeningen", {
        "aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "gesprek",
        "aantekening-text": "Mag niet"})
    assert response.status_code == 403
    assert "Geen toegang" in text(response)
    assert "U hebt geen toestemming voor deze actie." in text(response)
    assert count(Note) == 0


def test_policy_refusal_in_the_service_is_403_on_the_page(client, login_as, monkeypatch):
    """Also when only the service's policy call refuses (the view's own check let it pass)."""
    login_as("coordinator", "MU")
    case = CaseFactory(region_code="MU")
    monkeypatch.setattr(views, "require", lambda *args, **kwargs: None)
    response = post(client, f"/trajecten/{case.id}/aantekeningen", {
        "aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "gesprek",
        "aantekening-text": "Mag niet"})
    assert response.status_code == 403
    assert "U mag dit traject niet wijzigen." in text(response)
    assert count(Note) == 0


def test_policy_refusal_in_the_service_is_problem_403_in_the_api(app, client):
    """A coordinator may read notes but not add one: the service's policy call refuses."""
    case = CaseFactory(region_code="MU")
    api = api_for(app, client, UserFactory(role="coordinator", regions=["MU"]))
    response = api.post(f"/api/v1/cases/{case.id}/notes", {
        "contact_on": date.today().isoformat(), "kind": "gesprek", "text": "Mag niet"})
    body = assert_problem(response, 403)
    assert body["code"] == "forbidden"
    assert body["detail"] == "U mag dit traject niet wijzigen."
    assert "errors" not in body
    assert count(Note) == 0


def test_a_read_only_request_leaves_what_it_read_loaded(app):
    """Its commit does not expire the objects it read (the request ends there); a writing
    unit's commit does, and so does a read-only unit outside a request (a CLI batch, whose
    objects may live on into its next unit)."""
    with app.test_request_context():
        with transaction.unit_of_work(write=False):
            read = db.session.scalars(select(Region)).first()
        assert "name" in inspect(read).dict
        assert db.session().expire_on_commit  # the session's setting is back
        with transaction.unit_of_work():
            written = db.session.scalars(select(Region)).first()
        assert "name" not in inspect(written).dict
    with app.app_context():
        with transaction.unit_of_work(write=False):
            batch = db.session.scalars(select(Region)).first()
        assert "name" not in inspect(batch).dict
