"""``/api/v1/{cases,vouchers,praktijkverklaringen,placements}/{id}/documents`` and
``/api/v1/documents/{id}`` (metadata, delete with a reason, content, new version).

Uploads are ``multipart/form-data`` (``kind`` and ``file``), so this blueprint does not demand
JSON bodies; the delete takes its reason as JSON. Another region's record or document is 404;
a refused file is 422 with the Dutch message at ``errors.file``; every download is audited.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from rmt.api.auth import authenticate_bearer
from rmt.api.common import problem_documenter, respond
from rmt.documents import owners, service
from rmt.documents.models import Document
from rmt.documents.responses import attachment, large_upload
from rmt.documents.schemas import (
    ContentArgsSchema,
    DeleteSchema,
    DocumentFileSchema,
    DocumentListSchema,
    DocumentProblemSchema,
    DocumentSchema,
    UploadFormSchema,
)

blp = Blueprint("api_documents", __name__, description="Documenten bij trajecten, vouchers, "
                "praktijkverklaringen en plaatsingen")
blp.before_request(authenticate_bearer)

_PROBLEMS = {
    401: "Geen of ongeldig token",
    403: "Uw rol staat dit niet toe",
    404: "Bestaat niet, is verwijderd of ligt buiten uw regio's",
    409: "Een regel staat dit niet toe",
    413: "Het bestand is te groot",
    422: "Invoer onjuist (ook: een geweigerd bestand); per veld in errors",
}
_problems = problem_documenter(blp, DocumentProblemSchema, _PROBLEMS)

#: URL segment -> owner type (rmt.documents.owners).
OWNER_SEGMENTS = {"cases": "case", "vouchers": "voucher",
                  "praktijkverklaringen": "praktijkverklaring", "placements": "placement"}


def _body(document: Document) -> dict[str, Any]:
    return DocumentSchema().dump({
        "id": document.id, "owner_type": document.owner_type, "owner_id": document.owner_id,
        "case_id": document.case_id, "kind": document.kind.value,
        "kind_label": document.kind.label, "created_at": document.created_at,
        "content_url": url_for("api_documents.DocumentContent", document_id=document.id),
        "versions": [{
            "number": v.number, "filename": v.filename, "content_type": v.content_type,
            "size": v.size, "sha256": v.sha256, "uploaded_at": v.uploaded_at,
            "purged": v.purged_at is not None,
            "content_url": url_for("api_documents.DocumentContent",
                                   document_id=document.id, version=v.number),
        } for v in document.versions],
    })


def _read(files: dict[str, Any]) -> tuple[bytes, str | None]:
    upload = files["file"]
    return upload.read(service.max_bytes() + 1), upload.filename


def _owner_documents(segment: str, owner_name: str) -> None:
    @large_upload
    class OwnerDocuments(MethodView):
        @blp.response(200, DocumentListSchema)
        @_problems(401, 404)
        def get(self, owner_id: int):
            """The documents of the record (not the deleted ones), newest first."""
            owner, record = owners.load(owner_name, owner_id, current_user)
            items = [_body(d) for d in service.documents_of(owner, record)]
            service.audit_read(current_user, owner, record,
                               f"API: documenten van {owner.label} {record.id}")
            return respond({"items": items, "total": len(items)})

        @blp.arguments(UploadFormSchema, location="form")
        @blp.arguments(DocumentFileSchema, location="files")
        @blp.response(201, DocumentSchema)
        @_problems(401, 403, 404, 413, 422)
        def post(self, form: dict[str, Any], files: dict[str, Any], owner_id: int):
            """Upload a document (multipart: ``kind`` and ``file``). The type is decided from
            the content; HTML, SVG, executables, empty files and PDFs with JavaScript are
            refused (422)."""
            owner, record = owners.load(owner_name, owner_id, current_user, change=True)
            data, filename = _read(files)
            document = service.upload(current_user, owner, record, kind=form["kind"],
                                      data=data, filename=filename)
            body = _body(document)
            return respond(body, 201, {"Location": url_for("api_documents.DocumentItem",
                                                           document_id=document.id)})

    OwnerDocuments.__name__ = f"{owner_name.title()}Documents"
    blp.route(f"/{segment}/<id:owner_id>/documents",
              endpoint=f"{owner_name.title()}Documents")(OwnerDocuments)


for _segment, _owner in OWNER_SEGMENTS.items():
    _owner_documents(_segment, _owner)


@blp.route("/documents/<id:document_id>")
class DocumentItem(MethodView):
    @blp.response(200, DocumentSchema)
    @_problems(401, 404)
    def get(self, document_id: int):
        """One document with its versions (the read is audited)."""
        document = service.load(current_user, document_id)
        owner, record = service.owner_of(current_user, document)
        service.audit_read(current_user, owner, record, f"API: document {document.id}")
        return respond(_body(document))

    @blp.arguments(DeleteSchema)
    @blp.response(204)
    @_problems(401, 403, 404, 422)
    def delete(self, data: dict[str, Any], document_id: int):
        """Soft delete with a reason (JSON ``{"reason": "..."}``)."""
        document = service.load(current_user, document_id, change=True)
        service.delete(current_user, document, reason=data["reason"])
        return Response(status=204)


@blp.route("/documents/<id:document_id>/versions")
@large_upload
class DocumentVersions(MethodView):
    @blp.arguments(DocumentFileSchema, location="files")
    @blp.response(201, DocumentSchema)
    @_problems(401, 403, 404, 413, 422)
    def post(self, files: dict[str, Any], document_id: int):
        """A new version of the document (multipart ``file``); earlier versions are kept."""
        document = service.load(current_user, document_id, change=True)
        data, filename = _read(files)
        service.replace(current_user, document, data=data, filename=filename)
        return respond(_body(document), 201)


@blp.route("/documents/<id:document_id>/content")
class DocumentContent(MethodView):
    @blp.arguments(ContentArgsSchema, location="query")
    @blp.response(200, content_type="application/octet-stream",
                  description="Altijd als download (Content-Disposition: attachment).")
    @_problems(401, 404, 422)
    def get(self, args: dict[str, Any], document_id: int):
        """The newest version (or ``?version=N``) as a download; audited."""
        document = service.load(current_user, document_id)
        return attachment(service.download(current_user, document, args.get("version")))
