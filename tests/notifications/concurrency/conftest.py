"""Two senders on a real database: no rolled-back test transaction here (like tests/concurrency).

``tests/conftest.py``'s autouse ``db_session`` binds ``db.session`` to one rolled-back
connection; senders in threads need the app's own sessions on real connections, so this
directory replaces that fixture with one that changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask import Flask

from rmt.extensions import db, limiter
from tests.concurrency.live import build_app
from tests.conftest import fresh_database


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[None]:
    yield None
    limiter.reset()


@pytest.fixture
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on its own new database: a SQLite file, or a new PostgreSQL database."""
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(tmp_path_factory, "notify"))
        app = build_app(url, str(tmp_path_factory.mktemp("notify-instance")))
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
