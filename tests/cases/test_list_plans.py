"""The case list's statements use the indexes made for them (issue 14).

SQLite: ``EXPLAIN QUERY PLAN`` of the statements the list really sends, on a test database
without statistics (as a new installation is): the plan does not depend on the row counts.
PostgreSQL plans by cost, and with a handful of rows it rightly prefers other paths, so a plan
test of the whole list would be flaky there: its plans at 100,000 cases are in
docs/benchmarks.md, and the test here proves that the trigram index serves the search's
condition (sequential scans priced out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from rmt.cases import queries, search
from rmt.cases.models import RUNNING, Candidate, Case
from rmt.cases.queries import CaseFilters, list_cases
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CandidateFactory, CaseFactory, UserFactory


@contextmanager
def captured() -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def before(_conn, _cursor, statement, parameters, *_args) -> None:
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def plans(run: Callable[[], object], *, with_statements: bool = False) -> list:
    """The plan of every statement on case_file that ``run`` sends, as one text each (or
    (statement, plan) pairs)."""
    with captured() as statements:
        run()
    cursor = db.session.connection().connection.driver_connection.cursor()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:
        cursor.execute("SET LOCAL enable_seqscan = off")
    texts = []
    for statement, parameters in statements:
        if "case_file" not in statement or not statement.lstrip().upper().startswith("SELECT"):
            continue
        cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement,
                       parameters)
        plan = "\n".join(str(row[0]) for row in cursor.fetchall()) if postgres \
            else _indented(cursor.fetchall())
        texts.append((statement, plan) if with_statements else plan)
    if postgres:
        cursor.execute("SET LOCAL enable_seqscan = on")
    return texts


def _indented(rows: list) -> str:
    """SQLite's plan rows (id, parent, -, detail), each indented by its depth in the tree."""
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def _count_part(plan: str) -> str:
    """SQLite's plan of the list's count: the subtree of the page statement's scalar
    subquery."""
    lines = plan.splitlines()
    start = next((i for i, line in enumerate(lines) if "SCALAR SUBQUERY" in line), None)
    assert start is not None, plan  # the page and its count are one statement
    level = len(lines[start]) - len(lines[start].lstrip())
    part = []
    for line in lines[start + 1:]:
        if len(line) - len(line.lstrip()) <= level:
            break
        part.append(line)
    return "\n".join(part)


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@pytest.fixture
def coach():
    coach = UserFactory(role="coach", regions=["MU"])
    for n in range(30):
        CaseFactory(coach=coach, status=CaseState.INTAKE if n % 3 else CaseState.PLAN,
                    candidate=CandidateFactory(last_name=f"Achternaam{n}"))
        CaseFactory(region_code="AM")
    db.session.flush()
    return coach


def test_step_filter_reads_the_step_index_in_name_order(coach):
    if _postgres():
        pytest.skip("PostgreSQL plans by cost: see docs/benchmarks.md")
    (plan,) = plans(lambda: list_cases(coach, CaseFilters(status="intake")))
    count = _count_part(plan)
    assert re.search(r"INDEX ix_case_file_region_(status|step) ", count), plan
    # The page's ids come in name order from the step's index (no lookups, stopped at the page).
    assert "COVERING INDEX ix_case_file_region_step_by_name" in plan, plan


def test_search_starts_from_the_search_index(coach):
    if _postgres():
        pytest.skip("PostgreSQL plans by cost: see docs/benchmarks.md")
    for q in ("achternaam1", "Traject 7", "100"):
        for plan in plans(lambda q=q: list_cases(coach, CaseFilters(q=q, status="alle"))):
            assert "SCAN case_file" not in plan and "SCAN candidate " not in plan, plan
            if q != "Traject 7":
                assert "candidate_fts VIRTUAL TABLE" in plan, plan


def test_postgres_trigram_index_serves_the_search(coach):
    if not _postgres():
        pytest.skip("the trigram index is PostgreSQL's")
    condition = search.candidate_condition(search.parse("Achternaam1 @voorbeeld"))
    statement = sa.select(Candidate.id).where(condition)
    compiled = statement.compile(db.session.get_bind(),
                                 compile_kwargs={"render_postcompile": True})
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute("EXPLAIN " + str(compiled), compiled.params)
    plan = "\n".join(row[0] for row in cursor.fetchall())
    cursor.execute("SET LOCAL enable_seqscan = on")
    assert "Bitmap Index Scan on ix_candidate_search_text_trgm" in plan, plan


def test_api_list_reads_cases_newest_first_from_the_index(client, coach, bearer):
    if _postgres():
        pytest.skip("PostgreSQL plans by cost: see docs/benchmarks.md")
    headers = bearer(coach)
    (found,) = plans(lambda: client.get("/api/v1/cases", headers=headers))  # with its count
    assert "SCAN case_file" not in found, found
    assert "SEARCH case_file USING" in _count_part(found), found
    assert "ix_case_file_region_opened" in found, found
    assert "TEMP B-TREE" not in found, found  # read in order, no sort


def test_name_order_reads_the_running_cases_in_order_from_their_index(coach, monkeypatch):
    """The default page (running cases by name), also far on, comes from
    ix_case_file_open_by_name in index order: no candidate walk, no sort (issue 14)."""
    if _postgres():
        pytest.skip("PostgreSQL plans by cost: see docs/benchmarks.md")
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    for filters in (CaseFilters(per_page=5), CaseFilters(per_page=5, page=3),
                    CaseFilters(per_page=5, descending=True)):
        (plan,) = plans(lambda f=filters: list_cases(coach, f))
        assert "SEARCH case_file USING" in _count_part(plan), plan
        assert "SCAN case_file" not in plan, plan
        # the page's ids in index order; only the 5 cases read whole are sorted again
        assert "SEARCH case_file USING INDEX ix_case_file_open_by_name" in plan, plan
        assert plan.count("TEMP B-TREE") == 1, plan
        assert "SCAN candidate" not in plan and "ix_candidate_sort_name" not in plan, plan


def test_running_is_the_partial_indexes_own_condition():
    """A literal, not a parameter: with a parameter SQLite re-reads every row from the table
    and PostgreSQL's prepared (generic) plans cannot use the partial indexes at all."""
    sql = str(sa.select(Case.id).where(RUNNING).compile(db.engine))
    assert "case_file.status != 'afgesloten'" in sql, sql


def test_a_few_matches_are_read_from_their_index_and_sorted(coach):
    """A step with fewer matches than the cap starts from the step's index, not from every
    candidate in name order."""
    if _postgres():
        pytest.skip("PostgreSQL plans by cost: see docs/benchmarks.md")
    (plan,) = plans(lambda: list_cases(coach, CaseFilters(status="intake")))
    assert "ix_candidate_sort_name" not in plan, plan
    assert "SEARCH case_file USING COVERING INDEX ix_case_file_region_step_by_name" in plan, plan
