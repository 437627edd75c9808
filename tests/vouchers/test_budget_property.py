"""Budget arithmetic, property-based: whatever happens, the numbers add up.

Hypothesis draws a sequence of actions (requests, decisions, every later step, declarations with
lower amounts, changes of the budget amount) and applies each through the service, in a savepoint
that is rolled back when the service refuses (as the views do). After every action:

- committed + remaining = amount, and remaining is never negative;
- committed is the sum over vouchers in toegekend..betaald (declared amount once known);
- paid ≤ committed, and paid is the sum over betaald vouchers;
- every status is what a model of the lifecycle predicts.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.vouchers import service
from rmt.vouchers.lifecycle import COMMITTED, PAID, VoucherStatus, find_move
from tests.factories import BudgetFactory, FundingSourceFactory

S = VoucherStatus
TARGETS = [s for s in S if s != S.AANGEVRAAGD]

@pytest.fixture
def source():
    return FundingSourceFactory()


actions = st.lists(
    st.one_of(
        st.tuples(st.just("request"), st.integers(min_value=1, max_value=3_000_00)),
        st.tuples(st.just("move"), st.integers(min_value=0, max_value=9),
                  st.sampled_from(TARGETS), st.integers(min_value=1, max_value=3_000_00)),
        st.tuples(st.just("amount"), st.integers(min_value=1, max_value=12_000_00)),
    ),
    min_size=1, max_size=25,
)


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=actions)
def test_committed_plus_remaining_is_amount(steps, case, provider, coach, coordinator, source):
    with db.session.begin_nested() as outer:
        budget = BudgetFactory(amount_cents=6_000_00, max_per_voucher_cents=2_500_00,
                               funding_source=source)
        vouchers = []
        model: dict[int, tuple[VoucherStatus, int, int | None]] = {}
        amount = budget.amount_cents
        for step in steps:
            try:
                with db.session.begin_nested():
                    if step[0] == "request":
                        voucher = service.request_voucher(
                            coach, case, budget_id=budget.id, provider_id=provider.id,
                            course_name="Cursus", start_on=date.today(),
                            end_on=date.today() + timedelta(days=30), amount_cents=step[1],
                            motivation="Nodig voor werk.")
                        vouchers.append(voucher)
                        model[voucher.id] = (S.AANGEVRAAGD, step[1], None)
                    elif step[0] == "move" and vouchers:
                        voucher = vouchers[step[1] % len(vouchers)]
                        who = coach if step[2] in (S.GESTART, S.AFGEROND, S.AFGEBROKEN,
                                                   S.INGETROKKEN) else coordinator
                        service.advance(who, voucher, step[2], note="Toelichting",
                                        invoice_number="F-1", declared_amount_cents=step[3])
                        _status, value, declared = model[voucher.id]
                        if step[2] == S.GEDECLAREERD:
                            declared = step[3]
                        model[voucher.id] = (step[2], value, declared)
                    elif step[0] == "amount":
                        service.update_budget(coordinator, budget, amount_cents=step[1],
                                              max_per_voucher_cents=min(step[1], 2_500_00))
                        amount = step[1]
            except DomainError as error:
                _check_refusal_was_right(error, step, vouchers, model, budget, amount)
            _check_invariants(budget, vouchers, model, amount)
        outer.rollback()


def _committed(model) -> int:
    return sum((declared or value) for status, value, declared in model.values()
               if status in COMMITTED)


def _check_invariants(budget, vouchers, model, amount) -> None:
    figures = service.budget_figures(budget)
    assert figures.amount == amount == budget.amount_cents
    assert figures.committed + figures.remaining == figures.amount
    assert figures.remaining >= 0
    assert figures.committed == _committed(model)
    assert figures.paid == sum((declared or value) for status, value, declared in model.values()
                               if status in PAID)
    assert 0 <= figures.paid <= figures.committed
    for voucher in vouchers:
        assert voucher.status == model[voucher.id][0]


def _check_refusal_was_right(error, step, vouchers, model, budget, amount) -> None:
    """A refusal must have a reason the model knows about."""
    if step[0] == "request":
        assert step[1] > budget.max_per_voucher_cents
    elif step[0] == "move":
        voucher = vouchers[step[1] % len(vouchers)]
        status, value, _declared = model[voucher.id]
        if find_move(status, step[2]) is None:
            assert error.code == "not_allowed"
        elif step[2] == S.TOEGEKEND:
            assert error.code in ("exceeds_remaining_budget", "exceeds_max_per_voucher")
            assert (value > amount - _committed(model)
                    or value > budget.max_per_voucher_cents)
        else:
            assert step[2] == S.GEDECLAREERD and step[3] > value
    else:
        assert error.code == "below_committed" and step[1] < _committed(model)
