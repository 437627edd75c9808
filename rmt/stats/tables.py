"""Tables of figures as the pages, the downloads and the API show them.

A :class:`Table` holds typed cells (counts, percentages, days, dates, money) so the HTML shows
Dutch formatting, the CSV and XLSX keep numbers as numbers and dates as dates, and the API sends
values. :func:`page_tables` builds the statistics page of a scope (exact figures: the reader may
see these cases anyway); :func:`comparison_tables` the region comparison with small-cell and
complementary suppression (:mod:`rmt.stats.suppression`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rmt.process import ExitReason
from rmt.stats import service
from rmt.stats.modules import BudgetFigures
from rmt.stats.scope import REGION_CODES, TOTAL, Dimension, Period, rate
from rmt.stats.service import OPEN_STEPS, PipelineFigures
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
    dim = figures.dimension.label
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
        funnel.rows.append(Row(step.value, step.label, [
            Cell(reached), Cell(rate(reached, cohort), "percent"),
            Cell(rate(reached, previous) if previous is not None else None, "percent"),
        ]))
        previous = reached
    tables[funnel.key] = funnel

    tables["funnel_groep"] = _grid(
        "funnel_groep", f"Trechter per {dim.lower()}: aantal dat elke stap bereikte", "Stap",
        _group_columns(figures),
        [(s.value, s.label) for s in FUNNEL_STEPS], keys, figures.funnel, total=False)

    trend = Table("trend", "Instroom en uitstroom per maand", "Maand", [
        Column("maand", "Maand", "month"), Column("instroom", "Instroom"),
        Column("uitstroom", "Uitstroom")])
    for month, came, left in figures.trend:
        trend.rows.append(Row(month.strftime("%Y-%m"), format_value(month, "month"),
                              [Cell(month, "month"), Cell(came), Cell(left)]))
    tables[trend.key] = trend

    reasons = [(r.value, r.label) for r in ExitReason]
    tables["uitstroom"] = _grid("uitstroom", f"Uitstroom naar reden per {dim.lower()}",
                                "Uitstroomreden", _group_columns(figures), reasons, keys,
                                figures.exits, total=True)
    tables["lopend"] = _grid("lopend", f"Lopende trajecten per stap op {on}", "Stap",
                             _group_columns(figures),
                             [(s.value, s.label) for s in OPEN_STEPS], keys,
                             figures.stock, total=True)

    medians = Table("doorlooptijd", f"Mediane doorlooptijd per stap (dagen) per {dim.lower()}",
                    "Stap", [*_group_columns(figures, "days"), Column("verblijven", "Verblijven")],
                    description="Mediaan van het aantal kalenderdagen in een stap, over de "
                                "verblijven die in de periode eindigden.")
    for step in OPEN_STEPS:
        cells = [Cell(figures.medians.get((step.value, k), (None, 0))[0], "days") for k in keys]
        cells.append(Cell(figures.medians.get((step.value, TOTAL), (None, 0))[1]))
        medians.rows.append(Row(step.value, step.label, cells))
    tables[medians.key] = medians

    persons = _grid("personen", "Unieke personen gestart", "Groep", _group_columns(figures),
                    list(service.PERSON_ROWS), keys, figures.persons, total=False)
    persons.description = (
        "Personen van wie in de periode een traject is aangemeld; wie twee trajecten had, telt "
        "één keer. Jongere: jonger dan 27 op de aanmelddatum. Doelgroep en banenafspraak zoals "
        "nu bij de persoon vastgelegd.")
    tables[persons.key] = persons

    coach_columns = [Column(s.value, s.label) for s in OPEN_STEPS] + [
        Column("totaal", "Totaal")]
    caseload = Table("caseload", f"Caseload per loopbaancoach op {on}", "Loopbaancoach",
                     coach_columns, description="Lopende trajecten op de peildatum, toegerekend "
                                                "aan de huidige coach van het traject.")
    for key, label in [*figures.coaches, (TOTAL, "Totaal")]:
        counts = [figures.caseload.get((s.value, key), 0) for s in OPEN_STEPS]
        caseload.rows.append(Row(_key(key), label, [Cell(c) for c in [*counts, sum(counts)]],
                                 total=key == TOTAL))
    tables[caseload.key] = caseload

    if figures.modules:
        names = dict(service.group_labels(Dimension.REGION, set(figures.scope.regions)))
        tables.update(module_page_tables(figures.modules, figures.scope.regions, names))
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

    period: Period
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
    steps = [(s.value, s.label) for s in FUNNEL_STEPS]
    protected: dict[str, CountTable] = {}

    # Funnel counts (rows are independent lines with a total over the regions); the first row
    # is the instroom.
    protected["funnel"] = _protected(
        [k for k, _ in steps],
        {(s, g): figures.funnel.get((s, g), 0) for s, _ in steps for g in regions},
        column_totals=False, known=known_regions)
    reasons = [(r.value, r.label) for r in ExitReason]
    protected["uitstroom"] = _protected(
        [k for k, _ in reasons],
        {(r, g): figures.exits.get((r, g), 0) for r, _ in reasons for g in regions},
        column_totals=True, known=known_regions)
    open_steps = [(s.value, s.label) for s in OPEN_STEPS]
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

    for table, lines in module_comparison_tables(figures.modules, names, known_regions):
        tables[table.key] = table
        protected.update({f"{table.key}.{key}": line for key, line in lines.items()})
    return Comparison(figures.period, tables, protected, known_regions)


def comparison(period: Period, known_regions: tuple[str, ...]) -> Comparison:
    """The region comparison of a period (the page, its downloads, the API and the export)."""
    figures = service.pipeline(service.comparison_scope(), period, Dimension.REGION,
                               with_caseload=False)
    return comparison_tables(figures, service.region_names(), known_regions)


# ---------------------------------------------------------------------------------------------
# The tables of the other modules' figures (rmt.stats.modules)


def _total(values: dict[str, int]) -> int:
    return sum(values.values())


def module_page_tables(modules: dict[str, Any], regions: tuple[str, ...],
                       names: dict[str, str] | None = None) -> dict[str, Table]:
    """The module tables of the statistics page (exact figures of the reader's scope);
    ``names`` are the regions' names for the column headers."""
    names = names or {}
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


def module_comparison_tables(modules: dict[str, Any], names: dict[str, str],
                             known_regions: tuple[str, ...]
                             ) -> list[tuple[Table, dict[str, CountTable]]]:
    """The module tables of the region comparison, suppressed like the case figures.

    Every count row is protected on its own (a line with its total over the regions); amounts
    are hidden exactly where the count of vouchers behind them is hidden, so a hidden amount
    cannot be worked out from the total amount either.
    """
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
