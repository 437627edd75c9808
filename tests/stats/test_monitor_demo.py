"""The demo seed fills what the monitor reports (issue 20, item 7): sectors of origin and
target (some still to choose), placements with their sector, co-funded vouchers that stay
within every budget, and a province monitor with figures in it."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.cases import demo as cases_demo
from rmt.cases.models import Case, Intake, Plan
from rmt.cases.service import WORK_EXITS
from rmt.cli import seed_demo_users
from rmt.employers.demo import seed_employers
from rmt.employers.models import Placement, sector_priority
from rmt.extensions import db
from rmt.process import CaseState
from rmt.regions import REGION_CODES
from rmt.stats import monitor
from rmt.stats.monitor import MonitorScope, Quarter
from rmt.stats.scope import TOTAL, Period, Scope
from rmt.stats.service import exits, intake_and_funnel
from rmt.stats.summary import rebuild
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


def test_demo_exits_to_work_name_their_placement_and_agree_with_the_funnel(seeded):
    """The demo follows the closing rule: every exit to work passed geplaatst and names a
    placement of its case that ran on the closing date, so /cijfers/ cannot contradict itself."""
    closed_to_work = db.session.scalars(
        sa.select(Case).where(Case.exit_reason.in_(WORK_EXITS))).all()
    assert len(closed_to_work) >= 10
    for case in closed_to_work:
        placement = db.session.get(Placement, case.exit_placement_id)
        assert placement is not None and placement.case_id == case.id, case.id
        assert placement.start_on <= case.closed_on and placement.is_active(case.closed_on)
        assert CaseState.GEPLAATST in {event.to_status for event in case.events}, case.id
    rebuild(db.session.connection())
    period, scope = Period(TODAY - timedelta(days=600), TODAY, TODAY), Scope(REGION_CODES)
    by_reason, _ = exits(scope, period)
    work = sum(by_reason[(reason.value, TOTAL)] for reason in WORK_EXITS)
    assert work == len(closed_to_work)
    assert intake_and_funnel(scope, period)[("geplaatst", TOTAL)] >= work
