"""The HTML pages: upload on the case (and voucher, praktijkverklaring, placement), versions,
soft delete, downloads (headers, audit), bad input and cross-region 404s."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.documents.models import Document, DocumentBlob, DocumentVersion
from rmt.extensions import db
from tests import helpers
from tests.documents.conftest import BAD, GOOD, PDF, PNG
from tests.factories import CaseFactory


def _upload(client, owner_type, owner_id, data, filename="cv.pdf", kind="cv"):
    url = f"/documenten/{owner_type}/{owner_id}/nieuw"
    return client.post_form(url, {"kind": kind, "file": (io.BytesIO(data), filename)},
                            token_page="/", content_type="multipart/form-data")


def _last_audit(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc())).first()


def test_case_page_shows_an_accessible_upload_form(client, login_as, case):
    login_as("coach", "MU")
    page = helpers.html(client.get(f"/trajecten/{case.id}"))
    assert 'id="documenten-kop"' in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label class="utrecht-form-label" for="document-bestand">Bestand</label>' in page
    assert 'aria-describedby="document-bestand-uitleg"' in page
    assert "Er zijn nog geen documenten." in page


@pytest.mark.parametrize("kind", sorted(GOOD))
def test_coach_uploads_every_allowed_type_to_the_case(client, login_as, case, kind):
    coach = login_as("coach", "MU")
    filename, data, content_type = GOOD[kind]
    response = _upload(client, "case", case.id, data, filename, kind="getekend_trajectplan")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/trajecten/{case.id}#documenten"
    document = db.session.scalars(sa.select(Document)).one()
    version = document.current
    assert (document.owner_type, document.owner_id, document.case_id, document.kind.value) == (
        "case", case.id, case.id, "getekend_trajectplan")
    assert (version.filename, version.content_type, version.size, version.uploaded_by_id) == (
        filename, content_type, len(data), coach.id)
    import hashlib
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert db.session.get(DocumentBlob, version.id).data == data
    entry = _last_audit("document.upload")
    assert (entry.object_type, entry.object_id, entry.region_code) == ("case", str(case.id), "MU")
    page = helpers.html(client.get(f"/trajecten/{case.id}"))
    assert filename in page and "Getekend trajectplan" in page


@pytest.mark.parametrize(("name", "filename", "data", "word"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_dutch_message_and_stores_nothing(client, login_as, case, name,
                                                         filename, data, word):
    login_as("coach", "MU")
    response = _upload(client, "case", case.id, data, filename)
    if name in ("pad in naam", "windows-pad in naam") and response.status_code == 302:
        pytest.fail("a file name with path parts was accepted")
    assert response.status_code == 400
    page = helpers.unescaped(response)
    assert "Het formulier is niet opgeslagen." in page
    assert word.lower() in page.lower()
    assert 'aria-invalid="true"' in page
    assert helpers.count(Document) == helpers.count(DocumentVersion) == 0
    assert helpers.count(DocumentBlob) == 0
    assert _last_audit("document.upload") is None


def test_missing_file_and_kind_are_dutch_messages(client, login_as, case):
    login_as("coach", "MU")
    response = client.post_form(f"/documenten/case/{case.id}/nieuw", {}, token_page="/",
                                content_type="multipart/form-data")
    assert response.status_code == 400
    page = helpers.unescaped(response)
    assert "Kies een bestand." in page and "Kies het soort document." in page
    assert helpers.count(Document) == 0


def test_oversized_file_is_refused_and_nothing_stored(app, client, login_as, case, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_DOCUMENT_MAX_BYTES", 1000)
    login_as("coach", "MU")
    response = _upload(client, "case", case.id, PDF + b" " * 2000)
    assert response.status_code == 400
    assert "te groot" in helpers.unescaped(response)
    assert helpers.count(Document) == helpers.count(DocumentBlob) == 0


def test_far_too_large_body_is_413_before_parsing(app, client, login_as, case, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_DOCUMENT_MAX_BYTES", 1000)
    login_as("coach", "MU")
    response = _upload(client, "case", case.id, PDF + b" " * (200 * 1024))
    assert response.status_code == 413
    assert "maximaal 1 kB" in helpers.html(response)
    assert helpers.count(Document) == 0


def test_upload_routes_accept_more_than_the_global_limit(app, client, login_as, case):
    login_as("coach", "MU")
    big = PDF + b" " * (2 * 1024 * 1024)  # 2 MB: above MAX_CONTENT_LENGTH, below 10 MB
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert _upload(client, "case", case.id, big).status_code == 302
    # other routes keep the 1 MB limit, and the error page names the limit of the route asked
    response = client.post_form(f"/trajecten/{case.id}/aantekeningen",
                                {"text": "x" * (2 * 1024 * 1024)}, token_page="/")
    assert response.status_code == 413
    assert "maximaal 1 MB" in helpers.html(response)
    response = _upload(client, "case", case.id, PDF + b" " * (11 * 1024 * 1024))
    assert response.status_code == 413
    assert "maximaal 10 MB" in helpers.html(response)


def _document(client, login_as, case, data=PDF, filename="cv.pdf"):
    assert _upload(client, "case", case.id, data, filename).status_code == 302
    return db.session.scalars(sa.select(Document).order_by(Document.id.desc())).first()


def test_download_is_an_attachment_with_nosniff_and_is_audited(client, login_as, case):
    coach = login_as("coach", "MU")
    document = _document(client, login_as, case, filename="cv jan é.pdf")
    response = client.get(f"/documenten/{document.id}/download")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''cv%20jan%20%C3%A9.pdf" in (
        disposition)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    entry = _last_audit("document.download")
    assert (entry.user_id, entry.object_id, entry.region_code) == (coach.id, str(case.id), "MU")
    assert f"document {document.id} versie 1" in entry.summary


def test_a_replacement_keeps_the_earlier_versions(client, login_as, case):
    login_as("coach", "MU")
    document = _document(client, login_as, case)
    response = client.post_form(f"/documenten/{document.id}/versie",
                                {"versie-file": (io.BytesIO(PNG), "scan.png")}, token_page="/",
                                content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert [(v.number, v.filename) for v in document.versions] == [(1, "cv.pdf"), (2, "scan.png")]
    assert client.get(f"/documenten/{document.id}/download").data == PNG
    assert client.get(f"/documenten/{document.id}/versies/1/download").data == PDF
    assert client.get(f"/documenten/{document.id}/versies/3/download").status_code == 404
    page = helpers.html(client.get(f"/documenten/{document.id}"))
    assert "scan.png" in page and "cv.pdf" in page
    assert _last_audit("document.version") is not None


def test_a_bad_replacement_stores_nothing(client, login_as, case):
    login_as("coach", "MU")
    document = _document(client, login_as, case)
    response = client.post_form(f"/documenten/{document.id}/versie",
                                {"versie-file": (io.BytesIO(b"<html></html>"), "cv.pdf")},
                                token_page="/", content_type="multipart/form-data")
    assert response.status_code == 400 and "webpagina" in helpers.unescaped(response)
    assert helpers.count(DocumentVersion) == helpers.count(DocumentBlob) == 1


def test_soft_delete_needs_a_reason_and_hides_the_document(client, login_as, case):
    coach = login_as("coach", "MU")
    document = _document(client, login_as, case)
    refused = client.post_form(f"/documenten/{document.id}/verwijderen", {"verwijder-reason": ""},
                               token_page="/")
    assert refused.status_code == 400 and "Geef een reden" in helpers.unescaped(refused)
    response = client.post_form(f"/documenten/{document.id}/verwijderen",
                                {"verwijder-reason": "verkeerde persoon"}, token_page="/")
    assert response.status_code == 302
    db.session.expire_all()
    assert document.deleted_at is not None and document.deleted_by_id == coach.id
    assert document.deletion_reason == "verkeerde persoon"
    assert helpers.count(DocumentBlob) == 1  # kept until retention
    assert "cv.pdf" not in helpers.html(client.get(f"/trajecten/{case.id}"))
    assert client.get(f"/documenten/{document.id}/download").status_code == 404
    assert client.get(f"/documenten/{document.id}").status_code == 404
    assert _last_audit("document.delete") is not None


def test_coordinator_reads_but_may_not_upload_to_a_case(client, login_as, case):
    login_as("coach", "MU")
    document = _document(client, login_as, case)
    login_as("coordinator", "MU")
    assert client.get(f"/documenten/{document.id}/download").status_code == 200
    page = helpers.html(client.get(f"/trajecten/{case.id}"))
    assert "cv.pdf" in page and "Document toevoegen" not in page
    assert _upload(client, "case", case.id, PDF).status_code == 403
    assert client.post_form(f"/documenten/{document.id}/verwijderen",
                            {"verwijder-reason": "weg"}, token_page="/").status_code == 403
    assert helpers.count(Document) == 1


@pytest.mark.parametrize("owner", ["voucher", "praktijkverklaring", "placement"])
def test_upload_to_the_other_owners(client, login_as, case, records, owner):
    record = {"voucher": records["voucher"], "praktijkverklaring": records["trajectory"],
              "placement": records["placement"]}[owner]
    login_as("coach", "MU")
    assert client.get(f"/documenten/{owner}/{record.id}/nieuw").status_code == 200
    response = _upload(client, owner, record.id, PDF, kind="offerte")
    assert response.status_code == 302 and response.headers["Location"].endswith("#documenten")
    document = db.session.scalars(sa.select(Document)).one()
    assert (document.owner_type, document.owner_id, document.case_id) == (owner, record.id,
                                                                          case.id)


def test_unknown_owner_type_is_404(client, login_as, case):
    login_as("coach", "MU")
    assert client.get(f"/documenten/kandidaat/{case.id}/nieuw").status_code == 404


def test_every_route_is_404_for_another_region(client, login_as, case, records):
    login_as("coach", "MU")
    document = _document(client, login_as, case)
    owner_urls = [f"/documenten/case/{case.id}/nieuw",
                  f"/documenten/voucher/{records['voucher'].id}/nieuw",
                  f"/documenten/praktijkverklaring/{records['trajectory'].id}/nieuw",
                  f"/documenten/placement/{records['placement'].id}/nieuw"]
    document_gets = [f"/documenten/{document.id}", f"/documenten/{document.id}/download",
                     f"/documenten/{document.id}/versies/1/download"]
    login_as("coach", "AM")
    for url in owner_urls + document_gets:
        assert client.get(url).status_code == 404, url
    for url in owner_urls:
        assert _upload(client, url.split("/")[2], url.split("/")[3], PDF).status_code == 404, url
    assert client.post_form(f"/documenten/{document.id}/versie",
                            {"versie-file": (io.BytesIO(PDF), "cv.pdf")}, token_page="/",
                            content_type="multipart/form-data").status_code == 404
    assert client.post_form(f"/documenten/{document.id}/verwijderen",
                            {"verwijder-reason": "weg"}, token_page="/").status_code == 404
    assert helpers.count(Document) == 1 and helpers.count(DocumentVersion) == 1
    assert _last_audit("document.download") is None


def test_malformed_and_missing_ids_are_404(client, login_as):
    login_as("coach", "MU")
    for url in ("/documenten/0", "/documenten/99999", "/documenten/abc/download",
                "/documenten/case/99999/nieuw", "/documenten/99999/versies/1/download"):
        assert client.get(url).status_code == 404, url


def test_case_page_lists_only_the_cases_documents(client, login_as, case, coach):
    login_as("coach", "MU")
    _document(client, login_as, case, filename="eigen.pdf")
    other = CaseFactory(coach=coach, region_code="MU")
    _upload(client, "case", other.id, PDF, "ander.pdf")
    client.get("/")  # the flash message of the last upload is shown there
    page = helpers.html(client.get(f"/trajecten/{case.id}"))
    assert "eigen.pdf" in page and "ander.pdf" not in page


@pytest.mark.parametrize(("owner", "url"), [
    ("voucher", "/vouchers/{id}"), ("praktijkverklaring", "/praktijkverklaringen/{id}"),
    ("placement", "/plaatsingen/{id}")])
def test_record_pages_list_their_documents_with_an_upload_form(client, login_as, case, records,
                                                               owner, url):
    record = {"voucher": records["voucher"], "praktijkverklaring": records["trajectory"],
              "placement": records["placement"]}[owner]
    login_as("coach", "MU")
    _upload(client, owner, record.id, PDF, f"{owner}-bijlage.pdf", kind="overig")
    client.get("/")  # the flash message
    page = helpers.html(client.get(url.format(id=record.id)))
    assert 'id="documenten-kop"' in page and f"{owner}-bijlage.pdf" in page
    assert f'action="/documenten/{owner}/{record.id}/nieuw"' in page
