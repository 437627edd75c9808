"""Liveness and readiness for process managers and load balancers.

- ``GET /health/live``: the process answers. No database, no Redis: a restart would not help
  when those are down, so liveness must not depend on them.
- ``GET /health/ready``: this instance can serve requests now: the database answers
  ``SELECT 1`` and, when the rate-limit counters live in Redis, Redis answers ``PING``.
  503 names what failed, so the proxy takes the instance out of rotation until it recovers.

Both are public and reveal nothing but ``ok``/``error`` per dependency.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify

from rmt.extensions import db

bp = Blueprint("health", __name__, url_prefix="/health")
log = logging.getLogger(__name__)

#: Seconds a dependency may take before it counts as down.
CHECK_TIMEOUT = 2


@bp.route("/live")
def live() -> Response:
    """The process is up and the app is loaded."""
    return jsonify(status="ok")


@bp.route("/ready")
def ready() -> Response:
    """The database and (if configured) Redis answer; 503 naming each one that does not."""
    checks = {"database": _check_database()}
    redis_url = _redis_url()
    if redis_url:
        checks["redis"] = _check_redis(redis_url)
    response = jsonify(checks)
    if any(value != "ok" for value in checks.values()):
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return response


def _check_database() -> str:
    # Its own connection, outside the request's session: the check neither joins nor disturbs
    # the unit of work, and a broken pooled connection is replaced (rmt.pool).
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception:
        log.warning("readiness: database check failed", exc_info=True)
        return "error"
    return "ok"


def _redis_url() -> str | None:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri if uri.startswith(("redis://", "rediss://", "redis+unix://")) else None


def _check_redis(url: str) -> str:
    import redis  # only deployments with Redis pay for the import

    try:
        client = redis.Redis.from_url(url.replace("redis+unix://", "unix://"),
                                      socket_timeout=CHECK_TIMEOUT,
                                      socket_connect_timeout=CHECK_TIMEOUT)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        log.warning("readiness: redis check failed", exc_info=True)
        return "error"
    return "ok"
