"""The tests here drive real apps over real connections: no rolled-back test transaction.

``tests/conftest.py``'s autouse ``db_session`` swaps ``db.session`` for one bound to a single
rolled-back connection; many threads on real connections need the app's own session, so this
directory replaces that fixture with one that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rmt.extensions import limiter


@pytest.fixture(autouse=True)
def db_session() -> Iterator[None]:
    """Nothing is swapped; every module here builds its own database and cleans it up."""
    yield None
    limiter.reset()
