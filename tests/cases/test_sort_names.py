"""Every case carries its candidate's name (``sort_last_name``, ``sort_first_name``) so that
the case list reads a region's running cases in name order from one index (issue 14): set on
registration, import and the demo, followed on a rename and an anonymisation, filled for the
cases that were there before."""

from __future__ import annotations

from datetime import date

import flask_migrate
import sqlalchemy as sa

from rmt import create_app
from rmt.cases import service
from rmt.cases.models import Case
from rmt.cases.queries import CaseFilters, list_cases
from rmt.extensions import db
from rmt.imports import kinds
from rmt.imports import service as imports
from rmt.privacy.anonymise import ANONYMOUS_NAME, anonymise
from rmt.process import CaseState
from tests.factories import CandidateFactory, CaseFactory
from tests.imports.conftest import candidate_row, make_csv
from tests.test_migrations import (  # noqa: F401  (fixture)
    empty_database_url,
    insert_case,
    insert_coach,
)


def sort_names(case_id: int) -> tuple[str, str]:
    row = db.session.execute(sa.select(Case.sort_last_name, Case.sort_first_name)
                             .where(Case.id == case_id)).one()
    return tuple(row)


def listed(user) -> list[str]:
    return [row.sort_name
            for row in list_cases(user, CaseFilters(status="alle")).rows]


def register(coach, first: str, last: str):
    return service.register(coach, region_code="MU", candidate_data=dict(
        first_name=first, name_prefix="", last_name=last, birth_date=date(1990, 1, 1),
        email="", phone="", postcode="3511AB",
        municipality_id=CandidateFactory.build().municipality_id, education_level="mbo2",
        work_status="werkzoekend", benefit="ww", target_group="werkzoekenden",
        referral_partner="uwv"))


def test_a_registered_case_carries_its_candidates_name(coach):
    case = register(coach, "Anna", "Zwart")
    register(coach, "Bram", "Aalders")
    db.session.flush()
    assert sort_names(case.id) == ("Zwart", "Anna")
    assert listed(coach) == ["Aalders, Bram", "Zwart, Anna"]


def test_a_rename_moves_every_case_of_the_candidate_without_touching_their_versions(coach):
    candidate = CandidateFactory(first_name="Anna", last_name="Zwart")
    closed = CaseFactory(coach=coach, candidate=candidate, status=CaseState.AFGESLOTEN,
                         closed_on=date(2025, 5, 1))
    running = CaseFactory(coach=coach, candidate=candidate)
    CaseFactory(coach=coach, candidate=CandidateFactory(first_name="Bram", last_name="Molen"))
    db.session.flush()
    closed_version = closed.version
    assert listed(coach)[-2:] == ["Zwart, Anna", "Zwart, Anna"]

    service.update_candidate(coach, running, {"last_name": "Aalders"}, expected_version=None)
    db.session.flush()
    assert sort_names(closed.id) == sort_names(running.id) == ("Aalders", "Anna")
    assert listed(coach) == ["Aalders, Anna", "Aalders, Anna", "Molen, Bram"]
    db.session.refresh(closed)
    assert closed.version == closed_version  # the closed case itself did not change


def test_an_anonymised_candidate_leaves_no_name_on_its_cases(coach):
    case = register(coach, "Anna", "Zwart")
    db.session.flush()
    anonymise(case.candidate)
    db.session.flush()
    assert sort_names(case.id) == (ANONYMOUS_NAME, ANONYMOUS_NAME)


def test_imported_cases_carry_their_names(coach):
    rows = [candidate_row(n, coach.email, Voornaam=first, Achternaam=last)
            for n, (first, last) in enumerate([("Cor", "Zeeman"), ("Dirk", "Appel")], start=1)]
    result = imports.run_import(coach, kinds.get("candidates"), "MU", "lijst.csv",
                                make_csv(rows), dry_run=False)
    assert result.created == 2, result.errors
    assert listed(coach) == ["Appel, Dirk", "Zeeman, Cor"]
    assert sorted(db.session.execute(sa.select(Case.sort_last_name, Case.sort_first_name))
                  .all()) == [("Appel", "Dirk"), ("Zeeman", "Cor")]


def test_the_migration_fills_the_names_of_existing_cases(empty_database_url):  # noqa: F811
    fresh = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                        "SECRET_KEY": "x" * 32})
    with fresh.app_context():
        flask_migrate.upgrade(revision="5b7e0c4d2a19")
        with db.engine.begin() as conn:
            municipality = insert_coach(conn.execute)
            for n, (first, last) in enumerate([("Anna", "Zwart"), ("Bram", "Aalders")], 1):
                insert_case(conn.execute, n, municipality, first=first, last=last)
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, sort_last_name, sort_first_name FROM case_file ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "Zwart", "Anna"), (2, "Aalders", "Bram")]
        flask_migrate.downgrade(revision="5b7e0c4d2a19")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("case_file")}
        assert "sort_last_name" not in columns
        db.engine.dispose()
