"""``/api/v1/employers``, ``contact-moments``, ``vacancies``, ``proposals`` and ``placements``.

The API parses and answers; every rule lives in the services (:mod:`rmt.employers.registry`,
``contacts``, ``vacancies``, ``placements``). Employer data is
shared by the regions; proposals and placements are candidate data, reached through the case and
404 outside the user's regions. Reads of candidate data are audited. Refusals become
problem+json in :mod:`rmt.errors`; the request's unit of work commits once after the endpoint.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy.orm import joinedload, selectinload

from rmt import audit
from rmt.access import Action, can, get_or_404
from rmt.api.auth import authenticate_bearer
from rmt.api.common import page, problem_documenter, require_json_body, respond
from rmt.cases.models import Case
from rmt.employers import common, contacts, lifecycle, placements, registry, vacancies
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    Proposal,
    ProposalStatus,
    Vacancy,
)
from rmt.employers.schemas import (
    ContactCreateSchema,
    ContactMomentCreateSchema,
    ContactMomentListArgsSchema,
    ContactMomentListSchema,
    ContactMomentSchema,
    ContactSchema,
    ContactUpdateSchema,
    DuplicateEmployerProblemSchema,
    EmployerCreateSchema,
    EmployerListArgsSchema,
    EmployerListSchema,
    EmployerSchema,
    EmployersProblemSchema,
    EmployerUpdateSchema,
    EmptyBodySchema,
    FollowUpRecordSchema,
    MergeResultSchema,
    MergeSchema,
    PlacementCreateSchema,
    PlacementEndSchema,
    PlacementListArgsSchema,
    PlacementListSchema,
    PlacementSchema,
    ProposalCreateSchema,
    ProposalDetailSchema,
    ProposalListArgsSchema,
    ProposalListSchema,
    ProposalTransitionSchema,
    SectorListSchema,
    VacancyCreateSchema,
    VacancyListArgsSchema,
    VacancyListSchema,
    VacancySchema,
    VacancyStatusSchema,
    VacancyUpdateSchema,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db

blp = Blueprint("api_employers", __name__,
                description="Werkgevers, contactmomenten, vacatures, voordrachten en plaatsingen")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

#: Service field names that the API spells differently (used by the app-wide DomainError mapping).
blp.field_aliases = {"region_code": "region", "region_codes": "regions"}

_PROBLEMS = {
    400: "Ongeldige JSON of parameters",
    401: "Geen of ongeldig token",
    403: "Uw rol staat dit niet toe",
    404: "Bestaat niet of ligt buiten uw regio's",
    409: "Conflict met de huidige toestand",
    415: "Stuur JSON (Content-Type: application/json)",
    422: "Invoer onjuist; per veld in errors",
}



_problems = problem_documenter(blp, EmployersProblemSchema, _PROBLEMS)


def _require(action: Action, message: str) -> None:
    """The role check of an endpoint: 403 (problem+json) unless the user's role allows it."""
    common.require(current_user, action, message=message)


def _created(body: dict[str, Any], endpoint: str, **values: Any) -> Response:
    """201 with the new resource's address."""
    return respond(body, 201, {"Location": url_for(endpoint, **values)})


def _get(model: Any, ident: int) -> Any:
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404, message="Niet gevonden.")
    return obj


NO_EMPLOYERS = "Uw rol geeft geen toegang tot het werkgeversregister."


# ---------------------------------------------------------------------------------------------
# Employers


@blp.route("/employers")
class EmployerCollection(MethodView):
    @blp.arguments(EmployerListArgsSchema, location="query")
    @blp.response(200, EmployerListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Employers of the shared registry (not merged), searched on name or KvK number."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        query = registry.employer_query(q=args.get("q", ""), sector_id=args.get("sector"),
                                       region_code=args.get("region"),
                                       leerbedrijf=args.get("leerbedrijf"))
        items, total = page(query, args)
        return {"items": items, "total": total, "page": args["page"]}

    @blp.arguments(EmployerCreateSchema)
    @blp.response(201, EmployerSchema)
    @_problems(400, 401, 403, 409, 415, 422, schemas={409: DuplicateEmployerProblemSchema})
    def post(self, data: dict[str, Any]):
        """Register an employer (and its contact persons).

        A KvK number that is already registered gives 409 ``duplicate_kvk`` naming the
        ``existing_employer`` (id and name).
        """
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "registreren werkgevers.")
        people = data.pop("contacts")
        data["region_codes"] = data.pop("regions")
        employer = registry.create_employer(current_user, data)
        for person in people:
            registry.add_contact(current_user, employer, person)
        db.session.refresh(employer)
        body = EmployerSchema().dump(employer)
        return _created(body, "api_employers.EmployerItem", employer_id=body["id"])


@blp.route("/employers/<id:employer_id>")
class EmployerItem(MethodView):
    @blp.response(200, EmployerSchema)
    @_problems(401, 403, 404)
    def get(self, employer_id: int):
        """One employer with its contact persons. A merged one names ``merged_into_id``."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        return _get(Employer, employer_id)

    @blp.arguments(EmployerUpdateSchema)
    @blp.response(200, EmployerSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422, schemas={409: DuplicateEmployerProblemSchema})
    def patch(self, data: dict[str, Any], employer_id: int):
        """Change an employer: send only the fields that change, with the ``version`` you read.

        Another ``version`` gives 409 ``stale_version`` (someone saved in between); a KvK
        number of another employer gives 409 ``duplicate_kvk`` naming it.
        """
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "wijzigen werkgevers.")
        employer = _get(Employer, employer_id)
        version = data.pop("version")
        if "regions" in data:
            data["region_codes"] = data.pop("regions")
        current = {"kvk_number": employer.kvk_number, "name": employer.name,
                   "sector_id": employer.sector_id, "street_address": employer.street_address,
                   "postcode": employer.postcode, "city": employer.city,
                   "region_codes": employer.region_codes, "sbb_number": employer.sbb_number}
        registry.update_employer(current_user, employer, {**current, **data},
                expected_version=version)
        db.session.refresh(employer)
        return respond(EmployerSchema().dump(employer))


@blp.route("/employers/<id:employer_id>/contacts")
class EmployerContacts(MethodView):
    @blp.arguments(ContactCreateSchema)
    @blp.response(201, ContactSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], employer_id: int):
        """Add a contact person (role, phone, e-mail) to an employer."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "leggen contactpersonen vast.")
        employer = _get(Employer, employer_id)
        contact = registry.add_contact(current_user, employer, data)
        return _created(ContactSchema().dump(contact), "api_employers.EmployerItem",
                        employer_id=employer.id)


@blp.route("/employers/<id:employer_id>/contacts/<id:contact_id>")
class EmployerContactItem(MethodView):
    @blp.arguments(ContactUpdateSchema)
    @blp.response(200, ContactSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data: dict[str, Any], employer_id: int, contact_id: int):
        """Change a contact person: only the fields that change, with the ``version`` read."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "wijzigen contactpersonen.")
        contact = db.session.get(EmployerContact, contact_id)
        if contact is None or contact.employer_id != employer_id:
            abort(404, message="Niet gevonden.")
        version = data.pop("version")
        current = {"name": contact.name, "role": contact.role, "phone": contact.phone,
                   "email": contact.email}
        registry.update_contact(current_user, contact, {**current, **data},
                expected_version=version)
        return respond(ContactSchema().dump(contact))


@blp.route("/employers/<id:employer_id>/merge")
class EmployerMerge(MethodView):
    @blp.arguments(MergeSchema)
    @blp.response(200, MergeResultSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], employer_id: int):
        """Merge a duplicate registration into this employer (regiocoördinator).

        Contacts, contact moments, vacancies (with their proposals) and placements move here;
        the duplicate stays as a marked row whose KvK number points to this employer.
        """
        _require(Action.MERGE_EMPLOYERS, "Alleen een regiocoördinator voegt werkgevers samen.")
        keep = _get(Employer, employer_id)
        duplicate = db.session.get(Employer, data["duplicate_id"])
        if duplicate is None:
            raise DomainError("Deze werkgever bestaat niet.", field="duplicate_id")
        moved = registry.merge_employers(current_user, keep, duplicate)
        body = MergeResultSchema().dump({"employer": db.session.get(Employer, keep.id),
                                         "merged_employer_id": duplicate.id, "moved": moved})
        return respond(body)


@blp.route("/sectors")
class SectorCollection(MethodView):
    @blp.response(200, SectorListSchema)
    @_problems(401, 403)
    def get(self):
        """The reference list of sectors, with the regions where each is prioritair."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        items = registry.sectors()
        return {"items": items, "total": len(items), "page": 1}


# ---------------------------------------------------------------------------------------------
# Contact moments


@blp.route("/contact-moments")
class ContactMomentCollection(MethodView):
    @blp.arguments(ContactMomentListArgsSchema, location="query")
    @blp.response(200, ContactMomentListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Contact moments with employers (shared employer data), newest first."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        query = (sa.select(ContactMoment)
                 .options(joinedload(ContactMoment.employer), joinedload(ContactMoment.liaison),
                          joinedload(ContactMoment.follow_up_owner))
                 .order_by(ContactMoment.contact_on.desc(), ContactMoment.id.desc()))
        if "employer_id" in args:
            query = query.where(ContactMoment.employer_id == args["employer_id"])
        if "region" in args:
            query = query.where(ContactMoment.region_code == args["region"])
        if args.get("open_follow_up"):
            query = query.where(ContactMoment.follow_up_on.is_not(None),
                                ContactMoment.follow_up_done_at.is_(None))
        items, total = page(query, args)
        return {"items": items, "total": total, "page": args["page"]}

    @blp.arguments(ContactMomentCreateSchema)
    @blp.response(201, ContactMomentSchema)
    @_problems(400, 401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Record a contact moment in one of your regions, with an optional follow-up."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren leggen "
                 "contactmomenten vast.")
        employer = db.session.get(Employer, data.pop("employer_id"))
        if employer is None:
            raise DomainError("Deze werkgever bestaat niet.", field="employer_id")
        data["region_code"] = data.pop("region")
        moment = contacts.record_contact_moment(current_user, employer, data)
        body = ContactMomentSchema().dump(moment)
        return _created(body, "api_employers.ContactMomentItem", moment_id=body["id"])


@blp.route("/contact-moments/<id:moment_id>")
class ContactMomentItem(MethodView):
    @blp.response(200, ContactMomentSchema)
    @_problems(401, 403, 404)
    def get(self, moment_id: int):
        """One contact moment."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        return _get(ContactMoment, moment_id)


@blp.route("/contact-moments/<id:moment_id>/follow-up-done")
class ContactMomentFollowUpDone(MethodView):
    @blp.arguments(EmptyBodySchema)
    @blp.response(200, ContactMomentSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, _data: dict[str, Any], moment_id: int):
        """Mark the follow-up of a contact moment of your region as done (send ``{}``)."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "handelen vervolgafspraken af.")
        moment = get_or_404(ContactMoment, moment_id, current_user, Action.MANAGE_EMPLOYERS)
        contacts.complete_follow_up(current_user, moment)
        return respond(ContactMomentSchema().dump(moment))


# ---------------------------------------------------------------------------------------------
# Vacancies


@blp.route("/vacancies")
class VacancyCollection(MethodView):
    @blp.arguments(VacancyListArgsSchema, location="query")
    @blp.response(200, VacancyListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Vacancies of all regions, newest first."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        query = vacancies.vacancy_query(status=args.get("status"), region_code=args.get("region"),
                                      sector_id=args.get("sector"),
                                      employer_id=args.get("employer_id"), q=args.get("q", ""))
        items, total = page(query, args)
        return {"items": items, "total": total, "page": args["page"]}

    @blp.arguments(VacancyCreateSchema)
    @blp.response(201, VacancySchema)
    @_problems(400, 401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Create a vacancy at an employer, in one of your regions."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren maken "
                 "vacatures aan.")
        employer = db.session.get(Employer, data.pop("employer_id"))
        if employer is None:
            raise DomainError("Deze werkgever bestaat niet.", field="employer_id")
        data["region_code"] = data.pop("region")
        vacancy = vacancies.create_vacancy(current_user, employer, data)
        body = VacancySchema().dump(vacancy)
        return _created(body, "api_employers.VacancyItem", vacancy_id=body["id"])


@blp.route("/vacancies/<id:vacancy_id>")
class VacancyItem(MethodView):
    @blp.response(200, VacancySchema)
    @_problems(401, 403, 404)
    def get(self, vacancy_id: int):
        """One vacancy."""
        _require(Action.VIEW_EMPLOYERS, NO_EMPLOYERS)
        return _get(Vacancy, vacancy_id)

    @blp.arguments(VacancyUpdateSchema)
    @blp.response(200, VacancySchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data: dict[str, Any], vacancy_id: int):
        """Change a vacancy of your region: only the fields that change, with ``version``."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "wijzigen vacatures.")
        vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)
        version = data.pop("version")
        if "region" in data:
            data["region_code"] = data.pop("region")
        current = {"title": vacancy.title, "sector_id": vacancy.sector_id,
                   "hours_per_week": vacancy.hours_per_week, "location": vacancy.location,
                   "description": vacancy.description, "region_code": vacancy.region_code,
                   "opened_on": vacancy.opened_on, "closes_on": vacancy.closes_on}
        vacancies.update_vacancy(current_user, vacancy, {**current, **data},
                expected_version=version)
        return respond(VacancySchema().dump(vacancy))


@blp.route("/vacancies/<id:vacancy_id>/status")
class VacancyStatusChange(MethodView):
    @blp.arguments(VacancyStatusSchema)
    @blp.response(200, VacancySchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], vacancy_id: int):
        """``open → filled | closed``, ``filled | closed → open``; else 409 with ``allowed``."""
        _require(Action.MANAGE_EMPLOYERS, "Alleen werkgeversadviseurs en coördinatoren "
                 "wijzigen vacatures.")
        vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)
        vacancies.set_vacancy_status(current_user, vacancy, data["to"])
        return respond(VacancySchema().dump(vacancy))


# ---------------------------------------------------------------------------------------------
# Proposals


NO_CANDIDATES = "Uw rol geeft geen toegang tot kandidaten."


@blp.route("/proposals")
class ProposalCollection(MethodView):
    @blp.arguments(ProposalListArgsSchema, location="query")
    @blp.response(200, ProposalListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Proposals of candidates whose case is in your regions (audited)."""
        _require(Action.VIEW_WORK_PROFILE, NO_CANDIDATES)
        query = vacancies.proposal_query(current_user, status=args.get("status"),
                                       vacancy_id=args.get("vacancy_id"),
                                       case_id=args.get("case_id"),
                                       employer_id=args.get("employer_id"))
        query = query.options(selectinload(Proposal.placement))
        items, total = page(query, args)
        if items:
            audit.record("proposal.list", object_type="proposal",
                         summary=f"API: {len(items)} voordrachten")
        body = ProposalListSchema().dump({"items": items, "total": total, "page": args["page"]})
        return respond(body)

    @blp.arguments(ProposalCreateSchema)
    @blp.response(201, ProposalDetailSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Propose the candidate of a case in your region for an open vacancy.

        Needs the candidate's active consent to share their work profile with employers
        (422 ``no_consent`` otherwise). A case outside your regions is 404.
        """
        _require(Action.PROPOSE_CANDIDATE, "Alleen werkgeversadviseurs en loopbaancoaches "
                 "dragen kandidaten voor.")
        case = get_or_404(Case, data["case_id"], current_user, Action.PROPOSE_CANDIDATE)
        vacancy = db.session.get(Vacancy, data["vacancy_id"])
        if vacancy is None:
            raise DomainError("Deze vacature bestaat niet.", field="vacancy_id")
        proposal = vacancies.propose(current_user, case, vacancy, note=data["note"])
        body = ProposalDetailSchema().dump(proposal)
        return _created(body, "api_employers.ProposalItem", proposal_id=body["id"])


def _proposal_or_404(proposal_id: int):
    proposal = vacancies.get_proposal(current_user, proposal_id)
    if proposal is None:
        abort(404, message="Deze voordracht bestaat niet of hoort bij een andere regio.")
    return proposal


@blp.route("/proposals/<id:proposal_id>")
class ProposalItem(MethodView):
    @blp.response(200, ProposalDetailSchema)
    @_problems(401, 403, 404)
    def get(self, proposal_id: int):
        """One proposal with its history (audited)."""
        _require(Action.VIEW_WORK_PROFILE, NO_CANDIDATES)
        proposal = _proposal_or_404(proposal_id)
        audit.record("proposal.view", object_type="case", object_id=proposal.case_id,
                     region_code=proposal.case.region_code,
                     summary=f"API: voordracht {proposal.id}")
        return respond(ProposalDetailSchema().dump(proposal))


@blp.route("/proposals/<id:proposal_id>/transitions")
class ProposalTransitions(MethodView):
    @blp.arguments(ProposalTransitionSchema)
    @blp.response(200, ProposalDetailSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], proposal_id: int):
        """Move a proposal: ``voorgesteld → gesprek → aangenomen | afgewezen | ingetrokken``.

        ``afgewezen`` and ``ingetrokken`` (also from voorgesteld) need a ``note``;
        ``aangenomen`` needs ``placement`` (start_on, contract_type) and records the placement
        with its follow-ups. A step not allowed now gives 409 with the ``allowed`` steps.
        """
        _require(Action.PROPOSE_CANDIDATE, "Alleen werkgeversadviseurs en loopbaancoaches "
                 "wijzigen voordrachten.")
        proposal = _proposal_or_404(proposal_id)
        if (data["to"] == "aangenomen" and not data["placement"]
                and ProposalStatus.AANGENOMEN in lifecycle.allowed_proposal_steps(proposal.status)):
            raise DomainError("Geef de gegevens van de plaatsing (startdatum, contract).",
                              field="placement")
        vacancies.transition_proposal(current_user, proposal, data["to"],
                note=data["note"], expected_status=data["expected_status"],
                placement=data["placement"], fill_vacancy=data["fill_vacancy"])
        db.session.refresh(proposal)
        return respond(ProposalDetailSchema().dump(proposal))


# ---------------------------------------------------------------------------------------------
# Placements


@blp.route("/placements")
class PlacementCollection(MethodView):
    @blp.arguments(PlacementListArgsSchema, location="query")
    @blp.response(200, PlacementListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Placements of cases in your regions, with their follow-ups (audited)."""
        _require(Action.VIEW_WORK_PROFILE, NO_CANDIDATES)
        query = placements.placement_query(current_user, case_id=args.get("case_id"),
                                        employer_id=args.get("employer_id"),
                                        active=args.get("active"))
        items, total = page(query, args)
        if items:
            audit.record("placement.list", object_type="placement",
                         summary=f"API: {len(items)} plaatsingen")
        body = PlacementListSchema().dump({"items": items, "total": total, "page": args["page"]})
        return respond(body)

    @blp.arguments(PlacementCreateSchema)
    @blp.response(201, PlacementSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Record a placement without a proposal; follow-ups at +1, +3, +6 months are planned."""
        _require(Action.MANAGE_PLACEMENTS, "Alleen loopbaancoaches en werkgeversadviseurs "
                 "leggen plaatsingen vast.")
        case = get_or_404(Case, data.pop("case_id"), current_user, Action.MANAGE_PLACEMENTS)
        if not (can(current_user, Action.VIEW_CASE, case) or common.has_profile_consent(case)):
            abort(404, message="Niet gevonden.")
        employer = db.session.get(Employer, data.pop("employer_id"))
        if employer is None:
            raise DomainError("Deze werkgever bestaat niet.", field="employer_id")
        placement = placements.create_placement(current_user, case, employer, data)
        db.session.refresh(placement)
        body = PlacementSchema().dump(placement)
        return _created(body, "api_employers.PlacementItem", placement_id=body["id"])


def _placement_or_404(placement_id: int):
    placement = placements.get_placement(current_user, placement_id)
    if placement is None:
        abort(404, message="Deze plaatsing bestaat niet of hoort bij een andere regio.")
    return placement


@blp.route("/placements/<id:placement_id>")
class PlacementItem(MethodView):
    @blp.response(200, PlacementSchema)
    @_problems(401, 403, 404)
    def get(self, placement_id: int):
        """One placement with its follow-ups (audited)."""
        _require(Action.VIEW_WORK_PROFILE, NO_CANDIDATES)
        placement = _placement_or_404(placement_id)
        audit.record("placement.view", object_type="case", object_id=placement.case_id,
                     region_code=placement.case.region_code,
                     summary=f"API: plaatsing {placement.id}")
        return respond(PlacementSchema().dump(placement))


@blp.route("/placements/<id:placement_id>/end")
class PlacementEnd(MethodView):
    @blp.arguments(PlacementEndSchema)
    @blp.response(200, PlacementSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], placement_id: int):
        """End a placement (date and reason); 409 when it has already ended."""
        _require(Action.MANAGE_PLACEMENTS, "Alleen loopbaancoaches en werkgeversadviseurs "
                 "beëindigen plaatsingen.")
        placement = _placement_or_404(placement_id)
        if not can(current_user, Action.MANAGE_PLACEMENTS, placement.case):
            abort(404, message="Deze plaatsing bestaat niet of hoort bij een andere regio.")
        placements.end_placement(current_user, placement, end_on=data["end_on"],
                reason=data["reason"])
        return respond(PlacementSchema().dump(placement))


@blp.route("/placements/<id:placement_id>/follow-ups/<int:months>")
class PlacementFollowUp(MethodView):
    @blp.arguments(FollowUpRecordSchema)
    @blp.response(200, PlacementSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], placement_id: int, months: int):
        """Record the outcome of the follow-up after 1, 3 or 6 months (still employed?).

        The 6-month outcome is the duurzaamheid figure.
        """
        _require(Action.MANAGE_PLACEMENTS, "Alleen loopbaancoaches en werkgeversadviseurs "
                 "leggen nazorg vast.")
        placement = _placement_or_404(placement_id)
        follow_up = next((f for f in placement.follow_ups if f.months == months), None)
        if follow_up is None:
            abort(404, message="Nazorg is er na 1, 3 en 6 maanden.")
        placements.record_follow_up(current_user, follow_up,
                still_employed=data["still_employed"], reason=data["reason"])
        return respond(PlacementSchema().dump(placement))

