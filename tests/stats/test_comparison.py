"""The region comparison: aggregates of the four regions with small-cell suppression.

The proof that no hidden number can be recovered from the totals on the page: for every count
shown as "<5" the test finds another set of figures that would publish exactly the same page
(every shown number, every total, every copy of a total in another table, and everything the
reader knows exactly about their own region) but a different value in that cell, while every
hidden entry stays within what the reader can tell about it ("<5" is 0..4, "x" is 5 or more).
The alternative is checked here, independently of how the suppression module found it.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from rmt.stats import service
from rmt.stats.service import REGION_CODES, Dimension
from rmt.stats.suppression import THRESHOLD, TOTAL, CountTable, Status, witness
from rmt.stats.tables import comparison_tables
from tests import helpers
from tests.stats.conftest import PERIOD

QUERY = {"van": PERIOD.start.isoformat(), "tot": PERIOD.end.isoformat()}
COLUMNS = [*REGION_CODES, "totaal"]


def parse_tables(html: str) -> dict[str, dict[str, list[str]]]:
    """{table key: {row label: [shown cells per column]}} of every table on the page."""
    tables = {}
    for key in re.findall(r'id="tabel-([a-z_]+)"', html):
        start = html.index(f'id="tabel-{key}"')
        body = html[start:html.index("</table>", start)]
        rows = {}
        for row in re.findall(r'<tr class="utrecht-table__row[^"]*">(.*?)</tr>', body, re.S):
            header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
            if header:
                rows[unescape(header.group(1).strip())] = [
                    unescape(re.sub(r"<span.*?</span>", "", v).strip())
                    for v in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        tables[key] = rows
    return tables


def status_of(shown: str) -> Status:
    return {"<5": Status.SMALL, "x": Status.COMPLEMENTARY}.get(shown, Status.PUBLISHED)


def number(shown: str) -> int:
    return int(shown.replace(".", ""))


def check_alternative(table: CountTable, statuses: dict, key, alternative: dict,
                      known_columns: set[str]) -> None:
    """The alternative publishes the same table and hides a different value for ``key``."""
    other = CountTable(rows=table.rows, columns=table.columns, cells=dict(alternative),
                       row_totals=table.row_totals, column_totals=table.column_totals)
    assert other.values[key] != table.values[key]
    for entry, value in table.values.items():
        status = statuses.get(entry, Status.PUBLISHED)
        if status == Status.PUBLISHED or entry[1] in known_columns:
            assert other.values[entry] == value, (entry, "published or known changed")
        elif status == Status.SMALL:
            assert 0 <= other.values[entry] < THRESHOLD, entry
        else:
            assert other.values[entry] >= THRESHOLD, entry


def others_part(table: CountTable, entry, known_columns: set[str]) -> int:
    """The part of an entry that is not the reader's own: its value minus the known cells it
    adds up."""
    rows = table.rows if entry[0] == TOTAL else [entry[0]]
    columns = table.columns if entry[1] == TOTAL else [entry[1]]
    return table.values[entry] - sum(table.cells[(r, c)] for r in rows for c in columns
                                     if c in known_columns)


def assert_no_hidden_count_recoverable(table: CountTable, statuses: dict,
                                       known_columns: set[str]) -> int:
    """Every "<5" outside the known columns has an alternative; returns how many were checked.

    The one exception needs the reader's own figures: when they fill a line whose total reads
    "<5" to the brim (4 of at most 4), the other regions visibly hold 0 there. Nothing but
    their own share is learnt, so an entry may be pinned down only when its part outside the
    reader's own regions is 0.
    """
    probe = CountTable(rows=table.rows, columns=table.columns, cells=dict(table.cells),
                       row_totals=table.row_totals, column_totals=table.column_totals,
                       status=dict(statuses))
    known = [k for k in probe.entries() if k[1] in known_columns]
    checked = 0
    for entry, status in statuses.items():
        if status == Status.SMALL and entry[1] not in known_columns:
            alternative = witness(probe, entry, known)
            if alternative is None:
                assert known_columns and others_part(probe, entry, known_columns) == 0, (
                    f"{entry} can be recovered from the totals")
                continue
            check_alternative(probe, statuses, entry, alternative, known_columns)
            checked += 1
    return checked


@pytest.fixture
def population(random_cases):
    return random_cases(260, seed=7)


def page_for(client, login_as, *regions):
    login_as("coordinator", *regions)
    response = client.get("/cijfers/regios", query_string=QUERY)
    assert response.status_code == 200
    return helpers.html(response)


def true_figures():
    return service.pipeline(service.comparison_scope(), PERIOD, Dimension.REGION)


def rebuild(rows: list[str], values: dict, parsed: dict[str, list[str]], labels: list[str],
            *, column_totals: bool, total_label: str | None = "Totaal"):
    """The true table and the statuses the page shows for it."""
    table = CountTable(rows=rows, columns=list(REGION_CODES), cells={
        (r, c): values.get((r, c), 0) for r in rows for c in REGION_CODES},
        row_totals=True, column_totals=column_totals)
    statuses = {}
    for row, label in zip(rows, labels, strict=True):
        for column, shown in zip(COLUMNS, parsed[label], strict=True):
            statuses[(row, TOTAL if column == "totaal" else column)] = status_of(shown)
            if status_of(shown) == Status.PUBLISHED:
                expected = table.values[(row, TOTAL if column == "totaal" else column)]
                assert number(shown) == expected, (label, column)
    if column_totals and total_label:
        for column, shown in zip(COLUMNS, parsed[total_label], strict=True):
            statuses[(TOTAL, TOTAL if column == "totaal" else column)] = status_of(shown)
    return table, statuses


@pytest.mark.parametrize("viewer", [("MU",), ("GV",), ("AM", "FV")])
def test_no_suppressed_count_can_be_recovered_from_the_page(client, login_as, population,
                                                             viewer):
    from rmt.process import ExitReason
    from rmt.stats.service import OPEN_STEPS
    from rmt.stats.summary import FUNNEL_STEPS

    html = page_for(client, login_as, *viewer)
    page = parse_tables(html)
    figures = true_figures()
    known = set(viewer)
    checked = 0

    reasons = list(ExitReason)
    table, statuses = rebuild([r.value for r in reasons], figures.exits, page["uitstroom"],
                              [r.label for r in reasons], column_totals=True)
    checked += assert_no_hidden_count_recoverable(table, statuses, known)

    table, statuses = rebuild([s.value for s in OPEN_STEPS], figures.stock, page["lopend"],
                              [s.label for s in OPEN_STEPS], column_totals=True)
    checked += assert_no_hidden_count_recoverable(table, statuses, known)

    for step in FUNNEL_STEPS:  # every funnel row is a line with its total
        table, statuses = rebuild([step.value], figures.funnel, page["funnel"],
                                  [step.label], column_totals=False)
        checked += assert_no_hidden_count_recoverable(table, statuses, known)

    table, statuses = rebuild(["geplaatst"], {("geplaatst", g): v for g, v in
                                              figures.placements.items()},
                              page["kerncijfers"], ["Uitstroom naar werk (plaatsing)"],
                              column_totals=False)
    checked += assert_no_hidden_count_recoverable(table, statuses, known)
    assert checked >= 10, f"the population should produce small cells ({checked})"

    # Copies of totals in the key figures show exactly what their own table shows.
    summary = page["kerncijfers"]
    assert summary["Instroom"] == page["funnel"]["Aangemeld"]
    assert summary["Uitstroom"] == page["uitstroom"]["Totaal"]
    on_label = next(k for k in summary if k.startswith("Lopend op"))
    assert summary[on_label] == page["lopend"]["Totaal"]


def test_percentages_are_hidden_with_their_counts(client, login_as, population):
    page = parse_tables(page_for(client, login_as, "MU"))
    counts, shares = page["funnel"], page["funnel_aandeel"]
    base = counts["Aangemeld"]
    for label, row in counts.items():
        for column, (shown, share) in enumerate(zip(row, shares[label], strict=True)):
            small_base = status_of(base[column]) != Status.PUBLISHED or number(base[column]) < 5
            if status_of(shown) != Status.PUBLISHED or small_base:
                assert share == "x", (label, column)
            else:
                assert share.endswith("%")
    summary = page["kerncijfers"]
    for column, share in enumerate(summary["Plaatsingspercentage"]):
        placed, out = summary["Uitstroom naar werk (plaatsing)"][column], summary["Uitstroom"][
            column]
        if Status.PUBLISHED not in (status_of(placed), status_of(out)) or (
                status_of(out) == Status.PUBLISHED and number(out) < 5):
            assert share == "x"


def test_medians_over_fewer_than_five_stays_are_hidden(population):
    figures = true_figures()
    result = comparison_tables(figures, {c: c for c in REGION_CODES})
    medians = result.tables["doorlooptijd"]
    for row in medians.rows:
        for column, cell in zip(medians.columns, row.cells, strict=True):
            key = TOTAL if column.key == "totaal" else column.key
            count = figures.medians.get((row.key, key), (None, 0))[1]
            assert cell.hidden == (count < THRESHOLD), (row.key, key)


def test_small_history_hides_nearly_everything(client, login_as, history):
    page = parse_tables(page_for(client, login_as, "FV"))
    # Every region's count in the known history is below 5; the total of 5 may show, since
    # four cells of 0..4 adding up to 5 can be split in many ways.
    assert page["kerncijfers"]["Instroom"] == ["<5", "<5", "<5", "<5", "5"]
    assert page["uitstroom"]["Totaal"] == ["<5", "<5", "<5", "<5", "<5"]


def test_comparison_without_data_renders(client, login_as):
    html = page_for(client, login_as, "GV")
    assert "Regio's vergelijken" in html and "<svg" in html


def test_comparison_downloads_keep_the_suppression(client, login_as, population):
    login_as("coordinator", "MU")
    html = helpers.html(client.get("/cijfers/regios", query_string=QUERY))
    shown = parse_tables(html)["uitstroom"]
    rows = {r[0]: r[1:] for r in helpers.csv_rows(client.get(
        "/cijfers/regios/tabel/uitstroom.csv", query_string=QUERY))}
    for label, cells in shown.items():
        assert [c.replace(".", "") for c in cells] == rows[label]
