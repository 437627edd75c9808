"""Small-cell suppression with complementary suppression, for tables of counts with totals.

Primary suppression hides every count below :data:`THRESHOLD` (shown as "<5"). A total would
then often give the hidden count away (total minus the other cells), so complementary
suppression hides more entries (shown as "×") until no hidden count can be worked out from
what the table publishes.

The check is exact for tables with row and/or column totals. Write the table with its totals
negated so that every line sums to zero; a second table that publishes exactly the same numbers
differs from the real one by a *perturbation*: integers on the hidden entries only, summing to
zero along every line that has a published total. Such perturbations are sums of alternating
cycles (row → column → row ...) through hidden entries, and because these tables are totally
unimodular a hidden count can be recovered exactly if and only if no cycle of ±1 steps runs
through it that keeps every hidden entry within what the reader knows of it: a "<5" entry lies
in 0..4, a "×" entry is at least 5 (otherwise it would read "<5"). :func:`witness` finds such a
cycle and returns the alternative table, which the tests check independently.

A reader may also know some columns exactly (a coordinator knows the own region's figures):
those entries count as published for the check, whatever they show.
"""

from __future__ import annotations

import enum
import heapq
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

THRESHOLD = 5
TOTAL = "*"
_FREE = ("free", None)  # the node that absorbs lines without a published total


class Status(enum.StrEnum):
    PUBLISHED = "gepubliceerd"
    SMALL = "klein"  # primary: below the threshold, shown as "<5"
    COMPLEMENTARY = "aanvullend"  # hidden to protect a small count elsewhere, shown as "×"


Key = tuple[Hashable, Hashable]


@dataclass
class CountTable:
    """Counts per (row, column), with row totals and/or column totals computed from them.

    Entries are keyed ``(row, column)``; totals use :data:`TOTAL` as the row or column key.
    """

    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[Key, int]
    row_totals: bool = True
    column_totals: bool = True
    status: dict[Key, Status] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.rows:
            for c in self.columns:
                self.cells.setdefault((r, c), 0)
        self.values = self._with_totals(self.cells)

    def _with_totals(self, cells: dict[Key, int]) -> dict[Key, int]:
        values = {(r, c): cells[(r, c)] for r in self.rows for c in self.columns}
        if self.row_totals:
            for r in self.rows:
                values[(r, TOTAL)] = sum(cells[(r, c)] for c in self.columns)
        if self.column_totals:
            for c in self.columns:
                values[(TOTAL, c)] = sum(cells[(r, c)] for r in self.rows)
        if self.row_totals and self.column_totals:
            values[(TOTAL, TOTAL)] = sum(cells[(r, c)] for r in self.rows for c in self.columns)
        return values

    def entries(self) -> list[Key]:
        return list(self.values)

    def sign(self, key: Key) -> int:
        """+1 for cells and the grand total, -1 for row and column totals (see module doc)."""
        r, c = key
        return -1 if (r == TOTAL) != (c == TOTAL) else 1

    def shown(self, key: Key) -> int | None:
        """What the table publishes for an entry: the number, or None when hidden."""
        return self.values[key] if self.status.get(key, Status.PUBLISHED) == Status.PUBLISHED \
            else None


def _nodes(key: Key) -> tuple[tuple[str, Hashable], tuple[str, Hashable]]:
    return ("r", key[0]), ("c", key[1])


def _constrained(table: CountTable, node: tuple[str, Hashable]) -> bool:
    kind, name = node
    both = table.row_totals and table.column_totals
    if kind == "r":
        return both if name == TOTAL else table.row_totals
    return both if name == TOTAL else table.column_totals


def _bounds(status: Status) -> tuple[int, float]:
    return (0, THRESHOLD - 1) if status == Status.SMALL else (THRESHOLD, float("inf"))


def _can_move(table: CountTable, key: Key, delta_prime: int, status: Status) -> bool:
    """Can the entry move by ``delta_prime`` (in the signed table) within the reader's bounds?"""
    low, high = _bounds(status)
    value = table.values[key] + table.sign(key) * delta_prime
    return low <= value <= high


def _arcs(table: CountTable, known: set[Key], extra: dict[Key, Status] | None = None
          ) -> dict[tuple, list[tuple[tuple, Key | None]]]:
    """Directed arcs through hidden entries (row→column is +1, column→row is -1)."""
    arcs: dict[tuple, list[tuple[tuple, Key | None]]] = {}
    statuses = dict(table.status)
    statuses.update(extra or {})
    free_nodes = set()
    for key in table.entries():
        row, col = _nodes(key)
        for node in (row, col):
            if node not in free_nodes and not _constrained(table, node):
                free_nodes.add(node)
                arcs.setdefault(node, []).append((_FREE, None))
                arcs.setdefault(_FREE, []).append((node, None))
        status = statuses.get(key, Status.PUBLISHED)
        if status == Status.PUBLISHED or key in known:
            continue
        if _can_move(table, key, +1, status):
            arcs.setdefault(row, []).append((col, key))
        if _can_move(table, key, -1, status):
            arcs.setdefault(col, []).append((row, key))
    return arcs


Arc = tuple[tuple, tuple, "Key | None"]


def _path(arcs: dict, start: tuple, goal: tuple, exclude: Key) -> list[Arc] | None:
    """Breadth-first path from ``start`` to ``goal`` as (from, to, entry) arcs, not passing
    through the entry ``exclude``."""
    previous: dict[tuple, Arc | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            steps: list[Arc] = []
            while previous[node] is not None:
                arc = previous[node]
                steps.append(arc)
                node = arc[0]
            return steps[::-1]
        for target, key in arcs.get(node, []):
            if target not in previous and key != exclude:
                previous[target] = (node, target, key)
                queue.append(target)
    return None


def _perturbation(table: CountTable, steps: Iterable[Arc]) -> dict[Key, int]:
    """The change of each (unsigned) entry along a path: row→column is +1 in the signed table."""
    result = {}
    for source, _target, key in steps:
        if key is not None:
            delta_prime = +1 if source == _nodes(key)[0] else -1
            result[key] = table.sign(key) * delta_prime
    return result


def _cycle(table: CountTable, key: Key, known: set[Key], arcs: dict | None = None
           ) -> dict[Key, int] | None:
    """A ±1 cycle through ``key`` as a perturbation of the unsigned entries, or None."""
    status = table.status.get(key, Status.PUBLISHED)
    if status == Status.PUBLISHED or key in known:
        return None
    arcs = arcs if arcs is not None else _arcs(table, known)
    row, col = _nodes(key)
    for delta_prime, start, goal in ((+1, col, row), (-1, row, col)):
        if not _can_move(table, key, delta_prime, status):
            continue
        steps = _path(arcs, start, goal, key)
        if steps is not None:
            return {key: table.sign(key) * delta_prime, **_perturbation(table, steps)}
    return None


def witness(table: CountTable, key: Key, known: Iterable[Key] = ()) -> dict[Key, int] | None:
    """Another set of interior cells that publishes the same table but a different ``key``.

    Returns the alternative interior cells, or None when the hidden entry can be recovered.
    """
    known_set = set(known)
    perturbation = _cycle(table, key, known_set)
    if perturbation is None:
        return None
    # Re-derive the interior cells; totals follow from them.
    cells = dict(table.cells)
    for (r, c), delta in perturbation.items():
        if r != TOTAL and c != TOTAL:
            cells[(r, c)] += delta
    return cells


def is_protected(table: CountTable, key: Key, known: Iterable[Key] = ()) -> bool:
    return witness(table, key, known) is not None


def protect(table: CountTable, known_columns: Iterable[Hashable] = (),
            threshold: int = THRESHOLD) -> CountTable:
    """Set ``table.status``: primary suppression, then complementary until every small count
    is protected. ``known_columns`` are columns the reader knows exactly (own regions).

    A small count can only stay recoverable when the reader's own figures pin it down: a line
    whose total reads "<5" while the reader's own region holds 4 of it tells that reader the
    other regions hold 0. No amount of hiding changes that (the total must read "<5"), so such
    a count is left as it is rather than hiding a whole line for nothing.
    """
    assert threshold == THRESHOLD, "the bounds of the check assume the module threshold"
    known = {k for k in table.entries() if k[1] in set(known_columns)}
    table.status = {k: (Status.SMALL if v < threshold else Status.PUBLISHED)
                    for k, v in table.values.items()}
    hopeless: set[Key] = set()
    protected: set[Key] = set()
    while True:
        arcs = _arcs(table, known)
        key = None
        for entry, status in table.status.items():
            if status != Status.SMALL or entry in known or entry in hopeless or (
                    entry in protected):
                continue
            if _cycle(table, entry, known, arcs) is not None:
                protected.add(entry)  # hiding more never undoes a protection
            else:
                key = entry
                break
        if key is None:
            return table
        added = _cheapest_protection(table, key, known)
        if not added:
            hopeless.add(key)
        for k in added:
            table.status[k] = Status.COMPLEMENTARY


def _weight(table: CountTable, key: Key) -> float:
    """Cost of hiding an entry: its value; totals cost far more than cells."""
    is_total = TOTAL in key
    return table.values[key] + (1_000_000 if is_total else 0) + 1


def _cheapest_protection(table: CountTable, key: Key, known: set[Key]) -> list[Key]:
    """The published entries to hide so that a cycle runs through ``key`` (Dijkstra)."""
    status = table.status[key]
    candidates: dict[Key, Status] = {
        k: Status.COMPLEMENTARY for k, s in table.status.items()
        if s == Status.PUBLISHED and k not in known}
    arcs = _arcs(table, known, extra=candidates)
    row, col = _nodes(key)
    best: tuple[float, list[Key]] | None = None
    for delta_prime, start, goal in ((+1, col, row), (-1, row, col)):
        if not _can_move(table, key, delta_prime, status):
            continue
        found = _dijkstra(arcs, start, goal, key,
                          lambda k: _weight(table, k) if k in candidates else 0.0)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    if best is None:
        return []
    return [arc[2] for arc in best[1] if arc[2] is not None and arc[2] in candidates]


def _dijkstra(arcs: dict, start: tuple, goal: tuple, exclude: Key, cost
              ) -> tuple[float, list] | None:
    queue: list = [(0.0, 0, start, [])]
    seen: set = set()
    counter = 0
    while queue:
        distance, _, node, path = heapq.heappop(queue)
        if node == goal:
            return distance, path
        if node in seen:
            continue
        seen.add(node)
        for target, key in arcs.get(node, []):
            if target not in seen and key != exclude:
                counter += 1
                step = cost(key) if key is not None else 0.0
                heapq.heappush(queue, (distance + step, counter, target,
                                       [*path, (node, target, key)]))
    return None
