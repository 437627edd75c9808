"""Fixtures of the praktijkverklaring tests: reference data, a leerbedrijf, a coach with a case,
and ``walk`` to bring a trajectory to a status through the service."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rmt import clock
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.process import CaseState
from tests.factories import CaseFactory
from tests.praktijkverklaring.factories import (
    MboSchoolFactory,
    QualificationFactory,
    make_employer,
)

ORDER = (PvStatus.AANGEVRAAGD, PvStatus.WERKPROCESSEN_VASTGESTELD,
         PvStatus.OVEREENKOMST_GETEKEND, PvStatus.IN_LEREN, PvStatus.BEOORDEELD,
         PvStatus.VASTGESTELD, PvStatus.UITGEREIKT)


@pytest.fixture
def school():
    return MboSchoolFactory(name="ROC Midden Nederland", brin="25PZ")


@pytest.fixture
def qualification():
    return QualificationFactory(crebo="25409", name="Logistiek medewerker",
                                dossier_name="Logistiek")


@pytest.fixture
def leerbedrijf():
    return make_employer(sbb_number="100200300", name="Distributiecentrum Nieuwegein")


@pytest.fixture
def case(coach):
    # A name no page text can hold by chance (a faker surname like "Bud" is in "Budgetten").
    return CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING,
                       candidate__last_name="Zwanenburg-Oudkerk")


@pytest.fixture
def make_trajectory(school, qualification, leerbedrijf):
    """``make_trajectory(case, user)``: a new trajectory with all werkprocessen chosen."""

    def _make(case, user, *, employer=leerbedrijf, praktijkopleider="Karin Verhoef",
              choose=True) -> PvTrajectory:
        trajectory = service.create(
            user, case, school_id=school.id, qualification_id=qualification.id,
            employer_id=employer.id if employer else None, praktijkopleider=praktijkopleider,
            work_process_ids=[wp.id for wp in qualification.work_processes] if choose else None)
        db.session.flush()
        return trajectory

    return _make


def walk(user, trajectory: PvTrajectory, target: PvStatus, *,
         results: tuple[AssessmentResult, ...] | None = None) -> PvTrajectory:
    """Bring ``trajectory`` along the main line to ``target``, assessing on the way."""
    for status in ORDER[ORDER.index(trajectory.status) + 1:ORDER.index(target) + 1]:
        if status == PvStatus.BEOORDEELD:
            for number, wp in enumerate(trajectory.work_processes):
                result = (results[number % len(results)] if results
                          else AssessmentResult.AANGETOOND)
                service.assess(user, trajectory, wp, result=result,
                               assessed_on=clock.today() - timedelta(days=3),
                               assessor_name="Karin Verhoef", expected_version=None)
        service.transition(user, trajectory, status, expected_version=None)
    db.session.flush()
    return trajectory


@pytest.fixture
def walk_to():
    return walk
