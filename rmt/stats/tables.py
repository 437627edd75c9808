"""Tables of figures as the pages, the downloads and the API show them.

A :class:`Table` holds typed cells (counts, percentages, days, dates, money) so the HTML shows
Dutch formatting, the CSV and XLSX keep numbers as numbers and dates as dates, and the API sends
values. :func:`page_tables` builds the statistics page of a scope (exact figures: the reader may
see these cases anyway); :func:`comparison_tables` the region comparison with small-cell and
complementary suppression (:mod:`rmt.stats.suppression`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rmt.process import EXIT_REASON_LABELS, STATE_LABELS, ExitReason
from rmt.stats import service
from rmt.stats.service import (
    DIMENSION_LABELS,
    OPEN_STEPS,
    REGION_CODES,
    TOTAL,
    PipelineFigures,
    rate,
)
from rmt.stats.summary import FUNNEL_STEPS
from rmt.stats.suppression import THRESHOLD, CountTable, Status, protect

MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
SMALL_MARK = f"<{THRESHOLD}"
HIDDEN_MARK = "x"
HIDDEN = "verborgen"  # a percentage or median whose base is small or hidden


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def format_value(value: Any, kind: str) -> str:
    """Dutch formatting of one value."""
    if value is None:
        return "–"
    if kind == "count":
        return _thousands(int(value))
    if kind == "percent":
        return f"{value:.1f}".replace(".", ",") + "%"
    if kind == "days":
        return f"{value:.1f}".replace(".", ",")
    if kind == "money":
        euros, cents = divmod(int(value), 100)
        return f"€ {_thousands(euros)},{cents:02d}"
    if kind == "month":
        return f"{MONTHS_NL[value.month - 1]} {value.year}"
    if kind == "date":
        return value.strftime("%d-%m-%Y")
    return str(value)


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = "count"
    #: "" when shown; else a suppression status ("klein", "aanvullend") or "verborgen".
    status: str = ""

    @property
    def hidden(self) -> bool:
        return bool(self.status)

    @property
    def display(self) -> str:
        if self.status == Status.SMALL:
            return SMALL_MARK
        if self.status:
            return HIDDEN_MARK
        return format_value(self.value, self.kind)

    @property
    def public_value(self) -> Any:
        """The value a reader may see (None when hidden)."""
        return None if self.status else self.value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    key: str
    title: str
    row_header: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    description: str = ""
    #: Column keys of the figure's groups (for charts and the API).
    suppressed: bool = False

    def cell(self, row_key: str, column_key: str) -> Cell:
        index = [c.key for c in self.columns].index(column_key)
        return next(r for r in self.rows if r.key == row_key).cells[index]

    def has_hidden(self) -> bool:
        return any(c.hidden for r in self.rows for c in r.cells)


# ---------------------------------------------------------------------------------------------
# The statistics page of one scope (exact figures)


def _key(value: Any) -> str:
    return "totaal" if value == TOTAL else str(value)


def _group_columns(figures: PipelineFigures, kind: str = "count") -> list[Column]:
    return [Column(_key(k), label, kind) for k, label in figures.groups] + [
        Column("totaal", "Totaal", kind)]


def _group_keys(figures: PipelineFigures) -> list[Any]:
    return [k for k, _ in figures.groups] + [TOTAL]


def page_tables(figures: PipelineFigures) -> dict[str, Table]:
    """Every table of the statistics page, keyed by table key."""
    dim = DIMENSION_LABELS[figures.dimension]
    on = format_value(figures.period.on, "date")
    keys = _group_keys(figures)
    tables: dict[str, Table] = {}

    summary = Table("kerncijfers", f"Kerncijfers per {dim.lower()}", dim, [
        Column("instroom", "Instroom"), Column("uitstroom", "Uitstroom"),
        Column("geplaatst", "Uitstroom naar werk (plaatsing)"),
        Column("plaatsingspercentage", "Plaatsingspercentage", "percent"),
        Column("lopend", f"Lopend op {on}"),
    ], description="Instroom en uitstroom in de periode; lopende trajecten op de peildatum.")
    for (key, label) in [*figures.groups, (TOTAL, "Totaal")]:
        out, placed = figures.uitstroom(key), figures.placements.get(key, 0)
        summary.rows.append(Row(_key(key), label, [
            Cell(figures.instroom(key)), Cell(out), Cell(placed),
            Cell(rate(placed, out), "percent"), Cell(figures.running(key)),
        ], total=key == TOTAL))
    tables[summary.key] = summary

    cohort = figures.instroom()
    funnel = Table("funnel", "Trechter: instroom die elke stap bereikte", "Stap", [
        Column("bereikt", "Bereikt"), Column("aandeel", "Aandeel van de instroom", "percent"),
        Column("conversie", "Conversie vanaf de vorige stap", "percent"),
    ], description="Van de trajecten die in de periode instroomden: hoeveel bereikten elke stap "
                   "(of een latere) vóór het einde van de periode.")
    previous = None
    for step in FUNNEL_STEPS:
        reached = figures.funnel.get((step.value, TOTAL), 0)
        funnel.rows.append(Row(step.value, STATE_LABELS[step], [
            Cell(reached), Cell(rate(reached, cohort), "percent"),
            Cell(rate(reached, previous) if previous is not None else None, "percent"),
        ]))
        previous = reached
    tables[funnel.key] = funnel

    tables["funnel_groep"] = _grid(
        "funnel_groep", f"Trechter per {dim.lower()}: aantal dat elke stap bereikte", "Stap",
        _group_columns(figures),
        [(s.value, STATE_LABELS[s]) for s in FUNNEL_STEPS], keys, figures.funnel, total=False)

    trend = Table("trend", "Instroom en uitstroom per maand", "Maand", [
        Column("maand", "Maand", "month"), Column("instroom", "Instroom"),
        Column("uitstroom", "Uitstroom")])
    for month, came, left in figures.trend:
        trend.rows.append(Row(month.strftime("%Y-%m"), format_value(month, "month"),
                              [Cell(month, "month"), Cell(came), Cell(left)]))
    tables[trend.key] = trend

    reasons = [(r.value, EXIT_REASON_LABELS[r]) for r in ExitReason]
    tables["uitstroom"] = _grid("uitstroom", f"Uitstroom naar reden per {dim.lower()}",
                                "Uitstroomreden", _group_columns(figures), reasons, keys,
                                figures.exits, total=True)
    tables["lopend"] = _grid("lopend", f"Lopende trajecten per stap op {on}", "Stap",
                             _group_columns(figures),
                             [(s.value, STATE_LABELS[s]) for s in OPEN_STEPS], keys,
                             figures.stock, total=True)

    medians = Table("doorlooptijd", f"Mediane doorlooptijd per stap (dagen) per {dim.lower()}",
                    "Stap", [*_group_columns(figures, "days"), Column("verblijven", "Verblijven")],
                    description="Mediaan van het aantal kalenderdagen in een stap, over de "
                                "verblijven die in de periode eindigden.")
    for step in OPEN_STEPS:
        cells = [Cell(figures.medians.get((step.value, k), (None, 0))[0], "days") for k in keys]
        cells.append(Cell(figures.medians.get((step.value, TOTAL), (None, 0))[1]))
        medians.rows.append(Row(step.value, STATE_LABELS[step], cells))
    tables[medians.key] = medians

    coach_columns = [Column(s.value, STATE_LABELS[s]) for s in OPEN_STEPS] + [
        Column("totaal", "Totaal")]
    caseload = Table("caseload", f"Caseload per loopbaancoach op {on}", "Loopbaancoach",
                     coach_columns, description="Lopende trajecten op de peildatum, toegerekend "
                                                "aan de huidige coach van het traject.")
    for key, label in [*figures.coaches, (TOTAL, "Totaal")]:
        counts = [figures.caseload.get((s.value, key), 0) for s in OPEN_STEPS]
        caseload.rows.append(Row(_key(key), label, [Cell(c) for c in [*counts, sum(counts)]],
                                 total=key == TOTAL))
    tables[caseload.key] = caseload

    from rmt.stats import modules

    if figures.modules:
        names = dict(service.group_labels(service.Dimension.REGION, set(figures.scope.regions)))
        tables.update(modules.page_tables(figures.modules, figures.scope.regions, names))
    return tables


def _grid(key: str, title: str, row_header: str, columns: list[Column],
          rows: list[tuple[str, str]], group_keys: list[Any], values: dict, *, total: bool
          ) -> Table:
    table = Table(key, title, row_header, columns)
    for row_key, label in rows:
        table.rows.append(Row(row_key, label, [Cell(values.get((row_key, g), 0))
                                               for g in group_keys]))
    if total:
        table.rows.append(Row("totaal", "Totaal", [
            Cell(sum(v for (_, g2), v in values.items() if g2 == g)) for g in group_keys],
            total=True))
    return table


# ---------------------------------------------------------------------------------------------
# The region comparison (suppressed)


def _region_columns(names: dict[str, str], kind: str = "count") -> list[Column]:
    return [Column(c, names.get(c, c), kind) for c in REGION_CODES] + [
        Column("totaal", "Totaal", kind)]


def _protected(rows: list[str], cells: dict[tuple[str, str], int], *, column_totals: bool,
               known: tuple[str, ...]) -> CountTable:
    table = CountTable(rows=rows, columns=list(REGION_CODES), cells=dict(cells),
                       row_totals=True, column_totals=column_totals)
    return protect(table, known_columns=known)


def _count_cell(table: CountTable, row: str, column: str) -> Cell:
    status = table.status.get((row, column), Status.PUBLISHED)
    return Cell(table.values[(row, column)],
                status="" if status == Status.PUBLISHED else status.value)


def _rate_cell(part: Cell, whole: Cell) -> Cell:
    """A percentage, hidden when its base is below the threshold or either count is hidden."""
    value = rate(part.value or 0, whole.value or 0)
    if part.hidden or whole.hidden or (whole.value or 0) < THRESHOLD:
        return Cell(value, "percent", HIDDEN)
    return Cell(value, "percent")


def _counts_rows(table: CountTable, rows: list[tuple[str, str]], *, total_row: bool
                 ) -> list[Row]:
    columns = [*REGION_CODES, "*"]
    result = [Row(r, label, [_count_cell(table, r, c) for c in columns]) for r, label in rows]
    if total_row:
        result.append(Row("totaal", "Totaal", [_count_cell(table, "*", c) for c in columns],
                          total=True))
    return result


@dataclass
class Comparison:
    """The comparison page: its tables and the protected count tables behind them."""

    period: service.Period
    tables: dict[str, Table]
    protected: dict[str, CountTable]
    known_regions: tuple[str, ...]


def comparison_tables(figures: PipelineFigures, names: dict[str, str],
                      known_regions: tuple[str, ...] = ()) -> Comparison:
    """The four regions side by side, with small-cell and complementary suppression.

    Each count belongs to exactly one protected table; where the same count appears again (the
    key figures repeat totals of other tables) it is copied with its status, so no table adds
    a relation the protection did not see. ``known_regions`` are regions the reader knows
    exactly (their own): the protection does not rely on hiding those.
    """
    on = format_value(figures.period.on, "date")
    regions = list(REGION_CODES)
    steps = [(s.value, STATE_LABELS[s]) for s in FUNNEL_STEPS]
    protected: dict[str, CountTable] = {}

    # Funnel counts (rows are independent lines with a total over the regions); the first row
    # is the instroom.
    protected["funnel"] = _protected(
        [k for k, _ in steps],
        {(s, g): figures.funnel.get((s, g), 0) for s, _ in steps for g in regions},
        column_totals=False, known=known_regions)
    reasons = [(r.value, EXIT_REASON_LABELS[r]) for r in ExitReason]
    protected["uitstroom"] = _protected(
        [k for k, _ in reasons],
        {(r, g): figures.exits.get((r, g), 0) for r, _ in reasons for g in regions},
        column_totals=True, known=known_regions)
    open_steps = [(s.value, STATE_LABELS[s]) for s in OPEN_STEPS]
    protected["lopend"] = _protected(
        [k for k, _ in open_steps],
        {(s, g): figures.stock.get((s, g), 0) for s, _ in open_steps for g in regions},
        column_totals=True, known=known_regions)
    protected["geplaatst"] = _protected(
        ["geplaatst"], {("geplaatst", g): figures.placements.get(g, 0) for g in regions},
        column_totals=False, known=known_regions)

    tables: dict[str, Table] = {}
    columns = _region_columns(names)
    funnel_rows = _counts_rows(protected["funnel"], steps, total_row=False)
    intake = funnel_rows[0]
    exits_rows = _counts_rows(protected["uitstroom"], reasons, total_row=True)
    uitstroom = exits_rows[-1]
    stock_rows = _counts_rows(protected["lopend"], open_steps, total_row=True)
    running = stock_rows[-1]
    placed = _counts_rows(protected["geplaatst"], [("geplaatst", "")], total_row=False)[0]

    summary = Table("kerncijfers", "Kerncijfers per regio", "Cijfer", columns, suppressed=True,
                    description="Instroom, uitstroom en plaatsingen in de periode; lopende "
                                "trajecten op de peildatum.")
    summary.rows = [
        Row("instroom", "Instroom", list(intake.cells)),
        Row("uitstroom", "Uitstroom", list(uitstroom.cells)),
        Row("geplaatst", "Uitstroom naar werk (plaatsing)", list(placed.cells)),
        Row("plaatsingspercentage", "Plaatsingspercentage",
            [_rate_cell(p, u) for p, u in zip(placed.cells, uitstroom.cells, strict=True)]),
        Row("lopend", f"Lopend op {on}", list(running.cells)),
    ]
    tables[summary.key] = summary

    tables["funnel"] = Table("funnel", "Trechter: aantal uit de instroom dat elke stap bereikte",
                             "Stap", columns, funnel_rows, suppressed=True)
    share = Table("funnel_aandeel", "Trechter: aandeel van de instroom dat elke stap bereikte",
                  "Stap", _region_columns(names, "percent"), suppressed=True,
                  description="Percentage van de instroom van de regio in de periode.")
    for row in funnel_rows:
        share.rows.append(Row(row.key, row.label, [
            _rate_cell(cell, base) for cell, base in zip(row.cells, intake.cells, strict=True)]))
    tables[share.key] = share
    tables["uitstroom"] = Table("uitstroom", "Uitstroom naar reden per regio", "Uitstroomreden",
                                columns, exits_rows, suppressed=True)
    tables["lopend"] = Table("lopend", f"Lopende trajecten per stap op {on}", "Stap", columns,
                             stock_rows, suppressed=True)

    medians = Table("doorlooptijd", "Mediane doorlooptijd per stap (dagen) per regio", "Stap",
                    _region_columns(names, "days"), suppressed=True,
                    description="Verborgen als minder dan 5 verblijven in de periode eindigden.")
    for step, label in open_steps:
        cells = []
        for g in [*regions, TOTAL]:
            median, count = figures.medians.get((step, g), (None, 0))
            cells.append(Cell(median, "days", HIDDEN if count < THRESHOLD else ""))
        medians.rows.append(Row(step, label, cells))
    tables[medians.key] = medians

    from rmt.stats import modules

    for table, lines in modules.comparison_tables(figures.modules, names, known_regions):
        tables[table.key] = table
        protected.update({f"{table.key}.{key}": line for key, line in lines.items()})
    return Comparison(figures.period, tables, protected, known_regions)
