"""The suppression module against brute force on small random tables.

For every table: after ``protect`` each "<5" outside the reader's own columns has an alternative
table that publishes the same numbers (verified independently), and the module's exact check
agrees with an exhaustive search over every table the reader could not tell apart.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmt.stats.suppression import THRESHOLD, TOTAL, CountTable, Status, is_protected, protect


def alternatives_exist(table: CountTable, key, known_columns: set) -> bool:
    """Exhaustive: is there another table, indistinguishable to the reader, in which ``key``
    differs? Hidden interior cells range over what the reader can tell (0..4, or 5 and up,
    bounded a little above the truth; by total unimodularity a ±1 change suffices)."""
    hidden = [k for k in table.cells
              if table.status.get(k, Status.PUBLISHED) != Status.PUBLISHED
              and k[1] not in known_columns]
    ranges = []
    for k in hidden:
        value = table.values[k]
        if table.status[k] == Status.SMALL:
            ranges.append(range(0, THRESHOLD))
        else:
            ranges.append(range(THRESHOLD, value + 3))
    for combination in itertools.product(*ranges):
        cells = dict(table.cells)
        cells.update(zip(hidden, combination, strict=True))
        other = CountTable(rows=table.rows, columns=table.columns, cells=cells,
                           row_totals=table.row_totals, column_totals=table.column_totals)
        if other.values[key] == table.values[key]:
            continue
        same = True
        for entry, value in table.values.items():
            status = table.status.get(entry, Status.PUBLISHED)
            new = other.values[entry]
            if status == Status.PUBLISHED or entry[1] in known_columns:
                same = new == value
            elif status == Status.SMALL:
                same = 0 <= new < THRESHOLD
            else:
                same = new >= THRESHOLD
            if not same:
                break
        if same:
            return True
    return False


def tables(max_rows: int = 3, max_columns: int = 3):
    @st.composite
    def build(draw):
        rows = [f"r{i}" for i in range(draw(st.integers(1, max_rows)))]
        columns = [f"c{i}" for i in range(draw(st.integers(2, max_columns)))]
        values = st.one_of(st.integers(0, 6), st.integers(5, 14))
        cells = {(r, c): draw(values) for r in rows for c in columns}
        row_totals, column_totals = draw(st.sampled_from(
            [(True, True), (True, False), (False, True), (False, False)]))
        # A reader knows their own region(s) exactly; at least two regions stay unknown.
        known = set(draw(st.lists(st.sampled_from(columns), max_size=len(columns) - 2,
                                  unique=True)))
        return CountTable(rows=rows, columns=columns, cells=cells, row_totals=row_totals,
                          column_totals=column_totals), known
    return build()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(max_rows=3, max_columns=4))
def test_protect_leaves_no_small_count_recoverable(case):
    table, known = case
    protect(table, known_columns=known)
    from tests.stats.test_comparison import assert_no_hidden_count_recoverable

    assert_no_hidden_count_recoverable(table, dict(table.status), known)
    for key, value in table.values.items():
        if value < THRESHOLD:
            assert table.status[key] == Status.SMALL  # every small count is hidden


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(max_rows=2, max_columns=3), st.randoms(use_true_random=False))
def test_exact_check_agrees_with_brute_force(case, rng):
    table, known = case
    # Any pattern of hidden entries, not only what protect() would choose.
    table.status = {}
    for key, value in table.values.items():
        if value < THRESHOLD:
            table.status[key] = Status.SMALL
        elif rng.random() < 0.3 and TOTAL not in key:
            table.status[key] = Status.COMPLEMENTARY
    known_keys = [k for k in table.entries() if k[1] in known]
    for key in table.cells:
        if table.status.get(key) == Status.SMALL and key[1] not in known:
            assert is_protected(table, key, known_keys) == alternatives_exist(table, key, known)


def test_single_small_cell_in_a_line_gets_a_partner():
    table = protect(CountTable(rows=["a"], columns=["MU", "AM", "GV", "FV"],
                               cells={("a", "MU"): 50, ("a", "AM"): 3, ("a", "GV"): 30,
                                      ("a", "FV"): 20}, column_totals=False))
    hidden = {k: s for k, s in table.status.items() if s != Status.PUBLISHED}
    # The smallest other cell is hidden too; the total stays.
    assert hidden == {("a", "AM"): Status.SMALL, ("a", "FV"): Status.COMPLEMENTARY}


def test_without_totals_nothing_extra_is_hidden():
    table = protect(CountTable(rows=["a"], columns=["MU", "AM"], cells={
        ("a", "MU"): 50, ("a", "AM"): 3}, row_totals=False, column_totals=False))
    assert [k for k, s in table.status.items() if s != Status.PUBLISHED] == [("a", "AM")]


def test_own_region_is_not_relied_upon():
    cells = {("a", "MU"): 3, ("a", "AM"): 2, ("a", "GV"): 30, ("a", "FV"): 20}
    plain = protect(CountTable(rows=["a"], columns=["MU", "AM", "GV", "FV"], cells=dict(cells),
                               column_totals=False))
    assert plain.status[("a", "GV")] == Status.PUBLISHED  # MU and AM protect each other
    insider = protect(CountTable(rows=["a"], columns=["MU", "AM", "GV", "FV"], cells=dict(cells),
                                 column_totals=False), known_columns=["MU"])
    # A reader who knows MU = 3 would get AM from the total: FV (the smallest) is hidden too.
    assert insider.status[("a", "FV")] == Status.COMPLEMENTARY


def test_a_total_below_five_with_all_cells_small_stays_protected():
    table = protect(CountTable(rows=["a", "b"], columns=["MU", "AM"], cells={
        ("a", "MU"): 1, ("a", "AM"): 0, ("b", "MU"): 9, ("b", "AM"): 12}))
    assert table.status[("a", TOTAL)] == Status.SMALL
    from tests.stats.test_comparison import assert_no_hidden_count_recoverable

    assert_no_hidden_count_recoverable(table, dict(table.status), set())
