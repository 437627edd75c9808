"""Figures of the other modules: scholingsvouchers, praktijkverklaringen, werkgevers, nazorg.

Each figure is one function with one query on that module's models, isolated here so it can
follow them. A figure that does not apply to a scope is None (``collect`` leaves it out);
definitions are in ``docs/statistics.md``. Their tables are in :mod:`rmt.stats.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rmt.cases.models import Candidate, Case
from rmt.employers.models import (
    SUSTAINABILITY_MONTHS,
    ContactMoment,
    FollowUp,
    Placement,
    Vacancy,
    VacancyStatus,
)
from rmt.extensions import db
from rmt.praktijkverklaring.models import PvStatus, PvTrajectory
from rmt.stats.models import StatSpan
from rmt.stats.scope import Period, Scope
from rmt.vouchers.lifecycle import COMMITTED, PAID
from rmt.vouchers.models import Budget, FundingSource
from rmt.vouchers.queries import funding_lines


def _case_filters(scope: Scope, case_id_column: sa.ColumnElement) -> list:
    """Conditions that limit a module's rows to the cases of the scope's caseload/filters."""
    if scope.coach_id is None and not scope.target_group and not scope.referral_partner:
        return []
    cases = sa.select(Case.id)
    if scope.coach_id is not None:
        cases = cases.where(Case.coach_id == scope.coach_id)
    if scope.target_group or scope.referral_partner:
        cases = cases.join(Candidate, Candidate.id == Case.candidate_id)
        if scope.target_group:
            cases = cases.where(Candidate.target_group == scope.target_group)
        if scope.referral_partner:
            cases = cases.where(Candidate.referral_partner == scope.referral_partner)
    return [case_id_column.in_(cases)]


def _regions(scope: Scope) -> list:
    return list(scope.regions) or ["--"]


# ---------------------------------------------------------------------------------------------
# Scholingsvouchers


@dataclass(frozen=True)
class BudgetFigures:
    budget_id: int
    region_code: str
    title: str
    year: int
    amount_cents: int
    committed_count: int
    committed_cents: int
    paid_count: int
    paid_cents: int


def vouchers(scope: Scope, period: Period) -> list[BudgetFigures]:
    """Per budget of the scope's regions whose year lies in the period: vouchers committed
    (toegekend up to betaald) with the part this budget pays, and those paid. A voucher with
    co-funding counts with each budget it is paid from."""
    line = funding_lines()
    amount = sa.func.coalesce(line.c.declared, line.c.amount)
    committed = line.c.status.in_([s.value for s in COMMITTED])
    paid = line.c.status.in_([s.value for s in PAID])
    line_filter = sa.and_(line.c.budget_id == Budget.id, *_case_filters(scope, line.c.case_id))
    query = (
        sa.select(Budget.id, Budget.region_code, FundingSource.name, Budget.year,
                  Budget.amount_cents,
                  sa.func.count(line.c.voucher_id).filter(committed),
                  sa.func.coalesce(sa.func.sum(amount).filter(committed), 0),
                  sa.func.count(line.c.voucher_id).filter(paid),
                  sa.func.coalesce(sa.func.sum(amount).filter(paid), 0))
        .join(FundingSource, FundingSource.id == Budget.funding_source_id)
        .outerjoin(line, line_filter)
        .where(Budget.region_code.in_(_regions(scope)),
               Budget.year.between(period.start.year, period.end.year))
        .group_by(Budget.id, Budget.region_code, FundingSource.name, Budget.year,
                  Budget.amount_cents)
        .order_by(Budget.year, Budget.region_code, FundingSource.name)
    )
    return [BudgetFigures(i, region, f"{name} {year} ({region})", year, int(total),
                          int(cc), int(cs), int(pc), int(ps))
            for i, region, name, year, total, cc, cs, pc, ps in db.session.execute(query)]


# ---------------------------------------------------------------------------------------------
# Praktijkverklaringen


def praktijkverklaringen(scope: Scope, period: Period) -> dict[str, int]:
    """Praktijkverklaringen issued in the period, per region of issuance (the register)."""
    query = (sa.select(PvTrajectory.register_region_code, sa.func.count())
             .where(PvTrajectory.status == PvStatus.UITGEREIKT.value,
                    PvTrajectory.issued_on.between(period.start, period.end),
                    PvTrajectory.register_region_code.in_(_regions(scope)),
                    *_case_filters(scope, PvTrajectory.case_id))
             .group_by(PvTrajectory.register_region_code))
    return {region: int(n) for region, n in db.session.execute(query)}


# ---------------------------------------------------------------------------------------------
# Werkgevers


def employer_activity(scope: Scope, period: Period) -> dict[str, dict[str, int]] | None:
    """Contact moments with employers and vacancies filled in the period, per region.

    These belong to the liaisons' work, not to a caseload: left out of a coach's own figures;
    doelgroep and verwijzer do not apply to them.
    """
    if scope.own_caseload:
        return None
    contacts = (sa.select(ContactMoment.region_code, sa.func.count())
                .where(ContactMoment.contact_on.between(period.start, period.end),
                       ContactMoment.region_code.in_(_regions(scope)))
                .group_by(ContactMoment.region_code))
    filled = (sa.select(Vacancy.region_code, sa.func.count())
              .where(Vacancy.status == VacancyStatus.FILLED.value,
                     Vacancy.ended_on.between(period.start, period.end),
                     Vacancy.region_code.in_(_regions(scope)))
              .group_by(Vacancy.region_code))
    return {"contacten": {r: int(n) for r, n in db.session.execute(contacts)},
            "vacatures_vervuld": {r: int(n) for r, n in db.session.execute(filled)}}


def sustainability(scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Duurzaamheid: placements whose six-month follow-up fell due in the period, with its
    outcome; per region of the case on the due date (from the step history)."""
    span = StatSpan.__table__
    query = (
        sa.select(span.c.region_code,
                  sa.func.count().filter(FollowUp.still_employed.is_(True)),
                  sa.func.count().filter(FollowUp.still_employed.is_(False)),
                  sa.func.count().filter(FollowUp.still_employed.is_(None)))
        .select_from(FollowUp)
        .join(Placement, Placement.id == FollowUp.placement_id)
        .join(span, sa.and_(span.c.case_id == Placement.case_id,
                            span.c.started_on <= FollowUp.due_on,
                            sa.or_(span.c.ended_on.is_(None), span.c.ended_on > FollowUp.due_on)))
        .where(FollowUp.months == SUSTAINABILITY_MONTHS,
               FollowUp.due_on.between(period.start, period.end),
               span.c.region_code.in_(_regions(scope)),
               *_case_filters(scope, Placement.case_id))
        .group_by(span.c.region_code)
    )
    result: dict[str, dict[str, int]] = {"ja": {}, "nee": {}, "open": {}}
    for region, yes, no, pending in db.session.execute(query):
        result["ja"][region], result["nee"][region] = int(yes), int(no)
        result["open"][region] = int(pending)
    return result


FIGURES = {
    "vouchers": vouchers,
    "praktijkverklaringen": praktijkverklaringen,
    "werkgevers": employer_activity,
    "duurzaamheid": sustainability,
}


def collect(scope: Scope, period: Period) -> dict[str, Any]:
    """Every module figure that applies to this scope (None figures are left out)."""
    result = {}
    for name, figure in FIGURES.items():
        value = figure(scope, period)
        if value is not None:
            result[name] = value
    return result
