"""Logs: one line per request with a request id, as JSON (production) or text (development).

The request id comes from the ``X-Request-ID`` header (set by the reverse proxy, e.g. nginx
``$request_id``) when it looks like an id, else a fresh one; it is echoed in the response's
``X-Request-ID`` and put on every log record written during the request, so one request's lines
can be found across the proxy, the app and its error log.

``RMT_LOG_FORMAT=json`` (default in production) or ``text`` (default in development and test);
``RMT_LOG_LEVEL`` (default ``INFO``). Only the ``rmt`` loggers are configured: gunicorn keeps its
own error and access logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
request_log = logging.getLogger("rmt.request")

#: Attributes of a log record that are not ``extra`` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Put the current request's id (or ``-``) on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = (g.get("request_id", "-") if has_request_context() else "-")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(body, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def make_handler(fmt: str) -> logging.Handler:
    """A stderr handler in the given format (``json`` or ``text``) with the request-id filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler._rmt_handler = True  # type: ignore[attr-defined]
    return handler


def init_app(app: Flask) -> None:
    """Configure the ``rmt`` loggers and log every request with its id."""
    logger = logging.getLogger("rmt")
    # create_app may run more than once in a process (tests): replace, never add up.
    # Flask's own default handler on app.logger (also "rmt") would print every line twice.
    for old in [h for h in logger.handlers
                if getattr(h, "_rmt_handler", False) or h is default_handler]:
        logger.removeHandler(old)
    logger.addHandler(make_handler(app.config.get("RMT_LOG_FORMAT", "text")))
    logger.setLevel(app.config.get("RMT_LOG_LEVEL", "INFO"))
    logger.propagate = False

    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    request_log.info(
        "%s %s %s %sms", request.method, request.path, response.status_code, duration,
        extra={"method": request.method, "path": request.path,
               "status": response.status_code, "duration_ms": duration,
               "request_id": request_id, "remote_addr": request.remote_addr},
    )
    return response
