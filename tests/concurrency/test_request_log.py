"""One log line per request with method, path, status, duration and a request id."""

from __future__ import annotations

import json
import logging

import pytest

from rmt.observability import JsonFormatter, RequestIdFilter, request_log


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured():
    handler = _Capture()
    request_log.addHandler(handler)
    try:
        yield handler.records
    finally:
        request_log.removeHandler(handler)


def test_request_id_is_taken_from_the_header_and_echoed(client, captured):
    response = client.get("/health/live", headers={"X-Request-ID": "proxy-abc.123"})
    assert response.headers["X-Request-ID"] == "proxy-abc.123"
    [record] = [r for r in captured if r.path == "/health/live"]
    assert (record.method, record.status, record.request_id) == ("GET", 200, "proxy-abc.123")
    assert record.duration_ms >= 0


def test_a_missing_or_odd_request_id_is_replaced(client, captured):
    first = client.get("/health/live").headers["X-Request-ID"]
    second = client.get("/health/live", headers={"X-Request-ID": "bad id <script>"}).headers[
        "X-Request-ID"]
    assert len(first) == 32 and len(second) == 32 and first != second
    assert [r.request_id for r in captured] == [first, second]


def test_error_answers_are_logged_with_their_status(client, captured):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    [record] = captured
    assert (record.path, record.status) == ("/api/v1/cases", 401)
    assert record.request_id == response.headers["X-Request-ID"]


def test_json_lines(client, captured):
    client.get("/health/live", headers={"X-Request-ID": "req-1"})
    line = json.loads(JsonFormatter().format(captured[0]))
    assert line["request_id"] == "req-1"
    assert line["method"] == "GET" and line["path"] == "/health/live" and line["status"] == 200
    assert line["logger"] == "rmt.request" and line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)
    assert line["message"].startswith("GET /health/live 200")
