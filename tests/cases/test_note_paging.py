"""The case page shows the most recent notes and loads older ones on request ("meer laden")."""

from __future__ import annotations

from datetime import date, timedelta

from rmt.cases.queries import NOTES_PAGE
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CaseFactory, NoteFactory
from tests.helpers import html, text
from tests.querycount import count_statements

MORE = "Meer aantekeningen laden"


def _case_with_notes(coach, n: int) -> int:
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    start = date(2026, 1, 1)
    for i in range(n):
        NoteFactory(case=case, author_id=coach.id, contact_on=start + timedelta(days=i),
                    text=f"Notitie nummer {i:03d} klaar")
    db.session.flush()
    return case.id


def test_case_page_shows_most_recent_notes_and_a_link_for_more(client, login_as):
    coach = login_as("coach", "MU")
    case_id = _case_with_notes(coach, NOTES_PAGE + 5)
    page = text(client.get(f"/trajecten/{case_id}"))
    shown = [i for i in range(NOTES_PAGE + 5) if f"Notitie nummer {i:03d} klaar" in page]
    assert shown == list(range(5, NOTES_PAGE + 5))  # the newest, the oldest five left out
    assert MORE in page
    assert f"/trajecten/{case_id}?aantekeningen={NOTES_PAGE * 2}#aantekeningen" in html(
        client.get(f"/trajecten/{case_id}"))
    response = client.get(f"/trajecten/{case_id}?aantekeningen={NOTES_PAGE * 2}")
    page = text(response)
    assert all(f"Notitie nummer {i:03d} klaar" in page for i in range(NOTES_PAGE + 5))
    assert MORE not in page


def test_no_link_when_every_note_is_shown(client, login_as):
    coach = login_as("coach", "MU")
    case_id = _case_with_notes(coach, NOTES_PAGE)
    assert MORE not in text(client.get(f"/trajecten/{case_id}"))


def test_an_invalid_or_small_limit_shows_the_first_page(client, login_as):
    coach = login_as("coach", "MU")
    case_id = _case_with_notes(coach, NOTES_PAGE + 1)
    for limit in ("0", "-3", "abc", "1"):
        page = text(client.get(f"/trajecten/{case_id}?aantekeningen={limit}"))
        assert sum(f"Notitie nummer {i:03d} klaar" in page
                   for i in range(NOTES_PAGE + 1)) == NOTES_PAGE


def test_note_pages_run_the_same_statements(client, login_as):
    coach = login_as("coach", "MU")
    few, many = _case_with_notes(coach, 2), _case_with_notes(coach, NOTES_PAGE * 3)
    counts = []
    for url in (f"/trajecten/{few}", f"/trajecten/{many}",
                f"/trajecten/{many}?aantekeningen={NOTES_PAGE * 2}"):
        with count_statements(cold=True) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert len(set(counts)) == 1, counts


def test_another_regions_case_is_not_found_with_a_limit(client, login_as):
    login_as("coach", "MU")
    other = CaseFactory(region_code="AM", status=CaseState.PLAN)
    db.session.flush()
    assert client.get(f"/trajecten/{other.id}?aantekeningen=40").status_code == 404
