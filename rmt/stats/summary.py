"""Keep ``stat_case`` and ``stat_span`` equal to what the step history says.

After every ORM flush that inserts, changes or deletes a ``CaseEvent``, the summary rows of the
cases concerned are recomputed from *all* their events (a handful per case), so the summary is a
pure function of the history and cannot drift from it: events written by the case service,
by test factories or recorded out of order all end up the same. Rows written around the ORM
on a bare connection (bulk loads with ``executemany``/``COPY``) are summarised with
:func:`rebuild`; bulk INSERT/UPDATE/DELETE statements through a session (the demo seed) are
caught by a ``do_orm_execute`` hook and refresh the cases they touch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.functions import FunctionElement

from rmt import clock
from rmt.cases.models import CaseEvent
from rmt.process import CaseState
from rmt.stats.models import StatCase, StatSpan, StatStayMonth

#: The funnel: the main line without the final step. Rank 0 (aangemeld) is every case.
FUNNEL_STEPS: tuple[CaseState, ...] = (
    CaseState.AANGEMELD, CaseState.INTAKE, CaseState.DIAGNOSE, CaseState.PLAN,
    CaseState.UITVOERING, CaseState.BEMIDDELING, CaseState.GEPLAATST, CaseState.NAZORG,
)
RANK: dict[str, int] = {step.value: rank for rank, step in enumerate(FUNNEL_STEPS)}
#: ``stat_case`` column holding the first date a case reached the step (rank >= 1).
REACHED_COLUMN: dict[CaseState, str] = {
    step: f"reached_{step.value}_on" for step in FUNNEL_STEPS[1:]}
CLOSED = CaseState.AFGESLOTEN.value


class year_month(FunctionElement):
    """'YYYY-MM' of a date, on SQLite and PostgreSQL."""

    type = sa.String()
    inherit_cache = True


@compiles(year_month)
def _year_month_default(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


def local_date(at: datetime) -> date:
    """The calendar date in the Netherlands of an aware (or naive UTC) timestamp."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return clock.local_date(at)


@dataclass(frozen=True)
class EventRow:
    id: int
    case_id: int
    at: datetime
    region_code: str
    to_status: str
    exit_reason: str | None


def summarise_case(events: Sequence[EventRow]) -> tuple[dict[str, Any] | None, list[dict]]:
    """The ``stat_case`` row and the ``stat_span`` rows of one case, from its ordered events.

    ``events`` are one case's events in history order (``at``, then ``id``). A stay ends at the
    first event whose step differs from the current one; an event into the same step (a
    transfer between regions) starts a new span in the new region but continues the stay.
    """
    if not events:
        return None, []
    first = events[0]
    stat: dict[str, Any] = {
        "case_id": first.case_id, "registered_on": local_date(first.at),
        "registered_region": first.region_code, "closed_on": None, "closed_region": None,
        "exit_reason": None, **{column: None for column in REACHED_COLUMN.values()},
    }
    spans: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for event in events:
        on = local_date(event.at)
        step = str(event.to_status)
        same_stay = previous is not None and previous["step"] == step
        if previous is not None:
            previous["ended_on"] = on
            if not same_stay:
                previous["stay_days"] = (on - previous["stay_started_on"]).days
        span = {"event_id": event.id, "case_id": event.case_id, "region_code": event.region_code,
                "step": step, "started_on": on, "ended_on": None,
                "stay_started_on": previous["stay_started_on"] if same_stay else on,
                "stay_days": None}
        spans.append(span)
        previous = span
        rank = RANK.get(step, 0)
        for reached_step in FUNNEL_STEPS[1:rank + 1]:
            column = REACHED_COLUMN[reached_step]
            if stat[column] is None:
                stat[column] = on
        if step == CLOSED and not same_stay:
            stat.update(closed_on=on, closed_region=event.region_code,
                        exit_reason=event.exit_reason)
        elif step != CLOSED:
            stat.update(closed_on=None, closed_region=None, exit_reason=None)
    return stat, spans


# ---------------------------------------------------------------------------------------------
# Reading events and writing summary rows (Core, on any connection)


def _tables() -> tuple[sa.Table, sa.Table, sa.Table]:
    return CaseEvent.__table__, StatCase.__table__, StatSpan.__table__


def _stay_month_table() -> sa.Table:
    return StatStayMonth.__table__


MonthKey = tuple[str, str, str, int]


def _month_key(ended_on: date, region_code: str, step: Any, stay_days: int) -> MonthKey:
    return ended_on.strftime("%Y-%m"), region_code, str(step), int(stay_days)


def _add_stay_months(connection: sa.Connection, delta: Counter[MonthKey]) -> None:
    """Add ``delta`` to the month counts (an upsert per key, in a fixed order)."""
    table = _stay_month_table()
    rows = [{"month": m, "region_code": r, "step": s, "stay_days": d, "stays": n}
            for (m, r, s, d), n in sorted(delta.items()) if n]
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["month", "region_code", "step", "stay_days"],
        set_={"stays": table.c.stays + statement.excluded.stays})
    connection.execute(statement, rows)
    emptied = sorted({row["month"] for row in rows if row["stays"] < 0})
    if emptied:
        connection.execute(table.delete().where(table.c.month.in_(emptied),
                                                table.c.stays == 0))


def _event_rows(result: Iterable[Any]) -> Iterator[EventRow]:
    for row in result:
        yield EventRow(row.id, row.case_id, row.at, row.region_code, str(row.to_status),
                       None if row.exit_reason is None else str(row.exit_reason))


def _event_query(event: sa.Table) -> sa.Select:
    return sa.select(event.c.id, event.c.case_id, event.c.at, event.c.region_code,
                     event.c.to_status, event.c.exit_reason).order_by(
        event.c.case_id, event.c.at, event.c.id)


def _grouped(rows: Iterable[EventRow]) -> Iterator[list[EventRow]]:
    current: list[EventRow] = []
    for row in rows:
        if current and row.case_id != current[0].case_id:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def stay_months_of(connection: sa.Connection, case_ids: Iterable[int]) -> Counter[MonthKey]:
    """What the ``stat_span`` rows of ``case_ids`` add to the month counts now."""
    stat_span = _tables()[2]
    ids = sorted({int(i) for i in case_ids if i is not None})
    counts: Counter[MonthKey] = Counter()
    for start in range(0, len(ids), 500):
        for row in connection.execute(
                sa.select(stat_span.c.ended_on, stat_span.c.region_code, stat_span.c.step,
                          stat_span.c.stay_days)
                .where(stat_span.c.case_id.in_(ids[start:start + 500]),
                       stat_span.c.stay_days.is_not(None))):
            counts[_month_key(*row)] += 1
    return counts


def refresh_cases(connection: sa.Connection, case_ids: Iterable[int],
                  previous_months: Counter[MonthKey] | None = None, *,
                  month_counts: bool = True) -> None:
    """Recompute the summary rows of ``case_ids`` from their events.

    ``previous_months`` is what their spans added to the month counts before the change, read
    before the change when deleting events may already have removed spans (ON DELETE CASCADE);
    by default it is read from ``stat_span`` now. ``month_counts=False`` leaves the month
    counts alone (:func:`recount_stay_months` recomputes them afterwards).
    """
    ids = sorted({int(i) for i in case_ids if i is not None})
    if not ids:
        return
    event, stat_case, stat_span = _tables()
    months: Counter[MonthKey] = Counter()
    if month_counts:
        months.subtract(previous_months if previous_months is not None
                        else stay_months_of(connection, ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = connection.execute(_event_query(event).where(event.c.case_id.in_(chunk)))
        stats, spans = [], []
        for events in _grouped(_event_rows(rows)):
            stat, case_spans = summarise_case(events)
            stats.append(stat)
            spans.extend(case_spans)
        for span in spans:
            if span["stay_days"] is not None:
                months[_month_key(span["ended_on"], span["region_code"], span["step"],
                                  span["stay_days"])] += 1
        connection.execute(stat_span.delete().where(stat_span.c.case_id.in_(chunk)))
        connection.execute(stat_case.delete().where(stat_case.c.case_id.in_(chunk)))
        if stats:
            connection.execute(stat_case.insert(), stats)
            connection.execute(stat_span.insert(), spans)
    if month_counts:
        _add_stay_months(connection, months)


def summarised_case_ids(connection: sa.Connection, after_id: int, limit: int) -> list[int]:
    """The next ``limit`` case ids after ``after_id`` that have events or summary rows (for a
    rebuild in batches: :func:`refresh_cases` on each, then :func:`recount_stay_months`)."""
    event, stat_case, _ = _tables()
    ids = sa.union(sa.select(event.c.case_id.label("case_id")),
                   sa.select(stat_case.c.case_id.label("case_id"))).subquery()
    return list(connection.execute(
        sa.select(ids.c.case_id).where(ids.c.case_id > after_id)
        .order_by(ids.c.case_id).limit(limit)).scalars())


def recount_stay_months(connection: sa.Connection) -> None:
    """Recompute the month counts from ``stat_span`` as a whole."""
    stay_month = _stay_month_table()
    connection.execute(stay_month.delete())
    connection.execute(stay_month.insert().from_select(
        ["month", "region_code", "step", "stay_days", "stays"], stay_months_query(_tables()[2])))


def rebuild(connection: sa.Connection, batch_size: int = 20_000) -> tuple[int, int]:
    """Recompute both summary tables from the whole history; returns (cases, spans) written.

    For bulk loads that bypass the ORM. Streams the events once, in history order, and writes
    in batches, in one transaction (``flask --app rmt stats rebuild`` commits per batch of cases
    instead: :func:`summarised_case_ids`).
    """
    event, stat_case, stat_span = _tables()
    connection.execute(stat_span.delete())
    connection.execute(stat_case.delete())
    stats: list[dict] = []
    spans: list[dict] = []
    totals = [0, 0]

    def write() -> None:
        if stats:
            connection.execute(stat_case.insert(), stats)
            connection.execute(stat_span.insert(), spans)
            totals[0] += len(stats)
            totals[1] += len(spans)
            stats.clear()
            spans.clear()

    result = connection.execute(_event_query(event).execution_options(
        stream_results=True, yield_per=batch_size))
    for events in _grouped(_event_rows(result)):
        stat, case_spans = summarise_case(events)
        stats.append(stat)
        spans.extend(case_spans)
        if len(spans) >= batch_size:
            write()
    write()
    recount_stay_months(connection)
    return totals[0], totals[1]


def stay_months_query(stat_span: sa.Table) -> sa.Select:
    """The month counts as ``stat_span`` holds them (for :func:`rebuild` and the tests)."""
    month = year_month(stat_span.c.ended_on)
    return (sa.select(month, stat_span.c.region_code, stat_span.c.step, stat_span.c.stay_days,
                      sa.func.count())
            .where(stat_span.c.stay_days.is_not(None))
            .group_by(month, stat_span.c.region_code, stat_span.c.step, stat_span.c.stay_days))


# ---------------------------------------------------------------------------------------------
# The flush hook


def _touched_case_ids(session: Session) -> set[int]:
    ids = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CaseEvent):
            case_id = obj.case_id if obj.case_id is not None else getattr(obj.case, "id", None)
            if case_id is not None:
                ids.add(case_id)
    return ids


_PREVIOUS = "stats_previous_months"


def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Note what the touched cases add to the month counts before the flush changes them."""
    case_ids = _touched_case_ids(session)
    if case_ids:
        session.info[_PREVIOUS] = (case_ids, stay_months_of(session.connection(), case_ids))


def _after_flush(session: Session, _flush_context: Any) -> None:
    case_ids = _touched_case_ids(session)
    before_ids, previous = session.info.pop(_PREVIOUS, (set(), Counter()))
    case_ids |= before_ids
    if case_ids:
        connection = session.connection()
        previous = previous + stay_months_of(connection, case_ids - before_ids)
        refresh_cases(connection, case_ids, previous)


#: ``case_event`` columns the summary is computed from; a bulk UPDATE of other columns (the
#: free-text reason, by retention) leaves it as it is.
_SUMMARISED_COLUMNS = frozenset({"id", "case_id", "at", "region_code", "to_status",
                                 "exit_reason"})


def _statement_columns(state: ORMExecuteState) -> set[str] | None:
    """Names of the columns a bulk INSERT/UPDATE sets, or None when they cannot be told."""
    names: set[str] = set()
    values = getattr(state.statement, "_values", None) or {}
    for key in values:
        names.add(getattr(key, "key", None) or getattr(key, "name", None) or str(key))
    if getattr(state.statement, "_multi_values", None):
        return None
    parameters = state.parameters
    for params in parameters if isinstance(parameters, list) else [parameters or {}]:
        names.update(str(k) for k in params)
    return names


def _case_ids_before(state: ORMExecuteState, event: sa.Table) -> set[int]:
    """The cases whose events a bulk UPDATE or DELETE is about to touch."""
    parameters = state.parameters
    connection = state.session.connection()
    if isinstance(parameters, list) and parameters and state.statement.whereclause is None:
        # ORM bulk UPDATE by primary key: one parameter set per event.
        ids = [p["id"] for p in parameters if "id" in p]
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            found.update(connection.execute(sa.select(event.c.case_id).where(
                event.c.id.in_(ids[start:start + 500]))).scalars())
        return found
    query = sa.select(event.c.case_id).distinct()
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    return set(connection.execute(query).scalars())


def _do_orm_execute(state: ORMExecuteState) -> Any:
    """Bulk statements on ``case_event`` through a session (``session.execute(insert(...),
    rows)``, ``update()``, ``delete()``) bypass the flush: refresh their cases here."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    event = _tables()[0]
    if getattr(getattr(state.statement, "table", None), "name", None) != event.name:
        return None
    columns = None if state.is_delete else _statement_columns(state)
    if columns is not None and not columns & _SUMMARISED_COLUMNS:
        return None
    case_ids: set[int] = set()
    before_ids: set[int] = set()
    previous: Counter[MonthKey] | None = None
    if not state.is_insert:
        # Read before a DELETE cascades to the spans of the deleted events.
        before_ids = _case_ids_before(state, event)
        previous = stay_months_of(state.session.connection(), before_ids)
        case_ids |= before_ids
    parameters = state.parameters
    for params in parameters if isinstance(parameters, list) else [parameters or {}]:
        if params.get("case_id") is not None:
            case_ids.add(params["case_id"])
    values = getattr(state.statement, "_values", None) or {}
    for key, value in values.items():
        if (getattr(key, "key", None) or str(key)) == "case_id":
            literal = getattr(value, "value", value)
            if isinstance(literal, int):
                case_ids.add(literal)
    # An INSERT whose cases cannot be told (multi-row VALUES): recompute everything.
    everything = state.is_insert and (columns is None or "case_id" not in columns)
    result = state.invoke_statement()
    connection = state.session.connection()
    if everything:
        rebuild(connection)
    elif previous is not None:
        # An UPDATE may move events to other cases: their spans are still as they were.
        previous += stay_months_of(connection, case_ids - before_ids)
        refresh_cases(connection, case_ids, previous)
    else:
        refresh_cases(connection, case_ids)
    return result


def install() -> None:
    """Listen to every ORM session (idempotent): flushes and bulk statements."""
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
    if not sa.event.contains(Session, "do_orm_execute", _do_orm_execute):
        sa.event.listen(Session, "do_orm_execute", _do_orm_execute)
