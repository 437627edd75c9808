"""Generated requests against every operation of the OpenAPI document: never a server error.

Schemathesis derives valid and invalid path ids, query strings and bodies from the document that
flask-smorest writes from our schemas; each is sent through the test client with the Bearer token
of a coach and of a coordinator of MU. Whatever comes in, the answer is a success or a
problem+json — never a 500. (The document is read from a throwaway app at import time, because
the operations must be known when pytest collects the tests.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from rmt import create_app
from rmt.auth.service import create_api_token
from rmt.extensions import db
from tests import helpers
from tests.factories import CaseFactory, UserFactory


def _operations() -> list[Any]:
    spec_app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                           "SECRET_KEY": "openapi-only"})
    spec = spec_app.test_client().get("/api/v1/openapi.json").get_json()
    return [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]


OPERATIONS = _operations()


@pytest.fixture
def bearers(app) -> list[dict[str, str]]:
    """Headers of a coach and a coordinator of MU, with one case there for ids to hit."""
    CaseFactory(region_code="MU")
    headers = []
    for role in ("coach", "coordinator"):
        user = UserFactory(role=role, regions=["MU"])
        with app.test_request_context():
            headers.append({"Authorization": f"Bearer {create_api_token(user, label='fuzz')}"})
    db.session.flush()
    return headers


def test_every_api_operation_is_fuzzed():
    assert len(OPERATIONS) >= 40


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_no_generated_request_gives_a_server_error(operation, client, bearers):
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case) -> None:
        for headers in bearers:
            request = case.as_transport_kwargs(base_url="http://localhost", headers=headers)
            body = {"json": request["json"]} if "json" in request else {
                "data": request.get("data")}
            response = client.open(request["url"].removeprefix("http://localhost"),
                                   method=request["method"], headers=request["headers"],
                                   query_string=request.get("params"), **body)
            assert response.status_code < 500, (request["method"], request["url"],
                                                request.get("params"), body,
                                                helpers.html(response)[:500])

    check()
