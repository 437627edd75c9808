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
    SECRET_KEY = os.environ.get("RMT_SECRET_KEY")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", True)
    SESSION_COOKIE_NAME = "rmt_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("RMT_SECURE_COOKIES", True)
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60  # one working day, in seconds

    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB; larger bodies get a 413
    WTF_CSRF_TIME_LIMIT = 8 * 60 * 60

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    SUPPORTED_LOCALES = ("nl", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("RMT_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RMT_LOGIN_RATE_LIMIT = os.environ.get("RMT_LOGIN_RATE_LIMIT", "10 per minute")
    RMT_MAX_FAILED_LOGINS = int(os.environ.get("RMT_MAX_FAILED_LOGINS", "5"))
    RMT_LOCKOUT_MINUTES = int(os.environ.get("RMT_LOCKOUT_MINUTES", "15"))
    RMT_API_TOKEN_DAYS = int(os.environ.get("RMT_API_TOKEN_DAYS", "90"))
    RMT_TOTP_RATE_LIMIT = os.environ.get("RMT_TOTP_RATE_LIMIT", "10 per minute")
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


class TestConfig(Config):
    ENV_NAME = "test"
    RMT_LOG_FORMAT = os.environ.get("RMT_LOG_FORMAT", "text")
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("RMT_TEST_DATABASE_URL")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Cheap hashes keep the suite fast; production keeps the strong defaults above.
    RMT_ARGON2_TIME_COST = 1
    RMT_ARGON2_MEMORY_COST = 8
    RMT_ARGON2_PARALLELISM = 1


CONFIGS = {
    "production": Config,
    "development": DevelopmentConfig,
    "test": TestConfig,
}
