"""marshmallow schemas of ``/api/v1/praktijkverklaringen``: input checks, output shape and the
OpenAPI document. The rules stay in :mod:`rmt.praktijkverklaring.service`."""

from __future__ import annotations

from marshmallow import fields, validate

from rmt.api.schemas import (
    MAX_ID,
    MAX_PER_PAGE,
    BaseSchema,
    PageArgsSchema,
    ProblemSchema,
    enum_field,
    id_field,
    text_field,
)
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus, allowed_transitions
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.regions import REGION_CODES


class PvProblemSchema(ProblemSchema):
    """problem+json of this API, with the extra members its refusals carry."""

    allowed = fields.List(fields.String(), metadata={
        "description": "Bij een stap die nu niet kan: de stappen die de lifecycle toestaat."})
    trajectory_id = fields.Integer(metadata={
        "description": "Bij een tweede aanvraag: de lopende praktijkverklaring."})


# ---------------------------------------------------------------------------------------------
# Output


class PvSchoolRefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String(metadata={"example": "ROC Midden Nederland"})
    brin = fields.String(metadata={"example": "25PZ"})


class PvQualificationRefSchema(BaseSchema):
    id = fields.Integer()
    crebo = fields.String(metadata={"example": "25409"})
    name = fields.String(metadata={"example": "Logistiek medewerker"})
    level = fields.Integer(metadata={"example": 2})


class PvEmployerRefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    kvk_number = fields.String(metadata={"example": "12345678"})
    sbb_number = fields.String(allow_none=True)


class PvWorkProcessSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String(metadata={"example": "B1-K1-W1"})
    name = fields.String()
    result = enum_field(AssessmentResult, allow_none=True)
    assessed_on = fields.Date(allow_none=True)
    assessor_name = fields.String()


class PvEventSchema(BaseSchema):
    at = fields.DateTime()
    from_status = enum_field(PvStatus, allow_none=True)
    to_status = enum_field(PvStatus)
    reason = fields.String()
    user_name = fields.Function(lambda e: e.user.name if e.user else None)


class PvTrajectorySchema(BaseSchema):
    id = fields.Integer()
    case_id = fields.Integer()
    region = fields.Function(lambda t: t.case.region_code, metadata={"example": "MU"})
    status = enum_field(PvStatus)
    status_since = fields.DateTime()
    school = fields.Nested(PvSchoolRefSchema)
    qualification = fields.Nested(PvQualificationRefSchema)
    employer = fields.Nested(PvEmployerRefSchema, allow_none=True)
    praktijkopleider = fields.String()
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    work_processes = fields.List(fields.Nested(PvWorkProcessSchema))
    register_number = fields.String(allow_none=True, metadata={"example": "PV-MU-2026-0007"})
    issued_on = fields.Date(allow_none=True)
    abort_reason = fields.String()
    allowed_transitions = fields.Method("_allowed", metadata={
        "description": "De stappen die de lifecycle vanuit de huidige status toestaat."})
    version = fields.Integer(metadata={"description": "Stuur mee bij elke wijziging."})
    events = fields.List(fields.Nested(PvEventSchema))

    def _allowed(self, trajectory: PvTrajectory) -> list[str]:
        return [t.target.value for t in allowed_transitions(trajectory.status)]


class PvTrajectorySummarySchema(BaseSchema):
    id = fields.Integer()
    case_id = fields.Integer()
    region = fields.Function(lambda t: t.case.region_code)
    status = enum_field(PvStatus)
    crebo = fields.Function(lambda t: t.qualification.crebo)
    qualification_name = fields.Function(lambda t: t.qualification.name)
    school_brin = fields.Function(lambda t: t.school.brin)
    register_number = fields.String(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    version = fields.Integer()


class PvTrajectoryListSchema(BaseSchema):
    items = fields.List(fields.Nested(PvTrajectorySummarySchema))
    total = fields.Integer()
    page = fields.Integer()


# ---------------------------------------------------------------------------------------------
# Input


class PvTrajectoryListArgsSchema(PageArgsSchema):
    status = enum_field(PvStatus)
    region = fields.String(validate=validate.OneOf(
        REGION_CODES, error="Kies een van: " + ", ".join(REGION_CODES) + "."))
    case_id = fields.Integer(validate=validate.Range(
        min=1, max=MAX_ID, error="Geef een geldig id (een positief geheel getal)."))
    per_page = fields.Integer(load_default=25, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"Geef een aantal van 1 tot en met {MAX_PER_PAGE}."))


class PvTrajectoryCreateSchema(BaseSchema):
    """A request for a praktijkverklaring on a case."""

    case_id = id_field(required=True)
    school_brin = text_field(10, required=True, metadata={"example": "25PZ"})
    crebo = text_field(10, required=True, metadata={"example": "25409"})
    employer_id = id_field(allow_none=True, load_default=None, metadata={
        "description": "Werkgever uit het register met een SBB-erkenningsnummer."})
    praktijkopleider = text_field(200, load_default="")
    planned_start = fields.Date(allow_none=True, load_default=None)
    planned_end = fields.Date(allow_none=True, load_default=None)
    work_processes = fields.List(text_field(20), load_default=list, validate=validate.Length(
        max=100, error="Hoogstens 100 werkprocessen."), metadata={
        "description": "Codes van de gekozen werkprocessen, zoals B1-K1-W1.",
        "example": ["B1-K1-W1", "B1-K1-W2"]})


class PvTrajectoryUpdateSchema(BaseSchema):
    """A change of the details (until the praktijkovereenkomst is signed) or of the chosen
    werkprocessen (while ``aangevraagd``). Only the fields sent are changed."""

    version = fields.Integer(required=True, strict=True, metadata={
        "description": "De versie die u het laatst las; een andere geeft 409."})
    school_brin = text_field(10, metadata={"example": "25PZ"})
    crebo = text_field(10, metadata={
        "example": "25409", "description": "Alleen zolang de status aangevraagd is."})
    employer_id = id_field(allow_none=True, metadata={
        "description": "Werkgever uit het register met een SBB-erkenningsnummer; null wist."})
    praktijkopleider = text_field(200)
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date(allow_none=True)
    work_processes = fields.List(text_field(20), validate=validate.Length(
        min=1, max=100, error="Kies 1 tot en met 100 werkprocessen."), metadata={
        "description": "Alle gekozen werkprocescodes (vervangt de keuze); alleen zolang de "
                       "status aangevraagd is.", "example": ["B1-K1-W1", "B1-K1-W3"]})


class PvTransitionSchema(BaseSchema):
    to = enum_field(PvStatus, required=True)
    reason = text_field(500, load_default="")
    version = fields.Integer(required=True, strict=True)


class PvAssessmentSchema(BaseSchema):
    work_process = text_field(20, required=True, metadata={
        "description": "Code van een gekozen werkproces.", "example": "B1-K1-W1"})
    result = enum_field(AssessmentResult, required=True)
    assessed_on = fields.Date(required=True)
    assessor_name = text_field(200, required=True)
    version = fields.Integer(required=True, strict=True)
