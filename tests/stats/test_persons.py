"""Unique persons started, jongeren (derived) and the banenafspraak (issue 20, item 3), asserted
exactly on the known history of conftest plus a second case of one person."""

from __future__ import annotations

from datetime import date

import pytest

from rmt.cases.models import Case, CaseEvent, age_on, is_jongere
from rmt.extensions import db
from rmt.process import CaseState
from rmt.stats import service
from rmt.stats.service import TOTAL, Dimension, Scope
from rmt.stats.tables import page_tables
from tests.cases.test_api import api_for, new_candidate
from tests.factories import CandidateFactory, CaseFactory
from tests.helpers import html
from tests.stats.conftest import PERIOD, at

ALL = Scope(("MU", "AM", "GV", "FV"))


@pytest.mark.parametrize(("born", "registered", "young"), [
    (date(1999, 1, 16), date(2026, 1, 15), True),    # 26, a day before the 27th birthday
    (date(1999, 1, 15), date(2026, 1, 15), False),   # 27 that very day
    (date(2000, 2, 29), date(2027, 2, 28), True),    # leap-day birthday not yet reached
    (date(1960, 5, 1), date(2026, 1, 1), False),
])
def test_jongere_is_under_27_on_the_registration_date(born, registered, young):
    assert is_jongere(born, registered) is young
    assert (age_on(born, registered) < 27) is young


@pytest.fixture
def persons_history(history):
    cases = history.cases
    a = cases["A"].candidate
    a.birth_date = date(2000, 3, 1)             # 25 when A was registered: jongere
    cases["B"].candidate.birth_date = date(1999, 1, 15)  # 27 on B's registration day
    for key in ("C", "E", "G"):
        cases[key].candidate.birth_date = date(1980, 1, 1)
    cases["G"].candidate.banenafspraak = True
    # A's person comes back after the first case closed: a second case, in AM.
    second = Case(candidate=a, region_code="AM", coach=history.c3,
                  status=CaseState.AANGEMELD, opened_on=date(2026, 5, 20))
    db.session.add(second)
    db.session.add(CaseEvent(case=second, region_code="AM", at=at("2026-05-20"),
                             to_status=CaseState.AANGEMELD, user_id=history.c3.id))
    db.session.flush()
    return history


def test_persons_started_count_each_person_once(persons_history):
    persons = service.persons_started(ALL, PERIOD)
    # Cases registered in the period: A, B, C, E (MU), G and A's second case (AM).
    assert service.intake_and_funnel(ALL, PERIOD)[("aangemeld", TOTAL)] == 6
    assert persons[("personen", TOTAL)] == 5
    assert persons[("personen", "MU")] == 4 and persons[("personen", "AM")] == 2
    assert persons[("jongeren", TOTAL)] == 1 and persons[("jongeren", "AM")] == 1
    assert persons[("banenafspraak", TOTAL)] == 1 and persons[("banenafspraak", "AM")] == 1
    assert ("banenafspraak", "MU") not in persons
    # Target groups: A, C, E werkzoekenden; B werkenden; G zzp.
    assert persons[("tg:werkzoekenden", TOTAL)] == 3
    assert persons[("tg:werkenden", TOTAL)] == 1 and persons[("tg:zzp", TOTAL)] == 1


def test_persons_by_target_group_and_with_a_filter(persons_history):
    by_group = service.persons_started(ALL, PERIOD, Dimension.TARGET_GROUP)
    assert by_group[("personen", "werkzoekenden")] == 3
    assert by_group[("personen", TOTAL)] == 5
    coach = service.persons_started(Scope(("MU", "AM"), coach_id=persons_history.c3.id), PERIOD)
    assert coach[("personen", TOTAL)] == 3  # C (registered in MU), G and A's second case


def test_statistics_page_shows_unique_persons(client, login_as, persons_history):
    figures = service.pipeline(ALL, PERIOD)
    table = page_tables(figures)["personen"]
    assert table.cell("personen", "totaal").value == 5
    assert table.cell("jongeren", "AM").value == 1
    login_as("coordinator", "MU")
    page = html(client.get("/cijfers/", query_string={"van": "2026-01-01", "tot": "2026-06-30"}))
    assert "Unieke personen gestart" in page and "Jongeren (onder 27 bij aanmelding)" in page


def test_banenafspraak_on_form_api_and_case_page(app, client, login_as):
    coach = login_as("coach", "MU")
    case = CaseFactory(coach=coach, candidate=CandidateFactory(
        birth_date=date(2005, 6, 1)), opened_on=date(2026, 1, 10))
    db.session.flush()
    page = html(client.get(f"/trajecten/{case.id}"))
    assert "Banenafspraak" in page and "Jongere (onder 27 bij aanmelding)" in page
    assert 'name="banenafspraak"' in html(client.get("/trajecten/nieuw"))
    api = api_for(app, client, coach)
    response = api.post("/api/v1/cases", {"candidate": new_candidate(banenafspraak=True),
                                          "region": "MU"})
    assert response.status_code == 201, response.json
    assert response.json["candidate"]["banenafspraak"] is True
