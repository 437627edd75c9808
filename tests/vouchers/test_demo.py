"""The demo seed of vouchers (rmt.vouchers.demo): every status in every region, legal histories
written by the service (four eyes), budgets that add up, idempotent."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from rmt.audit.models import AuditEntry
from rmt.cases import demo as cases_demo
from rmt.cases.models import Candidate, Case
from rmt.cli import seed_demo_users
from rmt.extensions import db
from rmt.vouchers import demo, service
from rmt.vouchers.lifecycle import VoucherStatus, find_move
from rmt.vouchers.models import Budget, TrainingProvider, Voucher

TODAY = date.today()
REGIONS = ("MU", "AM", "GV", "FV")


@pytest.fixture
def seeded() -> demo.VoucherSeedSummary:
    seed_demo_users("Demo-wachtwoord-voor-tests-1")
    cases_demo.seed_cases(random.Random(11), TODAY, cases_demo.DEFAULT_CASE_COUNT)
    db.session.flush()
    return demo.seed_vouchers(TODAY)


def demo_vouchers() -> list[Voucher]:
    return list(db.session.scalars(
        sa.select(Voucher).join(Case, Voucher.case_id == Case.id)
        .join(Candidate, Case.candidate_id == Candidate.id)
        .where(Candidate.email.like(f"%@{demo.DEMO_DOMAIN}"))
        .options(selectinload(Voucher.events), selectinload(Voucher.case))
        .order_by(Voucher.id)))


def test_every_status_in_every_region(seeded):
    vouchers = demo_vouchers()
    # Last year's vouchers need demo cases that were open then; this year's are all there.
    assert seeded.vouchers == len(vouchers)
    assert 4 * len(demo.THIS_YEAR) < len(vouchers) <= 4 * (len(demo.THIS_YEAR)
                                                          + len(demo.LAST_YEAR))
    assert seeded.providers == len(demo.PROVIDERS)
    assert seeded.budgets == 2 * sum(len(b) for b in demo.BUDGETS.values())
    for region in REGIONS:
        this_year = [v for v in vouchers if v.region_code == region
                     and v.requested_at.year == TODAY.year]
        assert sorted(v.status for v in this_year) == sorted(demo.THIS_YEAR), region
        assert {v.status for v in this_year} == set(VoucherStatus), region


def test_histories_are_legal_and_four_eyes(seeded):
    now = datetime.now(UTC)
    for voucher in demo_vouchers():
        events = voucher.events
        assert (events[0].from_status, events[0].to_status) == (None, VoucherStatus.AANGEVRAAGD)
        assert events[0].user_id == voucher.requested_by_id == voucher.case.coach_id
        for before, after in itertools.pairwise(events):
            assert after.from_status == before.to_status
            assert find_move(after.from_status, after.to_status) is not None
            assert before.at <= after.at <= now
        assert events[-1].to_status == voucher.status
        if voucher.decided_by_id is not None:
            assert voucher.decided_by_id != voucher.requested_by_id
        assert voucher.region_code == voucher.case.region_code
        budget = db.session.get(Budget, voucher.budget_id)
        assert budget.region_code == voucher.region_code
        assert voucher.amount_cents <= budget.max_per_voucher_cents
        if voucher.status in (VoucherStatus.GEDECLAREERD, VoucherStatus.BETAALD):
            assert voucher.invoice_number and voucher.declared_amount_cents
        if voucher.status in (VoucherStatus.AANGEVRAAGD, VoucherStatus.TOEGEKEND,
                              VoucherStatus.GESTART):
            assert not voucher.case.is_closed  # a closed case has no open voucher


def test_budgets_add_up_and_every_change_is_audited(seeded):
    budgets = list(db.session.scalars(sa.select(Budget)))
    figures = service.figures_for(budgets)
    used = 0
    for budget in budgets:
        f = figures[budget.id]
        assert f.committed + f.remaining == f.amount == budget.amount_cents
        assert 0 <= f.paid <= f.committed <= f.amount
        used += f.voucher_count
    assert used >= seeded.vouchers
    for voucher in demo_vouchers()[:20]:
        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "case", AuditEntry.object_id == str(voucher.case_id),
            AuditEntry.summary.like(f"voucher {voucher.id}:%"))).all()
        assert len(actions) == len(voucher.events)


def test_seed_is_idempotent(seeded):
    count = len(demo_vouchers())
    again = demo.seed_vouchers(TODAY)
    assert (again.providers, again.budgets, again.vouchers) == (0, 0, 0)
    assert again.text() == "0 opleiders, 0 budgetten, 0 vouchers aangemaakt"
    assert len(demo_vouchers()) == count
    kvk = [p[1] for p in demo.PROVIDERS]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingProvider).where(
        TrainingProvider.kvk_number.in_(kvk))) == len(kvk)
    for number in kvk:
        assert service.normalise_kvk(number) == number
