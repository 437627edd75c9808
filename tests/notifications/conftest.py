"""Fixtures of the notification tests: a real SMTP server, the app pointed at it, and people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from rmt.process import CaseState
from tests.factories import CaseFactory, UserFactory
from tests.notifications.smtp import SmtpServer
from tests.praktijkverklaring.conftest import (  # noqa: F401 (fixtures)
    leerbedrijf,
    make_trajectory,
    qualification,
    school,
)

#: Candidate names no mail text can hold by chance.
FIRST_NAME = "Wilhelmina"
LAST_NAME = "Zwanenburg-Oudkerk"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app: Flask, smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """The app sends to the test server; every test starts with an empty, willing server."""
    handler = smtp_server.handler
    handler.messages.clear()
    handler.refuse = 0
    handler.refuse_always = False
    handler.delay = 0.0
    saved = {key: app.config[key] for key in ("RMT_SMTP_URL", "RMT_NOTIFY_MAX_ATTEMPTS",
                                               "RMT_NOTIFY_BACKOFF_SECONDS")}
    app.config["RMT_SMTP_URL"] = smtp_server.url
    yield smtp_server
    app.config.update(saved)


@pytest.fixture
def coach():
    return UserFactory(role="coach", regions=["MU"], name="Coach Een")


@pytest.fixture
def coordinators():
    return [UserFactory(role="coordinator", regions=["MU"]) for _ in range(2)]


@pytest.fixture
def other_coordinator():
    """A coordinator of another region (AM): never hears of MU's records."""
    return UserFactory(role="coordinator", regions=["AM"])


@pytest.fixture
def case(coach):
    return CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING,
                       candidate__first_name=FIRST_NAME, candidate__last_name=LAST_NAME)
