"""Reads through the API are audited like HTML reads: every ``GET /api/v1/...`` of one record
that carries candidate data writes an audit entry on the candidate's case."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import current_app

from rmt.audit.models import AuditEntry
from rmt.auth import service
from rmt.documents import owners
from rmt.documents import service as documents
from rmt.extensions import db
from tests.factories import UserFactory
from tests.privacy.support import module_records, rich_case
from tests.security.routes import example_url

#: Single-record API reads of candidate data -> which row of ``module_records`` (or the case).
CANDIDATE_RECORDS = {
    "api_cases.CaseItem": "case",
    "api_cases.CaseNotes": "case",
    "api_cases.CaseActivities": "case",
    "api_vouchers.VoucherItem": "voucher",
    "api_praktijkverklaring.TrajectoryItem": "trajectory",
    "api_employers.ProposalItem": "proposal",
    "api_employers.PlacementItem": "placement",
    "api_documents.CaseDocuments": "case",
    "api_documents.VoucherDocuments": "voucher",
    "api_documents.PraktijkverklaringDocuments": "trajectory",
    "api_documents.PlacementDocuments": "placement",
    "api_documents.DocumentItem": "document",
    "api_documents.DocumentContent": "document",
}
#: Single-record API reads without candidate data (shared registries and budgets): not audited
#: as dossier reads.
NOT_CANDIDATE_DATA = {
    # The closing check (for the case's editors) lists open items by kind and number; its read
    # is audited as a case view all the same.
    "api_cases.CaseClosing",
    "api_vouchers.BudgetItem", "api_employers.EmployerItem", "api_employers.ContactMomentItem",
    "api_employers.VacancyItem",
}


def _record_read_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "GET" in (rule.methods or ()) and rule.arguments:
            yield rule


def test_every_single_record_api_read_is_classified(app):
    endpoints = {rule.endpoint for rule in _record_read_rules(app)}
    assert endpoints == set(CANDIDATE_RECORDS) | NOT_CANDIDATE_DATA, (
        "a new GET endpoint of one record: add it to CANDIDATE_RECORDS (and audit the read) "
        "or to NOT_CANDIDATE_DATA")


@pytest.fixture
def dossier():
    case = rich_case("MU", closed_months_ago=None)
    rows = module_records(case)
    rows["case"] = case
    rows["document"] = _document(case)
    return rows


def _document(case):
    """A document on the case, stored through the service."""
    with current_app.test_request_context():
        return documents.upload(case.coach, owners.owner_type("case"), case, kind="cv",
                                data=b"%PDF-1.4\n%%EOF\n", filename="cv.pdf")


@pytest.mark.parametrize("role", ["coach", "coordinator"])
def test_every_candidate_record_read_through_the_api_is_audited(app, client, dossier, role):
    case = dossier["case"]
    reader = case.coach if role == "coach" else UserFactory(role="coordinator", regions=["MU"])
    token = service.create_api_token(reader)
    db.session.flush()
    for rule in _record_read_rules(app):
        if rule.endpoint not in CANDIDATE_RECORDS:
            continue
        url = example_url(rule, str(dossier[CANDIDATE_RECORDS[rule.endpoint]].id))
        last = db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (url, response.status_code)
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > last)).all()
        assert [(e.object_type, e.object_id, e.user_id, e.region_code) for e in entries] == [
            ("case", str(case.id), reader.id, "MU")], f"{url} was not audited as one read"


def test_api_read_of_another_region_is_404_and_not_audited(app, client):
    case = rich_case("AM", closed_months_ago=None)
    rows = module_records(case)
    rows["case"] = case
    rows["document"] = _document(case)
    reader = rich_case("MU", closed_months_ago=None).coach
    token = service.create_api_token(reader)
    db.session.flush()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for rule in _record_read_rules(app):
        if rule.endpoint not in CANDIDATE_RECORDS:
            continue
        response = client.get(example_url(rule, str(rows[CANDIDATE_RECORDS[rule.endpoint]].id)),
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 404, rule.rule
        assert response.mimetype == "application/problem+json", rule.rule
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
