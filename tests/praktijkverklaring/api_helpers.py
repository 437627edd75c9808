"""A tiny Bearer-token client for the praktijkverklaring API tests."""

from __future__ import annotations

from typing import Any

from rmt.auth.service import create_api_token
from rmt.extensions import db
from tests.helpers import bearer_header


class Api:
    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = bearer_header(token)

    def open(self, path: str, method: str = "GET", json: Any = None, **kwargs):
        return self.client.open(path, method=method, json=json, headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs):
        return self.open(path, "GET", **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        return self.open(path, "POST", json=json, **kwargs)


def api_for(app, client, user) -> Api:
    with app.test_request_context():
        token = create_api_token(user, label="test")
    db.session.flush()
    return Api(client, token)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body
