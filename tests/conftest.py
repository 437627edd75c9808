"""Shared fixtures: one app per session, one rolled-back transaction per test.

The database is SQLite (a temporary file) unless ``RMT_TEST_DATABASE_URL`` points elsewhere,
e.g. ``postgresql+psycopg://postgres@127.0.0.1/test``. The schema is built by running the real
migrations, so every test run also proves the migrations work on that engine.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient

from rmt import create_app
from rmt.auth.service import create_api_token
from rmt.extensions import db, limiter
from tests import factories
from tests.helpers import bearer_header

# The tests say "today" as date.today(); the app's today is the Dutch one (rmt.clock). In the
# hour (two in summer) after midnight in the Netherlands the two differ on a UTC machine, so
# the tests run on Dutch time, as the people who use the app do.
os.environ["TZ"] = "Europe/Amsterdam"
time.tzset()

TEST_DATABASE_URL = os.environ.get("RMT_TEST_DATABASE_URL", "")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new database next to the one in ``url`` (``<name>_<pid>``), dropped afterwards.

    A database per test run keeps concurrent runs (CI, several terminals) out of each other's way.
    """
    base = sa.make_url(url)
    name = f"{base.database}_{os.getpid()}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.exit(f"PostgreSQL is not reachable at {url}: {exc}", 2)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(tmp_path_factory: pytest.TempPathFactory, suffix: str) -> Iterator[str]:
    """A new, empty database on the engine under test, for tests that need real connections
    outside the rolled-back test transaction: a PostgreSQL database next to the test one
    (``<name>_<suffix>_<pid>``, dropped afterwards) or a SQLite file."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        base = sa.make_url(TEST_DATABASE_URL)
        with fresh_postgres_database(base.set(database=f"{base.database}_{suffix}")
                                     .render_as_string(hide_password=False)) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp(suffix) / f'{suffix}.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TEST_DATABASE_URL.startswith("postgresql"):
        with fresh_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    elif TEST_DATABASE_URL:
        yield TEST_DATABASE_URL
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "ENV_NAME": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "RMT_AUDIT_KEY": "test-audit-key-not-for-production",
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """Every test runs inside one transaction that is rolled back at the end.

    ``join_transaction_mode="create_savepoint"`` turns the app's own commits into savepoint
    releases, so views and services behave as in production and nothing survives the test.
    """
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original_session = db.session
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own Session.get_bind() would route
        # every query to the engine and around this connection's transaction.
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        factories.bind_session(db.session)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()
            limiter.reset()


class Client(FlaskClient):
    """A test client that can fetch a CSRF token like a browser would.

    The test holds one app context (for the rolled-back session), so requests would share
    ``g``; production gives every request a fresh ``g``, and so does this client.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            # What the test set up is committed before the request, as it would be in real
            # life; a request that fails rolls back only its own work.
            db.session.commit()
            g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            if has_app_context():
                g.__dict__.clear()

    def csrf_token(self, page: str = "/inloggen") -> str:
        html = self.get(page).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, token_page: str | None = None,
                  **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_page or url))
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = Client
    return app.test_client()


class AuthActions:
    """flaskr's helper: sign in through the real form, or directly for speed."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def login(self, email: str, password: str = factories.DEFAULT_PASSWORD, next_url: str = ""):
        return self._client.post_form(
            "/inloggen", {"email": email, "password": password, "next": next_url}
        )

    def logout(self):
        return self._client.post_form("/uitloggen", token_page="/")


@pytest.fixture
def auth(client: Client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(client: Client):
    """``login_as("coach", "MU")`` creates a user with that role and region and signs them in."""

    def _login_as(role: str, *regions: str, **user_fields):
        user = factories.UserFactory(role=role, regions=list(regions), **user_fields)
        db.session.flush()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login_as


@pytest.fixture
def coach():
    """A coach of Midden-Utrecht (a module may define its own ``coach`` instead)."""
    return factories.UserFactory(role="coach", regions=["MU"])


@pytest.fixture
def coordinator():
    """A coordinator of Midden-Utrecht."""
    return factories.UserFactory(role="coordinator", regions=["MU"])


@pytest.fixture
def bearer(app: Flask):
    """``bearer(user)``: the Authorization header of a new API token of ``user``."""
    def _bearer(user) -> dict[str, str]:
        with app.test_request_context():
            token = create_api_token(user, label="test")
        return bearer_header(token)

    return _bearer
