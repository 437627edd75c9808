"""The fallback for tables no feature registered: find every row linked to a candidate.

Starting from the candidate and the cases an operation covers, every table whose foreign key
points at a row already found is followed (in dependency order, so chains such as
``case_file → voucher → voucher_event`` are found too). The audit log is excluded (append-only;
it is exported separately as the access log).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from rmt.extensions import db

ROOTS = ("candidate", "case_file")
EXCLUDED = {"audit_entry"}
# Tables that rmt.privacy itself exports and anonymises field by field.
CORE_TABLES = {"candidate", "case_file", "case_event", "intake", "plan", "plan_activity", "note",
               "task", "consent", "case_transfer"}
# String columns with these names hold free text in this code base; Text columns always do.
FREE_TEXT_NAME = re.compile(r"(^|_)(note|notes|reason|motivation|summary|remarks|comment|"
                            r"comments|description|explanation|text)$")


@dataclass
class Linked:
    """Rows per table linked to one candidate (as mappings), in dependency order."""

    rows: dict[str, list[sa.RowMapping]] = field(default_factory=dict)


def linked_rows(candidate_id: int, case_ids: list[int]) -> Linked:
    """Every row of every table reachable from the candidate and ``case_ids`` by foreign keys."""
    metadata = db.Model.metadata
    linked = Linked()
    candidate = metadata.tables["candidate"]
    case_file = metadata.tables["case_file"]
    linked.rows["candidate"] = list(
        db.session.execute(sa.select(candidate).where(candidate.c.id == candidate_id)).mappings())
    linked.rows["case_file"] = list(
        db.session.execute(sa.select(case_file).where(case_file.c.id.in_(case_ids))
                           .order_by(case_file.c.id)).mappings()) if case_ids else []
    for table in metadata.sorted_tables:
        if table.name in ROOTS or table.name in EXCLUDED:
            continue
        conditions = []
        for fk in table.foreign_keys:
            parent = fk.column.table.name
            if parent == table.name or not linked.rows.get(parent):
                continue
            values = sorted({row[fk.column.name] for row in linked.rows[parent]} - {None})
            if values:
                conditions.append(fk.parent.in_(values))
        if not conditions:
            continue
        query = sa.select(table).where(sa.or_(*conditions))
        pk = list(table.primary_key.columns)
        if pk:
            query = query.order_by(*pk)
        rows = list(db.session.execute(query).mappings())
        if rows:
            linked.rows[table.name] = rows
    return linked


def jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return None  # binary data (e.g. encrypted fields) is not exported raw
    return value


def row_dict(row: sa.RowMapping) -> dict[str, Any]:
    return {key: jsonable(value) for key, value in row.items()}


def free_text_columns(table: sa.Table) -> list[sa.Column]:
    """Columns of ``table`` that hold free text and can be cleared without breaking a key."""
    unique_columns = {col.name for constraint in table.constraints
                      if isinstance(constraint, sa.UniqueConstraint) for col in constraint.columns}
    unique_columns |= {col.name for index in table.indexes if index.unique
                       for col in index.columns}
    columns = []
    for column in table.columns:
        if (column.primary_key or column.foreign_keys or column.name in unique_columns
                or isinstance(column.type, sa.Enum)):
            continue
        if isinstance(column.type, sa.Text) or (
                isinstance(column.type, sa.String) and FREE_TEXT_NAME.search(column.name)):
            columns.append(column)
    return columns


def clear_free_text(linked: Linked, skip_tables: set[str]) -> dict[str, int]:
    """Blank the free text of linked rows in tables not handled elsewhere; rows per table."""
    metadata = db.Model.metadata
    cleared: dict[str, int] = {}
    for name, rows in linked.rows.items():
        if name in CORE_TABLES or name in skip_tables:
            continue
        table = metadata.tables[name]
        columns = free_text_columns(table)
        pk = list(table.primary_key.columns)
        if not columns or len(pk) != 1:
            continue
        ids = [row[pk[0].name] for row in rows]
        values = {col.name: ("" if not col.nullable else None) for col in columns}
        db.session.execute(sa.update(table).where(pk[0].in_(ids)).values(**values))
        cleared[name] = len(ids)
    return cleared
