"""Security headers: the CSP (no inline script or style) on every page each role can reach."""

from __future__ import annotations

import pytest

from rmt import CONTENT_SECURITY_POLICY
from tests import helpers
from tests.privacy.support import rich_case
from tests.security.routes import example_url, html_rules

ROLES = [("coach", ("MU",)), ("liaison", ("MU",)), ("coordinator", ("MU",)), ("admin", ())]


def check_headers(response, url: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp == CONTENT_SECURITY_POLICY, url
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff", url
    assert response.headers["X-Frame-Options"] == "DENY", url
    assert response.headers["Cache-Control"] == "no-store", url
    if response.status_code == 200 and response.mimetype == "text/html":
        html = helpers.html(response)
        assert "<script" not in html, f"inline or external script on {url}"
        assert " style=" not in html, f"inline style on {url}"
        assert " on" + "click=" not in html and "javascript:" not in html, url


@pytest.mark.parametrize(("role", "regions"), ROLES)
def test_csp_on_every_page_a_role_can_reach(client, login_as, role, regions):
    login_as(role, *regions)
    checked = 0
    for rule, _method in html_rules(client.application, {"GET"}):
        if rule.arguments:
            continue
        response = client.get(rule.rule)
        assert response.status_code < 500, (rule.rule, response.status_code)
        check_headers(response, rule.rule)
        checked += 1
    assert checked >= 10


def test_csp_on_anonymous_pages_and_errors(client):
    for url in ("/inloggen", "/inloggen/code", "/bestaat-niet", "/gezondheid"):
        check_headers(client.get(url), url)


def test_csp_on_privacy_and_audit_pages_with_records(client, login_as):
    case = rich_case("MU", closed_months_ago=3)
    login_as("coordinator", "MU")
    for url in (f"/privacy/kandidaten/{case.candidate_id}",
                f"/privacy/kandidaten/{case.candidate_id}/wissen",
                f"/privacy/trajecten/{case.id}/audit", "/privacy?q=jansen",
                "/account/tweede-factor/instellen"):
        response = client.get(url)
        assert response.status_code == 200, url
        check_headers(response, url)


def test_api_answers_carry_the_headers_too(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(("role", "regions"), ROLES)
def test_csp_on_every_answer_of_every_get_route(client, login_as, role, regions):
    """Also the routes with arguments (a record page, its 404 or 403): the headers are on every
    answer, never a 500."""
    rich_case("MU", closed_months_ago=None)
    login_as(role, *regions)
    checked = 0
    for rule, _method in html_rules(client.application, {"GET"}):
        if not rule.arguments:
            continue
        url = example_url(rule)
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        check_headers(response, url)
        checked += 1
    assert checked >= 20
