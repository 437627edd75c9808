"""What other features add to a case, registered when the app starts (never at import time).

Cases is the core: it imports no feature. A feature that adds to the case registers its
functions from the ``connect()`` of its ``rmt/<feature>/receivers.py``, which
:func:`rmt.create_app` calls once:

- :data:`timeline_sources`: ``(case) -> Iterable[TimelineItem]``, extra lines on the case's
  timeline (voucher steps, praktijkverklaring steps, ...);
- :data:`placement_checks`: ``(case) -> bool``, whether the case has an active placement (the
  guard of the step *geplaatst*); any check that says yes counts;
- :data:`open_item_sources`: ``(case) -> Iterable[OpenItem]``, what of a feature is still open
  on a case that is about to close (a voucher request, a praktijkverklaring, a proposal) and
  what closing does with it: refuse (``blocks``) or settle it in the same transaction
  (``settle(user, reason)``);
- :data:`work_placement_sources`: ``(case) -> Iterable[WorkPlacement]``, the placements of a
  case that an exit to work can name (employers);
- :data:`case_sections`: a feature's section on the case page: a template and the function
  ``(user, case) -> data`` that loads what it shows (``section`` in the template; a falsy
  value hides it). The case view loads them, so no template queries the database itself;
- :data:`row_probes`: ``name -> (case id column, conditions)``, whether a feature keeps rows
  of that name for a case. :func:`has_rows` answers every registered name in one statement, so a
  page that asks eight features about a case without vouchers, praktijkverklaringen or
  placements (most cases) reads one row instead of eight empty results.

    from rmt.cases import extensions
    extensions.add(extensions.timeline_sources, timeline_items)

:func:`rmt.cases.service.register_hook` is the same call under its older name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import g, has_app_context

from rmt.extensions import db


@dataclass(frozen=True)
class TimelineItem:
    """One line on a case's timeline."""

    at: datetime | date
    kind: str  # step | note | task | transfer | consent | what a feature adds
    title: str
    detail: str
    user_name: str


#: ``(case) -> Iterable[TimelineItem]``: timeline lines that other features add.
timeline_sources: list[Callable[[Any], Iterable[TimelineItem]]] = []
#: ``(case) -> bool``: whether the case has an active placement (employers).
placement_checks: list[Callable[[Any], bool]] = []


@dataclass(frozen=True)
class OpenItem:
    """Something still open on a case, as the closing confirmation lists it.

    ``outcome`` says in Dutch what closing does with it. ``blocks``: closing is refused while it
    is open. ``settle(user, reason)`` runs in the closing's transaction, before the case is
    closed (withdraw a request, break off a trajectory). ``task_id``: a task of the case this
    item accounts for (the core leaves it open instead of closing it with the other tasks).
    """

    kind: str  # voucher | praktijkverklaring | proposal | task | follow_up
    title: str
    outcome: str
    blocks: bool = False
    settle: Callable[[Any, str], None] | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class WorkPlacement:
    """A placement an exit to work can name: its id, a Dutch label and its dates."""

    id: int
    label: str
    start_on: date
    end_on: date | None

    def runs_on(self, day: date) -> bool:
        """Started on or before ``day`` and not ended before it."""
        return self.start_on <= day and (self.end_on is None or self.end_on >= day)


#: ``(case) -> Iterable[OpenItem]``: open items of other features on a case about to close.
open_item_sources: list[Callable[[Any], Iterable[OpenItem]]] = []
#: ``(case) -> Iterable[WorkPlacement]``: the case's placements (employers).
work_placement_sources: list[Callable[[Any], Iterable[WorkPlacement]]] = []


@dataclass(frozen=True)
class CaseSection:
    """A feature's section on the case page, shown in ``order`` (lowest first)."""

    template: str
    load: Callable[[Any, Any], Any]
    order: int = 100


#: The sections of other features on the case page.
case_sections: list[CaseSection] = []


def add_section(template: str, load: Callable[[Any, Any], Any], order: int = 100) -> None:
    """Show ``template`` on the case page with ``section = load(user, case)``; once per
    template (a second registration replaces the first)."""
    case_sections[:] = [s for s in case_sections if s.template != template]
    case_sections.append(CaseSection(template, load, order))
    case_sections.sort(key=lambda section: section.order)


def load_sections(user: Any, case: Any) -> list[tuple[str, Any]]:
    """(template, data) of every registered section, in order, for the case page."""
    return [(section.template, section.load(user, case)) for section in case_sections]


#: ``name -> (case id column, further conditions)``: the rows of ``name`` a feature keeps.
row_probes: dict[str, tuple[Any, tuple[Any, ...]]] = {}


def add_row_probe(name: str, case_column: Any, *conditions: Any) -> None:
    """Rows of ``name`` are those whose ``case_column`` names the case and that meet
    ``conditions``, e.g. ``add_row_probe("vouchers", Voucher.case_id)``; a second registration
    of a name replaces the first."""
    row_probes[name] = (case_column, conditions)
    _probe_statement.cache_clear()
    probe_columns.cache_clear()


@lru_cache(maxsize=4)
def probe_columns(case_id: Any) -> tuple[Any, ...]:
    """Every registered probe as a column, ``case_id`` the case's id: the id column of a
    statement that reads the case (the case page asks them with the case and hands the answers
    to :func:`keep_probe_answers`, one statement fewer), or a bound parameter
    (:func:`_probe_statement`). Built once (building cost more than running), again after a
    registration."""
    return tuple(sa.exists().where(column == case_id, *conditions).label(f"probe_{i}")
                 for i, (column, conditions) in enumerate(row_probes.values()))


#: The case id of :func:`_probe_statement`.
_PROBE_CASE_ID = sa.bindparam("probe_case_id")


@lru_cache(maxsize=1)
def _probe_statement() -> sa.Select:
    """Every registered probe as one statement of its own, the case id a bound parameter."""
    return sa.select(*probe_columns(_PROBE_CASE_ID))


def keep_probe_answers(case: Any, answers: Iterable[Any]) -> None:
    """The answers of :func:`probe_columns` for ``case``, kept for :func:`has_rows` (until the
    next flush)."""
    names = list(row_probes)
    found = list(answers)
    if len(found) != len(names):  # a probe registered after the statement was built
        return
    g.setdefault("rmt_case_rows", {})[case.id] = {
        n for n, answer in zip(names, found, strict=True) if answer}


def has_rows(case: Any, name: str) -> bool:
    """Whether a feature keeps rows of ``name`` (:data:`row_probes`) for ``case``.

    The first question about a case answers every registered name in one statement; the
    answers are kept for the rest of the request (``g``) until the session next flushes
    (:func:`forget_row_probes`), so a write in the same request is never missed.
    """
    if name not in row_probes:  # a feature not connected would hide its rows silently
        raise LookupError(f"no row probe is registered as {name!r}")
    if case.id is None:
        return False
    if db.session.autoflush:
        db.session.flush()  # as a query would: pending rows count (and clear the answers)
    if case.id not in g.get("rmt_case_rows", {}):
        keep_probe_answers(case, db.session.execute(
            _probe_statement(), {_PROBE_CASE_ID.key: case.id}).one())
    return name in g.rmt_case_rows[case.id]


def forget_row_probes(*_args: Any) -> None:
    """Drop the answers of :func:`has_rows` (a session ``after_flush`` listener)."""
    if has_app_context():
        g.pop("rmt_case_rows", None)


_REGISTRIES: dict[str, list[Callable[..., Any]]] = {
    "timeline_sources": timeline_sources,
    "placement_checks": placement_checks,
    "open_item_sources": open_item_sources,
    "work_placement_sources": work_placement_sources,
}


def add(registry: list[Callable[..., Any]] | str, function: Callable[..., Any]) -> None:
    """Add ``function`` to a registry (the list, or its name) once.

    A second registration of the same function (a second app in the same process, a reloaded
    module) replaces the first instead of adding it again.
    """
    hooks = _REGISTRIES[registry] if isinstance(registry, str) else registry
    key = (getattr(function, "__module__", None), getattr(function, "__qualname__", None))
    hooks[:] = [h for h in hooks if (getattr(h, "__module__", None),
                                     getattr(h, "__qualname__", None)) != key]
    hooks.append(function)
