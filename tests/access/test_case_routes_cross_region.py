"""Every route of every feature that names a case answers 404 to users of another region.

Built by walking ``app.url_map`` for rules with a ``case_id`` argument, in every blueprint (cases,
vouchers, praktijkverklaring, employers, privacy, audit, the API), so a route added later by any
feature is covered the moment it exists. A foreign case must be indistinguishable from a missing
one (mostly 404). Every method the rule accepts is tried; for HTML forms CSRF is switched off so
the request reaches the view and its access check.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.routing import Rule

from rmt.audit.models import AuditEntry
from rmt.auth.service import create_api_token
from rmt.extensions import db
from rmt.process import CaseState
from tests.factories import CaseFactory, UserFactory
from tests.helpers import bearer_header

OTHER_REGION_ROLES = ("coach", "coordinator", "liaison")
MISSING_CASE_ID = 999_999
#: At least this many case routes must answer a plain 404 (the rest may refuse the role first).
MIN_404 = {"coach": 25, "coordinator": 15, "liaison": 1}


def _case_rules(app) -> list[tuple[Rule, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "case_id" not in rule.arguments:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule, method))
    return rules


def _url(rule: Rule, case_id: int) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if name == "case_id":
            values[name] = case_id
        elif type(converter).__name__ == "AnyConverter":
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = 1  # another record id: the case check must refuse first or as well
    return rule.build(values, append_unknown=False)[1]


def _assert_indistinguishable(role, rule, method, foreign, missing) -> None:
    """A case of another region looks exactly like a case that does not exist.

    Mostly that is a 404; a role that may never use the route gets its 403 (and an API body that
    fails validation its 422) for any case id alike, which reveals nothing either.
    """
    where = (role, rule.endpoint, method, foreign.status_code, missing.status_code)
    assert foreign.status_code == missing.status_code, where
    assert foreign.status_code in (403, 404, 405, 422), where


def _case_audit_count(case_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case_id)))


def test_the_walk_finds_the_case_routes_of_every_feature(app):
    blueprints = {rule.endpoint.split(".")[0] for rule, _ in _case_rules(app)}
    assert {"cases", "api_cases"} <= blueprints, blueprints
    assert len(_case_rules(app)) >= 30


@pytest.mark.parametrize("role", OTHER_REGION_ROLES)
def test_html_case_routes_are_404_for_another_region(app, client, login_as, role):
    case = CaseFactory(region_code="MU", status=CaseState.UITVOERING)
    db.session.flush()
    login_as(role, "FV")
    before = _case_audit_count(case.id)
    app.config["WTF_CSRF_ENABLED"] = False
    checked = []
    try:
        for rule, method in _case_rules(app):
            if _url(rule, case.id).startswith("/api/"):
                continue
            foreign, missing = (client.open(_url(rule, case_id), method=method, data={})
                                for case_id in (case.id, MISSING_CASE_ID))
            _assert_indistinguishable(role, rule, method, foreign, missing)
            checked.append(foreign.status_code)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert checked.count(404) >= MIN_404[role], checked
    assert _case_audit_count(case.id) == before  # nothing read, nothing changed


@pytest.mark.parametrize("role", ("coach", "coordinator"))
def test_api_case_routes_are_404_for_another_region(app, client, role):
    case = CaseFactory(region_code="MU", status=CaseState.UITVOERING)
    user = UserFactory(role=role, regions=["FV"])
    with app.test_request_context():
        token = create_api_token(user, label="test")
    db.session.flush()
    before = _case_audit_count(case.id)
    checked = []
    headers = bearer_header(token)
    for rule, method in _case_rules(app):
        if not _url(rule, case.id).startswith("/api/"):
            continue
        foreign, missing = (client.open(_url(rule, case_id), method=method, json={},
                                        headers=headers)
                            for case_id in (case.id, MISSING_CASE_ID))
        _assert_indistinguishable(role, rule, method, foreign, missing)
        assert foreign.mimetype == "application/problem+json"
        checked.append(foreign.status_code)
    assert checked.count(404) >= 2, checked  # GET case, GET notes; bodies are validated first
    assert _case_audit_count(case.id) == before
