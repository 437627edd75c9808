"""The tests here drive real apps over real connections: no rolled-back test transaction.

``tests/conftest.py``'s autouse ``db_session`` swaps ``db.session`` for one bound to a single
rolled-back connection; many threads on real connections need the app's own session, so this
directory replaces that fixture with one that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask import Flask

from rmt.extensions import db, limiter
from tests.concurrency.live import LiveServer, Seed, build_app, seed
from tests.conftest import fresh_database


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[None]:
    """Nothing is swapped; every module here builds its own database and cleans it up.

    Like the fixture it replaces, it resets the rate-limit counters afterwards (``app`` makes
    sure the shared limiter has been initialised).
    """
    yield None
    limiter.reset()


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Seed]]:
    """A real app on its own fresh database (SQLite file or a new PostgreSQL database),
    served on 127.0.0.1 by a threaded server, with seeded users, cases, vouchers and tokens."""
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(tmp_path_factory, "concurrency"))
        app = build_app(url, str(tmp_path_factory.mktemp("live-instance")))
        data = seed(app)
        server = LiveServer(app)
        try:
            yield server, data
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
