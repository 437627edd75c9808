"""``/api/v1/imports``: upload a file, check it (dry run), import it (commit).

The same service as the web flow (:mod:`rmt.imports.service`); refusals become problem+json
(422 at the field, 403 for a role) in :mod:`rmt.errors`. An upload is readable only by whoever
sent it; someone else's id is a 404.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from rmt.api.auth import authenticate_bearer
from rmt.api.common import respond
from rmt.errors_domain import DomainError, NotFound
from rmt.imports import service, uploads
from rmt.imports.files import read_table
from rmt.imports.schemas import (
    ImportFileSchema,
    MappingSchema,
    ResultSchema,
    UploadFormSchema,
    UploadSchema,
)
from rmt.web.uploads import accepts_large_body

blp = Blueprint("api_imports", __name__, description="Importeren uit Excel en CSV")
blp.before_request(authenticate_bearer)


def _table(meta: dict[str, Any], data: bytes):
    max_rows, max_bytes = service.limits()
    return read_table(meta["filename"], data, max_rows=max_rows, max_bytes=max_bytes)


@blp.route("/imports")
@accepts_large_body("RMT_IMPORT_MAX_BYTES")  # the upload (and only it) takes up to 20 MB
class Imports(MethodView):
    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(ImportFileSchema, location="files")
    @blp.response(201, UploadSchema)
    def post(self, form: dict[str, Any], files: dict[str, Any]):
        """Een bestand uploaden (hoogstens RMT_IMPORT_MAX_BYTES); geeft de koppeling terug."""
        kind = service.get_kind(form["kind"])
        region = form["region"].upper()
        service.check_region(current_user, region)
        max_rows, max_bytes = service.limits()
        upload = files["file"]
        data = upload.read(max_bytes + 1)
        filename = (upload.filename or "")[:255]
        table = read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes)
        mapping = service.initial_mapping(kind, table.headings, region)
        token = uploads.save(current_user.id, {"kind": kind.name, "region": region,
                                               "filename": filename}, data)
        return respond(UploadSchema().dump({
            "id": token, "kind": kind.name, "region": region, "filename": filename,
            "rows": len(table.rows), "headings": table.headings,
            "mapping": {name: table.headings[index] for name, index in mapping.items()}}), 201)


def _run(token: str, body: dict[str, Any], *, dry_run: bool):
    found = uploads.load(token, current_user.id)
    if found is None:
        raise NotFound("Deze upload bestaat niet.")
    meta, data = found
    kind = service.get_kind(meta["kind"])
    mapping = None
    if body.get("mapping") is not None:
        headings = _table(meta, data).headings
        unknown = [h for h in body["mapping"].values() if h not in headings]
        if unknown:
            raise DomainError(f"Deze kolom staat niet in het bestand: {unknown[0]}.",
                              field="mapping")
        mapping = {name: headings.index(heading) for name, heading in body["mapping"].items()}
    result = service.run_import(current_user, kind, meta["region"], meta["filename"], data,
                                mapping=mapping, dry_run=dry_run, update=body["update"])
    status = 200 if dry_run else (201 if result.run_id else 422)
    return respond(ResultSchema().dump(result), status)


@blp.route("/imports/<token>/dry-run")
class DryRun(MethodView):
    @blp.arguments(MappingSchema)
    @blp.response(200, ResultSchema)
    def post(self, body: dict[str, Any], token: str):
        """Proefimport: alle controles, per rij en veld, zonder iets op te slaan."""
        return _run(token, body, dry_run=True)


@blp.route("/imports/<token>/commit")
class Commit(MethodView):
    @blp.arguments(MappingSchema)
    @blp.response(201, ResultSchema)
    @blp.alt_response(422, schema=ResultSchema, description="Fouten gevonden: niets opgeslagen")
    def post(self, body: dict[str, Any], token: str):
        """Importeren: alles of niets, in één transactie."""
        return _run(token, body, dry_run=False)


