"""Column types shared by all models: aware UTC timestamps and enums with CHECK constraints."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from rmt import clock


def utcnow() -> datetime:
    """The current moment, timezone-aware (UTC): :func:`rmt.clock.now`. Use as a callable
    default, never call at import."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; always returns aware UTC datetimes (also on SQLite)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime in UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A string enum stored as its value, with a named CHECK constraint on every engine."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class FixedOrderJoin(sa.sql.expression.Join):
    """An inner join whose left table SQLite must read first (``CROSS JOIN ... ON``; SQLite
    never reorders the tables of a CROSS JOIN), looking up each row of the right table through
    ``right_index`` (``INDEXED BY``). Other engines get a plain JOIN and plan freely.

    For a list sorted by a column of the left table with a LIMIT: SQLite then walks that
    table's index in order and stops at the page, instead of sorting every matching row. The
    index must be named: without statistics SQLite may otherwise pick an index on the right
    table's filter columns and scan it once for every row of the left table."""

    inherit_cache = True
    right_index: str = ""
    #: The index is part of the statement cache key (two joins that differ only in it must not
    #: share a compiled statement).
    _traverse_internals = [*sa.sql.expression.Join._traverse_internals,
                           ("right_index", InternalTraversal.dp_string)]


@compiles(FixedOrderJoin, "sqlite")
def _fixed_order_join_sqlite(join: FixedOrderJoin, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    right = compiler.process(join.right, **kw)
    if join.right_index:
        right += f" INDEXED BY {compiler.preparer.quote(join.right_index)}"
    return (f"{compiler.process(join.left, **kw)} CROSS JOIN "
            f"{right} ON {compiler.process(join.onclause, **kw)}")


def fixed_order_join(left: Any, right: Any, onclause: Any, *,
                     right_index: str) -> FixedOrderJoin:
    """``left JOIN right ON onclause``, read in that order on SQLite, each row of ``right``
    found through its index ``right_index`` (:class:`FixedOrderJoin`)."""
    join = FixedOrderJoin(left, right, onclause)
    join.right_index = right_index
    return join
