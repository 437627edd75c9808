"""The header's case search (issue 15, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CandidateFactory, CaseFactory, UserFactory
from tests.helpers import html
from tests.querycount import count_statements

BASE = Path(__file__).resolve().parents[2] / "rmt" / "templates" / "base.html"


def test_base_layout_includes_the_header_search_once():
    lines = BASE.read_text(encoding="utf-8").splitlines()
    assert [line.strip() for line in lines].count(
        '{% include "_header_search.html" ignore missing %}') == 1


@pytest.mark.parametrize(("role", "shown"), [
    ("coach", True), ("coordinator", True), ("liaison", False), ("admin", False)])
def test_search_box_for_roles_that_search_cases(client, login_as, role, shown):
    login_as(role, "MU")
    body = html(client.get("/account/wachtwoord"))
    assert ('role="search"' in body) is shown
    if shown:
        assert '<label class="utrecht-form-label rmt-header-search__label" for="kop-zoeken">' \
            'Zoek traject</label>' in body
        assert 'action="/zoeken"' in body


def test_a_case_number_opens_the_case(client, login_as):
    coach = login_as("coach", "MU")
    case = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)  # closed ones too
    db.session.flush()
    for q in (f"Traject {case.id}", f"T-{case.id}", str(case.id)):
        response = client.get("/zoeken", query_string={"q": q})
        assert response.status_code == 302, q
        assert response.headers["Location"] == f"/trajecten/{case.id}", q


def test_a_number_that_also_matches_phone_numbers_lists_the_case_first(client, login_as):
    coach = login_as("coach", "MU")
    case = CaseFactory(coach=coach, candidate=CandidateFactory(last_name="Zwart"))
    db.session.flush()
    CaseFactory(coach=coach, candidate=CandidateFactory(last_name="Appel",
                                                        phone=f"06{case.id:0>8}"))
    db.session.flush()
    response = client.get("/zoeken", query_string={"q": str(case.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/trajecten?q={case.id}&stap=alle"
    body = html(client.get(response.headers["Location"]))
    assert body.index("Zwart, ") < body.index("Appel, ")


def test_names_and_empty_queries_go_to_the_case_list(client, login_as):
    coach = login_as("coach", "MU")
    CaseFactory(coach=coach, candidate=CandidateFactory(first_name="Zoë", last_name="Öztürk"))
    db.session.flush()
    response = client.get("/zoeken", query_string={"q": "  zoe  "})
    assert response.headers["Location"] == "/trajecten?q=zoe&stap=alle"
    assert "Öztürk, Zoë" in html(client.get(response.headers["Location"]))
    assert client.get("/zoeken").headers["Location"] == "/trajecten"
    assert client.get("/zoeken", query_string={"q": "x" * 500}).status_code == 302


def test_another_regions_case_number_is_not_opened(client, login_as):
    login_as("coach", "MU")
    theirs = CaseFactory(coach=UserFactory(role="coach", regions=["AM"]), region_code="AM")
    db.session.flush()
    response = client.get("/zoeken", query_string={"q": f"Traject {theirs.id}"})
    assert response.headers["Location"].startswith("/trajecten?")
    body = html(client.get(response.headers["Location"]))
    assert theirs.candidate.last_name not in body


@pytest.mark.parametrize("role", ["liaison", "admin"])
def test_roles_without_cases_may_not_search(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/zoeken", query_string={"q": "1"}).status_code == 403


def test_statements_do_not_depend_on_the_query(client, login_as):
    coach = login_as("coach", "MU")
    cases = [CaseFactory(coach=coach) for _ in range(5)]
    db.session.flush()
    ids = [c.id for c in cases]
    counts = {}
    for q in (f"Traject {ids[0]}", str(ids[1]), "Traject 999999"):
        with count_statements(cold=True) as statements:
            assert client.get("/zoeken", query_string={"q": q}).status_code == 302
        counts[q] = len(statements)
    assert len(set(counts.values())) == 1, counts
