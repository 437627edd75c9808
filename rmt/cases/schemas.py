"""marshmallow schemas of the cases API: they validate input, shape output and write the OpenAPI
document (flask-smorest). Domain rules stay in :mod:`rmt.cases.service`; the validators here only
call the service's own checks so that every wrong field is reported in one 422 answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask_login import current_user
from marshmallow import ValidationError, fields, validate, validates_schema

from rmt.access import Action, can
from rmt.api import schemas as api_schemas
from rmt.api.schemas import (
    MAX_ID,
    BaseSchema,
    PageArgsSchema,
    by_service,
    enum_field,
    id_field,
    text_field,
)
from rmt.cases import service
from rmt.cases.models import (
    ActivityStatus,
    Benefit,
    EducationLevel,
    NoteKind,
    PartnerKind,
    ReferralPartner,
    ServiceCategory,
    TargetGroup,
    WorkStatus,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from rmt.regions import REGION_CODES
from rmt.regions.models import Municipality
from rmt.validation import normalise_phone, normalise_postcode

MAX_NOTE_LENGTH = 10_000
REGION_CHOICE = "Kies een van: " + ", ".join(REGION_CODES) + "."


def _email(value: str) -> None:
    if value.strip() and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValidationError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")


def _municipality_exists(value: int) -> None:
    if db.session.get(Municipality, value) is None:
        raise ValidationError("Kies een gemeente uit de lijst.")


# ---------------------------------------------------------------------------------------------
# Output


class UserRefSchema(BaseSchema):
    id = fields.Integer(metadata={"example": 12})
    name = fields.String(metadata={"example": "Anouk de Vries"})


class MunicipalitySchema(BaseSchema):
    id = fields.Integer()
    name = fields.String(metadata={"example": "Utrecht"})


class CandidateSummarySchema(BaseSchema):
    """The candidate as shown in lists: name only."""

    id = fields.Integer()
    first_name = fields.String()
    name_prefix = fields.String()
    last_name = fields.String()
    full_name = fields.String(metadata={"example": "Fatma Yildiz"})


class CandidateSchema(CandidateSummarySchema):
    """The candidate as shown on a single case."""

    birth_date = fields.Date()
    email = fields.String()
    phone = fields.String()
    postcode = fields.String(metadata={"example": "3511 AB"})
    municipality = fields.Nested(MunicipalitySchema)
    education_level = enum_field(EducationLevel)
    has_startkwalificatie = fields.Boolean()
    banenafspraak = fields.Boolean()
    work_status = enum_field(WorkStatus)
    benefit = enum_field(Benefit)
    target_group = enum_field(TargetGroup)
    referral_partner = enum_field(ReferralPartner)


def _allowed_transitions(case: Any) -> list[str]:
    """The steps the requesting user may move this case to now (structurally allowed moves)."""
    if case.is_closed or not can(current_user, Action.EDIT_CASE, case):
        return []
    return [t.target.value for t in service.available_transitions(case)]


class CaseSchema(BaseSchema):
    id = fields.Integer()
    region = fields.String(attribute="region_code", metadata={"enum": list(REGION_CODES)})
    status = enum_field(CaseState)
    paused_from = enum_field(CaseState, allow_none=True)
    status_since = fields.AwareDateTime()
    coach = fields.Nested(UserRefSchema)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    exit_reason = enum_field(ExitReason, allow_none=True)
    exit_reason_text = fields.String()
    exit_placement_id = fields.Integer(allow_none=True, metadata={
        "description": "De plaatsing van een uitstroom naar werk (werk_loondienst, "
                       "werk_zelfstandig)."})
    version = fields.Integer(metadata={"description": "Stuur mee bij elke wijziging."})
    candidate = fields.Nested(CandidateSchema)
    allowed_transitions = fields.Function(
        _allowed_transitions,
        metadata={
            "type": "array",
            "items": {"type": "string", "enum": [s.value for s in CaseState]},
            "description": "Stappen waarnaar u dit traject nu kunt verplaatsen.",
        },
    )


class CaseListItemSchema(CaseSchema):
    candidate = fields.Nested(CandidateSummarySchema)


class CaseListSchema(BaseSchema):
    items = fields.List(fields.Nested(CaseListItemSchema))
    total = fields.Integer(metadata={"description": (
        "Aantal gevonden trajecten, geteld tot hoogstens 1.000 (of tot en met de gevraagde "
        "pagina); is `total_capped` waar, dan zijn er meer.")})
    total_capped = fields.Boolean(metadata={"description": (
        "Waar als de telling bij `total` is gestopt: er zijn meer trajecten.")})
    page = fields.Integer(metadata={"description": (
        "De gevraagde pagina (1 bij bladeren met `after`).")})
    next_cursor = fields.String(allow_none=True, metadata={"description": (
        "Geef dit mee als `after` voor de volgende pagina (keyset, ook voorbij 1.000); "
        "null op de laatste pagina.")})


class NoteSchema(BaseSchema):
    id = fields.Integer()
    contact_on = fields.Date()
    kind = enum_field(NoteKind)
    text = fields.String()
    author = fields.Nested(UserRefSchema)
    created_at = fields.AwareDateTime()


class NoteListSchema(BaseSchema):
    items = fields.List(fields.Nested(NoteSchema))
    total = fields.Integer()
    page = fields.Integer()


class DuplicateCaseSchema(BaseSchema):
    id = fields.Integer()
    region = fields.String(attribute="region_code")
    status = enum_field(CaseState)


class DuplicateSchema(BaseSchema):
    id = fields.Integer()
    full_name = fields.String()
    birth_date = fields.Date()
    email = fields.String()
    phone = fields.String()
    cases = fields.List(fields.Nested(DuplicateCaseSchema))


class ProblemSchema(api_schemas.ProblemSchema):
    """application/problem+json with the extra members of the cases API's refusals."""

    allowed = fields.List(fields.String(), metadata={
        "description": "Bij een ongeldige stap: de stappen die nu wel mogen."})
    case_id = fields.Integer(metadata={
        "description": "Bij een lopend traject: het nummer van dat traject."})
    duplicates = fields.List(fields.Nested(DuplicateSchema), metadata={
        "description": "Mogelijke dubbele kandidaten (bij code possible_duplicates)."})


# ---------------------------------------------------------------------------------------------
# Input


_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})\.(\d{1,10})")


class CursorField(fields.String):
    """``next_cursor`` of the case list: ``<opened_on>.<id>`` of the last case of a page."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any
                     ) -> tuple[date, int]:
        text = super()._deserialize(value, attr, data, **kwargs)
        match = _CURSOR.fullmatch(text or "")
        try:
            if match is None or not 1 <= int(match[2]) <= MAX_ID:
                raise ValueError
            return date.fromisoformat(match[1]), int(match[2])
        except ValueError:
            raise ValidationError("Geef de next_cursor van de vorige pagina.") from None


def cursor_of(opened_on: date, case_id: int) -> str:
    return f"{opened_on.isoformat()}.{case_id}"


class CaseListArgsSchema(PageArgsSchema):
    status = enum_field(CaseState)
    region = fields.String(validate=validate.OneOf(REGION_CODES, error=REGION_CHOICE))
    coach = fields.Integer(validate=validate.Range(min=1, max=MAX_ID, error="Geef een geldig id."),
                           metadata={"description": "Id van de loopbaancoach."})
    q = text_field(100, metadata={"description": (
        "Zoek op naam, e-mailadres of telefoonnummer (hoofdletters en accenten maken niet "
        "uit) of op trajectnummer (`301`, `Traject 301`).")})
    after = CursorField(metadata={"description": (
        "Keyset-bladeren: de `next_cursor` van de vorige pagina. Dan telt `page` niet en "
        "blijft elke pagina even snel.")})
    per_page = fields.Integer(load_default=25, validate=validate.Range(
        min=1, max=api_schemas.MAX_PER_PAGE,
        error=f"Geef een aantal van 1 tot en met {api_schemas.MAX_PER_PAGE}."))


class CandidateCreateSchema(BaseSchema):
    """A new candidate; the same checks as the intake form (service)."""

    first_name = text_field(100, required=True, blank=False)
    name_prefix = text_field(20)
    last_name = text_field(100, required=True, blank=False)
    birth_date = fields.Date(required=True, validate=by_service(service.validate_birth_date))
    email = text_field(254)
    phone = text_field(20)
    postcode = text_field(10, required=True)
    municipality_id = id_field(required=True)
    education_level = enum_field(EducationLevel, required=True)
    has_startkwalificatie = fields.Boolean(required=True)
    banenafspraak = fields.Boolean(load_default=False)
    work_status = enum_field(WorkStatus, required=True)
    benefit = enum_field(Benefit, required=True)
    target_group = enum_field(TargetGroup, required=True)
    referral_partner = enum_field(ReferralPartner, required=True)

    @validates_schema
    def check_with_service(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Postcode, phone, e-mail and municipality, each reported at its own field."""
        errors: dict[str, list[str]] = {}
        checks: dict[str, Callable[[Any], Any]] = {
            "postcode": normalise_postcode,
            "phone": normalise_phone,
            "email": _email,
            "municipality_id": _municipality_exists,
        }
        for key, check in checks.items():
            if key in data:
                try:
                    check(data[key])
                except (DomainError, ValidationError) as exc:
                    errors[key] = [exc.message if isinstance(exc, DomainError) else str(exc)]
        if errors:
            raise ValidationError(errors)


class CandidateUpdateSchema(CandidateCreateSchema):
    """Only the candidate fields that change (every field optional)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)


class CaseCreateSchema(BaseSchema):
    candidate = fields.Nested(CandidateCreateSchema, metadata={
        "description": "Een nieuwe kandidaat (of gebruik existing_candidate_id)."})
    existing_candidate_id = id_field(metadata={
        "description": "Een bekende kandidaat (uit de lijst met mogelijke dubbelen)."})
    region = fields.String(required=True,
                           validate=validate.OneOf(REGION_CODES, error=REGION_CHOICE))
    coach_id = id_field(metadata={"description": "Standaard: de aanvrager zelf."})
    confirm_new_candidate = fields.Boolean(load_default=False, metadata={
        "description": "true: toch een nieuwe kandidaat registreren ondanks mogelijke dubbelen."})

    @validates_schema
    def candidate_or_existing(self, data: dict[str, Any], **kwargs: Any) -> None:
        has_new = "candidate" in data
        has_existing = "existing_candidate_id" in data
        if has_new == has_existing:
            message = "Geef óf een nieuwe kandidaat (candidate) óf existing_candidate_id."
            raise ValidationError({"candidate": [message]})


class CaseUpdateSchema(BaseSchema):
    version = fields.Integer(required=True, strict=True)
    candidate = fields.Nested(CandidateUpdateSchema, required=True)

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("candidate"):
            raise ValidationError({"candidate": ["Geef minstens één gegeven om te wijzigen."]})


class TransitionSchema(BaseSchema):
    to = enum_field(CaseState, required=True)
    reason = text_field(500, load_default="")
    exit_reason = enum_field(ExitReason, allow_none=True, load_default=None)
    exit_reason_text = text_field(500, load_default="")
    placement_id = id_field(allow_none=True, load_default=None, metadata={
        "description": "Bij afsluiten met werk_loondienst of werk_zelfstandig: de plaatsing "
                       "(GET /cases/{id}/closing). Niet nodig als er precies één loopt."})
    version = fields.Integer(required=True, strict=True)


class OpenItemSchema(BaseSchema):
    kind = fields.String(metadata={"enum": ["voucher", "praktijkverklaring", "proposal", "task",
                                            "follow_up"]})
    title = fields.String()
    outcome = fields.String(metadata={"description": "Wat afsluiten ermee doet."})
    blocks = fields.Boolean(metadata={"description": "Afsluiten wordt geweigerd zolang dit "
                                                     "openstaat."})


class WorkPlacementSchema(BaseSchema):
    id = fields.Integer()
    label = fields.String()
    start_on = fields.Date()
    end_on = fields.Date(allow_none=True)


class ClosingSchema(BaseSchema):
    """What closing the case would do now (the confirmation step of the HTML page)."""

    open_items = fields.List(fields.Nested(OpenItemSchema))
    placements = fields.List(fields.Nested(WorkPlacementSchema), metadata={
        "description": "Lopende plaatsingen die een uitstroom naar werk kan noemen."})
    can_close = fields.Boolean()


class ReopenSchema(BaseSchema):
    reason = text_field(400, required=True, blank=False)
    version = fields.Integer(required=True, strict=True)


class NoteCreateSchema(BaseSchema):
    contact_on = fields.Date(required=True)
    kind = enum_field(NoteKind, required=True)
    text = text_field(MAX_NOTE_LENGTH, required=True, blank=False)


# ---------------------------------------------------------------------------------------------
# Plan activities, coded with a service type and a delivering partner


class ServiceTypeRefSchema(BaseSchema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    category = enum_field(ServiceCategory)
    active = fields.Boolean()


class PartnerRefSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    kind = enum_field(PartnerKind)
    active = fields.Boolean()


class ServiceTypeListSchema(BaseSchema):
    items = fields.List(fields.Nested(ServiceTypeRefSchema))


class PartnerListSchema(BaseSchema):
    items = fields.List(fields.Nested(PartnerRefSchema))


class ActivitySchema(BaseSchema):
    id = fields.Integer()
    description = fields.String()
    status = enum_field(ActivityStatus)
    due_on = fields.Date(allow_none=True)
    service_type = fields.Nested(ServiceTypeRefSchema)
    partner = fields.Nested(PartnerRefSchema, allow_none=True)


class ActivityListSchema(BaseSchema):
    items = fields.List(fields.Nested(ActivitySchema))


class ActivityCreateSchema(BaseSchema):
    service_type_id = id_field(required=True)
    partner_id = id_field(required=True)
    description = text_field(500, required=True, blank=False)
    due_on = fields.Date(allow_none=True, load_default=None)
    version = fields.Integer(required=True, strict=True)
