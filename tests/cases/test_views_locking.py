"""Optimistic locking in the pages: the second save with an old version is refused (409)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rmt.cases import service
from rmt.cases.models import Case, Intake, Plan
from rmt.errors_domain import StaleVersion
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.views_helpers import fresh
from tests.factories import CaseFactory, UserFactory
from tests.helpers import html, post, text

STALE = StaleVersion(0).message


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU")


def _version_in(page: str, name: str = "version") -> str:
    return re.search(rf'name="{name}"[^>]*value="(\d+)"', page).group(1)


def test_second_intake_save_with_same_version_is_refused(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.INTAKE)
    version = _version_in(html(client.get(f"/trajecten/{case.id}/intake")))
    first = post(client, f"/trajecten/{case.id}/intake", {
        "motivation": "Eerste versie", "work_history": "Bouw", "version": version,
        "opslaan": "1"})
    assert first.status_code == 302
    second = post(client, f"/trajecten/{case.id}/intake", {
        "motivation": "Tweede versie", "work_history": "Zorg", "version": version,
        "opslaan": "1"})
    page = html(second)
    assert second.status_code == 409
    assert STALE in text(second)
    assert "Tweede versie" in page  # the user's input is kept in the form
    assert "Zo staat de intake nu opgeslagen" in page and "Eerste versie" in page
    assert _version_in(page) == str(fresh(case).version)  # a deliberate resend is possible
    db.session.expire_all()
    assert db.session.get(Intake, case.id).motivation == "Eerste versie"  # first is kept


def test_second_plan_save_is_refused(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    version = fresh(case).version
    assert post(client, f"/trajecten/{case.id}/plan",
                {"goal": "Zorg", "version": version}).status_code == 302
    response = post(client, f"/trajecten/{case.id}/plan",
                    {"goal": "Techniek", "version": version})
    assert response.status_code == 409 and STALE in text(response)
    assert "Techniek" in html(response) and "Zo staat het plan nu opgeslagen" in text(response)
    assert db.session.scalar(sa.select(Plan.goal)) == "Zorg"


def test_transition_with_old_version_keeps_the_reason(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    old = fresh(case).version
    service.save_plan(coach, case, {"goal": "iets"}, expected_version=None)
    db.session.flush()
    response = post(client, f"/trajecten/{case.id}/stap", {
        "terug-to": "intake", "terug-reason": "Intake opnieuw doen", "terug-version": old})
    page = html(response)
    assert response.status_code == 409
    assert STALE in text(response)
    assert "Intake opnieuw doen" in page
    assert _version_in(page, "terug-version") == str(fresh(case).version)
    assert fresh(case).status == CaseState.DIAGNOSE


def test_simple_step_with_old_version_is_refused(client, coach):
    case = CaseFactory(coach=coach)
    old = fresh(case).version
    assert post(client, f"/trajecten/{case.id}/stap",
                {"stap-to": "intake", "stap-version": old}).status_code == 302
    response = post(client, f"/trajecten/{case.id}/stap",
                    {"stap-to": "gepauzeerd", "stap-version": old})
    assert response.status_code == 409 and STALE in text(response)
    assert fresh(case).status == CaseState.INTAKE


def test_candidate_edit_with_old_version(client, coach):
    case = CaseFactory(coach=coach)
    page = html(client.get(f"/trajecten/{case.id}/gegevens"))
    version = _version_in(page)
    service.update_candidate(coach, case, {"phone": "0699999999"}, expected_version=None)
    db.session.flush()
    candidate = fresh(case).candidate
    data = {
        "first_name": "Ander", "last_name": candidate.last_name,
        "birth_date": candidate.birth_date.isoformat(), "postcode": "3511 AB",
        "municipality_id": candidate.municipality_id, "education_level": "mbo2",
        "work_status": "werkzoekend", "benefit": "ww", "target_group": "werkzoekenden",
        "referral_partner": "uwv", "version": version}
    response = post(client, f"/trajecten/{case.id}/gegevens", data)
    assert response.status_code == 409 and STALE in text(response)
    assert 'value="Ander"' in html(response)
    assert fresh(case).candidate.first_name != "Ander"
    assert fresh(case).candidate.phone == "0699999999"


def test_reassign_and_transfer_with_old_version(client, coach):
    case = CaseFactory(coach=coach)
    colleague = UserFactory(role="coach", regions=["MU"])
    old = fresh(case).version
    service.transition(coach, case, "intake", expected_version=None)
    db.session.flush()
    response = post(client, f"/trajecten/{case.id}/coach",
                    {"coach-coach_id": colleague.id, "coach-version": old})
    assert response.status_code == 409 and fresh(case).coach_id == coach.id
    response = post(client, f"/trajecten/{case.id}/overdracht", {
        "overdracht-to_region_code": "AM", "overdracht-reason": "Verhuist",
        "overdracht-version": old})
    assert response.status_code == 409 and STALE in text(response)
    assert "Verhuist" in html(response)


def test_two_saves_at_the_same_moment(client, coach, monkeypatch):
    """Both requests passed the version check; the database's version check refuses one."""
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    version = fresh(case).version
    real_save_plan = service.save_plan

    def save_plan_while_someone_else_commits(*args, **kwargs):
        # Another request commits its change after this one loaded the case (straight on the
        # connection, so this session still holds the old version in memory).
        db.session.connection().execute(
            sa.update(Case.__table__).where(Case.__table__.c.id == case.id)
            .values(version=Case.__table__.c.version + 1))
        return real_save_plan(*args, **kwargs)

    monkeypatch.setattr(service, "save_plan", save_plan_while_someone_else_commits)
    response = post(client, f"/trajecten/{case.id}/plan", {"goal": "Mijn doel",
                                                           "version": version})
    assert response.status_code == 409
    assert STALE in text(response) and "Mijn doel" in html(response)
    assert db.session.scalar(sa.select(sa.func.count(Plan.case_id))) == 0
