"""``/api/v1/cases``: cases (trajecten) with their candidate, step changes and notes.

The API parses and answers; every rule lives in :mod:`rmt.cases.service`. Records are loaded
through :mod:`rmt.access` (another region's case is 404), every read of a case is audited here
and every change in the service. The request's unit of work commits once after the handler
(:mod:`rmt.transaction`); a refusal (``DomainError``) becomes problem+json app-wide
(:mod:`rmt.errors`), with the fields spelled as :data:`FIELD_ALIASES` says.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import defaultload

from rmt import clock, transaction
from rmt.access import Action, get_or_404, require
from rmt.api.auth import authenticate_bearer
from rmt.api.common import (
    page,
    problem_documenter,
    require_json_body,
    respond,
)
from rmt.api.schemas import PageArgsSchema
from rmt.auth.models import User
from rmt.cases import reference, service
from rmt.cases.models import Case, Note
from rmt.cases.queries import ApiCaseFilters, api_case_page
from rmt.cases.schemas import (
    ActivityCreateSchema,
    ActivityListSchema,
    ActivitySchema,
    CaseCreateSchema,
    CaseListArgsSchema,
    CaseListSchema,
    CaseSchema,
    CaseUpdateSchema,
    ClosingSchema,
    DuplicateSchema,
    NoteCreateSchema,
    NoteListSchema,
    NoteSchema,
    PartnerListSchema,
    ProblemSchema,
    ReopenSchema,
    ServiceTypeListSchema,
    TransitionSchema,
    cursor_of,
)
from rmt.errors import problem
from rmt.errors_domain import DomainError
from rmt.extensions import db

blp = Blueprint("api_cases", __name__, description="Kandidaten en trajecten")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

#: How the service's field names are spelled in problem+json: the candidate's fields nest under
#: ``candidate``, the region is ``region``. A step guard without a field is reported at ``to``.
FIELD_ALIASES = {"region_code": "region",
                 **{name: f"candidate.{name}" for name in service.CANDIDATE_FIELDS}}
blp.field_aliases = FIELD_ALIASES  # type: ignore[attr-defined]
blp.default_problem_field = "to"  # type: ignore[attr-defined]
NO_CASE_ACCESS = "Uw rol geeft geen toegang tot trajecten."
ONLY_COACHES_OPEN = "Alleen een loopbaancoach kan een traject openen."


_PROBLEMS = {
    400: "Ongeldige JSON of parameters",
    401: "Geen of ongeldig token",
    403: "Uw rol staat dit niet toe",
    404: "Traject bestaat niet of ligt buiten uw regio's",
    409: "Conflict met de huidige toestand",
    415: "Stuur JSON (Content-Type: application/json)",
    422: "Invoer onjuist; per veld in errors",
}


_problems = problem_documenter(blp, ProblemSchema, _PROBLEMS)


@blp.route("/cases")
class CaseCollection(MethodView):
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CaseListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Cases in your regions, filtered and paged (newest first).

        `total` counts at most 1,000 matches (or up to the page asked for) and says so with
        `total_capped`; page with `page` as before, or with `after=<next_cursor>` (keyset:
        every page equally fast, however far). A case number in `q` finds that case.
        """
        require(current_user, Action.VIEW_CASE, message=NO_CASE_ACCESS)
        filters = ApiCaseFilters(status=args.get("status"), region=args.get("region"),
                                 coach=args.get("coach"), q=args.get("q", ""),
                                 after=args.get("after"))
        found = api_case_page(current_user, filters, args["page"], args["per_page"])
        last = found.last
        return {"items": found.items, "total": found.total, "total_capped": found.capped,
                "page": found.number,
                "next_cursor": cursor_of(last.opened_on, last.id) if last else None}

    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseSchema)
    @_problems(400, 401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Register a candidate and open a case.

        Send a new ``candidate`` or the ``existing_candidate_id`` of a known one. Likely
        duplicates of a new candidate give 409 ``possible_duplicates`` listing them; send
        ``confirm_new_candidate: true`` to register anyway. A known candidate with an open case
        gives 409 ``open_case_exists``.
        """
        user = current_user
        require(user, Action.CREATE_CASE, message=ONLY_COACHES_OPEN)
        coach = None
        if "coach_id" in data:
            coach = db.session.get(User, data["coach_id"])
            if coach is None:
                raise DomainError("Kies een actieve loopbaancoach van deze regio.",
                                  field="coach_id")
        coach = service.check_registration(user, data["region"], coach)
        if "existing_candidate_id" in data:
            candidate = service.visible_candidate(user, data["existing_candidate_id"])
            if candidate is None:
                raise DomainError("Deze kandidaat is niet bekend in uw regio's.",
                                  field="existing_candidate_id")
            with transaction.attempt():
                case = service.register(user, existing_candidate=candidate,
                                        region_code=data["region"], coach=coach)
        else:
            new = data["candidate"]
            if not data["confirm_new_candidate"]:
                duplicates = service.find_duplicates(
                    user, first_name=new["first_name"], last_name=new["last_name"],
                    birth_date=new["birth_date"], email=new.get("email", ""),
                    phone=new.get("phone", ""))
                if duplicates:
                    return _duplicates_problem(user, duplicates)
            with transaction.attempt():
                case = service.register(user, candidate_data=new, region_code=data["region"],
                                        coach=coach)
        body = CaseSchema().dump(case)
        return respond(body, 201, {"Location": url_for("api_cases.CaseItem", case_id=body["id"])})


def _duplicates_problem(user: User, duplicates: list) -> Response:
    """409 listing likely duplicates, with only their cases in the user's own regions."""
    listed = []
    for candidate in duplicates:
        item = DuplicateSchema().dump(candidate)
        item["cases"] = [c for c in item["cases"] if c["region"] in user.region_codes]
        listed.append(item)
    return problem(
        409, "Deze kandidaat lijkt al bekend. Open een traject voor de bestaande kandidaat "
        "(existing_candidate_id) of bevestig met confirm_new_candidate dat het iemand anders is.",
        code="possible_duplicates", duplicates=listed)


@blp.route("/cases/<id:case_id>")
class CaseItem(MethodView):
    @blp.response(200, CaseSchema)
    @_problems(401, 404)
    def get(self, case_id: int):
        """One case with its candidate and the steps you may move it to now (audited)."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        service.audit_view(current_user, case, summary="API")
        return respond(CaseSchema().dump(case))

    @blp.arguments(CaseUpdateSchema)
    @blp.response(200, CaseSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data: dict[str, Any], case_id: int):
        """Change candidate details. Send the ``version`` you read; a newer one gives 409."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with transaction.attempt():  # a concurrent save shows up in the service (409)
            service.update_candidate(current_user, case, data["candidate"], data["version"])
        return respond(CaseSchema().dump(case))


@blp.route("/cases/<id:case_id>/transitions")
class CaseTransitions(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, CaseSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], case_id: int):
        """Move the case to another step.

        A step that is not allowed from the current one gives 409 with the ``allowed`` steps; a
        step blocked by a condition (intake not completed, plan without activity, no placement,
        missing reason or uitstroomreden) gives 422 with the ``errors`` per field.

        Closing (``afgesloten``) follows the same rules as the page: 409 ``open_items`` while a
        voucher is awarded or running or a praktijkverklaring is under agreement; otherwise
        pending requests are withdrawn and open tasks closed in the same transaction
        (``GET /cases/{id}/closing`` says what). An exit to work names a running placement
        (``placement_id``; 422 ``placement_required`` without one).
        """
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with transaction.attempt():
            service.transition(current_user, case, data["to"], expected_version=data["version"],
                               reason=data["reason"], exit_reason=data["exit_reason"],
                               exit_reason_text=data["exit_reason_text"],
                               placement_id=data["placement_id"])
        return respond(CaseSchema().dump(case))


@blp.route("/cases/<id:case_id>/closing")
class CaseClosing(MethodView):
    @blp.response(200, ClosingSchema)
    @_problems(401, 403, 404)
    def get(self, case_id: int):
        """What is still open on the case and what closing would do with each item."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        require(current_user, Action.EDIT_CASE, case)
        items = [] if case.is_closed else service.closing_items(case)
        placements = [p for p in service.work_placements(case) if p.runs_on(clock.today())]
        service.audit_view(current_user, case, summary="API: afsluiten, open zaken")
        return respond(ClosingSchema().dump({
            "open_items": items, "placements": placements,
            "can_close": not case.is_closed and not any(item.blocks for item in items)}))


@blp.route("/cases/<id:case_id>/reopen")
class CaseReopen(MethodView):
    @blp.arguments(ReopenSchema)
    @blp.response(200, CaseSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], case_id: int):
        """A coordinator of the region reopens a case closed by mistake, within 30 days of
        closing (409 ``reopen_expired`` after that). The case returns to the step it was closed
        from; the closing stays in its history."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with transaction.attempt():
            service.reopen(current_user, case, reason=data["reason"],
                           expected_version=data["version"])
        return respond(CaseSchema().dump(case))


@blp.route("/cases/<id:case_id>/notes")
class CaseNotes(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, NoteListSchema)
    @_problems(401, 404, 422)
    def get(self, args: dict[str, Any], case_id: int):
        """Notes (contactmomenten) of the case, newest first (audited)."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_NOTES)
        query = sa.select(Note).where(Note.case_id == case.id).order_by(
            Note.contact_on.desc(), Note.id.desc()).options(
            defaultload(Note.author).lazyload(User.memberships))
        items, total = page(query, args)
        service.audit_view(current_user, case, summary="API: aantekeningen")
        return respond(NoteListSchema().dump({"items": items, "total": total,
                                              "page": args["page"]}))

    @blp.arguments(NoteCreateSchema)
    @blp.response(201, NoteSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], case_id: int):
        """Add a note. Notes are never edited and need no ``version``."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_NOTES)
        with transaction.attempt():
            note = service.add_note(current_user, case, contact_on=data["contact_on"],
                                    kind=data["kind"], text=data["text"])
        return respond(NoteSchema().dump(note), 201)


@blp.route("/cases/<id:case_id>/activities")
class CaseActivities(MethodView):
    @blp.response(200, ActivityListSchema)
    @_problems(401, 404)
    def get(self, case_id: int):
        """The activities of the trajectplan, each with its service type and partner (audited)."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        service.audit_view(current_user, case, summary="API: activiteiten")
        return respond(ActivityListSchema().dump({"items": case.activities}))

    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], case_id: int):
        """Add an activity: an active service type (``GET /service-types``) delivered by an
        active partner (``GET /partners``). Send the case ``version`` you read."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with transaction.attempt():
            activity = service.add_activity(
                current_user, case, description=data["description"], due_on=data["due_on"],
                service_type_id=data["service_type_id"], partner_id=data["partner_id"],
                expected_version=data["version"])
        return respond(ActivitySchema().dump(activity), 201)


@blp.route("/service-types")
class ServiceTypes(MethodView):
    @blp.response(200, ServiceTypeListSchema)
    @_problems(401)
    def get(self):
        """The service types (soorten dienst) with their category of the regulation."""
        return respond(ServiceTypeListSchema().dump({"items": reference.service_types()}))


@blp.route("/partners")
class Partners(MethodView):
    @blp.response(200, PartnerListSchema)
    @_problems(401)
    def get(self):
        """The partners that deliver services, with their kind."""
        return respond(PartnerListSchema().dump({"items": reference.partners()}))
