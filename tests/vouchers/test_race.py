"""Two approvals at the same moment can never overspend a budget (SQLite and PostgreSQL).

This cannot run inside the test's rolled-back transaction: it needs two real transactions on
two connections. A second engine on the same test database runs two threads, each with its own
session, exactly as two POST requests would: one unit of work (``rmt.transaction.unit_of_work``,
which begins ``BEGIN IMMEDIATE`` on SQLite) that reads, runs the service in a savepoint and
commits once. Reading the committed amount is slowed down, so without the budget lock both
threads would read the same figure and both approve. The rows get ids far above anything the
other tests create and are deleted afterwards; the audit entries stay (they cannot be deleted,
and they only mention these unused ids).
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from rmt.auth.models import User
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.transaction import attempt, unit_of_work
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider, Voucher, VoucherEvent
from tests import racing

BASE = 2_100_000_000
COACH, COORD_A, COORD_B = BASE + 1, BASE + 2, BASE + 3
VOUCHER_1, VOUCHER_2 = BASE + 11, BASE + 12


@pytest.fixture
def race_engine(app, database_url):
    """A second engine on the test database, configured like the app's own."""
    with racing.second_engine(database_url) as engine:
        try:
            yield engine
        finally:
            _cleanup(engine)


def _setup(engine: sa.Engine, budget_cents: int) -> None:
    with Session(engine) as session:
        racing.add_case_with_staff(session, BASE, COACH, (COORD_A, COORD_B), "Race")
        session.add(FundingSource(id=BASE, name=f"Racefonds {BASE}"))
        session.add(TrainingProvider(id=BASE, name="Race Opleider", kvk_number="99999991"))
        session.flush()
        session.add(Budget(id=BASE, region_code="MU", funding_source_id=BASE,
                           year=date.today().year, amount_cents=budget_cents,
                           max_per_voucher_cents=min(budget_cents, 1_000_00)))
        session.flush()
        for ident in (VOUCHER_1, VOUCHER_2):
            session.add(Voucher(
                id=ident, case_id=BASE, region_code="MU", budget_id=BASE, provider_id=BASE,
                course_name="Race", start_on=date.today(),
                end_on=date.today() + timedelta(days=10), amount_cents=1_000_00,
                motivation="Race", status=VoucherStatus.AANGEVRAAGD, requested_by_id=COACH))
        session.commit()


def _cleanup(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        ids = (VOUCHER_1, VOUCHER_2)
        conn.execute(sa.delete(VoucherEvent).where(VoucherEvent.voucher_id.in_(ids)))
        conn.execute(sa.delete(Voucher).where(Voucher.id.in_(ids)))
        conn.execute(sa.delete(Budget).where(Budget.id == BASE))
        conn.execute(sa.delete(FundingSource).where(FundingSource.id == BASE))
        conn.execute(sa.delete(TrainingProvider).where(TrainingProvider.id == BASE))
        # The requests and decisions notified these users (rmt.notifications): their rows go too.
        racing.delete_case_with_staff(conn, BASE, (COACH, COORD_A, COORD_B))


def _race(monkeypatch, pairs: list[tuple[int, int]], *, writing: bool = True) -> list[str]:
    """Approve ``(voucher id, coordinator id)`` pairs at the same moment; the outcomes.

    ``writing=False`` starts each unit of work as a read-only one would (a plain ``BEGIN`` on
    SQLite instead of ``BEGIN IMMEDIATE``, SQLite's whole-database lock)."""
    slow_read = service.committed_cents

    def committed_cents_slowly(budget_id: int) -> int:
        value = slow_read(budget_id)
        time.sleep(0.3)  # both would read the same figure here, were it not for the lock
        return value

    monkeypatch.setattr(service, "committed_cents", committed_cents_slowly)
    barrier = threading.Barrier(len(pairs))
    results: list[str] = []

    def approve(voucher_id: int, user_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with unit_of_work(write=writing):  # what a POST request is
                user = db.session.get(User, user_id)
                voucher = db.session.get(Voucher, voucher_id)
                assert user is not None and voucher is not None
                with attempt():
                    service.decide(user, voucher, approve=True, note="race")
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results.append(f"error: {exc!r}")
        finally:
            db.session.remove()

    threads = [threading.Thread(target=approve, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(results)


def _statuses(engine: sa.Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Voucher.id, Voucher.status).where(
            Voucher.id.in_((VOUCHER_1, VOUCHER_2)))).all())


def _committed(engine: sa.Engine) -> int:
    with Session(engine) as session:
        original = db.session
        db.session = session
        try:
            return service.budget_figures(session.get(Budget, BASE)).committed
        finally:
            db.session = original


def test_two_approvals_on_a_budget_that_covers_one(race_engine, monkeypatch):
    _setup(race_engine, budget_cents=1_500_00)
    results = _race(monkeypatch, [(VOUCHER_1, COORD_A), (VOUCHER_2, COORD_B)])
    assert results == ["exceeds_remaining_budget", "ok"], results
    statuses = sorted(_statuses(race_engine).values())
    assert statuses == ["aangevraagd", "toegekend"]
    assert _committed(race_engine) == 1_000_00


def test_two_approvals_that_both_fit_both_succeed(race_engine, monkeypatch):
    """The lock serialises; it does not refuse the second approval for no reason."""
    _setup(race_engine, budget_cents=2_000_00)
    results = _race(monkeypatch, [(VOUCHER_1, COORD_A), (VOUCHER_2, COORD_B)])
    assert results == ["ok", "ok"], results
    assert _committed(race_engine) == 2_000_00


def test_the_same_request_approved_twice_at_once(race_engine, monkeypatch):
    _setup(race_engine, budget_cents=5_000_00)
    results = _race(monkeypatch, [(VOUCHER_1, COORD_A), (VOUCHER_1, COORD_B)])
    assert results == ["not_allowed", "ok"], results
    assert _committed(race_engine) == 1_000_00
    with race_engine.connect() as conn:
        events = conn.scalar(sa.select(sa.func.count()).select_from(VoucherEvent).where(
            VoucherEvent.voucher_id == VOUCHER_1))
    assert events == 1


def test_without_the_lock_the_race_is_lost(race_engine, monkeypatch, database_url):
    """The test above can fail: with the row lock switched off, the same race goes wrong.

    The lock is switched off: no row lock (``lock_row``) and, on SQLite, no ``BEGIN IMMEDIATE``
    (the units begin as read-only ones do). PostgreSQL (READ COMMITTED) lets both transactions
    read the same committed figure and both approve: the budget is overspent. SQLite serialises
    writers, so the money is safe, but the second transaction cannot upgrade its stale read
    snapshot to a write and fails with ``database is locked`` — a 500 for the second
    coordinator instead of a clear refusal.
    """
    monkeypatch.setattr(service, "lock_row", lambda table, ident: None)
    _setup(race_engine, budget_cents=1_500_00)
    results = _race(monkeypatch, [(VOUCHER_1, COORD_A), (VOUCHER_2, COORD_B)], writing=False)
    assert results != ["exceeds_remaining_budget", "ok"]
    if database_url.startswith("postgresql"):
        assert results == ["ok", "ok"], results
        assert _committed(race_engine) == 2_000_00  # more than the budget of 1.500,00
    else:
        assert results[1] == "ok" and results[0].startswith("error: OperationalError"), results
        assert "database is locked" in results[0]
        assert _committed(race_engine) == 1_000_00
