"""marshmallow schemas of the employers API: input validation, output and the OpenAPI document.

Format checks call the service's own normalisers, so the API and the HTML forms refuse the same
input; every wrong field is reported at once in a 422 answer. Domain rules stay in the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, validate

from rmt.api.schemas import MAX_ID, MAX_PER_PAGE, BaseSchema, ProblemSchema, by_service
from rmt.cases.sectors import SbiSection
from rmt.employers import common, lifecycle, registry
from rmt.employers.models import ContactKind, ContractType, ProposalStatus, VacancyStatus
from rmt.regions import REGION_CODES
from rmt.validation import normalise_phone


def _id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An id; in a JSON body strictly an integer, in a query string digits."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID, error="Ongeldig id."),
                          **kwargs)


def _text(max_len: int, *, required: bool = False, validate_: Callable | None = None,
          **kwargs: Any) -> fields.String:
    validators: list[Callable] = [
        validate.Length(max=max_len, error=f"Gebruik hoogstens {max_len} tekens.")]
    if required:
        validators.append(validate.Length(min=1, error="Dit veld is verplicht."))
    if validate_ is not None:
        validators.append(validate_)
    return fields.String(required=required, validate=validators, **kwargs)


def _one_of(values: list[str], message: str) -> validate.OneOf:
    return validate.OneOf(values, error=message)


REGION = _one_of(list(REGION_CODES), "Kies een van: MU, AM, GV, FV.")
HOURS = validate.Range(1, common.MAX_HOURS, error="Vul een aantal uren van 1 tot 60 in.")


class EmptyBodySchema(BaseSchema):
    """An action without input: the body is ``{}``."""


class EmployersProblemSchema(ProblemSchema):
    errors = fields.Dict(metadata={"description": "Foutmeldingen per veld"})


class DuplicateEmployerProblemSchema(EmployersProblemSchema):
    existing_employer = fields.Dict(metadata={"description": "id en naam van de bestaande "
                                                              "werkgever met dit KvK-nummer"})


class EmployersPageArgsSchema(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000,
                                                                  error="Ongeldige pagina."))
    per_page = fields.Integer(load_default=25, validate=validate.Range(
        1, MAX_PER_PAGE, error=f"Kies 1 tot {MAX_PER_PAGE} per pagina."))


class EmployersUserRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


# ---------------------------------------------------------------------------------------------
# Employers


class SectorSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean(metadata={"description": "niet actief: niet te kiezen voor nieuwe "
                                                     "werkgevers en vacatures"})
    priority_regions = fields.Function(lambda s: sorted(s.priority_codes))
    sbi_section = fields.Function(lambda s: s.sbi_section.value if s.sbi_section else None,
                                  metadata={"description": "CBS SBI section (A-U)"})


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    phone = fields.String()
    email = fields.String()
    version = fields.Integer(metadata={"description": "stuur mee bij wijzigen (PATCH)"})


class ContactCreateSchema(BaseSchema):
    name = _text(200, required=True)
    role = _text(100, load_default="")
    phone = _text(30, load_default="", validate_=by_service(normalise_phone))
    email = _text(254, load_default="", validate_=by_service(registry.normalise_email))


class EmployerSchema(Schema):
    id = fields.Integer()
    kvk_number = fields.String()
    name = fields.String()
    sector = fields.Nested(SectorSchema)
    street_address = fields.String()
    postcode = fields.String()
    city = fields.String()
    regions = fields.Function(lambda e: e.region_codes)
    sbb_number = fields.String(allow_none=True)
    is_leerbedrijf = fields.Boolean()
    merged_into_id = fields.Integer(allow_none=True)
    contacts = fields.List(fields.Nested(ContactSchema))
    created_at = fields.DateTime()
    version = fields.Integer(metadata={"description": "stuur mee bij wijzigen (PATCH)"})


class EmployerSummarySchema(EmployerSchema):
    class Meta:
        exclude = ("contacts",)


class EmployerListSchema(Schema):
    items = fields.List(fields.Nested(EmployerSummarySchema))
    total = fields.Integer()
    page = fields.Integer()


class EmployerListArgsSchema(EmployersPageArgsSchema):
    q = _text(100)
    sector = _id(strict=False)
    region = fields.String(validate=REGION)
    leerbedrijf = fields.Boolean()


class EmployerCreateSchema(BaseSchema):
    kvk_number = fields.String(required=True, validate=by_service(registry.normalise_kvk),
                               metadata={"example": "30123456"})
    name = _text(200, required=True)
    sector_id = _id(required=True)
    street_address = _text(200, load_default="")
    postcode = fields.String(load_default="", validate=by_service(registry.normalise_postcode),
                             metadata={"example": "3511 AB"})
    city = _text(100, load_default="")
    regions = fields.List(fields.String(validate=REGION), required=True,
                          validate=validate.Length(min=1, max=4, error="Kies 1 tot 4 regio's."))
    sbb_number = fields.String(load_default=None, allow_none=True,
                               validate=by_service(registry.normalise_sbb))
    contacts = fields.List(fields.Nested(ContactCreateSchema), load_default=list,
                           validate=validate.Length(max=20, error="Hoogstens 20 contactpersonen."))


VERSION = fields.Integer(required=True, strict=True, validate=validate.Range(
    1, MAX_ID, error="Ongeldige versie."), metadata={
        "description": "de versie die u las; een andere geeft 409 stale_version"})


class EmployerUpdateSchema(BaseSchema):
    """PATCH: only the fields that change, plus the ``version`` that was read."""

    version = VERSION
    kvk_number = fields.String(validate=by_service(registry.normalise_kvk))
    name = _text(200, validate_=validate.Length(min=1, error="Dit veld is verplicht."))
    sector_id = _id()
    street_address = _text(200)
    postcode = fields.String(validate=by_service(registry.normalise_postcode))
    city = _text(100)
    regions = fields.List(fields.String(validate=REGION),
                          validate=validate.Length(min=1, max=4, error="Kies 1 tot 4 regio's."))
    sbb_number = fields.String(allow_none=True, validate=by_service(registry.normalise_sbb))


class ContactUpdateSchema(BaseSchema):
    version = VERSION
    name = _text(200, validate_=validate.Length(min=1, error="Dit veld is verplicht."))
    role = _text(100)
    phone = _text(30, validate_=by_service(normalise_phone))
    email = _text(254, validate_=by_service(registry.normalise_email))


class MergeSchema(BaseSchema):
    duplicate_id = _id(required=True, metadata={
        "description": "de dubbele registratie; haar historie gaat over naar deze werkgever"})


class MergeResultSchema(Schema):
    employer = fields.Nested(EmployerSchema)
    merged_employer_id = fields.Integer()
    moved = fields.Dict(keys=fields.String(), values=fields.Integer(),
                        metadata={"description": "overgezette rijen per tabel"})


class SectorListSchema(Schema):
    items = fields.List(fields.Nested(SectorSchema))
    total = fields.Integer()
    page = fields.Integer()


# ---------------------------------------------------------------------------------------------
# Contact moments


class ContactMomentSchema(Schema):
    id = fields.Integer()
    employer_id = fields.Integer()
    employer_name = fields.Function(lambda m: m.employer.name)
    liaison = fields.Nested(EmployersUserRefSchema)
    region = fields.String(attribute="region_code")
    contact_on = fields.Date()
    kind = fields.Function(lambda m: m.kind.value)
    contact_id = fields.Integer(allow_none=True)
    summary = fields.String()
    follow_up_on = fields.Date(allow_none=True)
    follow_up_owner = fields.Nested(EmployersUserRefSchema, allow_none=True)
    follow_up_done_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class ContactMomentListSchema(Schema):
    items = fields.List(fields.Nested(ContactMomentSchema))
    total = fields.Integer()
    page = fields.Integer()


class ContactMomentListArgsSchema(EmployersPageArgsSchema):
    employer_id = _id(strict=False)
    region = fields.String(validate=REGION)
    open_follow_up = fields.Boolean(metadata={"description": "alleen met open vervolgafspraak"})


class ContactMomentCreateSchema(BaseSchema):
    employer_id = _id(required=True)
    region = fields.String(required=True, validate=REGION)
    contact_on = fields.Date(required=True)
    kind = fields.String(required=True, validate=_one_of(
        [k.value for k in ContactKind], "Kies een van: telefoon, bezoek, e-mail, bijeenkomst."))
    summary = _text(5000, required=True)
    contact_id = _id(load_default=None, allow_none=True)
    follow_up_on = fields.Date(load_default=None, allow_none=True)
    follow_up_owner_id = _id(load_default=None, allow_none=True)


# ---------------------------------------------------------------------------------------------
# Vacancies


class VacancySchema(Schema):
    id = fields.Integer()
    employer_id = fields.Integer()
    employer_name = fields.Function(lambda v: v.employer.name)
    title = fields.String()
    sector_id = fields.Integer()
    hours_per_week = fields.Integer()
    location = fields.String()
    description = fields.String()
    region = fields.String(attribute="region_code")
    status = fields.Function(lambda v: v.status.value)
    opened_on = fields.Date()
    closes_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    version = fields.Integer(metadata={"description": "stuur mee bij wijzigen (PATCH)"})


class VacancyListSchema(Schema):
    items = fields.List(fields.Nested(VacancySchema))
    total = fields.Integer()
    page = fields.Integer()


class VacancyListArgsSchema(EmployersPageArgsSchema):
    status = fields.String(validate=_one_of([s.value for s in VacancyStatus],
                                            "Kies een van: open, filled, closed."))
    region = fields.String(validate=REGION)
    sector = _id(strict=False)
    employer_id = _id(strict=False)
    q = _text(100)


class VacancyCreateSchema(BaseSchema):
    employer_id = _id(required=True)
    title = _text(200, required=True)
    sector_id = _id(required=True)
    hours_per_week = fields.Integer(required=True, strict=True, validate=HOURS)
    location = _text(100, load_default="")
    description = _text(5000, load_default="")
    region = fields.String(required=True, validate=REGION)
    opened_on = fields.Date(load_default=None, allow_none=True)
    closes_on = fields.Date(load_default=None, allow_none=True)


class VacancyUpdateSchema(BaseSchema):
    """PATCH: only the fields that change, plus the ``version`` that was read."""

    version = VERSION
    title = _text(200, validate_=validate.Length(min=1, error="Dit veld is verplicht."))
    sector_id = _id()
    hours_per_week = fields.Integer(strict=True, validate=HOURS)
    location = _text(100)
    description = _text(5000)
    region = fields.String(validate=REGION)
    opened_on = fields.Date()
    closes_on = fields.Date(allow_none=True)


class VacancyStatusSchema(BaseSchema):
    to = fields.String(required=True, validate=_one_of(
        [s.value for s in VacancyStatus], "Kies een van: open, filled, closed."))


# ---------------------------------------------------------------------------------------------
# Proposals and placements


class FollowUpSchema(Schema):
    id = fields.Integer()
    months = fields.Integer()
    due_on = fields.Date()
    still_employed = fields.Boolean(allow_none=True)
    outcome_reason = fields.String()
    recorded_on = fields.Date(allow_none=True)


class PlacementSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    candidate_name = fields.Function(lambda p: p.case.candidate.full_name)
    employer_id = fields.Integer()
    employer_name = fields.Function(lambda p: p.employer.name)
    proposal_id = fields.Integer(allow_none=True)
    job_title = fields.String()
    contract_type = fields.Function(lambda p: p.contract_type.value)
    sector = fields.Function(lambda p: p.sector.value if p.sector else None, metadata={
        "description": "SBI section (A-U) of the job; null: still to choose"})
    hours_per_week = fields.Integer()
    start_on = fields.Date()
    end_on = fields.Date(allow_none=True)
    end_reason = fields.String()
    active = fields.Function(lambda p: p.is_active())
    follow_ups = fields.List(fields.Nested(FollowUpSchema))


class PlacementListSchema(Schema):
    items = fields.List(fields.Nested(PlacementSchema))
    total = fields.Integer()
    page = fields.Integer()


class PlacementListArgsSchema(EmployersPageArgsSchema):
    case_id = _id(strict=False)
    employer_id = _id(strict=False)
    active = fields.Boolean()


CONTRACT = _one_of([c.value for c in ContractType], "Kies een van: vast, tijdelijk, uitzend, "
                   "detachering, zzp-opdracht, leerwerkbaan.")


SECTION = _one_of([s.value for s in SbiSection], "Kies een SBI-sectie: A tot en met U.")


class PlacementCreateSchema(BaseSchema):
    case_id = _id(required=True)
    employer_id = _id(required=True)
    job_title = _text(200, required=True)
    contract_type = fields.String(required=True, validate=CONTRACT)
    sector = fields.String(load_default=None, allow_none=True, validate=SECTION, metadata={
        "description": "SBI section (A-U); default: that of the employer's sector"})
    hours_per_week = fields.Integer(required=True, strict=True, validate=HOURS)
    start_on = fields.Date(required=True)
    end_on = fields.Date(load_default=None, allow_none=True)


class PlacementDetailsSchema(BaseSchema):
    """The placement recorded with ``aangenomen``; job title and hours default to the vacancy's."""

    start_on = fields.Date(required=True)
    contract_type = fields.String(required=True, validate=CONTRACT)
    sector = fields.String(load_default=None, allow_none=True, validate=SECTION, metadata={
        "description": "SBI section (A-U); default: that of the employer's sector"})
    hours_per_week = fields.Integer(strict=True, validate=HOURS)
    job_title = _text(200)
    end_on = fields.Date(load_default=None, allow_none=True)


class PlacementEndSchema(BaseSchema):
    end_on = fields.Date(required=True)
    reason = _text(500, required=True)


class FollowUpRecordSchema(BaseSchema):
    still_employed = fields.Boolean(required=True)
    reason = _text(500, load_default="")


class ProposalEventSchema(Schema):
    at = fields.DateTime()
    from_status = fields.Function(lambda e: e.from_status.value if e.from_status else None)
    to_status = fields.Function(lambda e: e.to_status.value)
    note = fields.String()


class ProposalSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    candidate_name = fields.Function(lambda p: p.case.candidate.full_name)
    vacancy_id = fields.Integer()
    vacancy_title = fields.Function(lambda p: p.vacancy.title)
    employer_id = fields.Function(lambda p: p.vacancy.employer_id)
    region = fields.String(attribute="region_code")
    status = fields.Function(lambda p: p.status.value)
    proposed_on = fields.Date()
    decided_on = fields.Date(allow_none=True)
    note = fields.String()
    proposed_by = fields.Nested(EmployersUserRefSchema)
    allowed_transitions = fields.Function(
        lambda p: [s.value for s in lifecycle.allowed_proposal_steps(p.status)])
    placement_id = fields.Function(lambda p: p.placement.id if p.placement else None)


class ProposalDetailSchema(ProposalSchema):
    events = fields.List(fields.Nested(ProposalEventSchema))


class ProposalListSchema(Schema):
    items = fields.List(fields.Nested(ProposalSchema))
    total = fields.Integer()
    page = fields.Integer()


class ProposalListArgsSchema(EmployersPageArgsSchema):
    status = fields.String(validate=_one_of([s.value for s in ProposalStatus],
                                            "Kies een geldige status."))
    vacancy_id = _id(strict=False)
    case_id = _id(strict=False)
    employer_id = _id(strict=False)


class ProposalCreateSchema(BaseSchema):
    case_id = _id(required=True)
    vacancy_id = _id(required=True)
    note = _text(1000, load_default="")


class ProposalTransitionSchema(BaseSchema):
    to = fields.String(required=True, validate=_one_of(
        [s.value for s in ProposalStatus if s != ProposalStatus.VOORGESTELD],
        "Kies een van: gesprek, aangenomen, afgewezen, ingetrokken."))
    note = _text(1000, load_default="")
    expected_status = fields.String(load_default=None, allow_none=True, validate=_one_of(
        [s.value for s in ProposalStatus], "Kies een geldige status."))
    placement = fields.Nested(PlacementDetailsSchema, load_default=None, allow_none=True)
    fill_vacancy = fields.Boolean(load_default=True)
