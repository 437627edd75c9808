"""The app's database sessions are set up for short web statements (config.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt import create_app
from rmt.cases.queries import CaseFilters, list_cases
from rmt.extensions import db
from tests.factories import CandidateFactory, CaseFactory
from tests.querycount import count_statements


def test_postgres_sessions_run_without_parallel_workers():
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL session settings")
    assert db.session.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"
    assert db.session.scalar(sa.text("SHOW plan_cache_mode")) == "auto"


def test_a_search_pattern_is_part_of_the_statement_safely_quoted(coach):
    """The trigram index serves a search only in a plan made for the actual pattern: the
    pattern is a quoted literal of the statement, never a parameter, and quotes, percent signs
    and underscores in it stay text."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL plan cache")
    named = CaseFactory(coach=coach, candidate=CandidateFactory(last_name="O'Brien_100%"))
    CaseFactory(coach=coach, candidate=CandidateFactory(last_name="OXBrien1000"))
    with count_statements() as statements:
        rows = list_cases(coach, CaseFilters(q="o'brien_100%")).rows
    assert [row.id for row in rows] == [named.id]
    assert any("LIKE '%%o''brien/_100/%%%%'" in s or "LIKE '%o''brien/_100/%%'" in s
               for s in map(str, statements)), statements


def test_the_session_options_add_to_those_of_the_url(monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=8MB")
    app = create_app({"ENV_NAME": "test", "SECRET_KEY": "x" * 32,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/db"
                                                 "?options=-c%20statement_timeout%3D5000"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"] == (
        "-c statement_timeout=5000 -c work_mem=8MB -c max_parallel_workers_per_gather=0")
