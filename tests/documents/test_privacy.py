"""Documents in the privacy operations: in the subject-access export, removed by retention
anonymisation and by erasure, except the kinds under the financial retention duty."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from flask import current_app

from rmt.documents import owners, service
from rmt.documents.models import Document, DocumentBlob, DocumentKind, DocumentVersion
from rmt.extensions import db
from rmt.privacy.anonymise import anonymise
from tests import helpers
from tests.documents.conftest import PDF, PNG
from tests.privacy.support import module_records, rich_case


def _store(case, record=None, owner="case", kind="cv", data=PDF, filename="cv Jan.pdf"):
    with current_app.test_request_context():
        document = service.upload(case.coach, owners.owner_type(owner), record or case,
                                  kind=kind, data=data, filename=filename)
    db.session.flush()
    return document


def test_documents_are_in_the_subject_access_export(client, login_as):
    case = rich_case("MU", closed_months_ago=None)
    records = module_records(case)
    cv = _store(case)
    with current_app.test_request_context():
        service.replace(case.coach, cv, data=PNG, filename="cv.png")
    invoice = _store(case, records["voucher"], "voucher", "factuur", filename="factuur.pdf")
    with current_app.test_request_context():
        service.delete(case.coach, invoice, reason="verkeerde factuur")
    hidden = rich_case("AM", closed_months_ago=30, candidate=case.candidate)
    _store(hidden, filename="andere-regio.pdf")
    login_as("coordinator", "MU")

    response = client.get(f"/privacy/kandidaten/{case.candidate_id}/inzage.json")
    data = json.loads(helpers.html(response))
    section = data["sections"]["documents"]
    assert section["title"] == "Documenten"
    rows = {row["id"]: row for row in section["rows"]}
    assert set(rows) == {cv.id, invoice.id}  # not the AM case's document
    assert rows[cv.id]["kind"] == "Cv" and rows[cv.id]["owner_type"] == "case"
    assert [(v["number"], v["filename"], v["size"]) for v in rows[cv.id]["versions"]] == [
        (1, "cv Jan.pdf", len(PDF)), (2, "cv.png", len(PNG))]
    assert rows[cv.id]["versions"][0]["sha256"] == cv.versions[0].sha256
    assert rows[invoice.id]["owner_type"] == "voucher"
    assert rows[invoice.id]["deleted_at"] and rows[invoice.id]["deletion_reason"] == (
        "verkeerde factuur")
    # the generic fallback does not export the rows (or the bytes) a second time
    assert not {"document", "document_version", "document_blob"} & set(data["other_records"])
    assert "andere-regio.pdf" not in helpers.html(response)


def test_anonymisation_removes_the_content_except_financial_kinds():
    case = rich_case("MU", closed_months_ago=30)
    records = module_records(case)
    cv = _store(case)
    plan = _store(case, records["trajectory"], "praktijkverklaring", "praktijkovereenkomst",
                  filename="overeenkomst Jan.pdf")
    quote = _store(case, records["voucher"], "voucher", "offerte", filename="offerte.pdf")
    invoice = _store(case, records["voucher"], "voucher", "factuur", filename="factuur.pdf")
    with current_app.test_request_context():
        service.delete(case.coach, invoice, reason="Jan stuurde de verkeerde")
    other = rich_case("MU", closed_months_ago=None)
    kept_elsewhere = _store(other)

    anonymise(case.candidate)
    db.session.expire_all()

    for removed in (cv, plan):
        assert removed.deleted_at is not None
        assert all(v.purged_at is not None and v.filename == "verwijderd"
                   for v in removed.versions)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentBlob).where(
            DocumentBlob.version_id.in_([v.id for v in removed.versions]))) == 0
    for financial in (quote, invoice):
        assert financial.versions[0].purged_at is None
        assert db.session.get(DocumentBlob, financial.versions[0].id).data == PDF
    assert quote.deleted_at is None and quote.kind == DocumentKind.OFFERTE
    assert invoice.deletion_reason == ""  # free text goes, the invoice stays
    assert db.session.get(DocumentBlob, kept_elsewhere.versions[0].id).data == PDF
    assert helpers.count(DocumentVersion) == 5  # rows stay (statistics, audit trail)


def test_erasure_removes_the_documents(client, login_as):
    case = rich_case("MU", closed_months_ago=2)
    cv = _store(case)
    login_as("coordinator", "MU")
    response = client.post_form(f"/privacy/kandidaten/{case.candidate_id}/wissen",
                                {"requested_on": date.today().isoformat(),
                                 "confirm_name": "Jan Jansen"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, cv.id).deleted_at is not None
    assert helpers.count(DocumentBlob) == 0
    login_as("coach", "MU")
    assert client.get(f"/documenten/{cv.id}/download").status_code == 404


def test_retention_run_removes_documents_of_due_candidates(app):
    due = rich_case("MU", closed_months_ago=30)
    running = rich_case("MU", closed_months_ago=None)
    due_cv, running_cv = _store(due), _store(running)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(DocumentVersion, due_cv.versions[0].id).purged_at is not None
    assert db.session.get(DocumentBlob, running_cv.versions[0].id) is not None
