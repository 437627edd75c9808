"""What every API schema shares: Dutch messages, refusal of unknown fields and NUL characters,
the id, text and enum fields, paging arguments and the problem+json body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from rmt.errors_domain import DomainError

MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100
NUL_MESSAGE = "Tekst met een NUL-teken wordt niet geaccepteerd."

# Dutch messages for marshmallow's built-in errors, applied to every field of every schema.
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
    fields.List: {"invalid": "Geef een lijst ([...])."},
}


def dutch_messages(field: fields.Field) -> None:
    """Put the Dutch messages on a field (and on the inner field of a list)."""
    field.error_messages.update(_COMMON_MESSAGES)
    for field_type, messages in _TYPE_MESSAGES.items():
        if isinstance(field, field_type):
            field.error_messages.update(messages)
    inner = getattr(field, "field", None) or getattr(field, "inner", None)
    if isinstance(inner, fields.Field):
        dutch_messages(inner)


class BaseSchema(Schema):
    """Dutch error messages; unknown fields and NUL characters are refused."""

    error_messages = {
        "unknown": "Onbekend veld.",
        "type": "Geef een JSON-object ({...}).",
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        dutch_messages(field_obj)

    @pre_load
    def refuse_nul_characters(self, data: Any, **kwargs: Any) -> Any:
        # PostgreSQL cannot store NUL; nothing legitimate contains it.
        if isinstance(data, dict):
            errors = {key: [NUL_MESSAGE] for key, value in data.items()
                      if isinstance(value, str) and "\x00" in value}
            if errors:
                raise ValidationError(errors)
        return data


def id_field(message: str = "Geef een geldig id (een positief geheel getal).",
             **kwargs: Any) -> fields.Integer:
    """A database id in a JSON body: a positive integer that fits the column."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID, error=message),
                          **kwargs)


def by_service(check: Callable[[Any], object]) -> Callable[[Any], None]:
    """A marshmallow validator from a service's field check (its Dutch ``DomainError`` message),
    so the API reports every wrong field in one answer with the form's words."""

    def validator(value: Any) -> None:
        try:
            check(value)
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    return validator


def not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Dit veld mag niet leeg zijn.")


def text_field(max_length: int, *, required: bool = False, blank: bool = True,
               **kwargs: Any) -> fields.String:
    """Text of at most ``max_length`` characters; ``blank=False`` refuses whitespace only."""
    validators: list[Callable] = [validate.Length(
        max=max_length, error=f"Gebruik hoogstens {max_length} tekens.")]
    if not blank:
        validators.append(not_blank)
    return fields.String(required=required, validate=validators, **kwargs)


def enum_field(enum_cls: Any, **kwargs: Any) -> fields.Enum:
    """A string enum by its value."""
    return fields.Enum(enum_cls, by_value=fields.String, **kwargs)


class PageArgsSchema(BaseSchema):
    """``?page=&per_page=`` of every list endpoint."""

    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=100_000, error="Geef een paginanummer vanaf 1."))
    per_page = fields.Integer(load_default=50, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"Geef een aantal van 1 tot en met {MAX_PER_PAGE}."))


class ProblemSchema(Schema):
    """application/problem+json (RFC 9457), with per-field ``errors``; features extend it with
    the extra members their refusals carry."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"example": "stale_version"})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    current_version = fields.Integer(metadata={
        "description": "Bij een verouderde versie: de huidige versie."})
