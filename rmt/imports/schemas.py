"""Schemas of ``/api/v1/imports``: the upload (multipart), the mapping and the result."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields

from rmt.api.schemas import BaseSchema


class UploadFormSchema(BaseSchema):
    kind = fields.String(required=True, metadata={"description": "candidates, employers, "
                                                  "contacts of contact_moments"})
    region = fields.String(required=True, metadata={"description": "Regiocode, zoals MU"})


class ImportFileSchema(BaseSchema):
    file = Upload(required=True, metadata={"description": "Een .xlsx- of .csv-bestand"})


class UploadSchema(BaseSchema):
    id = fields.String(metadata={"description": "Verwijst naar het bestand in de volgende "
                                 "stappen (alleen voor wie het heeft geüpload)"})
    kind = fields.String()
    region = fields.String()
    filename = fields.String()
    rows = fields.Integer()
    headings = fields.List(fields.String())
    mapping = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "Veld → kolomkop in het bestand"})


class MappingSchema(BaseSchema):
    mapping = fields.Dict(keys=fields.String(), values=fields.String(), load_default=None,
                          metadata={"description": "Veld → kolomkop; zonder: de bewaarde of "
                                    "automatische koppeling"})
    update = fields.Boolean(load_default=False,
                            metadata={"description": "Eerder geïmporteerde records (zelfde "
                                      "kenmerk) bijwerken in plaats van overslaan"})


class RowErrorSchema(BaseSchema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ResultSchema(BaseSchema):
    kind = fields.String()
    region_code = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    dry_run = fields.Boolean()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    skipped = fields.Integer()
    errors = fields.List(fields.Nested(RowErrorSchema))
    run_id = fields.Integer(allow_none=True)
