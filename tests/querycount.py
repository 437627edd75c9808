"""Counting SQL statements, for the tests that prove a page or endpoint has no N+1 queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from rmt.extensions import db
from rmt.regions.service import region_names


@contextmanager
def count_statements(*, cold: bool = False) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs (SAVEPOINTs included).

    ``cold=True`` first flushes and empties the session's identity map, as at the start of a real
    request, so the count does not depend on which objects the garbage collector happened to keep
    alive (objects loaded earlier in the test are then detached: load them again afterwards).
    """
    # What a running process has read once and keeps (the region names), read before counting:
    # a count must not depend on whether an earlier test in this process read it already.
    region_names()
    if cold:
        # What the test set up is committed first (as the test client does before a request),
        # so that only the block's own statements are counted.
        db.session.commit()
        db.session.expunge_all()
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
