"""Fixtures for the vouchers tests: a region MU with a coach, two coordinators, a case, a
provider and a budget of this year; ``make_voucher`` walks a voucher to any status through the
service."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rmt.process import CaseState
from rmt.vouchers import service
from rmt.vouchers.demo import PATHS
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher
from tests.factories import BudgetFactory, CaseFactory, TrainingProviderFactory


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach, region_code="MU", status=CaseState.UITVOERING)


@pytest.fixture
def provider():
    return TrainingProviderFactory()


@pytest.fixture
def budget():
    return BudgetFactory(region_code="MU")


@pytest.fixture
def make_voucher(case, budget, provider, coach, coordinator):
    """``make_voucher(status, amount_cents=..., case=..., budget=...)``: request, then walk."""

    def _make(status: VoucherStatus | str = VoucherStatus.AANGEVRAAGD, *,
              amount_cents: int = 1_000_00, for_case=None, on_budget=None,
              declared_amount_cents: int | None = None) -> Voucher:
        the_case = for_case or case
        voucher = service.request_voucher(
            the_case.coach, the_case, budget_id=(on_budget or budget).id,
            provider_id=provider.id, course_name="Lasser MIG/MAG",
            start_on=date.today() + timedelta(days=14),
            end_on=date.today() + timedelta(days=100), amount_cents=amount_cents,
            motivation="Vraag naar lassers in de regio.")
        for target in PATHS[VoucherStatus(status)]:
            who = coordinator if target in (VoucherStatus.TOEGEKEND, VoucherStatus.AFGEWEZEN,
                                            VoucherStatus.GEDECLAREERD,
                                            VoucherStatus.BETAALD) else the_case.coach
            service.advance(who, voucher, target, note="Toelichting",
                            invoice_number="F-1" if target == VoucherStatus.GEDECLAREERD else "",
                            declared_amount_cents=declared_amount_cents)
        return voucher

    return _make
