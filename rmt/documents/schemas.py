"""API schemas of documents: the upload (multipart), the answers and the deletion reason."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from rmt.api.schemas import BaseSchema, ProblemSchema, dutch_messages, enum_field, text_field
from rmt.documents.models import DocumentKind


class UploadFormSchema(BaseSchema):
    kind = enum_field(DocumentKind, required=True, metadata={
        "description": "Soort document: " + ", ".join(k.value for k in DocumentKind)})


class DocumentFileSchema(BaseSchema):
    file = Upload(required=True, metadata={
        "description": "PDF, PNG, JPEG, DOCX, XLSX of ODT; het type wordt uit de inhoud "
                       "bepaald. Hoogstens RMT_DOCUMENT_MAX_BYTES (standaard 10 MB)."})

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        dutch_messages(field_obj)
        field_obj.error_messages["invalid"] = "Stuur een bestand (multipart/form-data)."


class DeleteSchema(BaseSchema):
    reason = text_field(500, required=True, blank=False, metadata={
        "description": "Waarom het document wordt verwijderd."})


class ContentArgsSchema(BaseSchema):
    version = fields.Integer(validate=validate.Range(min=1, max=100_000, error=(
        "Geef een versienummer vanaf 1.")), metadata={"description": "Standaard de nieuwste."})


class VersionSchema(Schema):
    number = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    content_removed = fields.Boolean(attribute="purged", metadata={
        "description": "De inhoud is verwijderd door de bewaartermijn of een wisverzoek."})
    content_url = fields.String()


class DocumentSchema(Schema):
    id = fields.Integer()
    owner_type = fields.String(metadata={
        "description": "case, voucher, praktijkverklaring of placement"})
    owner_id = fields.Integer()
    case_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    created_at = fields.DateTime()
    content_url = fields.String()
    versions = fields.List(fields.Nested(VersionSchema))


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema))
    total = fields.Integer()


class DocumentProblemSchema(ProblemSchema):
    pass
