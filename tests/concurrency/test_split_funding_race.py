"""Two approvals of vouchers paid from the same two budgets, at the same moment (issue 20,
item 4), on SQLite and PostgreSQL.

Voucher 1 has budget A as its main budget and a part on budget B; voucher 2 the other way
round. Each approval locks both budgets before it reads what is committed on them
(``rmt.vouchers.service._lock_budgets``), always in ascending id order. So:

- the money: when either budget has room for only one of the two parts, exactly one approval
  succeeds and the other is refused ``exceeds_remaining_budget``; no budget is overspent;
- no deadlock: had each approval locked its own main budget first, on PostgreSQL the two
  would each hold one lock and wait for the other; the last test shows that this really
  happens (and so that the ordering is what prevents it).

Like tests/vouchers/test_race.py: a second engine on the test database, two threads with a
session each, each a unit of work as a POST request is, reading slowed down so that both
would read the same figures were it not for the locks. Rows get ids far above anything else.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from rmt import audit
from rmt.auth.models import User
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.transaction import attempt, unit_of_work
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import (
    Budget,
    FundingSource,
    TrainingProvider,
    Voucher,
    VoucherEvent,
    VoucherFunding,
)
from tests import racing

BASE = 2_100_200_000
COACH, COORD_A, COORD_B = BASE + 1, BASE + 2, BASE + 3
BUDGET_A, BUDGET_B = BASE + 21, BASE + 22
VOUCHER_1, VOUCHER_2 = BASE + 11, BASE + 12


@pytest.fixture
def race_engine(app, database_url):
    with racing.second_engine(database_url) as engine:
        _cleanup(engine)  # a run that was killed halfway
        try:
            yield engine
        finally:
            _cleanup(engine)


def _setup(engine: sa.Engine, room_a: int, room_b: int) -> None:
    """Budgets A and B of 'room' each; two requests of 1.000,00: voucher 1 pays 600,00 from A
    and 400,00 from B, voucher 2 pays 600,00 from B and 400,00 from A."""
    with Session(engine) as session:
        racing.add_case_with_staff(session, BASE, COACH, (COORD_A, COORD_B), "Split")
        for ident, name in ((BUDGET_A, "RMT-budget"), (BUDGET_B, "O&O-fonds")):
            session.add(FundingSource(id=ident, name=f"{name} {ident}"))
        session.add(TrainingProvider(id=BASE, name="Split Opleider", kvk_number="99999992"))
        session.flush()
        for ident, room in ((BUDGET_A, room_a), (BUDGET_B, room_b)):
            session.add(Budget(id=ident, region_code="MU", funding_source_id=ident,
                               year=date.today().year, amount_cents=room,
                               max_per_voucher_cents=room))
        session.flush()
        for ident, main, other in ((VOUCHER_1, BUDGET_A, BUDGET_B),
                                   (VOUCHER_2, BUDGET_B, BUDGET_A)):
            session.add(Voucher(
                id=ident, case_id=BASE, region_code="MU", budget_id=main, provider_id=BASE,
                course_name="Split", start_on=date.today(),
                end_on=date.today() + timedelta(days=10), amount_cents=1_000_00,
                motivation="Split", status=VoucherStatus.AANGEVRAAGD, requested_by_id=COACH))
            session.flush()
            session.add(VoucherFunding(voucher_id=ident, budget_id=other, amount_cents=400_00))
        session.commit()


def _cleanup(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        ids = (VOUCHER_1, VOUCHER_2)
        conn.execute(sa.delete(VoucherFunding).where(VoucherFunding.voucher_id.in_(ids)))
        conn.execute(sa.delete(VoucherEvent).where(VoucherEvent.voucher_id.in_(ids)))
        conn.execute(sa.delete(Voucher).where(Voucher.id.in_(ids)))
        conn.execute(sa.delete(Budget).where(Budget.id.in_((BUDGET_A, BUDGET_B))))
        conn.execute(sa.delete(FundingSource).where(FundingSource.id.in_((BUDGET_A, BUDGET_B))))
        conn.execute(sa.delete(TrainingProvider).where(TrainingProvider.id == BASE))
        racing.delete_case_with_staff(conn, BASE, (COACH, COORD_A, COORD_B))


def _race(monkeypatch) -> list[str]:
    """Voucher 1 approved by one coordinator and voucher 2 by the other, at the same moment."""
    slow_read = service.committed_cents

    def committed_cents_slowly(budget_id: int) -> int:
        value = slow_read(budget_id)
        time.sleep(0.2)  # both would read the same figures here, were it not for the locks
        return value

    monkeypatch.setattr(service, "committed_cents", committed_cents_slowly)
    # This race commits into the shared test database, whose audit log is append-only: entries
    # left there would head the chain that later tests verify. The audit is not under test here.
    monkeypatch.setattr(audit, "record", lambda *args, **kwargs: None)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve(voucher_id: int, user_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with unit_of_work():  # what a POST request is
                user = db.session.get(User, user_id)
                voucher = db.session.get(Voucher, voucher_id)
                with attempt():
                    service.decide(user, voucher, approve=True, note="race")
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        except Exception as exc:  # reported by the assertions
            results.append(f"error: {exc!r}")
        finally:
            db.session.remove()

    threads = [threading.Thread(target=approve, args=pair)
               for pair in ((VOUCHER_1, COORD_A), (VOUCHER_2, COORD_B))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(results)


def _committed(engine: sa.Engine) -> dict[int, int]:
    with Session(engine) as session:
        original = db.session
        db.session = session
        try:
            budgets = [session.get(Budget, BUDGET_A), session.get(Budget, BUDGET_B)]
            return {b: f.committed for b, f in service.figures_for(budgets).items()}
        finally:
            db.session = original


def test_parts_on_shared_budgets_never_overspend(race_engine, monkeypatch):
    # A has room for both parts on it (600 + 400), B for only one of them.
    _setup(race_engine, room_a=1_000_00, room_b=700_00)
    results = _race(monkeypatch)
    assert results == ["exceeds_remaining_budget", "ok"], results
    committed = _committed(race_engine)
    assert committed[BUDGET_A] <= 1_000_00 and committed[BUDGET_B] <= 700_00
    assert sum(committed.values()) == 1_000_00


def test_when_both_fit_both_are_approved_without_deadlock(race_engine, monkeypatch):
    _setup(race_engine, room_a=1_000_00, room_b=1_000_00)
    results = _race(monkeypatch)
    assert results == ["ok", "ok"], results
    assert _committed(race_engine) == {BUDGET_A: 1_000_00, BUDGET_B: 1_000_00}


def test_without_the_fixed_order_postgresql_deadlocks(race_engine, monkeypatch, database_url):
    """The fixed order is what prevents the deadlock: locking each voucher's own main budget
    first makes the two approvals wait for each other, and PostgreSQL breaks the circle by
    failing one of them (a 503 for that coordinator instead of an answer)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises every writer (BEGIN IMMEDIATE): it cannot deadlock")
    lock = service._lock_budget

    def main_budget_first(budgets):
        for budget in budgets:  # as given: the voucher's main budget first
            lock(budget)
            time.sleep(0.3)
        return budgets

    monkeypatch.setattr(service, "_lock_budgets", main_budget_first)
    _setup(race_engine, room_a=1_000_00, room_b=1_000_00)
    results = _race(monkeypatch)
    assert results[1] == "ok" and "deadlock" in results[0].lower(), results
