"""The pipeline figures of docs/statistics.md as set-based SQL (SQLAlchemy Core, SQLite and
PostgreSQL).

Every case figure is read from the summary tables that mirror the step history
(:mod:`rmt.stats.models`); the definitions are in ``docs/statistics.md``. Each function answers
one figure for a :class:`Scope` (which regions, which caseload, which doelgroep/verwijzer) and a
:class:`Period`, grouped by one :class:`Dimension`; results are plain dictionaries keyed by
``(row, group)`` with :data:`TOTAL` as the group of the total over all groups.

Figures of the voucher, employer and praktijkverklaring modules are in
:mod:`rmt.stats.modules`, one function each, so they can follow those models on their own.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from rmt.access import Action, allowed_regions
from rmt.auth.models import Role, User
from rmt.cases.models import Candidate, Case, ReferralPartner, TargetGroup, is_jongere
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from rmt.regions.models import Region
from rmt.stats import modules
from rmt.stats.models import StatCase, StatSpan, StatStayMonth
from rmt.stats.scope import REGION_CODES, TOTAL, Dimension, Period, Scope, rate
from rmt.stats.summary import FUNNEL_STEPS, REACHED_COLUMN, year_month

__all__ = ["REGION_CODES", "TOTAL", "Dimension", "Period", "Scope", "rate"]  # re-exported

#: Exit reasons that count as a placement (besides having reached the step geplaatst).
PLACEMENT_REASONS: tuple[ExitReason, ...] = (
    ExitReason.WERK_LOONDIENST, ExitReason.WERK_ZELFSTANDIG, ExitReason.BEHOUD_WERK)
#: Steps a running case can be in: the stock table and the medians use these, in this order.
OPEN_STEPS: tuple[CaseState, ...] = (*FUNNEL_STEPS, CaseState.GEPAUZEERD)
DAYS_PER_STEP = OPEN_STEPS


def scope_for(user: User, regions: list[str] | None = None, *, coach_id: int | None = None,
              target_group: str | None = None, referral_partner: str | None = None) -> Scope:
    """The scope a user may see: coordinators their regions, coaches their own caseload.

    Fails closed: a user without VIEW_STATS, or asking for regions outside their own, gets an
    empty set of regions (every figure zero).
    """
    allowed = allowed_regions(user, Action.VIEW_STATS)
    chosen = tuple(code for code in REGION_CODES
                   if code in allowed and (not regions or code in regions))
    if user.role == Role.COACH:
        return Scope(chosen, coach_id=user.id, target_group=target_group,
                     referral_partner=referral_partner, own_caseload=True)
    return Scope(chosen, coach_id=coach_id, target_group=target_group,
                 referral_partner=referral_partner)


def comparison_scope() -> Scope:
    """All four regions (aggregates only; the caller checks COMPARE_REGIONS)."""
    return Scope(REGION_CODES)


# ---------------------------------------------------------------------------------------------
# SQL helpers


def _t() -> tuple[sa.Table, sa.Table, sa.Table, sa.Table]:
    return StatCase.__table__, StatSpan.__table__, Case.__table__, Candidate.__table__


def _source(table: sa.Table, region_column: sa.Column, scope: Scope,
            dimension: Dimension | None) -> tuple[sa.FromClause, list, sa.ColumnElement | None]:
    """FROM clause, WHERE conditions and the group column for a summary table in a scope.

    ``case_file`` and ``candidate`` are joined only when a filter or the breakdown needs them.
    """
    _, _, case_file, candidate = _t()
    needs_candidate = bool(scope.target_group or scope.referral_partner) or dimension in (
        Dimension.TARGET_GROUP, Dimension.REFERRAL_PARTNER)
    needs_case = needs_candidate or scope.coach_id is not None or dimension == Dimension.COACH
    source: sa.FromClause = table
    if needs_case:
        source = source.join(case_file, case_file.c.id == table.c.case_id)
    if needs_candidate:
        source = source.join(candidate, candidate.c.id == case_file.c.candidate_id)
    conditions: list = [region_column.in_(scope.regions) if scope.regions else sa.false()]
    if scope.coach_id is not None:
        conditions.append(case_file.c.coach_id == scope.coach_id)
    if scope.target_group:
        conditions.append(candidate.c.target_group == scope.target_group)
    if scope.referral_partner:
        conditions.append(candidate.c.referral_partner == scope.referral_partner)
    group = {
        None: None,
        Dimension.REGION: region_column,
        Dimension.TARGET_GROUP: candidate.c.target_group,
        Dimension.REFERRAL_PARTNER: candidate.c.referral_partner,
        Dimension.COACH: case_file.c.coach_id,
    }[dimension]
    return source, conditions, group


def _group(column: sa.ColumnElement | None) -> sa.ColumnElement:
    return (column if column is not None else sa.literal(TOTAL)).label("grp")


def _key(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


# ---------------------------------------------------------------------------------------------
# Case figures


def intake_and_funnel(scope: Scope, period: Period,
                      dimension: Dimension = Dimension.REGION) -> dict[tuple[str, Any], int]:
    """Instroom and the funnel of its cohort: ``{(step, group): cases}``.

    The cohort is every case registered in the period (in the region of its registration);
    ``(aangemeld, g)`` is the instroom, ``(S, g)`` the cases of the cohort that reached step S
    or a later step of the main line on or before the end of the period.
    """
    stat_case = _t()[0]
    source, conditions, group = _source(stat_case, stat_case.c.registered_region, scope,
                                        dimension)
    reached = [
        sa.func.sum(sa.case((stat_case.c[REACHED_COLUMN[step]] <= period.end, 1), else_=0))
        for step in FUNNEL_STEPS[1:]]
    query = (sa.select(_group(group), sa.func.count(), *reached).select_from(source)
             .where(*conditions, stat_case.c.registered_on.between(period.start, period.end))
             .group_by(sa.literal_column("grp")))
    result: dict[tuple[str, Any], int] = defaultdict(int)
    for row in db.session.execute(query):
        for step, count in zip(FUNNEL_STEPS, row[1:], strict=True):
            for key in {_key(row.grp), TOTAL}:
                result[(step.value, key)] += int(count or 0)
    return dict(result)


#: Rows of the persons-started table: everyone, the derived and flagged groups, then the
#: target groups (``tg:<value>``).
PERSON_ROWS: tuple[tuple[str, str], ...] = (
    ("personen", "Personen gestart"),
    ("jongeren", "Jongeren (onder 27 bij aanmelding)"),
    ("banenafspraak", "Banenafspraak"),
    *((f"tg:{g.value}", g.label) for g in TargetGroup),
)


def persons_started(scope: Scope, period: Period, dimension: Dimension = Dimension.REGION
                    ) -> dict[tuple[str, Any], int]:
    """Unique persons started: ``{(row, group): persons}`` (rows as :data:`PERSON_ROWS`).

    A person started in the period when one of their cases was registered in it; a person with
    two such cases counts once (in a group and in the total). Jongere: under 27 on the
    registration date of one of those cases. Target group and banenafspraak are the person's.
    """
    stat_case, _, case_file, candidate = _t()
    source, conditions, group = _source(stat_case, stat_case.c.registered_region, scope,
                                        dimension)
    # _source joins case_file and candidate only when a filter or the breakdown needs them.
    has_candidate = bool(scope.target_group or scope.referral_partner) or dimension in (
        Dimension.TARGET_GROUP, Dimension.REFERRAL_PARTNER)
    has_case = has_candidate or scope.coach_id is not None or dimension == Dimension.COACH
    if not has_case:
        source = source.join(case_file, case_file.c.id == stat_case.c.case_id)
    if not has_candidate:
        source = source.join(candidate, candidate.c.id == case_file.c.candidate_id)
    query = (sa.select(_group(group), candidate.c.id, candidate.c.birth_date,
                       stat_case.c.registered_on, candidate.c.target_group,
                       candidate.c.banenafspraak)
             .select_from(source)
             .where(*conditions, stat_case.c.registered_on.between(period.start, period.end)))
    persons: dict[tuple[str, Any], set[int]] = defaultdict(set)
    for row in db.session.execute(query):
        rows = ["personen", f"tg:{_key(row.target_group)}"]
        if is_jongere(row.birth_date, row.registered_on):
            rows.append("jongeren")
        if row.banenafspraak:
            rows.append("banenafspraak")
        for key in {_key(row.grp), TOTAL}:
            for name in rows:
                persons[(name, key)].add(row.id)
    return {key: len(ids) for key, ids in persons.items()}


def exits(scope: Scope, period: Period, dimension: Dimension = Dimension.REGION
          ) -> tuple[dict[tuple[str, Any], int], dict[Any, int]]:
    """Uitstroom by exit reason ``{(reason, group): cases}`` and placements ``{group: cases}``.

    Uitstroom is every case closed in the period, in the region where it was closed. A closed
    case counts as a placement when its exit reason is work (loondienst, zelfstandig, behoud)
    or when it reached the step geplaatst before it was closed.
    """
    stat_case = _t()[0]
    source, conditions, group = _source(stat_case, stat_case.c.closed_region, scope, dimension)
    placed = sa.or_(stat_case.c.exit_reason.in_([r.value for r in PLACEMENT_REASONS]),
                    stat_case.c.reached_geplaatst_on.is_not(None))
    query = (sa.select(_group(group), stat_case.c.exit_reason, sa.func.count(),
                       sa.func.sum(sa.case((placed, 1), else_=0)))
             .select_from(source)
             .where(*conditions, stat_case.c.closed_on.between(period.start, period.end))
             .group_by(sa.literal_column("grp"), stat_case.c.exit_reason))
    by_reason: dict[tuple[str, Any], int] = defaultdict(int)
    placements: dict[Any, int] = defaultdict(int)
    for grp, reason, count, placed_count in db.session.execute(query):
        reason_key = _key(reason) or "onbekend"
        for key in {_key(grp), TOTAL}:
            by_reason[(reason_key, key)] += int(count)
            placements[key] += int(placed_count or 0)
    return dict(by_reason), dict(placements)


def stock(scope: Scope, on: date, dimension: Dimension = Dimension.REGION
          ) -> dict[tuple[str, Any], int]:
    """Running cases per step at the end of ``on``: ``{(step, group): cases}``.

    A case counts in the step and region of its latest event on or before that date; closed
    cases are left out. Grouped by coach this is the caseload per coach.
    """
    stat_span = _t()[1]
    source, conditions, group = _source(stat_span, stat_span.c.region_code, scope, dimension)
    # The span current at the end of ``on`` is still open or ends later; two index ranges on
    # ended_on (an OR of both would scan the whole index).
    parts = [sa.select(_group(group), stat_span.c.step.label("step")).select_from(source)
             .where(*conditions, stat_span.c.started_on <= on, ended,
                    stat_span.c.step != CaseState.AFGESLOTEN.value)
             for ended in (stat_span.c.ended_on.is_(None), stat_span.c.ended_on > on)]
    current = sa.union_all(*parts).subquery("current")
    query = (sa.select(current.c.grp, current.c.step, sa.func.count())
             .group_by(current.c.grp, current.c.step))
    result: dict[tuple[str, Any], int] = defaultdict(int)
    for grp, step, count in db.session.execute(query):
        for key in {_key(grp), TOTAL}:
            result[(_key(step), key)] += int(count)
    return dict(result)


def median_days(scope: Scope, period: Period, dimension: Dimension = Dimension.REGION
                ) -> dict[tuple[str, Any], tuple[float, int]]:
    """Median length of a stay per step: ``{(step, group): (median days, stays)}``.

    A stay runs from the event entering a step to the first event leaving it (a transfer does
    not end it); stays that ended in the period count, in the region where they ended. Days are
    calendar days in the Netherlands.

    One query, in SQL: the stays are first counted per (group, step, days) — a few thousand
    rows however many stays there are — and the total over the groups is added from those
    counts; a running sum per (group, step) then finds the middle stay(s): the median is the
    mean of the days of stay number (n + 1) // 2 and (n + 2) // 2 in order of length.
    """
    stat_span = _t()[1]
    source, conditions, group = _source(stat_span, stat_span.c.region_code, scope, dimension)

    def from_spans(start: date, end: date) -> sa.Select:
        return (sa.select(_group(group), stat_span.c.step.label("step"),
                          stat_span.c.stay_days.label("days"), sa.func.count().label("c"))
                .select_from(source)
                .where(*conditions, stat_span.c.stay_days.is_not(None),
                       stat_span.c.ended_on.between(start, end))
                .group_by(sa.literal_column("grp"), stat_span.c.step, stat_span.c.stay_days))

    whole = _whole_months(period)
    if whole is None or source is not stat_span or dimension not in (None, Dimension.REGION):
        # A filter or breakdown needs the cases behind the stays: count the spans.
        per_group = from_spans(period.start, period.end).cte("per_group")
    else:
        # Whole months from the month counts, the days at either edge from the spans.
        first, last = whole
        months = StatStayMonth.__table__
        parts: list[sa.Select] = [
            sa.select(_group(months.c.region_code if group is not None else None),
                      months.c.step.label("step"), months.c.stay_days.label("days"),
                      months.c.stays.label("c"))
            .where(months.c.region_code.in_(scope.regions) if scope.regions else sa.false(),
                   months.c.month.between(first.strftime("%Y-%m"), last.strftime("%Y-%m")))]
        if period.start < first:
            parts.append(from_spans(period.start, first - timedelta(days=1)))
        month_end = (last + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if month_end < period.end:
            parts.append(from_spans(month_end + timedelta(days=1), period.end))
        pieces = sa.union_all(*parts).subquery("pieces")
        per_group = (sa.select(pieces.c.grp, pieces.c.step, pieces.c.days,
                               sa.func.sum(pieces.c.c).label("c"))
                     .group_by(pieces.c.grp, pieces.c.step, pieces.c.days).cte("per_group"))
    # The groups as text, so they unite with the total's key (coach ids are numbers).
    parts = [sa.select(sa.cast(per_group.c.grp, sa.String).label("grp"), per_group.c.step,
                       per_group.c.days, per_group.c.c)]
    if group is not None:
        parts.append(sa.select(sa.literal(TOTAL).label("grp"), per_group.c.step,
                               per_group.c.days, sa.func.sum(per_group.c.c).label("c"))
                     .group_by(per_group.c.step, per_group.c.days))
    counts = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("counts")
    partition = (counts.c.grp, counts.c.step)
    running = sa.select(
        counts.c.grp, counts.c.step, counts.c.days,
        sa.cast(sa.func.sum(counts.c.c).over(partition_by=partition, order_by=counts.c.days,
                                             rows=(None, 0)), sa.Integer).label("upto"),
        sa.cast(sa.func.sum(counts.c.c).over(partition_by=partition), sa.Integer).label("n"),
    ).subquery("running")
    low = sa.func.min(sa.case((running.c.upto >= (running.c.n + 1) // 2, running.c.days)))
    high = sa.func.min(sa.case((running.c.upto >= (running.c.n + 2) // 2, running.c.days)))
    query = (sa.select(running.c.grp, running.c.step, running.c.n, low, high)
             .group_by(running.c.grp, running.c.step, running.c.n))
    result: dict[tuple[str, Any], tuple[float, int]] = {}
    for grp, step, count, lower, upper in db.session.execute(query):
        key = grp if grp in (TOTAL, None) or dimension != Dimension.COACH else int(grp)
        result[(_key(step), key)] = (round((lower + upper) / 2, 1), int(count))
    return result


def _whole_months(period: Period) -> tuple[date, date] | None:
    """The first days of the first and the last calendar month lying wholly in the period."""
    first = period.start if period.start.day == 1 else (
        (period.start.replace(day=1) + timedelta(days=32)).replace(day=1))
    after = period.end + timedelta(days=1)
    last = after.replace(day=1) - timedelta(days=1)  # the last day of a whole month
    last = last.replace(day=1)
    return (first, last) if first <= last else None


def monthly_trend(scope: Scope, period: Period) -> list[tuple[date, int, int]]:
    """Instroom and uitstroom per calendar month of the period: ``[(month, in, out)]``."""
    stat_case = _t()[0]
    counts: dict[str, list[int]] = {m.strftime("%Y-%m"): [0, 0] for m in period.months()}
    for index, (region_column, day_column) in enumerate((
            (stat_case.c.registered_region, stat_case.c.registered_on),
            (stat_case.c.closed_region, stat_case.c.closed_on))):
        source, conditions, _ = _source(stat_case, region_column, scope, None)
        month = year_month(day_column).label("month")
        query = (sa.select(month, sa.func.count()).select_from(source)
                 .where(*conditions, day_column.between(period.start, period.end))
                 .group_by(month))
        for key, count in db.session.execute(query):
            if key in counts:
                counts[key][index] = int(count)
    return [(date(int(k[:4]), int(k[5:7]), 1), v[0], v[1]) for k, v in sorted(counts.items())]


# ---------------------------------------------------------------------------------------------
# Labels of groups


def region_names() -> dict[str, str]:
    """The regions' names by code."""
    return dict(db.session.execute(sa.select(Region.code, Region.name)).all())


def group_labels(dimension: Dimension, keys: set[Any]) -> list[tuple[Any, str]]:
    """The groups of a breakdown with their Dutch labels, in a stable order."""
    keys = {k for k in keys if k != TOTAL}
    if dimension == Dimension.REGION:
        names = region_names()
        return [(code, names.get(code, code)) for code in REGION_CODES if code in keys]
    if dimension == Dimension.TARGET_GROUP:
        return [(m.value, m.label) for m in TargetGroup if m.value in keys]
    if dimension == Dimension.REFERRAL_PARTNER:
        return [(m.value, m.label) for m in ReferralPartner if m.value in keys]
    ids = sorted(k for k in keys if k is not None)
    names = dict(db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return sorted(((i, names.get(i, f"Coach {i}")) for i in ids), key=lambda item: item[1])


# ---------------------------------------------------------------------------------------------
# Everything for one page


@dataclass
class PipelineFigures:
    """All case figures of one scope, period and breakdown (the statistics page)."""

    scope: Scope
    period: Period
    dimension: Dimension
    groups: list[tuple[Any, str]]
    funnel: dict[tuple[str, Any], int]
    exits: dict[tuple[str, Any], int]
    placements: dict[Any, int]
    stock: dict[tuple[str, Any], int]
    medians: dict[tuple[str, Any], tuple[float, int]]
    trend: list[tuple[date, int, int]]
    caseload: dict[tuple[str, Any], int]
    coaches: list[tuple[Any, str]]
    modules: dict[str, Any] = field(default_factory=dict)
    persons: dict[tuple[str, Any], int] = field(default_factory=dict)

    def instroom(self, group: Any = TOTAL) -> int:
        return self.funnel.get((CaseState.AANGEMELD.value, group), 0)

    def uitstroom(self, group: Any = TOTAL) -> int:
        return sum(v for (_, g), v in self.exits.items() if g == group)

    def running(self, group: Any = TOTAL) -> int:
        return sum(v for (_, g), v in self.stock.items() if g == group)


def pipeline(scope: Scope, period: Period, dimension: Dimension = Dimension.REGION,
             *, with_modules: bool = True, with_caseload: bool = True) -> PipelineFigures:
    """Every figure of the statistics page, one query per figure (the region comparison has
    no caseload per coach: ``with_caseload=False``)."""
    funnel = intake_and_funnel(scope, period, dimension)
    by_reason, placements = exits(scope, period, dimension)
    stock_counts = stock(scope, period.on, dimension)
    medians = median_days(scope, period, dimension)
    caseload = stock(scope, period.on, Dimension.COACH) if with_caseload else {}
    keys = {g for (_, g) in (*funnel, *by_reason, *stock_counts)} | set(placements)
    keys |= {g for (_, g) in medians}
    figures = PipelineFigures(
        scope=scope, period=period, dimension=dimension,
        groups=group_labels(dimension, keys), funnel=funnel, exits=by_reason,
        placements=placements, stock=stock_counts, medians=medians,
        trend=monthly_trend(scope, period), caseload=caseload,
        coaches=group_labels(Dimension.COACH, {g for (_, g) in caseload}),
    )
    figures.persons = persons_started(scope, period, dimension)
    if with_modules:
        figures.modules = modules.collect(scope, period)
    return figures

