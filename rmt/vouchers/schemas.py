"""marshmallow schemas of the budgets and vouchers API: they validate input, shape output and write
the OpenAPI document (flask-smorest). Domain rules stay in :mod:`rmt.vouchers.service`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from rmt.api.schemas import BaseSchema, PageArgsSchema, ProblemSchema, id_field
from rmt.regions import REGION_CODES
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.money import MAX_CENTS

STATUS_VALUES = [s.value for s in VoucherStatus]
REGION_MESSAGE = "Kies een van: " + ", ".join(REGION_CODES) + "."


def _id(**kwargs: Any) -> fields.Integer:
    return id_field("Geef een bestaand nummer (een positief geheel getal).", **kwargs)


def _cents(description: str, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(
        min=1, max=MAX_CENTS,
        error=f"Geef een bedrag in eurocenten van 1 tot en met {MAX_CENTS}."),
        metadata={"description": description, "example": 125050}, **kwargs)


class VoucherProblemSchema(ProblemSchema):
    """application/problem+json (RFC 9457), with per-field ``errors``."""

    detail = fields.String(metadata={
        "example": "Regel resterend budget: € 2.000,00 is meer dan er nog over is op "
                   "RMT-budget 2026 (MU) (€ 1.500,00)."})
    code = fields.String(metadata={"example": "exceeds_remaining_budget"})
    allowed = fields.List(fields.String(), metadata={
        "description": "Bij een ongeldige statusovergang: de statussen die nu wel kunnen."})
    remaining_cents = fields.Integer(metadata={
        "description": "Bij overschrijding van het budget: wat er nog over is."})


class VoucherPageArgsSchema(PageArgsSchema):
    """``?page=&per_page=`` of the vouchers lists."""


# --- budgets ---------------------------------------------------------------------------------


class BudgetFundingSourceSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"example": "RMT-budget"})


class BudgetSchema(Schema):
    id = fields.Integer()
    region = fields.String(attribute="region_code", metadata={"example": "MU"})
    funding_source = fields.Nested(BudgetFundingSourceSchema)
    year = fields.Integer(metadata={"example": 2026})
    amount_cents = fields.Integer(metadata={"description": "Het budget, in eurocenten."})
    max_per_voucher_cents = fields.Integer()
    committed_cents = fields.Integer(metadata={
        "description": "Vastgelegd: vouchers met status toegekend, gestart, afgerond, "
                       "afgebroken, gedeclareerd of betaald (na declaratie het gedeclareerde "
                       "bedrag)."})
    paid_cents = fields.Integer(metadata={"description": "Betaald (status betaald)."})
    remaining_cents = fields.Integer(metadata={"description": "amount_cents - committed_cents"})
    requested_cents = fields.Integer(metadata={
        "description": "Aanvragen die op een besluit wachten (tellen niet mee)."})
    open_for_requests = fields.Boolean(metadata={
        "description": "Lopend jaar en actieve financier: nieuwe aanvragen mogelijk."})


class BudgetListArgsSchema(VoucherPageArgsSchema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100,
                                                  error="Geef een jaar van 2000 tot 2100."))
    region = fields.String(validate=validate.OneOf(REGION_CODES, error=REGION_MESSAGE))


class BudgetCreateSchema(BaseSchema):
    region = fields.String(required=True, validate=validate.OneOf(
        REGION_CODES, error=REGION_MESSAGE), metadata={
        "description": "Een regio waarvan u de budgetten beheert (coördinator: de eigen regio; "
                       "functioneel beheerder: elke regio)."})
    funding_source_id = _id(required=True, metadata={"description": "Een actieve financier."})
    year = fields.Integer(strict=True, required=True, metadata={
        "description": "Van vijf jaar geleden tot en met volgend jaar.", "example": 2026})
    amount_cents = _cents("Het budget, in eurocenten.", required=True)
    max_per_voucher_cents = _cents("Het maximum per voucher, in eurocenten (hoogstens het "
                                   "budget).", required=True)


class BudgetListSchema(Schema):
    items = fields.List(fields.Nested(BudgetSchema))
    total = fields.Integer()
    page = fields.Integer()


# --- vouchers --------------------------------------------------------------------------------


class TrainingProviderSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kvk_number = fields.String(metadata={"example": "12345678"})


class TrainingProviderListSchema(Schema):
    items = fields.List(fields.Nested(TrainingProviderSchema))
    total = fields.Integer()
    page = fields.Integer()


class VoucherEventSchema(Schema):
    at = fields.DateTime()
    user_id = fields.Integer(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    note = fields.String()


class VoucherSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    region = fields.String(attribute="region_code")
    budget_id = fields.Integer()
    provider = fields.Nested(TrainingProviderSchema)
    course_name = fields.String()
    start_on = fields.Date()
    end_on = fields.Date()
    amount_cents = fields.Integer()
    motivation = fields.String()
    status = fields.String(metadata={"enum": STATUS_VALUES})
    requested_by_id = fields.Integer()
    requested_at = fields.DateTime()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    invoice_number = fields.String()
    declared_amount_cents = fields.Integer(allow_none=True)
    declared_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)
    committed_cents = fields.Integer(metadata={
        "description": "Wat deze voucher van het budget vastlegt (0 als hij niet meetelt)."})
    funding = fields.Function(lambda v: [
        {"budget_id": budget.id, "budget": budget.title, "amount_cents": cents,
         "declared_cents": declared, "main": index == 0}
        for index, (budget, cents, declared) in enumerate(v.funding())], metadata={
        "description": "Per budget het deel dat het betaalt; het hoofdbudget eerst."})
    events = fields.List(fields.Nested(VoucherEventSchema))


class VoucherListArgsSchema(VoucherPageArgsSchema):
    status = fields.String(validate=validate.OneOf(
        STATUS_VALUES, error="Kies een van: " + ", ".join(STATUS_VALUES) + "."))
    case_id = _id()
    budget_id = _id()


class VoucherListSchema(Schema):
    items = fields.List(fields.Nested(VoucherSchema))
    total = fields.Integer()
    page = fields.Integer()


class CoFundingSchema(BaseSchema):
    budget_id = _id(required=True)
    amount_cents = _cents("Het deel in eurocenten.", required=True)


class VoucherCreateSchema(BaseSchema):
    case_id = _id(required=True, metadata={"description": "Een open traject in uw regio."})
    budget_id = _id(required=True, metadata={
        "description": "Een budget van de regio van het traject, van het lopende jaar."})
    provider_id = _id(required=True)
    course_name = fields.String(required=True, validate=validate.Length(
        min=1, max=200, error="Gebruik 1 tot en met 200 tekens."))
    start_on = fields.Date(required=True)
    end_on = fields.Date(required=True)
    amount_cents = _cents("Het bedrag in eurocenten (1250,50 euro = 125050).", required=True)
    motivation = fields.String(required=True, validate=validate.Length(
        min=1, max=10_000, error="Gebruik 1 tot en met 10000 tekens."))
    co_funding = fields.List(fields.Nested(CoFundingSchema), load_default=list, validate=(
        validate.Length(max=3, error="Geef hoogstens 3 medefinancieringen.")), metadata={
        "description": "Medefinanciering: andere budgetten van de regio die een deel betalen; "
                       "het hoofdbudget (budget_id) betaalt de rest."})


class VoucherDecisionSchema(BaseSchema):
    decision = fields.String(required=True, validate=validate.OneOf(
        ["toegekend", "afgewezen"], error="Kies toegekend of afgewezen."))
    note = fields.String(load_default="", validate=validate.Length(
        max=1000, error="Gebruik hoogstens 1000 tekens."), metadata={
        "description": "Verplicht bij afwijzen."})


class VoucherTransitionSchema(BaseSchema):
    to = fields.String(required=True, validate=validate.OneOf(
        STATUS_VALUES, error="Kies een van: " + ", ".join(STATUS_VALUES) + "."))
    note = fields.String(load_default="", validate=validate.Length(
        max=1000, error="Gebruik hoogstens 1000 tekens."), metadata={
        "description": "Verplicht bij afwijzen, intrekken en afbreken."})
    invoice_number = fields.String(load_default="", validate=validate.Length(
        max=50, error="Gebruik hoogstens 50 tekens."), metadata={
        "description": "Verplicht bij gedeclareerd."})
    declared_amount_cents = _cents(
        "Bij gedeclareerd: het gefactureerde bedrag (hoogstens het toegekende); standaard het "
        "toegekende bedrag.", load_default=None, allow_none=True)
