"""RMT Casusregistratie: the application factory.

The feature packages are imported by name (``MODEL_MODULES``, ``BLUEPRINT_MODULES``,
``FEATURES``) when an app is built, not when :mod:`rmt` is imported: importing any small module
(``rmt.clock``, say) must not import the whole application first. The CLI is loaded the same
way, since it brings every feature's demo seed with it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, abort, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_login import user_logged_out
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from rmt import observability, pool, transaction
from rmt.access import Action, can
from rmt.api import register_api
from rmt.audit import service as audit_service
from rmt.auth import oidc
from rmt.auth.models import User
from rmt.auth.session import SigningKeptSessions, renew_signed_in_sessions
from rmt.auth.signed_in import SignedInUsers
from rmt.db_types import utcnow
from rmt.enums import label_of
from rmt.errors import register_error_handlers
from rmt.extensions import api as smorest_api
from rmt.extensions import babel, csrf, db, limiter, login_manager, migrate
from rmt.web import dates
from rmt.web.csrf import keep_page_tokens
from rmt.web.fields import hidden_field, render_field
from rmt.web.forms import keep_wtforms_translations
from rmt.web.templating import AppEnvironment
from rmt.web.uploads import body_limit

__all__ = ["RmtFlask", "create_app"]


class RmtFlask(Flask):
    """Flask with the unit of work: every view's work is committed once, right after the view.

    Committing here (not in ``after_request``) means a failed commit, such as a lost database
    connection or a conflicting row, goes through the registered error handlers like any other
    exception: a 409 or 503 answer, never a 500. Exceptions roll back (``transaction.install``).
    """

    jinja_environment = AppEnvironment

    def dispatch_request(self) -> ResponseReturnValue:
        response = super().dispatch_request()
        transaction.commit()
        return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the environment's config class (used by the tests)."""
    from config import CONFIGS

    app = RmtFlask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("RMT_INSTANCE_PATH"))
    env_name = (config or {}).get("ENV_NAME") or os.environ.get("RMT_ENV", "production")
    app.config.from_object(CONFIGS.get(env_name, CONFIGS["production"]))
    if config:
        app.config.update(config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config.get("RMT_AUDIT_KEY"):
        # The audit chain's HMAC key: outside the database, so write access to the database
        # alone cannot recompute the chain (docs/security.md says how to keep it).
        app.config["RMT_AUDIT_KEY"] = _instance_secret_key(Path(app.instance_path), "audit_key")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'rmt.sqlite3'}"
        )
    _configure_engine_options(app)
    _trust_proxies(app)
    audit_service.init_app(app)

    observability.init_app(app)
    db.init_app(app)
    if app.config.get("RMT_DB_KEEP_ALIVE"):
        with app.app_context():
            pool.keep_alive(db.engine, app.config["RMT_DB_ALIVE_BYPASS_SECONDS"])
    transaction.install(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    keep_page_tokens(app)
    # Dutch only (docs/language.md): Flask-Babel formats dates, numbers and plurals in nl.
    babel.init_app(app, default_locale="nl")
    # Templates: the gettext markers without Flask-Babel's lookup of a catalogue that does not
    # exist (about 25 µs per marker on every page). Same newstyle behaviour: the text is
    # escaped and %-formatted, and ngettext keeps the Dutch plural rule (n != 1).
    app.jinja_env.install_null_translations(newstyle=True)
    keep_wtforms_translations(app)
    app.session_interface = SigningKeptSessions()
    renew_signed_in_sessions(app)
    limiter.init_app(app)
    smorest_api.init_app(app)
    oidc.init_app(app)

    _register_models()
    _connect_receivers()
    _register_blueprints(app)
    _register_request_hooks(app)

    register_error_handlers(app)
    importlib.import_module("rmt.cli").register_cli(app)
    return app


def _instance_secret_key(instance: Path, name: str = "secret_key") -> str:
    """Generate a random key into the instance folder on first run (mode 0600); reuse it.

    Processes that start together (gunicorn's workers on a new instance folder) agree on one
    key: each writes its candidate to a file of its own and links it into place, which only
    the first does; the others read the winner's whole key, never a file half written."""
    key_file = instance / name
    if not key_file.exists():
        candidate = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            _write_key(candidate)
            os.link(candidate, key_file)
        except FileExistsError:
            pass  # another process was first: its key holds
        except OSError:  # a file system without hard links: create it in place, as before
            _write_key(key_file)
        finally:
            candidate.unlink(missing_ok=True)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: remove it to generate a new key")
    return key


def _write_key(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
        fh.flush()
        os.fsync(fh.fileno())


def _trust_proxies(app: Flask) -> None:
    """Behind ``RMT_TRUSTED_PROXIES`` reverse proxies, take the client's address and scheme from
    their X-Forwarded-For / X-Forwarded-Proto, so rate limits key on the real client. Without
    proxies (0) those headers are ignored: a client could forge them."""
    hops = app.config["RMT_TRUSTED_PROXIES"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _configure_engine_options(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {})["timeout"] = 15
    elif uri.startswith("postgresql"):
        # rmt.pool checks connections instead, without a round trip on every request.
        app.config["RMT_DB_KEEP_ALIVE"] = options.pop("pool_pre_ping", False)
    if uri.startswith("postgresql") and app.config["RMT_PG_SESSION_OPTIONS"]:
        # Added to what the URL's ``options`` or PGOPTIONS already ask (libpq would otherwise
        # take ours instead of theirs).
        own = [sa.make_url(uri).query.get("options"), os.environ.get("PGOPTIONS"),
               app.config["RMT_PG_SESSION_OPTIONS"]]
        options.setdefault("connect_args", {}).setdefault(
            "options", " ".join(part for part in own if part and isinstance(part, str)))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


#: Every model module, so the metadata (and Alembic) knows all tables.
MODEL_MODULES = ("rmt.regions.models", "rmt.auth.models", "rmt.audit.models", "rmt.cases.models",
                 "rmt.employers.models", "rmt.vouchers.models", "rmt.praktijkverklaring.models",
                 "rmt.stats.models", "rmt.imports.models", "rmt.documents.models",
                 "rmt.notifications.models", "rmt.privacy.models")
#: The HTML blueprints (``bp`` of each module), in registration order; the API's are listed in
#: :mod:`rmt.api`.
BLUEPRINT_MODULES = ("rmt.main", "rmt.health", "rmt.auth.views", "rmt.admin.views",
                     "rmt.audit.views", "rmt.privacy.views", "rmt.employers.views",
                     "rmt.cases.views", "rmt.vouchers.views", "rmt.praktijkverklaring.views",
                     "rmt.stats.views", "rmt.imports.views", "rmt.documents.views",
                     "rmt.notifications.views")


def _register_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


#: Features that react to other features' signals do so in ``rmt/<feature>/receivers.py``,
#: whose ``connect()`` is called here, once per app: never at import time.
FEATURES = ("cases", "employers", "vouchers", "praktijkverklaring", "stats", "privacy",
            "audit", "auth", "imports", "documents", "notifications")


def _connect_receivers() -> None:
    for feature in FEATURES:
        name = f"rmt.{feature}.receivers"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).connect()


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive integer that fits a database id; anything else is a 404."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    for name in BLUEPRINT_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    register_api(app)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def content_security_policy(form_origins: frozenset[str] = frozenset()) -> str:
    """The policy, with the SSO providers' origins as form targets: the SSO button and the
    sign-out are forms whose answer redirects to the provider, and browsers hold redirects
    after a form to ``form-action`` too."""
    if not form_origins:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", "form-action 'self' " + " ".join(sorted(form_origins)))


#: One year, subdomains included (production only; see ``RMT_HSTS``).
HSTS = "max-age=31536000; includeSubDomains"

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: ``app.extensions`` key of the app's :class:`rmt.auth.signed_in.SignedInUsers`.
SIGNED_IN_USERS = "rmt.signed_in_users"


def _register_request_hooks(app: Flask) -> None:
    # Per app: the login manager is shared by every app a process builds (the tests build many).
    signed_in_users = app.extensions[SIGNED_IN_USERS] = SignedInUsers()
    user_logged_out.connect(signed_in_users.forget, app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        ident, _, token = user_id.partition(":")
        if not ident.isdigit() or not token:
            return None
        loaded = current_app.extensions[SIGNED_IN_USERS].load(int(ident))
        if loaded is None:
            return None
        user, unread = loaded
        if not user.active or not secrets.compare_digest(user.session_token, token):
            return None
        g.rmt_unread = int(unread)  # rmt.notifications.views: the header's count
        return user

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te bekijken."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    def refuse_oversized_bodies():
        # Refuse by the declared length before authentication or parsing (the CSRF check
        # parses the form, so this hook runs first). Views that take files allow more
        # (rmt.web.uploads); the form parser then enforces the same limit.
        limit = body_limit(app)
        if limit and limit != app.config.get("MAX_CONTENT_LENGTH"):
            request.max_content_length = limit
        if limit and request.content_length and request.content_length > limit:
            abort(413)

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_bodies)

    @app.before_request
    def refuse_nul_characters():
        # No legitimate input holds NUL; PostgreSQL cannot store it and would answer with a 500.
        sources = [request.args]
        if request.mimetype in FORM_TYPES:
            sources.append(request.form)
        for source in sources:
            if any("\x00" in value for _key, value in source.items(multi=True)):
                abort(400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy",
                                    content_security_policy(oidc.form_origins()))
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["RMT_HSTS"]:
            response.headers["Strict-Transport-Security"] = HSTS
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # One clock (rmt.clock): a stored UTC moment is shown at its Dutch time and date, whatever
    # locale or time zone Babel would pick.
    app.add_template_filter(dates.local_datetime, "localdatetime")
    app.add_template_filter(dates.local_date, "localdate")
    # ``{{ value|label }}``: the Dutch label of any labelled enum (step, exit reason, role, ...).
    app.add_template_filter(label_of, "label")
    app.add_template_global(utcnow, "now")

    def table_caption_id() -> str:
        """A fresh id per table on the page, for the caption that names its scroll container."""
        g.rmt_table_count = g.get("rmt_table_count", 0) + 1
        return f"tabelbijschrift-{g.rmt_table_count}"

    app.add_template_global(table_caption_id, "table_caption_id")
    app.add_template_global(render_field, "render_field")
    app.add_template_global(hidden_field, "hidden_field")

    @app.context_processor
    def inject_shell():
        return {"can": can, "Action": Action}
