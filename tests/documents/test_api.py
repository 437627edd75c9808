"""The documents API: upload (multipart), list, metadata, content, new version, delete with a
reason; refusals as problem+json; another region 404 on every route; the OpenAPI document."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.documents.models import Document, DocumentBlob, DocumentVersion
from rmt.extensions import db
from tests import helpers
from tests.documents.conftest import BAD, PDF, PNG, XLSX
from tests.factories import UserFactory

SEGMENTS = {"case": "cases", "voucher": "vouchers", "praktijkverklaring": "praktijkverklaringen",
            "placement": "placements"}


def _owners(case, records):
    return {"case": case, "voucher": records["voucher"],
            "praktijkverklaring": records["trajectory"], "placement": records["placement"]}


def _post(client, headers, url, data, filename="cv.pdf", kind="cv"):
    return client.post(url, headers=headers, content_type="multipart/form-data",
                       data={"kind": kind, "file": (io.BytesIO(data), filename)})


@pytest.fixture
def coach_headers(coach, bearer):
    return bearer(coach)


@pytest.mark.parametrize("owner", list(SEGMENTS))
def test_upload_list_read_and_download_for_every_owner(client, coach_headers, case, records,
                                                       owner):
    record = _owners(case, records)[owner]
    url = f"/api/v1/{SEGMENTS[owner]}/{record.id}/documents"
    response = _post(client, coach_headers, url, XLSX, "begroting.xlsx", kind="offerte")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["owner_type"], body["owner_id"], body["case_id"], body["kind"]) == (
        owner, record.id, case.id, "offerte")
    assert body["versions"][0]["filename"] == "begroting.xlsx"
    assert body["versions"][0]["content_type"].endswith("spreadsheetml.sheet")
    assert response.headers["Location"] == f"/api/v1/documents/{body['id']}"

    listed = client.get(url, headers=coach_headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]
    assert client.get(f"/api/v1/documents/{body['id']}",
                      headers=coach_headers).get_json()["id"] == body["id"]
    content = client.get(body["content_url"], headers=coach_headers)
    assert content.status_code == 200 and content.data == XLSX
    assert content.headers["Content-Disposition"].startswith("attachment;")
    assert content.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "filename", "data", "word"), BAD, ids=[b[0] for b in BAD])
def test_bad_files_are_422_with_a_dutch_message_and_nothing_stored(client, coach_headers, case,
                                                                  name, filename, data, word):
    response = _post(client, coach_headers, f"/api/v1/cases/{case.id}/documents", data, filename)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    message = " ".join(response.get_json()["errors"]["file"])
    assert word.lower() in message.lower()
    assert helpers.count(Document) == helpers.count(DocumentVersion) == 0
    assert helpers.count(DocumentBlob) == 0


def test_missing_kind_file_or_wrong_kind_is_422(client, coach_headers, case):
    url = f"/api/v1/cases/{case.id}/documents"
    missing = client.post(url, headers=coach_headers, content_type="multipart/form-data",
                          data={})
    assert missing.status_code == 422
    errors = missing.get_json()["errors"]
    assert "Dit veld is verplicht." in str(errors)
    wrong = _post(client, coach_headers, url, PDF, kind="paspoort")
    assert wrong.status_code == 422 and "kind" in str(wrong.get_json()["errors"])
    as_json = client.post(url, headers=coach_headers, json={"kind": "cv"})
    assert as_json.status_code == 422
    assert helpers.count(Document) == 0


def test_oversized_file_is_refused(app, client, coach_headers, case, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_DOCUMENT_MAX_BYTES", 1000)
    url = f"/api/v1/cases/{case.id}/documents"
    response = _post(client, coach_headers, url, PDF + b" " * 2000)
    assert response.status_code == 422 and "te groot" in str(response.get_json()["errors"])
    response = _post(client, coach_headers, url, PDF + b" " * (200 * 1024))
    assert response.status_code == 413
    assert helpers.count(Document) == 0


def test_versions_and_delete_with_a_reason(client, coach_headers, case):
    body = _post(client, coach_headers, f"/api/v1/cases/{case.id}/documents", PDF).get_json()
    document_url = f"/api/v1/documents/{body['id']}"
    replaced = client.post(f"{document_url}/versions", headers=coach_headers,
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PNG), "scan.png")})
    assert replaced.status_code == 201
    assert [v["number"] for v in replaced.get_json()["versions"]] == [1, 2]
    assert client.get(f"{document_url}/content", headers=coach_headers).data == PNG
    assert client.get(f"{document_url}/content?version=1", headers=coach_headers).data == PDF
    assert client.get(f"{document_url}/content?version=9",
                      headers=coach_headers).status_code == 404
    assert client.get(f"{document_url}/content?version=0",
                      headers=coach_headers).status_code == 422

    no_reason = client.delete(document_url, headers=coach_headers, json={"reason": "  "})
    assert no_reason.status_code == 422
    assert client.delete(document_url, headers=coach_headers).status_code == 422
    deleted = client.delete(document_url, headers=coach_headers,
                            json={"reason": "dubbel geüpload"})
    assert deleted.status_code == 204
    assert client.get(document_url, headers=coach_headers).status_code == 404
    assert client.get(f"{document_url}/content", headers=coach_headers).status_code == 404
    listed = client.get(f"/api/v1/cases/{case.id}/documents", headers=coach_headers).get_json()
    assert listed["total"] == 0
    document = db.session.get(Document, body["id"])
    assert document.deletion_reason == "dubbel geüpload" and len(document.versions) == 2


def test_downloads_are_audited(client, coach, coach_headers, case):
    body = _post(client, coach_headers, f"/api/v1/cases/{case.id}/documents", PDF).get_json()
    before = helpers.count(AuditEntry)
    client.get(body["content_url"], headers=coach_headers)
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
    assert [(e.action, e.object_id, e.user_id, e.region_code) for e in entries] == [
        ("document.download", str(case.id), coach.id, "MU")]


def test_coordinator_reads_case_documents_but_may_not_upload(client, bearer, coach_headers,
                                                             case):
    body = _post(client, coach_headers, f"/api/v1/cases/{case.id}/documents", PDF).get_json()
    headers = bearer(UserFactory(role="coordinator", regions=["MU"]))
    assert client.get(body["content_url"], headers=headers).status_code == 200
    refused = _post(client, headers, f"/api/v1/cases/{case.id}/documents", PDF)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert client.delete(f"/api/v1/documents/{body['id']}", headers=headers,
                         json={"reason": "weg ermee"}).status_code == 403
    assert helpers.count(Document) == 1


def test_every_route_is_404_for_another_region(client, bearer, coach_headers, case, records):
    body = _post(client, coach_headers, f"/api/v1/cases/{case.id}/documents", PDF).get_json()
    headers = bearer(UserFactory(role="coach", regions=["AM"]))
    before = helpers.count(AuditEntry)
    for owner, record in _owners(case, records).items():
        url = f"/api/v1/{SEGMENTS[owner]}/{record.id}/documents"
        for response in (client.get(url, headers=headers), _post(client, headers, url, PDF)):
            assert response.status_code == 404, url
            assert response.mimetype == "application/problem+json"
    document_url = f"/api/v1/documents/{body['id']}"
    for response in (
            client.get(document_url, headers=headers),
            client.get(f"{document_url}/content", headers=headers),
            client.get(f"{document_url}/content?version=1", headers=headers),
            client.post(f"{document_url}/versions", headers=headers,
                        content_type="multipart/form-data",
                        data={"file": (io.BytesIO(PDF), "cv.pdf")}),
            client.delete(document_url, headers=headers, json={"reason": "weg ermee"})):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    assert helpers.count(Document) == helpers.count(DocumentVersion) == 1
    assert helpers.count(AuditEntry) == before


def test_without_a_token_is_401(client, case):
    assert client.get(f"/api/v1/cases/{case.id}/documents").status_code == 401
    assert _post(client, {}, f"/api/v1/cases/{case.id}/documents", PDF).status_code == 401


def test_openapi_document_has_the_document_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for segment in SEGMENTS.values():
        operations = paths[f"/api/v1/{segment}/{{owner_id}}/documents"]
        assert {"get", "post"} <= set(operations)
        assert "multipart/form-data" in operations["post"]["requestBody"]["content"]
    assert {"get", "delete"} <= set(paths["/api/v1/documents/{document_id}"])
    assert "get" in paths["/api/v1/documents/{document_id}/content"]
    assert "post" in paths["/api/v1/documents/{document_id}/versions"]
