"""HTML pages of the import: upload → mapping → preview and dry run → import → result.

The rules live in :mod:`rmt.imports.service`; a dry run and an import are POSTs (a writing unit
of work: the dry run works in a savepoint that is rolled back). Another region's import run is a
404; someone else's upload too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from rmt import exports
from rmt.access import Action, role_required
from rmt.errors_domain import DomainError, Forbidden
from rmt.imports import kinds, service, uploads
from rmt.imports.files import read_table
from rmt.web.uploads import accepts_large_body

bp = Blueprint("imports", __name__, url_prefix="/importeren")

NOT_MAPPED = ""


class UploadForm(FlaskForm):
    file = FileField("Bestand (.xlsx of .csv)")


class CsrfForm(FlaskForm):
    pass


def _kind_or_404(name: str) -> kinds.ImportKind:
    kind = kinds.get(name)
    if kind is None:
        abort(404)
    return kind


def _render_index(form: UploadForm, errors: dict[str, str] | None = None,
                  status: int = 200, chosen: dict[str, str] | None = None) -> ResponseReturnValue:
    return render_template(
        "imports/index.html", form=form, errors=errors or {}, chosen=chosen or {},
        kinds=kinds.all_kinds(), regions=service.importable_regions(current_user),
        runs=service.runs_for(current_user)), status


@bp.route("", methods=["GET", "POST"])
@accepts_large_body("RMT_IMPORT_MAX_BYTES")  # the upload (and only it) takes up to 20 MB
@role_required(Action.IMPORT_DATA)
def index() -> ResponseReturnValue:
    form = UploadForm()
    if request.method == "GET":
        return _render_index(form)
    chosen = {"kind": request.form.get("kind", ""), "region": request.form.get("region", "")}
    if not form.validate_on_submit():
        return _render_index(form, {"file": "Het formulier is verlopen. Verstuur het opnieuw."},
                             400, chosen)
    errors: dict[str, str] = {}
    kind = kinds.get(chosen["kind"])
    if kind is None:
        errors["kind"] = "Kies wat u wilt importeren."
    try:
        service.check_region(current_user, chosen["region"])
    except Forbidden:
        raise
    except DomainError as error:
        errors["region"] = error.message
    upload = request.files.get("file")
    max_rows, max_bytes = service.limits()
    data = upload.read(max_bytes + 1) if upload else b""
    filename = (upload.filename or "") if upload else ""
    if not data:
        errors["file"] = "Kies een bestand."
    else:
        try:
            read_table(filename, data, max_rows=max_rows, max_bytes=max_bytes)
        except DomainError as error:
            errors["file"] = error.message
    if errors:
        return _render_index(form, errors, 400, chosen)
    token = uploads.save(current_user.id, {"kind": kind.name, "region": chosen["region"],
                                           "filename": filename[:255]}, data)
    return redirect(url_for("imports.mapping", token=token))




def _upload(token: str) -> tuple[dict[str, Any], bytes, kinds.ImportKind]:
    found = uploads.load(token, current_user.id)
    if found is None:
        abort(404)
    meta, data = found
    return meta, data, _kind_or_404(meta["kind"])


def _mapping_from_form(kind: kinds.ImportKind, headings: list[str]) -> dict[str, int]:
    mapping = {}
    for column in kind.columns:
        value = request.form.get(f"kolom-{column.name}", NOT_MAPPED)
        if value.isdigit() and int(value) < len(headings):
            mapping[column.name] = int(value)
    return mapping


@bp.route("/<token>/koppeling", methods=["GET", "POST"])
@role_required(Action.IMPORT_DATA)
def mapping(token: str) -> ResponseReturnValue:
    meta, data, kind = _upload(token)
    form = CsrfForm()
    max_rows, max_bytes = service.limits()
    try:
        table = read_table(meta["filename"], data, max_rows=max_rows, max_bytes=max_bytes)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("imports.index"))
    current = service.initial_mapping(kind, table.headings, meta["region"])
    if meta.get("mapping") is not None:
        current = {k: v for k, v in meta["mapping"].items() if v < len(table.headings)}
    error = ""
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        current = _mapping_from_form(kind, table.headings)
        try:
            service.check_mapping(kind, table.headings, current)
            if request.form.get("bewaren") == "1":
                service.save_mapping(current_user, meta["region"], kind, table.headings,
                                     current)
        except Forbidden:
            raise
        except DomainError as refused:
            error, status = refused.message, 400
        else:
            update = bool(kind.update_row) and request.form.get("bijwerken") == "1"
            uploads.update(token, mapping=current, update=update)
            meta["update"] = update
            return _check(token, meta, data, kind, current, dry_run=True)
    return render_template("imports/mapping.html", form=form, meta=meta, kind=kind,
                           headings=table.headings, current=current, error=error,
                           rows=len(table.rows), token=token), status


def _check(token: str, meta: dict[str, Any], data: bytes, kind: kinds.ImportKind,
           mapping: dict[str, int], *, dry_run: bool) -> ResponseReturnValue:
    try:
        result = service.run_import(current_user, kind, meta["region"], meta["filename"], data,
                                    mapping=mapping, dry_run=dry_run,
                                    update=bool(meta.get("update")))
    except Forbidden:
        raise
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("imports.mapping", token=token))
    uploads.update(token, errors=[e.__dict__ for e in result.errors])
    if result.run_id is not None:
        flash(f"Import uitgevoerd: {result.counts_text()}.", "success")
        return redirect(url_for("imports.run", run_id=result.run_id))
    return render_template("imports/check.html", form=CsrfForm(), result=result, kind=kind,
                           meta=meta, token=token), 200 if result.ok else 422


@bp.post("/<token>/controleren")
@role_required(Action.IMPORT_DATA)
def dry_run(token: str) -> ResponseReturnValue:
    return _check_mapped(token, dry_run=True)


@bp.post("/<token>/uitvoeren")
@role_required(Action.IMPORT_DATA)
def run_import(token: str) -> ResponseReturnValue:
    return _check_mapped(token, dry_run=False)


def _check_mapped(token: str, *, dry_run: bool) -> ResponseReturnValue:
    """The dry run or the import of an upload whose mapping was confirmed."""
    meta, data, kind = _upload(token)
    if not CsrfForm().validate_on_submit() or meta.get("mapping") is None:
        abort(400)
    return _check(token, meta, data, kind, meta["mapping"], dry_run=dry_run)


@bp.get("/<token>/fouten.csv")
@role_required(Action.IMPORT_DATA)
def error_report(token: str) -> ResponseReturnValue:
    meta, _data, _kind = _upload(token)
    return exports.csv_response(service.error_report(meta.get("errors") or []),
                                "importfouten.csv")


@bp.get("/runs/<id:run_id>")
@role_required(Action.IMPORT_DATA)
def run(run_id: int) -> ResponseReturnValue:
    record = service.get_run(current_user, run_id) or abort(404)
    kind = kinds.get(record.kind)
    return render_template("imports/run.html", run=record, kind=kind)


@bp.get("/sjabloon/<kind_name>.<extension>")
@role_required(Action.IMPORT_DATA)
def template(kind_name: str, extension: str) -> ResponseReturnValue:
    kind = _kind_or_404(kind_name)
    if extension == "csv":
        return exports.csv_response(service.csv_template(kind), f"sjabloon-{kind.name}.csv")
    if extension == "xlsx":
        return Response(service.xlsx_template(kind),
                        mimetype="application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet",
                        headers={"Content-Disposition":
                                 f"attachment; filename=sjabloon-{kind.name}.xlsx"})
    abort(404)
