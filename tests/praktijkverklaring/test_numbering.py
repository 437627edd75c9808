"""Register numbers PV-<region>-<year>-<seq>: unique and gap-free per region and year, also when
several people issue at the same moment (threads with their own sessions, on a real database
outside the rolled-back test transaction, on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import flask_migrate
import pytest
import sqlalchemy as sa

from rmt import clock, create_app
from rmt.auth.models import Role, User
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import (
    MboSchool,
    PvRegisterCounter,
    PvTrajectory,
    Qualification,
    QualificationWorkProcess,
)
from rmt.process import CaseState
from rmt.transaction import attempt, unit_of_work
from tests import factories
from tests.conftest import TEST_DATABASE_URL
from tests.factories import CaseFactory, UserFactory
from tests.praktijkverklaring.conftest import walk

# --- sequential ---------------------------------------------------------------------------------


def test_format():
    assert service.format_register_number("MU", 2026, 7) == "PV-MU-2026-0007"
    assert service.format_register_number("FV", 2027, 12345) == "PV-FV-2027-12345"


def _issued(coach, make_trajectory, region: str = "MU", on: date | None = None) -> PvTrajectory:
    case = CaseFactory(region_code=region, coach=coach, status=CaseState.UITVOERING)
    trajectory = walk(coach, make_trajectory(case, coach), PvStatus.VASTGESTELD)
    service.transition(coach, trajectory, "uitgereikt", expected_version=None, on=on)
    db.session.flush()
    return trajectory


def test_numbers_run_per_region_and_year(make_trajectory):
    coach = UserFactory(role="coach", regions=["MU", "AM"])
    year = clock.today().year
    numbers = [_issued(coach, make_trajectory).register_number for _ in range(3)]
    assert numbers == [f"PV-MU-{year}-000{n}" for n in (1, 2, 3)]
    assert _issued(coach, make_trajectory, "AM").register_number == f"PV-AM-{year}-0001"
    assert _issued(coach, make_trajectory, "MU", date(year + 1, 1, 1)).register_number == \
        f"PV-MU-{year + 1}-0001"
    assert _issued(coach, make_trajectory).register_number == f"PV-MU-{year}-0004"
    counters = {(c.region_code, c.year): c.last_seq
                for c in db.session.scalars(sa.select(PvRegisterCounter))}
    assert counters == {("MU", year): 4, ("AM", year): 1, ("MU", year + 1): 1}


def test_a_rolled_back_issuance_leaves_no_gap(coach, make_trajectory):
    case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)
    first = walk(coach, make_trajectory(case, coach), PvStatus.VASTGESTELD)
    savepoint = db.session.begin_nested()
    service.transition(coach, first, "uitgereikt", expected_version=None)
    db.session.flush()
    assert first.register_seq == 1
    savepoint.rollback()
    second = _issued(coach, make_trajectory)
    assert second.register_seq == 1


def test_the_database_refuses_a_duplicate_number(coach, make_trajectory):
    first = _issued(coach, make_trajectory)
    second = _issued(coach, make_trajectory)
    second.register_seq = first.register_seq
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- concurrent, on a real database --------------------------------------------------------------


@pytest.fixture
def fresh_app(tmp_path):
    """The app on a brand-new migrated database of the engine under test (not rolled back)."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        name = f"rmt_pv_{uuid.uuid4().hex[:8]}"
        admin_engine = sa.create_engine(sa.make_url(TEST_DATABASE_URL).set(database="postgres"),
                                        isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(
            hide_password=False)
    else:
        name, admin_engine = None, None
        url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "x" * 32,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 10}})
    # The suite's db_session fixture points ``db.session`` at the rolled-back test connection;
    # these tests need Flask-SQLAlchemy's own session: one per thread's app context.
    test_session = db.session
    db.session = db._make_scoped_session({})
    try:
        with app.app_context():
            flask_migrate.upgrade()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        db.session = test_session
        factories.bind_session(test_session)
        if admin_engine is not None:
            with admin_engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin_engine.dispose()


def _seed(app, per_region: dict[str, int]) -> tuple[int, dict[str, list[int]]]:
    """A coach of every region, cases and trajectories ready to issue (vastgesteld)."""
    from tests.praktijkverklaring.factories import make_employer

    with app.app_context():
        factories.bind_session(db.session)
        coach = UserFactory(role=Role.COACH, regions=sorted(per_region))
        school = MboSchool(name="ROC Midden Nederland", brin="25PZ")
        qualification = Qualification(crebo="25409", name="Logistiek medewerker", level=2)
        db.session.add_all([school, qualification])
        for n in (1, 2):
            db.session.add(QualificationWorkProcess(qualification=qualification,
                                                    code=f"B1-K1-W{n}", name=f"Taak {n}"))
        employer = make_employer(regions=tuple(per_region))
        db.session.flush()
        ids: dict[str, list[int]] = {}
        for region, count in per_region.items():
            for _ in range(count):
                case = CaseFactory(region_code=region, coach=coach, status=CaseState.UITVOERING)
                trajectory = service.create(
                    coach, case, school_id=school.id, qualification_id=qualification.id,
                    employer_id=employer.id, praktijkopleider="Karin Verhoef",
                    work_process_ids=[wp.id for wp in qualification.work_processes])
                walk(coach, trajectory, PvStatus.VASTGESTELD,
                     results=(AssessmentResult.AANGETOOND,))
                ids.setdefault(region, []).append(trajectory.id)
        db.session.commit()
        coach_id = coach.id
        db.session.remove()
    return coach_id, ids


def _issue_in_thread(app, coach_id: int, pv_id: int, barrier: threading.Barrier) -> str:
    """What the HTML view and the API do: one unit of work (``BEGIN IMMEDIATE`` on SQLite, as a
    POST request) that loads, transitions in a savepoint and commits once."""
    with app.app_context():  # its own scoped session and connection
        try:
            with unit_of_work(write=False):  # read only: a GET of the page before
                assert db.session.get(PvTrajectory, pv_id).status == PvStatus.VASTGESTELD
            barrier.wait(timeout=30)
            with unit_of_work():
                user = db.session.get(User, coach_id)
                trajectory = db.session.get(PvTrajectory, pv_id)
                with attempt():
                    service.transition(user, trajectory, "uitgereikt", expected_version=None)
                number = trajectory.register_number
            return number
        except (Conflict, DomainError) as exc:
            return f"refused: {exc.code}"
        finally:
            db.session.remove()


def test_concurrent_issuance_gives_unique_gap_free_numbers(fresh_app):
    per_region = {"MU": 10, "AM": 6}
    coach_id, ids = _seed(fresh_app, per_region)
    jobs = [pv_id for region_ids in ids.values() for pv_id in region_ids]
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        numbers = list(pool.map(lambda pv_id: _issue_in_thread(fresh_app, coach_id, pv_id,
                                                               barrier), jobs))
    year = clock.today().year
    for region, count in per_region.items():
        issued = sorted(n for n in numbers if n.startswith(f"PV-{region}-"))
        assert issued == [f"PV-{region}-{year}-{seq:04d}" for seq in range(1, count + 1)]
    assert len(set(numbers)) == len(jobs)
    with fresh_app.app_context():
        counters = dict(db.session.execute(sa.select(PvRegisterCounter.region_code,
                                                     PvRegisterCounter.last_seq)).all())
        assert counters == per_region
        stored = db.session.scalars(sa.select(PvTrajectory.register_number)
                                    .where(PvTrajectory.status == PvStatus.UITGEREIKT)).all()
        assert sorted(stored) == sorted(numbers)
        db.session.remove()


def test_the_same_trajectory_issued_twice_at_once_gets_one_number(fresh_app):
    coach_id, ids = _seed(fresh_app, {"GV": 1})
    pv_id = ids["GV"][0]
    barrier = threading.Barrier(4)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _n: _issue_in_thread(fresh_app, coach_id, pv_id,
                                                             barrier), range(4)))
    year = clock.today().year
    assert results.count(f"PV-GV-{year}-0001") == 1
    refused = sorted(r for r in results if r.startswith("refused"))
    assert refused == ["refused: trajectory_closed"] * 3
    with fresh_app.app_context():
        assert db.session.scalar(sa.select(PvRegisterCounter.last_seq)) == 1
        db.session.remove()
