"""The case page runs a fixed number of statements however much the case holds."""

from __future__ import annotations

from datetime import date, timedelta

from rmt.auth.models import User
from rmt.cases import service
from rmt.cases.models import Case, CaseEvent
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CaseFactory, NoteFactory, TaskFactory, UserFactory, coded
from tests.querycount import count_statements


def _fill(case: Case, coach: User, n: int) -> None:
    for i in range(n):
        author = UserFactory(role="coach", regions=["MU"])  # a different author every time
        NoteFactory(case=case, author_id=author.id)
        TaskFactory(case=case, owner=author, due_on=date.today() + timedelta(days=i))
        db.session.add(CaseEvent(case=case, region_code="MU", from_status=CaseState.PLAN,
                                 to_status=CaseState.PLAN, user_id=author.id))
        service.add_activity(coach, case, description=f"Activiteit {i}", due_on=None, **coded(),
                             expected_version=None)
    db.session.flush()


def _page_statements(client, case_id: int) -> int:
    with count_statements(cold=True) as statements:
        response = client.get(f"/trajecten/{case_id}")
    assert response.status_code == 200
    return len(statements)


def test_case_page_statements_do_not_grow(client, login_as):
    coach = login_as("coach", "MU")
    small, large = (CaseFactory(coach=coach, status=CaseState.PLAN) for _ in range(2))
    _fill(small, coach, 2)
    _fill(large, coach, 25)
    small_id, large_id = small.id, large.id
    assert _page_statements(client, small_id) == _page_statements(client, large_id)


def test_coordinator_case_page_statements_do_not_grow(client, login_as):
    login_as("coordinator", "MU")
    coach = UserFactory(role="coach", regions=["MU"])
    small, large = (CaseFactory(coach=coach, status=CaseState.PLAN) for _ in range(2))
    _fill(small, coach, 2)
    _fill(large, coach, 25)
    small_id, large_id = small.id, large.id
    assert _page_statements(client, small_id) == _page_statements(client, large_id)
