"""Configuration classes. Every setting can come from an ``RMT_*`` environment variable.

The secret key is never hard-coded: when ``RMT_SECRET_KEY`` is not set, a random key is
generated once into the instance folder (``instance/secret_key``) and reused afterwards.
"""

from __future__ import annotations

import os


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults for every environment; production-safe unless stated otherwise."""

    ENV_NAME = "production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("RMT_DATABASE_URL")  # None -> instance SQLite
    # pool_pre_ping replaces a connection the server dropped (restart, failover) before use;
    # pool_recycle retires connections before a proxy or firewall silently drops idle ones.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        "pool_pre_ping": True,
        "pool_recycle": int(os.environ.get("RMT_DB_POOL_RECYCLE", "1800")),
    }
    # PostgreSQL: the pre-ping is skipped for a connection used less than this long ago whose
    # socket is quiet (rmt.pool); 0 pings on every checkout.
    RMT_DB_ALIVE_BYPASS_SECONDS = float(os.environ.get("RMT_DB_ALIVE_BYPASS_SECONDS", "0.5"))
    # PostgreSQL session settings for a web app's short statements (docs/deploy.md): no parallel
    # workers (starting them cost more than they saved on a busy 2-core server: the case list's
    # page 50 took 205 instead of 150 ms under load).
    RMT_PG_SESSION_OPTIONS = os.environ.get("RMT_PG_SESSION_OPTIONS",
                                            "-c max_parallel_workers_per_gather=0")
    SECRET_KEY = os.environ.get("RMT_SECRET_KEY")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", True)
    SESSION_COOKIE_NAME = "rmt_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", True)
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60  # one working day, in seconds
    # The lifetime counts from the last activity: the session is renewed (signed and sent
    # again) at most every RMT_SESSION_RENEW_SECONDS, not on every page (rmt.auth.session).
    SESSION_REFRESH_EACH_REQUEST = False
    RMT_SESSION_RENEW_SECONDS = int(os.environ.get("RMT_SESSION_RENEW_SECONDS", "300"))

    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB; larger bodies get a 413
    # Largest uploaded document; only the upload routes accept bodies this big (rmt/__init__.py).
    RMT_DOCUMENT_MAX_BYTES = int(os.environ.get("RMT_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
    WTF_CSRF_TIME_LIMIT = 8 * 60 * 60
    # Imports (rmt.imports): the upload route alone accepts bodies up to RMT_IMPORT_MAX_BYTES.
    RMT_IMPORT_MAX_BYTES = int(os.environ.get("RMT_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
    RMT_IMPORT_MAX_ROWS = int(os.environ.get("RMT_IMPORT_MAX_ROWS", "50000"))

    # SQLite: check the planner statistics this often per process (rmt/planner_statistics.py).
    RMT_SQLITE_ANALYZE_SECONDS = float(os.environ.get("RMT_SQLITE_ANALYZE_SECONDS", "600"))

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    SUPPORTED_LOCALES = ("nl", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("RMT_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RMT_LOGIN_RATE_LIMIT = os.environ.get("RMT_LOGIN_RATE_LIMIT", "10 per minute")
    # Failed sign-ins in a row that cost nothing; after that each one doubles the account's wait
    # before the next attempt is checked (1 s, 2 s, 4 s, ...), capped (docs/security.md).
    RMT_MAX_FAILED_LOGINS = int(os.environ.get("RMT_MAX_FAILED_LOGINS", "5"))
    RMT_LOGIN_DELAY_SECONDS = int(os.environ.get("RMT_LOGIN_DELAY_SECONDS", "1"))
    RMT_LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("RMT_LOGIN_DELAY_MAX_SECONDS", "900"))
    # New passwords need this zxcvbn score (0-4) with Dutch and RMT words as dictionary.
    RMT_PASSWORD_MIN_SCORE = int(os.environ.get("RMT_PASSWORD_MIN_SCORE", "4"))
    # Reverse proxies in front of the app (ProxyFix: X-Forwarded-For and -Proto); 0 = none.
    RMT_TRUSTED_PROXIES = int(os.environ.get("RMT_TRUSTED_PROXIES", "0"))
    # Strict-Transport-Security on every answer (production only: HTTPS is required there).
    RMT_HSTS = True
    RMT_API_TOKEN_DAYS = int(os.environ.get("RMT_API_TOKEN_DAYS", "90"))
    RMT_TOTP_RATE_LIMIT = os.environ.get("RMT_TOTP_RATE_LIMIT", "10 per minute")
    # Single sign-on (docs/sso.md): None reads the providers from RMT_SSO_PROVIDERS and
    # RMT_SSO_<NAME>_* at start-up (rmt.auth.oidc); a list of oidc.Provider replaces them.
    RMT_SSO_PROVIDER_LIST = None
    # Clock difference with the provider tolerated when checking an ID token's exp/iat/nbf.
    RMT_SSO_CLOCK_SKEW_SECONDS = int(os.environ.get("RMT_SSO_CLOCK_SKEW_SECONDS", "60"))
    # Notifications (docs/notifications.md): no RMT_SMTP_URL prints mail to the console.
    RMT_SMTP_URL = os.environ.get("RMT_SMTP_URL") or None
    RMT_MAIL_FROM = os.environ.get("RMT_MAIL_FROM", "RMT Casusregistratie <noreply@localhost>")
    RMT_BASE_URL = os.environ.get("RMT_BASE_URL", "http://localhost:5000")
    RMT_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("RMT_NOTIFY_MAX_ATTEMPTS", "8"))
    RMT_NOTIFY_BACKOFF_SECONDS = int(os.environ.get("RMT_NOTIFY_BACKOFF_SECONDS", "60"))
    # Closed cases older than this are anonymised by `flask --app rmt retention run`.
    RMT_RETENTION_MONTHS = int(os.environ.get("RMT_RETENTION_MONTHS", "24"))

    # The audit chain's HMAC key (None: generated once into instance/audit_key, mode 0600).
    RMT_AUDIT_KEY = os.environ.get("RMT_AUDIT_KEY")
    # `flask --app rmt audit checkpoint` appends the chain's end to this file (None: the
    # instance folder's audit-checkpoints.log; "-": no file) and/or sends it to syslog
    # (an address: "/dev/log", or "host:514" for UDP; None: no syslog).
    RMT_AUDIT_CHECKPOINT_PATH = os.environ.get("RMT_AUDIT_CHECKPOINT_PATH")
    RMT_AUDIT_CHECKPOINT_SYSLOG = os.environ.get("RMT_AUDIT_CHECKPOINT_SYSLOG")

    # One log line per request, with a request id (X-Request-ID, echoed): "json" or "text".
    RMT_LOG_FORMAT = os.environ.get("RMT_LOG_FORMAT", "json")
    RMT_LOG_LEVEL = os.environ.get("RMT_LOG_LEVEL", "INFO")

    # argon2id parameters (RFC 9106 "second recommended option")
    RMT_ARGON2_TIME_COST = 3
    RMT_ARGON2_MEMORY_COST = 64 * 1024
    RMT_ARGON2_PARALLELISM = 4

    API_TITLE = "RMT Casusregistratie API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    RMT_LOG_FORMAT = os.environ.get("RMT_LOG_FORMAT", "text")
    SESSION_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", False)
    REMEMBER_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", False)
    RMT_HSTS = False


class TestConfig(Config):
    ENV_NAME = "test"
    RMT_LOG_FORMAT = os.environ.get("RMT_LOG_FORMAT", "text")
    TESTING = True
    RMT_SMTP_URL = None  # a developer's RMT_SMTP_URL never reaches the tests
    SQLALCHEMY_DATABASE_URI = os.environ.get("RMT_TEST_DATABASE_URL")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RMT_HSTS = False
    # Cheap hashes keep the suite fast; production keeps the strong defaults above.
    RMT_ARGON2_TIME_COST = 1
    RMT_ARGON2_MEMORY_COST = 8
    RMT_ARGON2_PARALLELISM = 1
    # Plan tests assert the plans of a database without statistics (a new installation).
    RMT_SQLITE_ANALYZE_SECONDS = 0


CONFIGS = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}
