"""HTML pages of documents: upload to a record, a document's versions, replace, delete,
download. Every record is loaded through :mod:`rmt.documents.owners` (another region: 404)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from rmt.documents import owners, service
from rmt.documents.forms import FILE_HELP, DeleteForm, UploadForm, VersionForm
from rmt.documents.models import Document
from rmt.documents.responses import attachment, large_upload
from rmt.documents.storage import megabytes
from rmt.web.handlers import submit

bp = Blueprint("documents", __name__)


def _file_help() -> str:
    return FILE_HELP.format(limit=megabytes(service.max_bytes()))


def owner_url(owner: owners.OwnerType, record: Any) -> str:
    return url_for(owner.endpoint, **{owner.endpoint_arg: record.id}) + "#documenten"


def _read(file_storage) -> bytes:
    # One byte more than allowed, so an oversized file is recognised without reading it all.
    return file_storage.read(service.max_bytes() + 1) if file_storage else b""


@bp.route("/documenten/<owner_type>/<id:owner_id>/nieuw", methods=["GET", "POST"])
@login_required
@large_upload
def upload(owner_type: str, owner_id: int) -> ResponseReturnValue:
    owner, record = owners.load(owner_type, owner_id, current_user, change=True)
    form = UploadForm()
    form.file.description = _file_help()

    def page(status: int) -> ResponseReturnValue:
        return render_template("documents/upload.html", form=form, owner=owner, record=record,
                               back_url=owner_url(owner, record)), status

    if not form.is_submitted():
        return page(200)
    return submit(
        form, lambda: service.upload(current_user, owner, record, kind=form.kind.data,
                                     data=_read(form.file.data),
                                     filename=getattr(form.file.data, "filename", None)),
        on_error=page,
        success_message=lambda document: f"Het document '{document.current.filename}' is "
                                         "opgeslagen.",
        on_success=lambda document: redirect(owner_url(owner, record)))


def _render_document(document: Document, version_form: VersionForm, delete_form: DeleteForm,
                     status: int = 200) -> ResponseReturnValue:
    owner, record = service.owner_of(current_user, document)
    return render_template("documents/detail.html", document=document, owner=owner,
                           record=record, back_url=owner_url(owner, record),
                           can_change=owners.may_change(current_user, owner, record),
                           version_form=version_form, delete_form=delete_form), status


def _version_form() -> VersionForm:
    form = VersionForm(prefix="versie", formdata=None)
    form.file.description = _file_help()
    return form


@bp.route("/documenten/<id:document_id>")
@login_required
def detail(document_id: int) -> ResponseReturnValue:
    document = service.load(current_user, document_id)
    owner, record = service.owner_of(current_user, document)
    service.audit_read(current_user, owner, record, f"document {document.id} bekeken")
    return _render_document(document, _version_form(),
                            DeleteForm(prefix="verwijder", formdata=None))


@bp.route("/documenten/<id:document_id>/versie", methods=["POST"])
@login_required
@large_upload
def replace(document_id: int) -> ResponseReturnValue:
    document = service.load(current_user, document_id, change=True)
    form = VersionForm(prefix="versie")
    form.file.description = _file_help()
    return submit(
        form, lambda: service.replace(current_user, document, data=_read(form.file.data),
                                      filename=getattr(form.file.data, "filename", None)),
        on_error=lambda status: _render_document(
            document, form, DeleteForm(prefix="verwijder", formdata=None), status),
        success_message=lambda version: f"Versie {version.number} is opgeslagen; de eerdere "
                                        "versies blijven bewaard.",
        on_success=lambda version: redirect(url_for(".detail", document_id=document.id)))


@bp.route("/documenten/<id:document_id>/verwijderen", methods=["POST"])
@login_required
def delete(document_id: int) -> ResponseReturnValue:
    document = service.load(current_user, document_id, change=True)
    owner, record = service.owner_of(current_user, document)
    form = DeleteForm(prefix="verwijder")
    return submit(
        form, lambda: service.delete(current_user, document, reason=form.reason.data),
        on_error=lambda status: _render_document(document, _version_form(), form, status),
        success_message="Het document is verwijderd.",
        on_success=lambda _document: redirect(owner_url(owner, record)))


@bp.route("/documenten/<id:document_id>/download")
@login_required
def download(document_id: int) -> ResponseReturnValue:
    document = service.load(current_user, document_id)
    return attachment(service.download(current_user, document))


@bp.route("/documenten/<id:document_id>/versies/<int:number>/download")
@login_required
def download_version(document_id: int, number: int) -> ResponseReturnValue:
    document = service.load(current_user, document_id)
    if number < 1:
        abort(404)
    return attachment(service.download(current_user, document, number))
