"""The figures of the other modules (vouchers, praktijkverklaringen, employer work and
duurzaamheid), asserted exactly on the known history of conftest, on the page and in the
region comparison."""

from __future__ import annotations

from rmt.stats import modules, service, tables
from rmt.stats.modules import BudgetFigures
from rmt.stats.service import REGION_CODES, Scope
from rmt.stats.suppression import Status
from tests import helpers
from tests.stats.conftest import PERIOD
from tests.stats.test_comparison import assert_no_hidden_count_recoverable
from tests.stats.test_pages import QUERY, cells_of

ALL = Scope(REGION_CODES)


def test_vouchers_per_budget(module_history):
    budgets = module_history.budgets
    assert modules.vouchers(ALL, PERIOD) == [
        # D gedeclareerd € 1.500 + G betaald € 300; paid: G.
        BudgetFigures(budgets["AM"].id, "AM", "Testbudget RMT 2026 (AM)", 2026, 5_000_00,
                      2, 1_800_00, 1, 300_00),
        # A toegekend € 1.000 + A betaald (declared € 1.800); B's request and refusal do not
        # count; the 2025 budget lies outside the period.
        BudgetFigures(budgets["MU"].id, "MU", "Testbudget RMT 2026 (MU)", 2026, 10_000_00,
                      2, 2_800_00, 1, 1_800_00),
    ]


def test_praktijkverklaringen_employer_work_and_duurzaamheid(module_history):
    assert modules.praktijkverklaringen(ALL, PERIOD) == {"MU": 2, "AM": 1}
    assert modules.employer_activity(ALL, PERIOD) == {
        "contacten": {"MU": 3, "AM": 1, "GV": 2}, "vacatures_vervuld": {"MU": 1, "AM": 1}}
    # Attributed to the region of the case on the due date: C was still in MU on 15 Feb.
    assert modules.sustainability(ALL, PERIOD) == {
        "ja": {"MU": 1, "AM": 0}, "nee": {"MU": 0, "AM": 1}, "open": {"MU": 1, "AM": 0}}


def test_a_coachs_own_caseload(module_history, history):
    own = service.scope_for(history.c1)  # cases A, B and F in MU
    assert [(b.region_code, b.committed_count, b.committed_cents, b.paid_count, b.paid_cents)
            for b in modules.vouchers(own, PERIOD)] == [("MU", 2, 2_800_00, 1, 1_800_00)]
    assert modules.praktijkverklaringen(own, PERIOD) == {"MU": 2}
    assert modules.employer_activity(own, PERIOD) is None  # liaisons' work, not a caseload
    assert modules.sustainability(own, PERIOD) == {"ja": {"MU": 1}, "nee": {"MU": 0},
                                                   "open": {"MU": 0}}
    # Carla (AM) coaches C and D now: D's outcome counts, C's open follow-up was in MU.
    carla = service.scope_for(history.c3)
    assert modules.sustainability(carla, PERIOD) == {"ja": {"AM": 0}, "nee": {"AM": 1},
                                                     "open": {"AM": 0}}


def test_module_tables_on_the_statistics_page(client, login_as, module_history):
    login_as("coordinator", "MU", "AM")
    html = helpers.html(client.get("/cijfers/", query_string=QUERY))
    vouchers = cells_of(html, "vouchers")
    assert vouchers["Testbudget RMT 2026 (MU)"] == ["€ 10.000,00", "2", "€ 2.800,00", "1",
                                                "€ 1.800,00"]
    assert vouchers["Totaal"] == ["€ 15.000,00", "4", "€ 4.600,00", "2", "€ 2.100,00"]
    other = cells_of(html, "overig")
    # Columns: Midden-Utrecht, Amersfoort, total.
    assert other["Praktijkverklaringen uitgereikt"] == ["2", "1", "3"]
    assert other["Contactmomenten met werkgevers"] == ["3", "1", "4"]
    assert other["Vacatures vervuld"] == ["1", "1", "2"]
    assert other["Plaatsingen met 6-maandsmeting"] == ["1", "1", "2"]
    assert other["Na 6 maanden nog aan het werk"] == ["1", "0", "1"]
    assert other["Na 6 maanden niet meer aan het werk"] == ["0", "1", "1"]
    assert other["6-maandsmeting nog niet vastgelegd"] == ["1", "0", "1"]
    assert other["Duurzaamheid (nog aan het werk)"] == ["100,0%", "0,0%", "50,0%"]
    assert "Midden-Utrecht</th>" in html.split('id="tabel-overig"')[1].split("</thead>")[0]


def test_module_figures_in_the_comparison_are_suppressed(client, login_as, module_history):
    login_as("coordinator", "GV")
    html = helpers.html(client.get("/cijfers/regios", query_string=QUERY))
    vouchers = cells_of(html, "vouchers")
    # Every count is below 5; amounts are hidden exactly where their counts are.
    assert vouchers["Vouchers toegekend"] == ["<5", "<5", "<5", "<5", "<5"]
    assert vouchers["Vastgelegd bedrag"] == ["x", "x", "x", "x", "x"]
    other = cells_of(html, "overig")
    assert other["Contactmomenten met werkgevers"] == ["<5", "<5", "<5", "<5", "6"]
    assert other["Duurzaamheid (nog aan het werk)"] == ["x"] * 5


def test_comparison_module_tables_leave_nothing_recoverable():
    """Larger made-up module figures: each line keeps its small counts protected, also from a
    reader who knows their own region, and amounts follow the counts."""
    figures = {
        "vouchers": [
            BudgetFigures(1, "MU", "RMT MU", 2026, 0, 40, 40_000_00, 3, 2_000_00),
            BudgetFigures(2, "AM", "RMT AM", 2026, 0, 2, 3_000_00, 30, 9_000_00),
            BudgetFigures(3, "GV", "RMT GV", 2026, 0, 25, 20_000_00, 12, 6_000_00),
            BudgetFigures(4, "FV", "RMT FV", 2026, 0, 17, 9_000_00, 7, 4_000_00)],
        "praktijkverklaringen": {"MU": 12, "AM": 4, "GV": 9, "FV": 6},
        "werkgevers": {"contacten": {"MU": 120, "AM": 80, "GV": 1, "FV": 60},
                       "vacatures_vervuld": {"MU": 9, "AM": 0, "GV": 7, "FV": 3}},
        "duurzaamheid": {"ja": {"MU": 20, "AM": 3, "GV": 11, "FV": 8},
                         "nee": {"MU": 6, "AM": 1, "GV": 5, "FV": 2},
                         "open": {}},
    }
    names = {c: c for c in REGION_CODES}
    for known in ((), ("MU",), ("AM",), ("GV", "FV")):
        checked = 0
        for table, lines in tables.module_comparison_tables(figures, names, known):
            for line in lines.values():
                checked += assert_no_hidden_count_recoverable(line, dict(line.status),
                                                              set(known))
            if table.key == "vouchers":
                for count_row, amount_row in (("toegekend", "vastgelegd"),
                                              ("betaald_aantal", "betaald")):
                    counts = next(r for r in table.rows if r.key == count_row).cells
                    amounts = next(r for r in table.rows if r.key == amount_row).cells
                    assert [c.hidden for c in counts] == [a.hidden for a in amounts]
                    # Never one hidden alone next to a published total (the reader's own
                    # regions aside, which they know anyway).
                    others = [c.hidden for col, c in zip(table.columns, counts, strict=True)
                              if col.key in REGION_CODES and col.key not in known]
                    assert sum(others) != 1 or counts[-1].hidden, (known, count_row)
        # Every "<5" outside the reader's own regions was checked (fewer for readers who know
        # the regions holding them).
        assert checked == {(): 10, ("MU",): 9, ("AM",): 4, ("GV", "FV"): 7}[known]
    line = dict(next(lines for t, lines in tables.module_comparison_tables(figures, names, ())
                     if t.key == "overig"))["vacatures_vervuld"]
    assert line.status[("vacatures_vervuld", "AM")] == Status.SMALL
