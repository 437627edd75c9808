"""The demo seed fills what the monitor reports (issue 20, item 7): sectors of origin and
target (some still to choose), placements with their sector, co-funded vouchers that stay
within every budget, and a province monitor with figures in it."""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases import demo as cases_demo
from rmt.cases.models import Intake, Plan
from rmt.cli import seed_demo_users
from rmt.employers.demo import seed_employers
from rmt.employers.models import Placement, sector_priority
from rmt.extensions import db
from rmt.stats import monitor
from rmt.stats.monitor import MonitorScope, Quarter
from rmt.vouchers import demo as vouchers_demo
from rmt.vouchers import service
from rmt.vouchers.models import Budget, VoucherFunding

TODAY = date.today()





@pytest.fixture
def seeded():
    seed_demo_users("Demo-wachtwoord-voor-tests-1")
    cases_demo.seed_cases(random.Random(5), TODAY, cases_demo.DEFAULT_CASE_COUNT)
    db.session.flush()
    seed_employers(TODAY)
    vouchers_demo.seed_vouchers(TODAY)
    db.session.flush()


def test_demo_codes_sectors_and_leaves_some_to_choose(seeded):
    origins = db.session.scalars(sa.select(Intake.origin_sector)).all()
    assert sum(o is not None for o in origins) > len(origins) // 2
    assert any(o is None for o in origins)  # shown as "sector nog kiezen"
    targets = db.session.scalars(sa.select(Plan.target_section)).all()
    assert targets and all(t is not None for t in targets)
    sectors = db.session.scalars(sa.select(Placement.sector)).all()
    assert sectors and all(s is not None for s in sectors)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sector_priority)) > 0


def test_demo_co_funds_vouchers_within_every_budget(seeded):
    parts = db.session.scalars(sa.select(VoucherFunding)).all()
    assert len(parts) >= 4
    assert all(p.budget_id != p.voucher.budget_id and p.amount_cents < p.voucher.amount_cents
               for p in parts)
    budgets = db.session.scalars(sa.select(Budget)).all()
    for budget_id, figures in service.figures_for(budgets).items():
        assert 0 <= figures.committed <= figures.amount, budget_id


def test_demo_fills_the_province_monitor(seeded):
    quarter = Quarter.containing(TODAY).previous()
    result = monitor.build(quarter, MonitorScope(("MU", "AM", "GV", "FV"), True))
    persons = next(r for r in result.tables["personen"].rows if r.key == "totaal")
    assert persons.cells[-1].value > 0
    assert result.flows["mobiliteit_doel"]
    assert sum(c.value for _, _, c in result.flows["mobiliteit_doel"]) > 0
