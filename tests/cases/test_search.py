"""The case search: accents and case ignored, a case number finds its case, region scoped, kept
up to date by every service that writes a name, a fixed number of statements."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases import search, service
from rmt.cases.models import Candidate, Case
from rmt.cases.queries import CaseFilters, list_cases
from rmt.extensions import db
from rmt.privacy.anonymise import anonymise
from rmt.privacy.service import find_candidates
from tests.factories import CandidateFactory, CaseFactory, UserFactory
from tests.helpers import html
from tests.querycount import count_statements


def names(user, q: str) -> list[str]:
    page = list_cases(user, CaseFilters(q=q, status="alle"))
    return [row.full_name for row in page.rows]


def person(coach, first: str, last: str, prefix: str = "", region: str = "MU", **fields) -> Case:
    case = CaseFactory(coach=coach if region in coach.region_codes else
                       UserFactory(role="coach", regions=[region]), region_code=region,
                       candidate=CandidateFactory(first_name=first, name_prefix=prefix,
                                                  last_name=last, **fields))
    db.session.flush()
    return case


@pytest.mark.parametrize(("text", "expected"), [
    ("Zoë Öztürk", "zoe ozturk"),
    ("  JOSÉ   Müller-Lüdenscheidt ", "jose muller-ludenscheidt"),
    ("Søren Łukasz Æsa Straße", "soren lukasz aesa strasse"),
    ("ﬁne", "fine"),  # compatibility forms too
])
def test_normalise_lowercases_and_strips_accents(text, expected):
    assert search.normalise(text) == expected


@pytest.mark.parametrize(("q", "number", "number_only"), [
    ("301", 301, False), ("Traject 301", 301, True), ("traject-301", 301, True),
    ("T-301", 301, True), ("t301", 301, True), ("#301", 301, True), ("nr. 301", 301, True),
    ("trajectnummer 301", 301, True), ("nummer4711", None, False), ("Jansen", None, False),
    ("301a", None, False),
    ("06-1234 5678", None, False), ("1234567890", None, False),
])
def test_parse_finds_the_case_number(q, number, number_only):
    parsed = search.parse(q)
    assert (parsed.case_number, parsed.number_only) == (number, number_only)


def test_accents_and_case_are_ignored_both_ways(coach):
    person(coach, "Zoë", "Öztürk")
    person(coach, "Jose", "Garcia", email="JOSE@voorbeeld.nl")
    person(coach, "Bea", "Jong", prefix="de")
    assert names(coach, "zoe ozturk") == ["Zoë Öztürk"]
    assert names(coach, "ZOË") == ["Zoë Öztürk"]
    assert names(coach, "öZTÜRK") == ["Zoë Öztürk"]
    assert names(coach, "José garcía") == ["Jose Garcia"]
    assert names(coach, "jose@voorbeeld") == ["Jose Garcia"]
    assert names(coach, "bea de jong") == ["Bea de Jong"]
    assert names(coach, "de") == ["Bea de Jong"]  # shorter than a trigram
    assert names(coach, "zt") == ["Zoë Öztürk"]
    assert names(coach, "100%") == [] and names(coach, '"') == []
    assert names(coach, "garcia zoe") == []  # every word must match


def test_phone_number_with_separators(coach):
    person(coach, "Piet", "Vries", phone="0622223333")
    assert names(coach, "06-2222 3333") == ["Piet Vries"]
    assert names(coach, "2222") == ["Piet Vries"]


def test_a_case_number_finds_the_case_and_comes_first(coach):
    target = person(coach, "Anna", "Zwart")
    number = str(target.id)
    # Someone whose phone number contains the case number (sorted before Zwart by name).
    person(coach, "Bram", "Appel", phone=f"0612{number:0>6}")
    for q in (f"Traject {target.id}", f"traject-{target.id}", f"T-{target.id}",
              f"#{target.id}"):
        assert names(coach, q) == ["Anna Zwart"], q
    assert names(coach, number) == ["Anna Zwart", "Bram Appel"]
    assert names(coach, f"Traject {target.id + 1000}") == []


def test_another_regions_case_is_never_found(coach):
    mine = person(coach, "Karin", "Visser")
    theirs = person(coach, "Karin", "Visser", region="AM")
    assert [row.id for row in list_cases(coach, CaseFilters(q="karin", status="alle")).rows
            ] == [mine.id]
    assert list_cases(coach, CaseFilters(q=f"Traject {theirs.id}", status="alle")).rows == []
    # a bare number may match a phone number or e-mail address of one's own region, never
    # the other region's case
    found = list_cases(coach, CaseFilters(q=str(theirs.id), status="alle")).rows
    assert theirs.id not in [row.id for row in found]


def test_services_keep_the_search_text_up_to_date(coach):
    case = service.register(coach, region_code="MU", candidate_data=dict(
        first_name="Renée", name_prefix="", last_name="Ólafsdóttir", birth_date=date(1990, 1, 1),
        email="", phone="06 1234 5678", postcode="3511AB",
        municipality_id=CandidateFactory.build().municipality_id,
        education_level="mbo2", work_status="werkzoekend", benefit="ww",
        target_group="werkzoekenden", referral_partner="uwv"))
    assert case.candidate.search_text == "renee olafsdottir 0612345678"
    assert names(coach, "olafs") == ["Renée Ólafsdóttir"]

    service.update_candidate(coach, case, {"last_name": "Ærø"}, expected_version=None)
    db.session.flush()
    assert names(coach, "aero") == ["Renée Ærø"]
    assert names(coach, "olafs") == []  # the old name is out of the index too

    anonymise(case.candidate)
    db.session.flush()
    assert names(coach, "renee") == [] and names(coach, "0612345678") == []
    assert case.candidate.search_text == search.search_text_of(
        "Geanonimiseerd", "", "Geanonimiseerd", "", "")


def test_every_candidate_row_has_its_search_text(coach):
    """What the services and the factories write agrees with :func:`search.search_text_of`."""
    person(coach, "Émile", "Zola", email="e@voorbeeld.nl")
    service.register(coach, region_code="MU", candidate_data=dict(
        first_name="Ümit", name_prefix="van", last_name="Dam", birth_date=date(1990, 1, 1),
        email="u@voorbeeld.nl", phone="", postcode="3511AB",
        municipality_id=CandidateFactory.build().municipality_id,
        education_level="mbo2", work_status="werkzoekend", benefit="ww",
        target_group="werkzoekenden", referral_partner="uwv"))
    db.session.flush()
    for c in db.session.scalars(sa.select(Candidate)):
        assert c.search_text == search.search_text_of(
            c.first_name, c.name_prefix, c.last_name, c.email, c.phone)


def test_privacy_search_uses_the_same_normalised_search(login_as):
    officer = UserFactory(role="coordinator", regions=["MU"])
    case = person(UserFactory(role="coach", regions=["MU"]), "Zoë", "Öztürk")
    other = person(UserFactory(role="coach", regions=["AM"]), "Zoë", "Öztürk", region="AM")
    assert [c.id for c in find_candidates(officer, "zoe OZTURK")] == [case.candidate_id]
    assert [c.id for c in find_candidates(officer, f"Traject {case.id}")] == [case.candidate_id]
    assert find_candidates(officer, str(other.id)) == []
    assert find_candidates(officer, "\u0301") == []  # only an accent: nothing to search


def _list_statements(client, q: str) -> int:
    with count_statements(cold=True) as statements:
        response = client.get("/trajecten", query_string={"q": q, "stap": "alle"})
    assert response.status_code == 200
    return len(statements)


def _api_statements(client, headers, q: str) -> int:
    with count_statements(cold=True) as statements:
        response = client.get("/api/v1/cases", query_string={"q": q}, headers=headers)
    assert response.status_code == 200
    return len(statements)


def test_search_statements_do_not_grow_with_the_matches(client, login_as, bearer):
    user = login_as("coach", "MU")
    person(user, "Een", "Enkele")
    for n in range(12):
        person(user, f"Veel{n}", "Velen", phone=f"06777{n:05d}")
    number = person(user, "Num", "Mer").id
    headers = bearer(user)
    counts = {q: _list_statements(client, q) for q in ("enkele", "velen", "06777", str(number),
                                                       f"Traject {number}")}
    assert len(set(counts.values())) == 1, counts
    _api_statements(client, headers, "")  # the token's first use is written once a minute
    counts = {q: _api_statements(client, headers, q) for q in ("enkele", "velen", str(number))}
    assert len(set(counts.values())) == 1, counts


def test_html_list_and_api_find_by_number(client, login_as, bearer):
    user = login_as("coach", "MU")
    case = person(user, "Anna", "Zwart")
    body = html(client.get("/trajecten", query_string={"q": f"Traject {case.id}"}))
    assert "Zwart, Anna" in body
    response = client.get("/api/v1/cases", query_string={"q": f"T-{case.id}"},
                          headers=bearer(user))
    assert [item["id"] for item in response.json["items"]] == [case.id]
