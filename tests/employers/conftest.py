"""Fixtures for the employers tests: cases with consent, a shared employer, query counting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rmt import clock
from rmt.auth.models import Role, User
from rmt.cases.models import Case
from rmt.employers import contacts, vacancies
from rmt.employers.models import ContactMoment, Employer, Placement, Proposal, Vacancy
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import (
    CaseFactory,
    EmployerFactory,
    ProfileConsentFactory,
    UserFactory,
    VacancyFactory,
)
from tests.querycount import count_statements as count_queries

__all__ = ["count_queries", "liaison_of", "make_case"]


def make_case(region: str = "MU", status: CaseState = CaseState.BEMIDDELING, *,
              consent: bool = True, **kwargs) -> Case:
    """A case in ``status``; with ``consent`` its candidate agreed to share the work profile."""
    case = CaseFactory(region_code=region, status=status, **kwargs)
    if consent:
        ProfileConsentFactory(candidate=case.candidate, recorded_by_id=case.coach_id,
                              given_on=clock.today() - timedelta(days=30))
    db.session.flush()
    return case


def liaison_of(region: str) -> User:
    return UserFactory(role=Role.LIAISON, regions=[region])


@pytest.fixture
def liaison_mu() -> User:
    return liaison_of("MU")


class World:
    """A shared employer (MU and FV) with, for each of MU and FV, a case with consent that was
    proposed for a vacancy of its region and placed; plus a contact moment with follow-up."""

    def __init__(self) -> None:
        self.employer: Employer = EmployerFactory(regions=["MU", "FV"], name="Gedeeld Bedrijf")
        self.liaison: dict[str, User] = {}
        self.case: dict[str, Case] = {}
        self.vacancy: dict[str, Vacancy] = {}
        self.proposal: dict[str, Proposal] = {}
        self.placement: dict[str, Placement] = {}
        self.moment: dict[str, ContactMoment] = {}
        for region in ("MU", "FV"):
            liaison = self.liaison[region] = liaison_of(region)
            case = self.case[region] = make_case(region)
            vacancy = self.vacancy[region] = VacancyFactory(
                employer=self.employer, region_code=region, created_by=liaison)
            proposal = self.proposal[region] = vacancies.propose(liaison, case, vacancy)
            vacancies.transition_proposal(liaison, proposal, "gesprek")
            vacancies.transition_proposal(
                liaison, proposal, "aangenomen", fill_vacancy=False,
                placement={"start_on": clock.today() - timedelta(days=40),
                           "contract_type": "tijdelijk"})
            self.placement[region] = proposal.placement
            self.moment[region] = contacts.record_contact_moment(liaison, self.employer, {
                "region_code": region, "contact_on": clock.today(), "kind": "bezoek",
                "summary": f"Bezoek {region}", "follow_up_on": clock.today() + timedelta(days=3),
                "follow_up_owner_id": liaison.id})
        db.session.flush()


@pytest.fixture
def world() -> World:
    return World()
