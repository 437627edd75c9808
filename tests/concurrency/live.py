"""A real app on a fresh database, served by a threaded WSGI server on 127.0.0.1:0.

The tests talk to it over real sockets (``http.client``): every request is a real request with
its own connection, session and transaction, as in production.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import flask_migrate
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from rmt import create_app
from rmt.auth.models import Role, User
from rmt.auth.service import create_api_token
from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COOKIE_RE = re.compile(r"rmt_session=([^;]*)")
WRITERS = 8
VOUCHERS = 8
VOUCHER_CENTS = 1_000_00
BUDGET_CENTS = 3 * VOUCHER_CENTS  # room for three of the eight requests
COORDINATORS = 4


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Seed:
    """What the tests need to know about the seeded data (ids and clear-text tokens)."""

    coach_email: str = ""
    coach_token: str = ""
    coordinator_tokens: list[str] = field(default_factory=list)
    writer_cases: list[int] = field(default_factory=list)
    shared_case: int = 0
    loss_case: int = 0
    budget: int = 0
    vouchers: list[int] = field(default_factory=list)


class LiveServer:
    """``app`` served by werkzeug's threaded server in a background thread."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def call(self, method: str, path: str, *, json_body: Any = None, form: dict | None = None,
             headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
        """One request on a new connection."""
        headers = dict(headers or {})
        body: str | None = None
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                          response.read())
        finally:
            conn.close()

    def sign_in(self, email: str, password: str = factories.DEFAULT_PASSWORD) -> dict[str, str]:
        """Sign in through the real form; the Cookie header of the signed-in session."""
        page = self.call("GET", "/inloggen")
        cookie = COOKIE_RE.search(page.headers.get("set-cookie", ""))
        token = CSRF_RE.search(page.body.decode())
        assert cookie and token, "no session cookie or CSRF token on /inloggen"
        answer = self.call("POST", "/inloggen", headers={"Cookie": f"rmt_session={cookie[1]}"},
                           form={"csrf_token": token[1], "email": email, "password": password,
                                 "next": ""})
        assert answer.status == 302, answer.status
        signed_in = COOKIE_RE.search(answer.headers.get("set-cookie", ""))
        assert signed_in
        return {"Cookie": f"rmt_session={signed_in[1]}"}


def build_app(database_url: str, instance_path: str) -> Flask:
    """A fresh app on ``database_url`` with the schema from the real migrations."""
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": database_url,
                      "SECRET_KEY": "concurrency-test-key", "RMT_LOGIN_RATE_LIMIT": "1000/minute"})
    app.instance_path = instance_path
    with app.app_context():
        flask_migrate.upgrade()
    return app


def seed(app: Flask) -> Seed:
    """Users, cases, a budget with eight voucher requests and API tokens, committed."""
    result = Seed()
    with app.app_context():
        factories.bind_session(db.session)
        coach = factories.UserFactory(role=Role.COACH, regions=["MU"],
                                      email="coach@concurrency.test")
        coordinators = [factories.UserFactory(role=Role.COORDINATOR, regions=["MU"],
                                              email=f"coordinator{n}@concurrency.test")
                        for n in range(COORDINATORS)]
        cases = [factories.CaseFactory(coach=coach, status=CaseState.UITVOERING)
                 for _ in range(WRITERS + 2)]
        budget = factories.BudgetFactory(region_code="MU", amount_cents=BUDGET_CENTS,
                                         max_per_voucher_cents=VOUCHER_CENTS)
        provider = factories.TrainingProviderFactory()
        vouchers = [Voucher(case=cases[0], region_code="MU", budget=budget, provider=provider,
                            course_name=f"Cursus {n}", start_on=date.today(),
                            end_on=date.today() + timedelta(days=30),
                            amount_cents=VOUCHER_CENTS, motivation="Gelijktijdig",
                            status=VoucherStatus.AANGEVRAAGD, requested_by_id=coach.id)
                    for n in range(VOUCHERS)]
        db.session.add_all(vouchers)
        db.session.flush()
        with app.test_request_context():
            result.coach_token = create_api_token(coach, label="concurrency")
            result.coordinator_tokens = [create_api_token(user, label="concurrency")
                                         for user in coordinators]
        result.coach_email = coach.email
        result.writer_cases = [case.id for case in cases[:WRITERS]]
        result.shared_case = cases[WRITERS].id
        result.loss_case = cases[WRITERS + 1].id
        result.budget = budget.id
        result.vouchers = [voucher.id for voucher in vouchers]
        db.session.commit()
        db.session.remove()
    return result


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def note_body(text: str) -> dict[str, str]:
    return {"contact_on": date.today().isoformat(), "kind": "gesprek", "text": text}


def run_threads(targets: list[threading.Thread], timeout: float = 120) -> None:
    for thread in targets:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in targets:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in targets), "threads still running"


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        ident = db.session.scalar(sa.select(User.id).where(User.email == email))
        db.session.remove()
    assert ident is not None
    return ident
