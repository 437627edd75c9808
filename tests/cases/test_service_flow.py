"""The case lifecycle through the service: the rules of rmt.process applied to real rows."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases import service
from rmt.cases.models import Case, CaseEvent
from rmt.errors_domain import Conflict, DomainError, StaleVersion
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CandidateFactory, CaseFactory, coded

NEW_CANDIDATE = {
    "first_name": "Fatma", "name_prefix": "", "last_name": "Yildiz",
    "birth_date": date(1985, 3, 14), "email": "Fatma@Voorbeeld.nl", "phone": "06-1234 5678",
    "postcode": "3511ab", "municipality_id": None, "education_level": "mbo2",
    "has_startkwalificatie": True, "work_status": "werkzoekend", "benefit": "ww",
    "target_group": "werkzoekenden", "referral_partner": "uwv",
}


@pytest.fixture
def candidate_data():
    from rmt.regions.models import Municipality

    utrecht = db.session.scalar(sa.select(Municipality.id).where(Municipality.name == "Utrecht"))
    return {**NEW_CANDIDATE, "municipality_id": utrecht}


def test_register_normalises_and_records_first_event(coach, candidate_data):
    case = service.register(coach, candidate_data=candidate_data, region_code="MU")
    assert case.status == CaseState.AANGEMELD and case.coach is coach
    assert case.candidate.postcode == "3511 AB"
    assert case.candidate.email == "fatma@voorbeeld.nl"
    assert case.candidate.phone == "0612345678"
    assert [(e.from_status, e.to_status) for e in case.events] == [(None, CaseState.AANGEMELD)]


def test_walk_to_uitvoering_with_guards(coach, candidate_data):
    case = service.register(coach, candidate_data=candidate_data, region_code="MU")
    service.transition(coach, case, "intake", expected_version=case.version)
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, case, "diagnose", expected_version=case.version)
    assert excinfo.value.code == "intake_incomplete"
    service.save_intake(coach, case, {"motivation": "Wil de zorg in", "work_history": "Retail"},
                        complete=True, expected_version=case.version)
    service.transition(coach, case, "diagnose", expected_version=case.version)
    service.transition(coach, case, "plan", expected_version=case.version)
    with pytest.raises(DomainError):
        service.transition(coach, case, "uitvoering", expected_version=case.version)
    service.add_activity(coach, case, description="Opleiding helpende zorg", due_on=None, **coded(),
                         expected_version=case.version)
    service.transition(coach, case, "uitvoering", expected_version=case.version)
    db.session.flush()
    assert case.status == CaseState.UITVOERING
    statuses = db.session.scalars(
        sa.select(CaseEvent.to_status).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    assert list(statuses) == ["aangemeld", "intake", "diagnose", "plan", "uitvoering"]


def test_invalid_transition_is_conflict_naming_allowed(coach):
    case = CaseFactory(coach=coach)
    with pytest.raises(Conflict) as excinfo:
        service.transition(coach, case, "geplaatst", expected_version=case.version)
    assert excinfo.value.extra["allowed"] == ["intake", "gepauzeerd", "afgesloten"]


def test_pause_resume_and_close(coach):
    case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    service.transition(coach, case, "gepauzeerd", expected_version=case.version)
    assert case.paused_from == CaseState.DIAGNOSE
    with pytest.raises(Conflict):
        service.transition(coach, case, "plan", expected_version=case.version)
    service.transition(coach, case, "diagnose", expected_version=case.version)
    assert case.paused_from is None
    with pytest.raises(DomainError):
        service.transition(coach, case, "afgesloten", expected_version=case.version)
    service.transition(coach, case, "afgesloten", exit_reason="verhuisd_buiten_regio",
                       expected_version=case.version)
    assert case.is_closed and case.closed_on == date.today()
    with pytest.raises(Conflict):
        service.transition(coach, case, "intake", expected_version=case.version)


def test_stale_version_is_refused(coach):
    case = CaseFactory(coach=coach)
    db.session.flush()
    old_version = case.version
    service.transition(coach, case, "intake", expected_version=old_version)
    db.session.flush()
    with pytest.raises(StaleVersion):
        service.transition(coach, case, "aangemeld", reason="x", expected_version=old_version)


def test_one_open_case_per_candidate(coach):
    candidate = CandidateFactory()
    CaseFactory(candidate=candidate, coach=coach)
    with pytest.raises(Conflict):
        service.register(coach, existing_candidate=candidate, region_code="MU")


def test_database_also_refuses_second_open_case(coach):
    candidate = CandidateFactory()
    CaseFactory(candidate=candidate, coach=coach)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Case(candidate=candidate, region_code="MU", coach=coach,
                            status=CaseState.AANGEMELD, opened_on=date.today()))
        db.session.flush()


def test_audit_summaries_never_hold_the_free_text_of_the_case(coach):
    """Retention anonymises free text; the append-only audit trail must not keep a copy of it."""
    from rmt.audit.models import AuditEntry

    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    secret = "Schuldhulpverlening via wijkteam Overvecht"
    service.add_activity(coach, case, description=secret, due_on=None, **coded(),
                         expected_version=None)
    service.add_note(coach, case, contact_on=date.today(), kind="gesprek", text=secret)
    db.session.flush()
    summaries = db.session.scalars(sa.select(AuditEntry.summary).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id))).all()
    assert len(summaries) == 2
    assert not [s for s in summaries if "Schuldhulp" in (s or "")]
