"""The quarterly monitor in the funders' terms, per region and for the province.

One quarter (``2026-Q3``: 1 July up to and including 30 September, calendar dates in
Europe/Amsterdam), one region or the four regions side by side with the province as total.
Every count goes through the small-cell and complementary suppression of
:mod:`rmt.stats.suppression`: the report is meant to leave the organisation. Definitions are in
``docs/statistics.md`` (section *Kwartaalmonitor*).

Who sees what (:func:`monitor_scope`): a regiocoördinator the monitor of each of their regions
(``Action.VIEW_MONITOR``); the province only those who already compare regions
(``Action.COMPARE_REGIONS``). Another region is a 404, as a record of another region would be.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from rmt import clock
from rmt.access import Action, allowed_regions, can
from rmt.auth.models import User
from rmt.cases.models import (
    Case,
    DeliveryPartner,
    Intake,
    Plan,
    PlanActivity,
    ServiceCategory,
    ServiceType,
    TargetGroup,
)
from rmt.cases.sectors import TO_CHOOSE, SbiSection
from rmt.employers.models import Placement, Sector, sector_priority
from rmt.errors_domain import DomainError, Forbidden, NotFound
from rmt.extensions import db
from rmt.praktijkverklaring.models import PvStatus, PvTrajectory
from rmt.process import ExitReason
from rmt.stats import service
from rmt.stats.models import StatSpan
from rmt.stats.scope import REGION_CODES, TOTAL, Dimension, Period, Scope
from rmt.stats.suppression import THRESHOLD, CountTable, Status, protect
from rmt.stats.tables import HIDDEN, Cell, Column, Row, Table
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher, VoucherEvent

#: The ``region`` value of the province (all four regions, with the province as total).
PROVINCE = "provincie"
#: Row key of "sector nog kiezen" (no SBI section recorded yet).
NO_SECTOR = "-"
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; its days are calendar days in the Netherlands."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: Any) -> Quarter:
        """``2026-Q3`` (also lower case); DomainError on anything else."""
        match = _QUARTER.match(str(text or "").strip().upper())
        if match is None or not 2000 <= int(match.group(1)) <= 2100:
            raise DomainError("Kies een kwartaal als 2026-Q3 (jaar, streepje, Q1 tot en met Q4).",
                              field="quarter", code="invalid_quarter")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.containing(clock.today())

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = date(self.year + (self.number == 4), 1 if self.number == 4
                         else 3 * self.number + 1, 1)
        return following - timedelta(days=1)

    def period(self) -> Period:
        return Period(self.start, self.end, self.end)

    def moments(self) -> tuple[datetime, datetime]:
        """The quarter as UTC moments: from local midnight of its first day (inclusive) to
        local midnight after its last day (exclusive); daylight saving time included."""
        return clock.start_of_day(self.start), clock.start_of_day(self.end + timedelta(days=1))

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year,
                                                                          self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.number}e kwartaal {self.year}"


# ---------------------------------------------------------------------------------------------
# Who sees which monitor


@dataclass(frozen=True)
class MonitorScope:
    """The regions of one monitor: one region, or the four for the province."""

    regions: tuple[str, ...]
    province: bool
    #: Regions whose exact figures the reader knows (their own): the suppression of the
    #: province view does not rely on hiding those.
    known: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return PROVINCE if self.province else self.regions[0]


def monitor_regions(user: User) -> list[str]:
    """The regions whose monitor ``user`` may see (in the fixed order of the regions)."""
    allowed = allowed_regions(user, Action.VIEW_MONITOR)
    return [code for code in REGION_CODES if code in allowed]


def can_see_province(user: User) -> bool:
    return can(user, Action.COMPARE_REGIONS)


def monitor_scope(user: User, region: str | None) -> MonitorScope:
    """The monitor ``user`` asked for: ``region`` a region code or :data:`PROVINCE`; empty: the
    province when the user may see it, else their first region.

    Forbidden without the role; NotFound for a region that is not the user's (or unknown).
    """
    own = monitor_regions(user)
    province = can_see_province(user)
    if not own and not province:
        raise Forbidden("Alleen regiocoördinatoren zien de kwartaalmonitor.")
    wanted = (region or "").strip()
    if not wanted:
        wanted = PROVINCE if province else own[0]
    if wanted.lower() == PROVINCE:
        if not province:
            raise Forbidden("De provinciale monitor is er voor wie regio's vergelijkt.")
        return MonitorScope(REGION_CODES, True, tuple(own))
    code = wanted.upper()
    if code not in own:
        raise NotFound()
    return MonitorScope((code,), False)


# ---------------------------------------------------------------------------------------------
# The figures (exact; the tables below suppress them)


Counts = dict[tuple[Hashable, str], int]


def _running_cases(regions: tuple[str, ...], period: Period) -> sa.Select:
    """Cases that ran in the period (registered before its end, not closed before its start)
    in ``regions``, by their current region."""
    return sa.select(Case.id).where(
        Case.region_code.in_(regions), Case.opened_on <= period.end,
        sa.or_(Case.closed_on.is_(None), Case.closed_on >= period.start))


def services(regions: tuple[str, ...], period: Period) -> tuple[Counts, Counts]:
    """Services (plan activities) of the cases running in the period, by the category of the
    regulation and by delivering partner: ``({(category, region): n}, {(partner, region): n})``.

    Activities carry no date of their own: every activity in uitvoering or afgerond of a case
    that ran in the quarter counts, as the plan stands when the report is made."""
    running = _running_cases(regions, period).subquery()
    query = (sa.select(ServiceType.category, DeliveryPartner.id, Case.region_code,
                       sa.func.count())
             .select_from(PlanActivity)
             .join(ServiceType, ServiceType.id == PlanActivity.service_type_id)
             .outerjoin(DeliveryPartner, DeliveryPartner.id == PlanActivity.partner_id)
             .join(Case, Case.id == PlanActivity.case_id)
             .where(PlanActivity.case_id.in_(sa.select(running.c.id)),
                    PlanActivity.status.in_(["bezig", "afgerond"]))
             .group_by(ServiceType.category, DeliveryPartner.id, Case.region_code))
    by_category: Counts = defaultdict(int)
    by_partner: Counts = defaultdict(int)
    for category, partner_id, region, count in db.session.execute(query):
        by_category[(_value(category), region)] += int(count)
        by_partner[(partner_id if partner_id is not None else NO_SECTOR, region)] += int(count)
    return dict(by_category), dict(by_partner)


def _value(member: Any) -> Any:
    return getattr(member, "value", member)


def _placements_in(regions: tuple[str, ...], period: Period) -> sa.Select:
    """Placements that started in the period, with the region of their case on the start date
    (from the step history, as the duurzaamheid figure)."""
    span = StatSpan.__table__
    return (sa.select(Placement.id, Placement.case_id, Placement.sector,
                      span.c.region_code.label("region"))
            .join(span, sa.and_(span.c.case_id == Placement.case_id,
                                span.c.started_on <= Placement.start_on,
                                sa.or_(span.c.ended_on.is_(None),
                                       span.c.ended_on > Placement.start_on)))
            .where(Placement.start_on.between(period.start, period.end),
                   span.c.region_code.in_(regions)))


def placements_by_sector(regions: tuple[str, ...], period: Period) -> tuple[Counts, dict[str, int]]:
    """Placements started in the period by SBI section ``{(section or "-", region): n}``, and
    per region how many of them are in a section that is prioritair in that region."""
    placements = _placements_in(regions, period).subquery()
    query = (sa.select(placements.c.sector, placements.c.region, sa.func.count())
             .group_by(placements.c.sector, placements.c.region))
    counts: Counts = {}
    for section, region, count in db.session.execute(query):
        counts[(_value(section) or NO_SECTOR, region)] = int(count)
    priority = priority_sections(regions)
    in_priority = {region: sum(n for (section, r), n in counts.items()
                               if r == region and section in priority[region])
                   for region in regions}
    return counts, in_priority


def priority_sections(regions: tuple[str, ...]) -> dict[str, set[str]]:
    """Per region the SBI sections that are prioritair there: one of its active sectors of
    the reference list is prioritair in that region."""
    query = (sa.select(sector_priority.c.region_code, Sector.sbi_section)
             .join(Sector, Sector.id == sector_priority.c.sector_id)
             .where(sector_priority.c.region_code.in_(regions), Sector.sbi_section.is_not(None),
                    Sector.active))
    result: dict[str, set[str]] = {code: set() for code in regions}
    for region, section in db.session.execute(query):
        result[region].add(_value(section))
    return result


def mobility(regions: tuple[str, ...], period: Period) -> tuple[Counts, Counts]:
    """Flows between sectors, summed over ``regions``:

    - intended: cases that ran in the period and have a trajectplan, sector of origin
      (intake) → target sector (plan);
    - realised: placements started in the period, sector of origin → sector of the placement.

    Keys ``(origin, target)`` with SBI letters, :data:`NO_SECTOR` where none is recorded."""
    running = _running_cases(regions, period).subquery()
    intended_query = (
        sa.select(Intake.origin_sector, Plan.target_section, sa.func.count())
        .select_from(running)
        .join(Plan, Plan.case_id == running.c.id)
        .outerjoin(Intake, Intake.case_id == running.c.id)
        .group_by(Intake.origin_sector, Plan.target_section))
    intended: Counts = defaultdict(int)
    for origin, target, count in db.session.execute(intended_query):
        intended[(_value(origin) or NO_SECTOR, _value(target) or NO_SECTOR)] += int(count)
    placements = _placements_in(regions, period).subquery()
    realised_query = (
        sa.select(Intake.origin_sector, placements.c.sector, sa.func.count())
        .select_from(placements)
        .outerjoin(Intake, Intake.case_id == placements.c.case_id)
        .group_by(Intake.origin_sector, placements.c.sector))
    realised: Counts = defaultdict(int)
    for origin, target, count in db.session.execute(realised_query):
        realised[(_value(origin) or NO_SECTOR, _value(target) or NO_SECTOR)] += int(count)
    return dict(intended), dict(realised)


@dataclass(frozen=True)
class VoucherFigures:
    granted: dict[str, int]
    granted_cents: dict[str, int]
    paid: dict[str, int]
    paid_cents: dict[str, int]


def vouchers(regions: tuple[str, ...], quarter: Quarter) -> VoucherFigures:
    """Vouchers granted (the decision toegekend fell in the quarter) with their granted amount,
    and vouchers paid in the quarter with the paid (declared) amount, per region."""
    start, end = quarter.moments()
    granted_query = (
        sa.select(Voucher.region_code, sa.func.count(), sa.func.sum(Voucher.amount_cents))
        .join(VoucherEvent, VoucherEvent.voucher_id == Voucher.id)
        .where(VoucherEvent.to_status == VoucherStatus.TOEGEKEND.value,
               VoucherEvent.at >= start, VoucherEvent.at < end,
               Voucher.region_code.in_(regions))
        .group_by(Voucher.region_code))
    paid_query = (
        sa.select(Voucher.region_code, sa.func.count(),
                  sa.func.sum(sa.func.coalesce(Voucher.declared_amount_cents,
                                               Voucher.amount_cents)))
        .where(Voucher.status == VoucherStatus.BETAALD.value, Voucher.paid_at >= start,
               Voucher.paid_at < end, Voucher.region_code.in_(regions))
        .group_by(Voucher.region_code))
    granted, granted_cents, paid, paid_cents = {}, {}, {}, {}
    for region, count, cents in db.session.execute(granted_query):
        granted[region], granted_cents[region] = int(count), int(cents or 0)
    for region, count, cents in db.session.execute(paid_query):
        paid[region], paid_cents[region] = int(count), int(cents or 0)
    return VoucherFigures(granted, granted_cents, paid, paid_cents)


def praktijkverklaringen(regions: tuple[str, ...], period: Period) -> dict[str, int]:
    """Praktijkverklaringen issued in the period, per region of the register."""
    query = (sa.select(PvTrajectory.register_region_code, sa.func.count())
             .where(PvTrajectory.status == PvStatus.UITGEREIKT.value,
                    PvTrajectory.issued_on.between(period.start, period.end),
                    PvTrajectory.register_region_code.in_(regions))
             .group_by(PvTrajectory.register_region_code))
    return {region: int(n) for region, n in db.session.execute(query)}


# ---------------------------------------------------------------------------------------------
# The suppressed tables


def _cell(table: CountTable, row: Hashable, column: Hashable) -> Cell:
    status = table.status.get((row, column), Status.PUBLISHED)
    return Cell(table.values[(row, column)],
                status="" if status == Status.PUBLISHED else status.value)


def _region_columns(scope: MonitorScope, names: dict[str, str], kind: str = "count"
                    ) -> list[Column]:
    columns = [Column(code, names.get(code, code), kind) for code in scope.regions]
    if scope.province:
        columns.append(Column("totaal", "Provincie", kind))
    return columns


def _column_keys(scope: MonitorScope) -> list[Hashable]:
    return [*scope.regions, TOTAL] if scope.province else list(scope.regions)


@dataclass
class Monitor:
    """The monitor of one quarter and scope: its tables and the protected counts behind them."""

    quarter: Quarter
    scope: MonitorScope
    tables: dict[str, Table] = field(default_factory=dict)
    protected: dict[str, CountTable] = field(default_factory=dict)
    flows: dict[str, list[tuple[str, str, Cell]]] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        code = self.scope.regions[0]
        where = "provincie Utrecht" if self.scope.province else self.region_names.get(code, code)
        return f"Kwartaalmonitor {self.quarter.label}, {where}"


def _by_region(key: str, title: str, row_header: str, rows: list[tuple[Hashable, str]],
               values: Counts, scope: MonitorScope, names: dict[str, str], monitor: Monitor, *,
               total_label: str | None = "Totaal", description: str = "") -> Table:
    """A table of counts per (row, region), protected as one table: rows with their province
    total and, with ``total_label``, a total row (the rows are then a partition)."""
    counts = CountTable(rows=[k for k, _ in rows], columns=list(scope.regions),
                        cells={(r, c): int(values.get((r, c), 0))
                               for r, _ in rows for c in scope.regions},
                        row_totals=True, column_totals=total_label is not None)
    protect(counts, known_columns=scope.known)
    monitor.protected[key] = counts
    table = Table(key, title, row_header, _region_columns(scope, names), suppressed=True,
                  description=description)
    columns = _column_keys(scope)
    for row_key, label in rows:
        table.rows.append(Row(str(row_key), label, [_cell(counts, row_key, c) for c in columns]))
    if total_label is not None:
        table.rows.append(Row("totaal", total_label, [_cell(counts, TOTAL, c) for c in columns],
                              total=True))
    monitor.tables[key] = table
    return table


def _line(key: str, values: dict[str, int], scope: MonitorScope, monitor: Monitor
          ) -> CountTable:
    counts = CountTable(rows=[key], columns=list(scope.regions),
                        cells={(key, c): int(values.get(c, 0)) for c in scope.regions},
                        row_totals=True, column_totals=False)
    protect(counts, known_columns=scope.known)
    monitor.protected[key] = counts
    return counts


def _amount_row(key: str, label: str, amounts: dict[str, int], pattern: CountTable,
                pattern_key: str, scope: MonitorScope) -> Row:
    """Amounts hidden exactly where the count behind them is hidden."""
    cells = []
    for c in _column_keys(scope):
        value = sum(amounts.values()) if c == TOTAL else amounts.get(c, 0)
        hidden = pattern.status.get((pattern_key, c), Status.PUBLISHED) != Status.PUBLISHED
        cells.append(Cell(value, "money", HIDDEN if hidden else ""))
    return Row(key, label, cells)


def _sector_rows(keys: set[str]) -> list[tuple[str, str]]:
    rows = [(s.value, s.label) for s in SbiSection if s.value in keys]
    if NO_SECTOR in keys:
        rows.append((NO_SECTOR, TO_CHOOSE.capitalize()))
    return rows


def _flow_table(key: str, title: str, column_title: str, flows: Counts, monitor: Monitor,
                description: str) -> Table:
    """Origin (rows) × target (columns) with row and column totals, protected as one table;
    only the sectors that occur are shown."""
    origins = _sector_rows({o for o, _ in flows})
    targets = _sector_rows({t for _, t in flows})
    counts = CountTable(rows=[k for k, _ in origins], columns=[k for k, _ in targets],
                        cells={k: int(v) for k, v in flows.items()},
                        row_totals=True, column_totals=True)
    if origins and targets:
        protect(counts)
    monitor.protected[key] = counts
    columns = [Column(k, label) for k, label in targets] + [Column("totaal", "Totaal")]
    table = Table(key, title, f"Sector van herkomst \u2193 / {column_title} \u2192", columns,
                  suppressed=True, description=description)
    for origin, label in origins:
        table.rows.append(Row(origin, label, [_cell(counts, origin, t)
                                              for t in [*(k for k, _ in targets), TOTAL]]))
    if origins:
        table.rows.append(Row("totaal", "Totaal", [_cell(counts, TOTAL, t)
                                                   for t in [*(k for k, _ in targets), TOTAL]],
                              total=True))
    monitor.tables[key] = table
    monitor.flows[key] = [(o, t, _cell(counts, o, t)) for (o, t) in sorted(flows)
                          if flows[(o, t)] > 0]
    return table


def build(quarter: Quarter, scope: MonitorScope) -> Monitor:
    """Every table of the monitor of ``quarter`` for ``scope``, suppressed."""
    period = quarter.period()
    regions = scope.regions
    names = service.region_names()
    monitor = Monitor(quarter, scope, region_names=names)

    persons = service.persons_started(Scope(regions), period, Dimension.REGION)
    groups = [(f"tg:{g.value}", g.label) for g in TargetGroup]
    table = _by_region(
        "personen", "Personen gestart naar doelgroep", "Doelgroep", groups, persons, scope,
        names, monitor, total_label="Personen gestart",
        description="Unieke personen van wie in het kwartaal een traject is aangemeld, naar "
                    "doelgroep. Wie in twee regio's startte, telt in beide regio's.")
    if scope.province:
        _unique_province_total(table, persons)
    young = _line("jongeren", {c: persons.get(("jongeren", c), 0) for c in regions}, scope,
                  monitor)
    jobs = _line("banenafspraak", {c: persons.get(("banenafspraak", c), 0) for c in regions},
                 scope, monitor)
    columns = _column_keys(scope)
    table.rows.append(Row("jongeren", "waarvan jongeren (onder 27 bij aanmelding)",
                          [_cell(young, "jongeren", c) for c in columns]))
    table.rows.append(Row("banenafspraak", "waarvan banenafspraak",
                          [_cell(jobs, "banenafspraak", c) for c in columns]))

    by_category, by_partner = services(regions, period)
    _by_region("diensten_categorie", "Diensten naar categorie van de regeling", "Categorie",
               [(c.value, c.label) for c in ServiceCategory], by_category, scope, names, monitor,
               description="Activiteiten van het trajectplan (in uitvoering of afgerond) van "
                           "trajecten die in het kwartaal liepen.")
    partner_names = {ident: name for ident, name in db.session.execute(
        sa.select(DeliveryPartner.id, DeliveryPartner.name))}
    partner_rows: list[tuple[Hashable, str]] = sorted(
        ((p, partner_names.get(p, str(p))) for p in {p for p, _ in by_partner}
         if p != NO_SECTOR), key=lambda item: item[1])
    if any(p == NO_SECTOR for p, _ in by_partner):
        partner_rows.append((NO_SECTOR, "Geen partner vastgelegd"))
    _by_region("diensten_partner", "Diensten naar leverende partner", "Partner", partner_rows,
               by_partner, scope, names, monitor,
               description="Dezelfde activiteiten als hierboven, naar de partner die de dienst "
                           "levert.")

    reasons, _placed = service.exits(Scope(regions), period, Dimension.REGION)
    reason_rows = [(r.value, r.label) for r in ExitReason]
    _by_region("uitstroom", "Uitstroom naar reden", "Uitstroomreden", reason_rows, reasons,
               scope, names, monitor,
               description="Trajecten die in het kwartaal zijn afgesloten, in de regio waar ze "
                           "werden afgesloten.")

    by_sector, in_priority = placements_by_sector(regions, period)
    table = _by_region(
        "plaatsingen_sector", "Plaatsingen naar sector (SBI)", "Sector",
        _sector_rows({s for s, _ in by_sector}), by_sector, scope, names, monitor,
        total_label="Plaatsingen",
        description="Plaatsingen die in het kwartaal begonnen, naar de SBI-sectie van de baan; "
                    "regio van het traject op de startdatum.")
    priority = _line("prioritair", in_priority, scope, monitor)
    table.rows.append(Row("prioritair", "waarvan in een prioritaire sector van de regio",
                          [_cell(priority, "prioritair", c) for c in columns]))

    intended, realised = mobility(regions, period)
    _flow_table("mobiliteit_doel", "Van sector van herkomst naar doelsector", "doelsector",
                intended, monitor,
                "Trajecten die in het kwartaal liepen en een trajectplan hebben: de sector van "
                "de huidige of laatste baan (intake) en de doelsector van het trajectplan.")
    _flow_table("mobiliteit_plaatsing", "Van sector van herkomst naar sector van plaatsing",
                "sector van plaatsing", realised, monitor,
                "Plaatsingen die in het kwartaal begonnen: de sector van herkomst en de sector "
                "van de baan.")

    money = vouchers(regions, quarter)
    granted = _line("vouchers_toegekend", money.granted, scope, monitor)
    paid = _line("vouchers_betaald", money.paid, scope, monitor)
    issued = _line("praktijkverklaringen", praktijkverklaringen(regions, period), scope, monitor)
    table = Table("scholing", "Scholingsvouchers en praktijkverklaringen", "Cijfer",
                  _region_columns(scope, names), suppressed=True,
                  description="Vouchers waarover in het kwartaal positief is beslist en vouchers "
                              "die in het kwartaal zijn betaald; bedragen zijn verborgen waar "
                              "het aantal erachter verborgen is. Praktijkverklaringen die in het "
                              "kwartaal zijn uitgereikt, naar de regio van het register.")
    table.rows = [
        Row("vouchers_toegekend", "Vouchers toegekend",
            [_cell(granted, "vouchers_toegekend", c) for c in columns]),
        _amount_row("bedrag_toegekend", "Toegekend bedrag", money.granted_cents, granted,
                    "vouchers_toegekend", scope),
        Row("vouchers_betaald", "Vouchers betaald",
            [_cell(paid, "vouchers_betaald", c) for c in columns]),
        _amount_row("bedrag_betaald", "Betaald bedrag", money.paid_cents, paid,
                    "vouchers_betaald", scope),
        Row("praktijkverklaringen", "Praktijkverklaringen uitgereikt",
            [_cell(issued, "praktijkverklaringen", c) for c in columns]),
    ]
    monitor.tables[table.key] = table
    return monitor


def _unique_province_total(table: Table, persons: Counts) -> None:
    """The province column of the persons table counts unique persons (a person who started
    in two regions once), where the protection assumed the plain sum: shown only where the
    sum is shown, and as "<5" when the unique count is small."""
    index = [c.key for c in table.columns].index("totaal")
    for row in table.rows:
        key = TOTAL if row.key == "totaal" else row.key
        person_key = "personen" if key == TOTAL else key
        cell = row.cells[index]
        unique = persons.get((person_key, TOTAL), 0)
        if cell.status:
            continue
        row.cells[index] = Cell(unique, status=Status.SMALL.value if unique < THRESHOLD else "")


def flow_labels() -> dict[str, str]:
    """Short labels of the sectors for the flow chart (letter and name)."""
    labels = {s.value: s.label for s in SbiSection}
    labels[NO_SECTOR] = TO_CHOOSE.capitalize()
    return labels
