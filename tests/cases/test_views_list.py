"""The region's case list (/trajecten) and the start pages of coach and coordinator."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest

from rmt.auth.models import User
from rmt.cases import queries
from rmt.cases.models import ReferralPartner, TargetGroup
from rmt.db_types import utcnow
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CandidateFactory, CaseFactory, TaskFactory, UserFactory
from tests.helpers import html, text
from tests.querycount import count_statements


def _names(response) -> list[str]:
    """Candidate names in the order of the list's rows."""
    return re.findall(r'<a class="utrecht-link" href="/trajecten/\d+">([^<]+)</a>', html(response))


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU", name="Sanne Coach")


@pytest.fixture
def cases(coach):
    other_coach = UserFactory(role="coach", regions=["MU"], name="Daan Collega")
    made = {
        "ali": CaseFactory(coach=coach, status=CaseState.INTAKE, opened_on=date(2025, 1, 10),
                           candidate=CandidateFactory(
                               first_name="Ali", last_name="Bakker", email="ali@voorbeeld.nl",
                               phone="0611111111", target_group=TargetGroup.WERKENDEN,
                               referral_partner=ReferralPartner.UWV)),
        "bea": CaseFactory(coach=other_coach, status=CaseState.PLAN,
                           opened_on=date(2025, 6, 1),
                           candidate=CandidateFactory(
                               first_name="Bea", name_prefix="de", last_name="Jong",
                               email="bea@voorbeeld.nl", phone="0622222222",
                               target_group=TargetGroup.ZZP,
                               referral_partner=ReferralPartner.GEMEENTE)),
        "cor": CaseFactory(coach=coach, status=CaseState.AFGESLOTEN, opened_on=date(2024, 3, 1),
                           candidate=CandidateFactory(
                               first_name="Cor", last_name="Visser", email="cor@voorbeeld.nl",
                               phone="0633333333")),
        "fv": CaseFactory(region_code="FV", candidate=CandidateFactory(
            first_name="Femke", last_name="Anders")),
    }
    made["ali"].status_since = utcnow() - timedelta(days=40)
    made["bea"].status_since = utcnow() - timedelta(days=3)
    db.session.flush()
    return made


def test_region_list_shows_open_cases_of_the_region_only(client, cases):
    response = client.get("/trajecten")
    assert response.status_code == 200
    assert _names(response) == ["Bakker, Ali", "Jong, Bea de"]
    page = text(response)
    assert "2 trajecten gevonden" in page and "Intake" in page and "Daan Collega" in page
    assert "Femke" not in page


@pytest.mark.parametrize(("query", "expected"), [
    ("stap=plan", ["Jong, Bea de"]),
    ("stap=afgesloten", ["Visser, Cor"]),
    ("stap=alle", ["Bakker, Ali", "Jong, Bea de", "Visser, Cor"]),
    ("doelgroep=zzp", ["Jong, Bea de"]),
    ("verwijzer=uwv", ["Bakker, Ali"]),
    ("van=2025-05-01", ["Jong, Bea de"]),
    ("tot=2025-05-01", ["Bakker, Ali"]),
    ("van=2025-01-01&tot=2025-12-31&stap=alle", ["Bakker, Ali", "Jong, Bea de"]),
    ("q=bea", ["Jong, Bea de"]),
    ("q=bea+de+jong", ["Jong, Bea de"]),
    ("q=ALI%40voorbeeld", ["Bakker, Ali"]),
    ("q=06+2222", ["Jong, Bea de"]),
    ("q=femke", []),
    ("q=100%25", []),
    ("sorteer=stap&richting=af", ["Jong, Bea de", "Bakker, Ali"]),
    ("sorteer=dagen", ["Jong, Bea de", "Bakker, Ali"]),
    ("sorteer=dagen&richting=af", ["Bakker, Ali", "Jong, Bea de"]),
    ("sorteer=geopend&richting=af", ["Jong, Bea de", "Bakker, Ali"]),
    ("sorteer=naam&richting=af", ["Jong, Bea de", "Bakker, Ali"]),
])
def test_filters_search_and_sorting(client, cases, query, expected):
    response = client.get(f"/trajecten?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_filter_by_coach(client, coach, cases):
    assert _names(client.get(f"/trajecten?coach={coach.id}")) == ["Bakker, Ali"]


def test_lists_of_one_shape_share_a_statement_not_its_values(client, login_as, coach, cases):
    """An unsearched list's statements are kept per shape of its filters; each request binds
    its own values and regions."""
    queries._kept_list_statements.cache_clear()
    for query, expected in [("stap=intake", ["Bakker, Ali"]), ("stap=plan", ["Jong, Bea de"]),
                            ("doelgroep=zzp", ["Jong, Bea de"]),
                            ("doelgroep=werkenden", ["Bakker, Ali"]),
                            ("van=2025-05-01", ["Jong, Bea de"]),
                            ("van=2024-01-01", ["Bakker, Ali", "Jong, Bea de"])]:
        assert _names(client.get(f"/trajecten?{query}")) == expected, query
    assert queries._kept_list_statements.cache_info().currsize == 3
    login_as("coach", "FV")
    assert _names(client.get("/trajecten")) == ["Anders, Femke"]


@pytest.mark.parametrize("query", [
    "stap=vakantie", "coach=abc", "coach=999999", "doelgroep=iedereen", "verwijzer=buur",
    "van=2025-13-45", "tot=gisteren", "q=" + "x" * 101,
])
def test_invalid_filters_are_reported_and_ignored(client, cases, query):
    response = client.get(f"/trajecten?{query}")
    assert response.status_code == 400
    page = text(response)
    assert "Het formulier is niet opgeslagen." in page or "Verbeter" in page
    assert _names(response) == ["Bakker, Ali", "Jong, Bea de"]  # the bad filter is ignored


def test_end_date_before_start_date_is_reported(client, cases):
    response = client.get("/trajecten?van=2025-06-01&tot=2025-01-01")
    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum." in text(response)
    assert _names(response) == ["Jong, Bea de"]  # the valid start date still applies


@pytest.mark.parametrize("query", ["sorteer=geheim", "richting=zijwaarts", "pagina=abc",
                                   "pagina=-3", "pagina=99999999999999999999", "onbekend=1"])
def test_odd_sort_and_paging_values_fall_back(client, cases, query):
    response = client.get(f"/trajecten?{query}")
    assert response.status_code == 200
    assert _names(response)


def test_pagination_25_per_page(client, coach):
    for n in range(27):
        CaseFactory(coach=coach, candidate=CandidateFactory(first_name="K", last_name=f"N{n:02d}"))
    db.session.flush()
    first = client.get("/trajecten")
    assert len(_names(first)) == 25
    page = text(first)
    assert "27 trajecten gevonden, 1 tot en met 25 getoond" in page
    assert "Pagina 1 van 2" in page and 'rel="next"' in html(first)
    second = client.get("/trajecten?pagina=2")
    assert _names(second) == ["N25, K", "N26, K"]
    assert 'aria-current="page"' in html(second)
    beyond = client.get("/trajecten?pagina=9")
    assert _names(beyond) == ["N25, K", "N26, K"]


def test_sort_links_keep_filters_and_mark_the_column(client, cases):
    page = html(client.get("/trajecten?doelgroep=zzp&sorteer=dagen"))
    assert 'aria-sort="ascending"' in page
    assert 'href="/trajecten?doelgroep=zzp&amp;sorteer=dagen&amp;richting=af"' in page


def test_coordinator_sees_region_read_only(client, login_as, cases):
    login_as("coordinator", "MU")
    response = client.get("/trajecten")
    assert _names(response) == ["Bakker, Ali", "Jong, Bea de"]
    assert "Nieuwe aanmelding" not in text(response)
    assert "U kunt ze lezen, niet wijzigen." in text(response)


def test_liaison_and_admin_get_no_case_list(client, login_as):
    for role in ("liaison", "admin"):
        login_as(role, "MU")
        assert client.get("/trajecten").status_code == 403


def test_case_list_query_count_does_not_grow(client, coach):
    coach_id = coach.id

    def measure(n: int) -> int:
        coach = db.session.get(User, coach_id)
        for _ in range(n):
            CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
        db.session.flush()
        db.session.expunge_all()
        with count_statements() as statements:
            assert client.get("/trajecten?stap=alle&sorteer=dagen").status_code == 200
        return len(statements)

    few = measure(3)
    many = measure(30)
    assert few == many, (few, many)


def test_a_list_page_and_its_count_are_one_statement(client, coach):
    for _ in range(3):
        CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    db.session.flush()
    with count_statements() as statements:
        response = client.get("/trajecten")
    assert response.status_code == 200 and "3 trajecten gevonden" in text(response)
    reads = [s for s in statements if "case_file" in s and "audit" not in s]
    assert len(reads) == 1, reads
    assert "count(" in reads[0]


# --- start pages -------------------------------------------------------------------------------


def test_coach_start_page(client, coach):
    today = date.today()
    late = CaseFactory(coach=coach, status=CaseState.INTAKE,
                       candidate=CandidateFactory(first_name="Ali", last_name="Bakker"))
    late.status_since = utcnow() - timedelta(days=12)
    TaskFactory(case=late, owner=coach, title="Cv nabespreken", due_on=today - timedelta(days=3))
    TaskFactory(case=late, owner=coach, title="Vacatures sturen", due_on=today + timedelta(days=5))
    quiet = CaseFactory(coach=coach, status=CaseState.PLAN,
                        candidate=CandidateFactory(first_name="Bea", last_name="Jong"))
    CaseFactory(coach=coach, status=CaseState.AFGESLOTEN,
                candidate=CandidateFactory(first_name="Cor", last_name="Dicht"))
    db.session.flush()
    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    assert "Mijn lopende trajecten (2)" in page and "Cor" not in page
    assert "Bakker, Ali Intake 12 Cv nabespreken" in page
    assert "(te laat) 1" in page
    assert f"Jong, Bea {'Trajectplan'} 0 — 0" in page or "Jong, Bea Trajectplan" in page
    assert "Acties te laat 1 Acties voor vandaag 0 Trajecten met acties te laat 1" in page
    # overdue first, marked in words
    assert page.index("Cv nabespreken") < page.index("Vacatures sturen")
    assert "Te laat" in page
    assert "Uw team" in page
    assert quiet.id


def test_coach_start_page_query_count_does_not_grow(client, coach):
    coach_id = coach.id

    def measure(n: int) -> int:
        coach = db.session.get(User, coach_id)
        for i in range(n):
            case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
            TaskFactory(case=case, owner=coach, due_on=date.today() - timedelta(days=i % 3))
            TaskFactory(case=case, owner=coach, due_on=date.today() + timedelta(days=i))
        db.session.flush()
        db.session.expunge_all()
        with count_statements() as statements:
            response = client.get("/")
        assert response.status_code == 200
        return len(statements)

    few = measure(3)
    many = measure(30)
    assert few == many, (few, many)


def test_coordinator_start_page(client, login_as):
    coordinator = login_as("coordinator", "MU")
    case = CaseFactory(status=CaseState.INTAKE)
    CaseFactory(status=CaseState.INTAKE)
    CaseFactory(status=CaseState.PLAN)
    CaseFactory(region_code="FV", status=CaseState.PLAN)
    TaskFactory(case=case, due_on=date.today() - timedelta(days=1))
    incoming = CaseFactory(region_code="AM")
    from rmt.cases import service

    service.request_transfer(incoming.coach, incoming, to_region_code="MU", reason="Verhuisd",
                             expected_version=None)
    db.session.flush()
    response = client.get("/")
    page = text(response)
    assert "Intake 2" in page and "Trajectplan 1" in page
    assert "3 lopende trajecten in uw regio" in page
    assert "Wacht op u" in page
    assert "Overdrachtsverzoeken naar uw regio 1" in page
    assert 'href="/overdrachten"' in html(response)
    assert "1 actie in uw regio is te laat" in page
    assert 'href="/trajecten?stap=intake"' in html(response)
    assert coordinator.id


def test_coordinator_start_page_query_count_does_not_grow(client, login_as):
    login_as("coordinator", "MU")

    def measure(n: int) -> int:
        for _ in range(n):
            TaskFactory(case=CaseFactory(status=CaseState.PLAN), due_on=date(2020, 1, 1))
        db.session.flush()
        db.session.expunge_all()
        with count_statements() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    assert measure(3) == measure(30)


def test_count_is_capped_and_paging_goes_on(client, coach, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 50)
    for n in range(60):
        CaseFactory(coach=coach, candidate=CandidateFactory(first_name="K", last_name=f"N{n:02d}"))
    db.session.flush()
    first = text(client.get("/trajecten"))
    assert "Meer dan 50 trajecten gevonden, 1 tot en met 25 getoond" in first
    assert "Pagina 1 van meer dan 2" in first
    third = client.get("/trajecten?pagina=3")  # beyond the cap: counted up to this page
    assert _names(third) == [f"N{n:02d}, K" for n in range(50, 60)]
    assert "Pagina 3 van 3" in text(third)
    with count_statements() as capped:
        client.get("/trajecten")
    monkeypatch.setattr(queries, "COUNT_CAP", 1000)
    with count_statements() as uncapped:
        client.get("/trajecten")
    assert len(capped) == len(uncapped)


def test_a_list_row_holds_its_own_cases_values(coach):
    """The list reads its rows as columns (queries.CaseRow): every value is the case's own,
    in the field it belongs to, whatever the order of the statement's columns."""
    shown = [f.name for f in dataclasses.fields(queries.CaseRow)]
    read = [column.key for column in queries._ROW_COLUMNS]
    assert shown[:-1] == read[:-1]  # days_in_step is computed from status_since
    candidate = CandidateFactory(first_name="Anna", name_prefix="van der", last_name="Berg",
                                 target_group=TargetGroup.ZZP,
                                 referral_partner=ReferralPartner.UWV)
    case = CaseFactory(coach=coach, candidate=candidate, status=CaseState.PLAN,
                       opened_on=date(2026, 3, 4), status_since=utcnow() - timedelta(days=3))
    assert queries.days_since(case.status_since) in (2, 3)  # 2 across a clock change
    (row,) = queries.list_cases(coach, queries.CaseFilters(q="anna")).rows
    assert row == queries.CaseRow(
        id=case.id, region_code=case.region_code, status=CaseState.PLAN,
        opened_on=date(2026, 3, 4), coach_name=coach.name, first_name="Anna",
        name_prefix="van der", last_name="Berg", target_group=TargetGroup.ZZP,
        referral_partner=ReferralPartner.UWV, days_in_step=queries.days_since(case.status_since))
    assert (row.sort_name, row.full_name) == (candidate.sort_name, candidate.full_name)
    assert row.sort_name == "Berg, Anna van der"
