"""Every Flask extension is created here once and initialised in :func:`rmt.create_app`."""

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations can refer to them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

#: Index objects of the case search that a migration makes with engine-specific DDL and that
#: have no model (a trigram GIN index on PostgreSQL; an FTS5 table and its shadow tables on
#: SQLite): Alembic's comparison (``flask db check``) leaves them alone.
UNMODELLED_PREFIXES = ("candidate_fts", "ix_candidate_search_text_trgm")


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object | None) -> bool:
    """Alembic filter: skip the unmodelled search index objects found in the database."""
    return not (reflected and compare_to is None and (name or "").startswith(UNMODELLED_PREFIXES))


migrate = Migrate(include_object=include_object)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class ViewLimiter(Limiter):
    """Flask-Limiter with the limits on views only, as the app sets them.

    A view decorated with ``limiter.limit`` checks its limits when it is called. Before every
    request Flask-Limiter also looks for the limits that apply to all views (default,
    application, blueprint, meta and fallback limits): the app has none (``init_app`` refuses a
    configured one, ``test_ratelimit`` a blueprint's), and the search cost 6 % of the cheapest
    signed-in page, so it is skipped.
    """

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        manager = self.limit_manager
        if manager.default_limits or manager.application_limits or self._meta_limits \
                or self._in_memory_fallback:
            raise RuntimeError("rmt.extensions.ViewLimiter enforces the limits on views only: "
                               "a default, application, meta or fallback limit is configured")

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if not in_middleware:
            super()._check_request_limit(callable_name, in_middleware)


limiter = ViewLimiter(key_func=get_remote_address, default_limits=[])
api = Api()
