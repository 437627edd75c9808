"""Reads through the API are audited like HTML reads: every GET /api/v1/cases/{id}… endpoint."""

from __future__ import annotations

import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth import service
from rmt.extensions import db
from tests.factories import CaseFactory, NoteFactory
from tests.security.routes import example_url


def _case_read_rules(app):
    for rule in app.url_map.iter_rules():
        if (rule.rule.startswith("/api/v1/cases/<") and "GET" in (rule.methods or ())
                and set(rule.arguments) == {"case_id"}):
            yield rule


def test_every_case_read_through_the_api_is_audited(app, client):
    rules = list(_case_read_rules(app))
    assert rules, "no GET /api/v1/cases/{id} endpoints found"
    case = CaseFactory(region_code="MU")
    NoteFactory(case=case)
    token = service.create_api_token(case.coach)
    db.session.flush()
    for rule in rules:
        last = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        url = example_url(rule, str(case.id))
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (url, response.status_code)
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > last)).all()
        assert any(e.object_type == "case" and e.object_id == str(case.id)
                   and e.user_id == case.coach.id and e.region_code == "MU"
                   for e in entries), f"{url} was read without an audit entry"


def test_api_read_of_another_region_is_404_and_not_audited_as_read(app, client):
    case = CaseFactory(region_code="AM")
    reader = CaseFactory(region_code="MU").coach
    token = service.create_api_token(reader)
    db.session.flush()
    for rule in _case_read_rules(app):
        response = client.get(example_url(rule, str(case.id)),
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
