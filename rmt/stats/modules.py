"""Figures of the other modules: scholingsvouchers, praktijkverklaringen, werkgevers, nazorg.

Each figure is one function with one query, isolated here so it can follow its module's model.
A figure whose module is not installed is left out (``collect`` skips it); definitions are in
``docs/statistics.md``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rmt.extensions import db
from rmt.stats.service import REGION_CODES, TOTAL, Period, Scope, rate
from rmt.stats.suppression import CountTable, Status, protect


def _case_filters(scope: Scope, case_id_column: sa.ColumnElement) -> list:
    """Conditions that limit a module's rows to the cases of the scope's caseload/filters."""
    from rmt.cases.models import Candidate, Case

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


def vouchers(scope: Scope, period: Period) -> list[BudgetFigures] | None:
    """Per budget of the scope's regions whose year lies in the period: vouchers committed
    (toegekend up to betaald) with their amount, and those paid."""
    try:
        from rmt.vouchers.lifecycle import COMMITTED, PAID
        from rmt.vouchers.models import Budget, FundingSource, Voucher
    except ImportError:  # pragma: no cover - module not installed
        return None
    amount = sa.func.coalesce(Voucher.declared_amount_cents, Voucher.amount_cents)
    committed = Voucher.status.in_([s.value for s in COMMITTED])
    paid = Voucher.status.in_([s.value for s in PAID])
    voucher_filter = sa.and_(Voucher.budget_id == Budget.id,
                             *_case_filters(scope, Voucher.case_id))
    query = (
        sa.select(Budget.id, Budget.region_code, FundingSource.name, Budget.year,
                  Budget.amount_cents,
                  sa.func.count(Voucher.id).filter(committed),
                  sa.func.coalesce(sa.func.sum(amount).filter(committed), 0),
                  sa.func.count(Voucher.id).filter(paid),
                  sa.func.coalesce(sa.func.sum(amount).filter(paid), 0))
        .join(FundingSource, FundingSource.id == Budget.funding_source_id)
        .outerjoin(Voucher, voucher_filter)
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


def praktijkverklaringen(scope: Scope, period: Period) -> dict[str, int] | None:
    """Praktijkverklaringen issued in the period, per region of issuance (the register)."""
    try:
        from rmt.praktijkverklaring.lifecycle import PvStatus
        from rmt.praktijkverklaring.models import PvTrajectory
    except ImportError:  # pragma: no cover
        return None
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
    try:
        from rmt.employers.models import ContactMoment, Vacancy, VacancyStatus
    except ImportError:  # pragma: no cover
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


def sustainability(scope: Scope, period: Period) -> dict[str, dict[str, int]] | None:
    """Duurzaamheid: placements whose six-month follow-up fell due in the period, with its
    outcome; per region of the case on the due date (from the step history)."""
    try:
        from rmt.employers.models import SUSTAINABILITY_MONTHS, FollowUp, Placement
    except ImportError:  # pragma: no cover
        return None
    from rmt.stats.models import StatSpan

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
    """Every module figure available for this scope (missing modules are left out)."""
    result = {}
    for name, figure in FIGURES.items():
        value = figure(scope, period)
        if value is not None:
            result[name] = value
    return result


# ---------------------------------------------------------------------------------------------
# Tables


def _total(values: dict[str, int]) -> int:
    return sum(values.values())


def page_tables(modules: dict[str, Any], regions: tuple[str, ...],
                names: dict[str, str] | None = None) -> dict:
    """The module tables of the statistics page (exact figures of the reader's scope);
    ``names`` are the regions' names for the column headers."""
    names = names or {}
    from rmt.stats.tables import Cell, Column, Row, Table

    tables = {}
    if "vouchers" in modules:
        table = Table("vouchers", "Scholingsvouchers per budget", "Budget", [
            Column("budget", "Budget", "money"), Column("toegekend", "Vouchers toegekend"),
            Column("vastgelegd", "Vastgelegd", "money"), Column("betaald_aantal",
                                                                 "Vouchers betaald"),
            Column("betaald", "Betaald", "money")],
            description="Budgetten van de jaren in de periode. Vastgelegd: toegekend tot en "
                        "met betaald (het gedeclareerde bedrag zodra bekend).")
        rows: list[BudgetFigures] = modules["vouchers"]
        for b in rows:
            table.rows.append(Row(str(b.budget_id), b.title, [
                Cell(b.amount_cents, "money"), Cell(b.committed_count),
                Cell(b.committed_cents, "money"), Cell(b.paid_count),
                Cell(b.paid_cents, "money")]))
        if rows:
            table.rows.append(Row("totaal", "Totaal", [
                Cell(sum(b.amount_cents for b in rows), "money"),
                Cell(sum(b.committed_count for b in rows)),
                Cell(sum(b.committed_cents for b in rows), "money"),
                Cell(sum(b.paid_count for b in rows)),
                Cell(sum(b.paid_cents for b in rows), "money")], total=True))
        tables[table.key] = table
    per_region: list[tuple[str, str, dict[str, int], str]] = []
    if "praktijkverklaringen" in modules:
        per_region.append(("pv_uitgereikt", "Praktijkverklaringen uitgereikt",
                           modules["praktijkverklaringen"], "count"))
    if "werkgevers" in modules:
        per_region += [
            ("contactmomenten", "Contactmomenten met werkgevers",
             modules["werkgevers"]["contacten"], "count"),
            ("vacatures_vervuld", "Vacatures vervuld", modules["werkgevers"]["vacatures_vervuld"],
             "count")]
    if "duurzaamheid" in modules:
        d = modules["duurzaamheid"]
        measured = {r: d["ja"].get(r, 0) + d["nee"].get(r, 0)
                    for r in set(d["ja"]) | set(d["nee"])}
        per_region += [
            ("gemeten", "Plaatsingen met 6-maandsmeting", measured, "count"),
            ("nog_in_dienst", "Na 6 maanden nog aan het werk", d["ja"], "count"),
            ("niet_meer_in_dienst", "Na 6 maanden niet meer aan het werk", d["nee"], "count"),
            ("meting_open", "6-maandsmeting nog niet vastgelegd", d["open"], "count")]
    if per_region:
        table = Table("overig", "Praktijkverklaringen, werkgevers en duurzaamheid per regio",
                      "Cijfer", [Column(c, names.get(c, c)) for c in regions]
                      + [Column("totaal", "Totaal")],
                      description="Duurzaamheid: plaatsingen waarvan de 6-maandsmeting in de "
                                  "periode viel; regio van het traject op die datum.")
        for key, label, values, kind in per_region:
            table.rows.append(Row(key, label, [Cell(values.get(c, 0), kind) for c in regions]
                                  + [Cell(_total(values), kind)]))
        if "duurzaamheid" in modules:
            d = modules["duurzaamheid"]
            cells = []
            for c in [*regions, TOTAL]:
                yes = d["ja"].get(c, 0) if c != TOTAL else _total(d["ja"])
                no = d["nee"].get(c, 0) if c != TOTAL else _total(d["nee"])
                cells.append(Cell(rate(yes, yes + no), "percent"))
            table.rows.append(Row("duurzaamheid", "Duurzaamheid (nog aan het werk)", cells))
        tables[table.key] = table
    return tables


def comparison_tables(modules: dict[str, Any], names: dict[str, str],
                      known_regions: tuple[str, ...]) -> list:
    """The module tables of the region comparison, suppressed like the case figures.

    Every count row is protected on its own (a line with its total over the regions); amounts
    are hidden exactly where the count of vouchers behind them is hidden, so a hidden amount
    cannot be worked out from the total amount either.
    """
    from rmt.stats.tables import (
        HIDDEN,
        Cell,
        Row,
        Table,
        _count_cell,
        _rate_cell,
        _region_columns,
    )

    regions = list(REGION_CODES)
    columns = [*regions, TOTAL]
    result = []

    def line(key: str, values: dict[str, int]) -> CountTable:
        table = CountTable(rows=[key], columns=regions,
                           cells={(key, r): int(values.get(r, 0)) for r in regions},
                           row_totals=True, column_totals=False)
        return protect(table, known_columns=known_regions)

    def count_row(key: str, label: str, table: CountTable) -> Row:
        return Row(key, label, [_count_cell(table, key, c) for c in columns])

    def amount_row(key: str, label: str, amounts: dict[str, int], pattern: CountTable,
                   pattern_key: str) -> Row:
        cells = []
        for c in columns:
            value = amounts.get(c, 0) if c != TOTAL else _total(amounts)
            hidden = pattern.status.get((pattern_key, c), Status.PUBLISHED) != Status.PUBLISHED
            cells.append(Cell(value, "money", HIDDEN if hidden else ""))
        return Row(key, label, cells)

    if "vouchers" in modules:
        budgets: list[BudgetFigures] = modules["vouchers"]
        sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for b in budgets:
            for field in ("committed_count", "committed_cents", "paid_count", "paid_cents"):
                sums[field][b.region_code] += getattr(b, field)
        committed = line("toegekend", sums["committed_count"])
        paid = line("betaald_aantal", sums["paid_count"])
        table = Table("vouchers", "Scholingsvouchers per regio", "Cijfer",
                      _region_columns(names), suppressed=True,
                      description="Budgetten van de jaren in de periode. Bedragen zijn verborgen "
                                  "waar het aantal vouchers erachter verborgen is.")
        table.rows = [
            count_row("toegekend", "Vouchers toegekend", committed),
            amount_row("vastgelegd", "Vastgelegd bedrag", sums["committed_cents"], committed,
                       "toegekend"),
            count_row("betaald_aantal", "Vouchers betaald", paid),
            amount_row("betaald", "Betaald bedrag", sums["paid_cents"], paid, "betaald_aantal"),
        ]
        result.append((table, {"toegekend": committed, "betaald_aantal": paid}))

    rows: list[Row] = []
    protected: dict[str, CountTable] = {}
    if "praktijkverklaringen" in modules:
        protected["pv_uitgereikt"] = line("pv_uitgereikt", modules["praktijkverklaringen"])
        rows.append(count_row("pv_uitgereikt", "Praktijkverklaringen uitgereikt",
                              protected["pv_uitgereikt"]))
    if "werkgevers" in modules:
        for key, label, source in (("contactmomenten", "Contactmomenten met werkgevers",
                                    "contacten"),
                                   ("vacatures_vervuld", "Vacatures vervuld",
                                    "vacatures_vervuld")):
            protected[key] = line(key, modules["werkgevers"][source])
            rows.append(count_row(key, label, protected[key]))
    if "duurzaamheid" in modules:
        d = modules["duurzaamheid"]
        outcome = CountTable(rows=["ja", "nee"], columns=regions,
                             cells={(k, r): d[k].get(r, 0) for k in ("ja", "nee")
                                    for r in regions}, row_totals=True, column_totals=True)
        protect(outcome, known_columns=known_regions)
        protected["duurzaamheid"] = outcome
        still = Row("nog_in_dienst", "Na 6 maanden nog aan het werk",
                    [_count_cell(outcome, "ja", c) for c in columns])
        gone = Row("niet_meer_in_dienst", "Na 6 maanden niet meer aan het werk",
                   [_count_cell(outcome, "nee", c) for c in columns])
        measured = Row("gemeten", "Plaatsingen met 6-maandsmeting",
                       [_count_cell(outcome, TOTAL, c) for c in columns])
        rows += [measured, still, gone, Row("duurzaamheid", "Duurzaamheid (nog aan het werk)", [
            _rate_cell(s, m) for s, m in zip(still.cells, measured.cells, strict=True)])]
    if rows:
        table = Table("overig", "Praktijkverklaringen, werkgevers en duurzaamheid per regio",
                      "Cijfer", _region_columns(names), rows, suppressed=True,
                      description="Duurzaamheid: plaatsingen waarvan de 6-maandsmeting in de "
                                  "periode viel; regio van het traject op die datum.")
        result.append((table, protected))
    return result
