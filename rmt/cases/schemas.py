"""marshmallow schemas of the cases API: they validate input, shape output and write the OpenAPI
document (flask-smorest). Domain rules stay in :mod:`rmt.cases.service`; the validators here only
call the service's own checks so that every wrong field is reported in one 422 answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from rmt.access import Action, can
from rmt.cases import service
from rmt.cases.models import (
    Benefit,
    EducationLevel,
    NoteKind,
    ReferralPartner,
    TargetGroup,
    WorkStatus,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from rmt.regions.models import Municipality

#: The four regions (DESIGN.md §1); inserted by a data migration and never changed by the app.
REGION_CODES = ("MU", "AM", "GV", "FV")
MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100
MAX_NOTE_LENGTH = 10_000

# Dutch messages for marshmallow's built-in errors, applied to every field of every schema here.
_COMMON_MESSAGES = {
    "required": "Dit veld is verplicht.",
    "null": "Dit veld mag niet leeg (null) zijn.",
    "validator_failed": "Ongeldige waarde.",
}
_TYPE_MESSAGES: dict[type[fields.Field], dict[str, str]] = {
    fields.String: {"invalid": "Vul tekst in.", "invalid_utf8": "Vul geldige tekst in."},
    fields.Integer: {"invalid": "Vul een geheel getal in.", "too_large": "Dit getal is te groot."},
    fields.Boolean: {"invalid": "Vul true of false in."},
    fields.Date: {"invalid": "Vul een geldige datum in (JJJJ-MM-DD).",
                  "format": "Vul een geldige datum in (JJJJ-MM-DD)."},
    fields.Enum: {"unknown": "Kies een van: {choices}."},
    fields.Nested: {"type": "Geef een object ({...})."},
}
NUL_MESSAGE = "Tekst met een NUL-teken wordt niet geaccepteerd."


def _dutch_messages(field: fields.Field) -> None:
    field.error_messages.update(_COMMON_MESSAGES)
    for field_type, messages in _TYPE_MESSAGES.items():
        if isinstance(field, field_type):
            field.error_messages.update(messages)
    inner = getattr(field, "field", None) or getattr(field, "inner", None)
    if isinstance(inner, fields.Field):
        _dutch_messages(inner)


class BaseSchema(Schema):
    """Dutch error messages; unknown fields and NUL characters are refused."""

    error_messages = {
        "unknown": "Onbekend veld.",
        "type": "Geef een JSON-object ({...}).",
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _dutch_messages(field_obj)

    @pre_load
    def refuse_nul_characters(self, data: Any, **kwargs: Any) -> Any:
        # PostgreSQL cannot store NUL; nothing legitimate contains it.
        if isinstance(data, dict):
            errors = {key: [NUL_MESSAGE] for key, value in data.items()
                      if isinstance(value, str) and "\x00" in value}
            if errors:
                raise ValidationError(errors)
        return data


def _enum(enum_cls, **kwargs: Any) -> fields.Enum:
    return fields.Enum(enum_cls, by_value=fields.String, **kwargs)


def _id(**kwargs: Any) -> fields.Integer:
    """A database id in a JSON body: a positive integer that fits the column."""
    return fields.Integer(strict=True, validate=validate.Range(
        min=1, max=MAX_ID, error="Geef een geldig id (een positief geheel getal)."), **kwargs)


def _text(max_length: int, *, required: bool = False, blank: bool = True,
          **kwargs: Any) -> fields.String:
    validators: list[Callable] = [validate.Length(
        max=max_length, error=f"Gebruik hoogstens {max_length} tekens.")]
    if not blank:
        validators.append(_not_blank)
    return fields.String(required=required, validate=validators, **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Dit veld mag niet leeg zijn.")


def _email(value: str) -> None:
    if value.strip() and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise ValidationError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")


def _by_service(check: Callable[[Any], Any]) -> Callable[[Any], None]:
    """Turn one of the service's field checks (raising DomainError) into a marshmallow validator."""

    def validator(value: Any) -> None:
        try:
            check(value)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc

    return validator


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
    education_level = _enum(EducationLevel)
    has_startkwalificatie = fields.Boolean()
    work_status = _enum(WorkStatus)
    benefit = _enum(Benefit)
    target_group = _enum(TargetGroup)
    referral_partner = _enum(ReferralPartner)


def _allowed_transitions(case: Any) -> list[str]:
    """The steps the requesting user may move this case to now (structurally allowed moves)."""
    if case.is_closed or not can(current_user, Action.EDIT_CASE, case):
        return []
    return [t.target.value for t in service.available_transitions(case)]


class CaseSchema(BaseSchema):
    id = fields.Integer()
    region = fields.String(attribute="region_code", metadata={"enum": list(REGION_CODES)})
    status = _enum(CaseState)
    paused_from = _enum(CaseState, allow_none=True)
    status_since = fields.AwareDateTime()
    coach = fields.Nested(UserRefSchema)
    opened_on = fields.Date()
    closed_on = fields.Date(allow_none=True)
    exit_reason = _enum(ExitReason, allow_none=True)
    exit_reason_text = fields.String()
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
    total = fields.Integer()
    page = fields.Integer()


class NoteSchema(BaseSchema):
    id = fields.Integer()
    contact_on = fields.Date()
    kind = _enum(NoteKind)
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
    status = _enum(CaseState)


class DuplicateSchema(BaseSchema):
    id = fields.Integer()
    full_name = fields.String()
    birth_date = fields.Date()
    email = fields.String()
    phone = fields.String()
    cases = fields.List(fields.Nested(DuplicateCaseSchema))


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457), with per-field ``errors``."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"example": "stale_version"})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    allowed = fields.List(fields.String(), metadata={
        "description": "Bij een ongeldige stap: de stappen die nu wel mogen."})
    current_version = fields.Integer(metadata={
        "description": "Bij een verouderde versie: de huidige versie."})
    case_id = fields.Integer(metadata={
        "description": "Bij een lopend traject: het nummer van dat traject."})
    duplicates = fields.List(fields.Nested(DuplicateSchema), metadata={
        "description": "Mogelijke dubbele kandidaten (bij code possible_duplicates)."})


# ---------------------------------------------------------------------------------------------
# Input


class CaseListArgsSchema(BaseSchema):
    status = _enum(CaseState)
    region = fields.String(validate=validate.OneOf(
        REGION_CODES, error="Kies een van: " + ", ".join(REGION_CODES) + "."))
    coach = fields.Integer(validate=validate.Range(min=1, max=MAX_ID, error="Geef een geldig id."),
                           metadata={"description": "Id van de loopbaancoach."})
    q = _text(100, metadata={"description": "Zoek op naam, e-mailadres of telefoonnummer."})
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=100_000, error="Geef een paginanummer vanaf 1."))
    per_page = fields.Integer(load_default=25, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"Geef een aantal van 1 tot en met {MAX_PER_PAGE}."))


class PageArgsSchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=100_000, error="Geef een paginanummer vanaf 1."))
    per_page = fields.Integer(load_default=50, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"Geef een aantal van 1 tot en met {MAX_PER_PAGE}."))


class CandidateCreateSchema(BaseSchema):
    """A new candidate; the same checks as the intake form (service)."""

    first_name = _text(100, required=True, blank=False)
    name_prefix = _text(20)
    last_name = _text(100, required=True, blank=False)
    birth_date = fields.Date(required=True, validate=_by_service(service.validate_birth_date))
    email = _text(254)
    phone = _text(20)
    postcode = _text(10, required=True)
    municipality_id = _id(required=True)
    education_level = _enum(EducationLevel, required=True)
    has_startkwalificatie = fields.Boolean(required=True)
    work_status = _enum(WorkStatus, required=True)
    benefit = _enum(Benefit, required=True)
    target_group = _enum(TargetGroup, required=True)
    referral_partner = _enum(ReferralPartner, required=True)

    @validates_schema
    def check_with_service(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Postcode, phone, e-mail and municipality, each reported at its own field."""
        errors: dict[str, list[str]] = {}
        checks: dict[str, Callable[[Any], Any]] = {
            "postcode": service.normalise_postcode,
            "phone": service.normalise_phone,
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
    existing_candidate_id = _id(metadata={
        "description": "Een bekende kandidaat (uit de lijst met mogelijke dubbelen)."})
    region = fields.String(required=True, validate=validate.OneOf(
        REGION_CODES, error="Kies een van: " + ", ".join(REGION_CODES) + "."))
    coach_id = _id(metadata={"description": "Standaard: de aanvrager zelf."})
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
    to = _enum(CaseState, required=True)
    reason = _text(500, load_default="")
    exit_reason = _enum(ExitReason, allow_none=True, load_default=None)
    exit_reason_text = _text(500, load_default="")
    version = fields.Integer(required=True, strict=True)


class NoteCreateSchema(BaseSchema):
    contact_on = fields.Date(required=True)
    kind = _enum(NoteKind, required=True)
    text = _text(MAX_NOTE_LENGTH, required=True, blank=False)
