"""``/api/v1/cases``: cases (trajecten) with their candidate, step changes and notes.

The API parses and answers; every rule lives in :mod:`rmt.cases.service`. Records are loaded
through :mod:`rmt.access` (another region's case is 404), every read of a case is audited here
and every change in the service. One commit at the end of each request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy.orm import contains_eager, defaultload
from sqlalchemy.orm.exc import StaleDataError

from rmt.access import Action, can, get_or_404, scoped
from rmt.api.auth import authenticate_bearer
from rmt.api.common import problem_documenter, require_json_body
from rmt.auth.models import User
from rmt.cases import service
from rmt.cases.models import Case, Note
from rmt.cases.queries import _search_condition as search_condition
from rmt.cases.schemas import (
    CaseCreateSchema,
    CaseListArgsSchema,
    CaseListSchema,
    CaseSchema,
    CaseUpdateSchema,
    DuplicateSchema,
    NoteCreateSchema,
    NoteListSchema,
    NoteSchema,
    PageArgsSchema,
    ProblemSchema,
    TransitionSchema,
)
from rmt.errors import problem
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db

blp = Blueprint("api_cases", __name__, description="Kandidaten en trajecten")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

#: Service field names that the API spells differently.
FIELD_ALIASES = {"region_code": "region"}
NO_CASE_ACCESS = "Uw rol geeft geen toegang tot trajecten."



@blp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    """A refused service action as problem+json: 422 (rule), 409 (state), 403 (role)."""
    db.session.rollback()
    status = 403 if error.code == "forbidden" else error.status
    errors: dict[str, Any] = {}
    for item in error.extra.get("problems") or ():
        # A guard without a field blocks the requested step itself.
        errors.setdefault(item.field or "to", []).append(item.message)
    if not errors and error.field and status != 403:
        field = FIELD_ALIASES.get(error.field, error.field)
        if field in service.CANDIDATE_FIELDS:
            errors = {"candidate": {field: [error.message]}}
        else:
            errors = {field: [error.message]}
    extra = {key: value for key, value in error.extra.items()
             if key in ("allowed", "current_version", "case_id")}
    return problem(status, error.message, errors or None, code=error.code, **extra)


@contextmanager
def _conflicts_as_409() -> Iterator[None]:
    """A concurrent change (version) or a duplicate row found at flush or commit becomes 409."""
    try:
        yield
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict("Iemand anders heeft dit traject intussen gewijzigd. Uw wijziging is niet "
                       "opgeslagen; haal het traject opnieuw op.", field="version",
                       code="stale_version") from exc
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise Conflict("Dit conflicteert met gegevens die intussen zijn opgeslagen, bijvoorbeeld "
                       "een lopend traject van dezelfde kandidaat.", code="conflict") from exc


def _commit() -> None:
    """The request's single commit."""
    with _conflicts_as_409():
        db.session.commit()


def _respond(body: dict[str, Any], status: int = 200,
             headers: dict[str, str] | None = None) -> Response:
    """Answer with an already dumped body (dumped before the commit expires the objects)."""
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _page(query: sa.Select, args: dict[str, Any]) -> tuple[list[Any], int]:
    """One page of ``query`` and the total number of rows: two statements."""
    total = db.session.scalar(
        query.order_by(None).with_only_columns(sa.func.count(), maintain_column_froms=True))
    page, per_page = args["page"], args["per_page"]
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), total or 0


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
        """Cases in your regions, filtered and paged (newest first)."""
        if not can(current_user, Action.VIEW_CASE):
            abort(403, message=NO_CASE_ACCESS)
        query = (
            scoped(sa.select(Case).join(Case.candidate), current_user, Case, Action.VIEW_CASE)
            .options(contains_eager(Case.candidate),
                     defaultload(Case.coach).lazyload(User.memberships))
            .order_by(Case.opened_on.desc(), Case.id.desc())
        )
        if "status" in args:
            query = query.where(Case.status == args["status"])
        if "region" in args:
            query = query.where(Case.region_code == args["region"])
        if "coach" in args:
            query = query.where(Case.coach_id == args["coach"])
        search = search_condition(args.get("q", ""))  # the same search as the HTML case list
        if search is not None:
            query = query.where(search)
        items, total = _page(query, args)
        return {"items": items, "total": total, "page": args["page"]}

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
        if not can(user, Action.CREATE_CASE):
            abort(403, message="Alleen een loopbaancoach kan een traject openen.")
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
            with _conflicts_as_409():
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
            with _conflicts_as_409():
                case = service.register(user, candidate_data=new, region_code=data["region"],
                                        coach=coach)
        body = CaseSchema().dump(case)
        _commit()
        return _respond(body, 201, {"Location": url_for("api_cases.CaseItem", case_id=body["id"])})


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
        body = CaseSchema().dump(case)
        _commit()
        return _respond(body)

    @blp.arguments(CaseUpdateSchema)
    @blp.response(200, CaseSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def patch(self, data: dict[str, Any], case_id: int):
        """Change candidate details. Send the ``version`` you read; a newer one gives 409."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with _conflicts_as_409():  # the service flushes (audit), so a race shows up here
            service.update_candidate(current_user, case, data["candidate"], data["version"])
            db.session.flush()
        body = CaseSchema().dump(case)
        _commit()
        return _respond(body)


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
        """
        case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
        with _conflicts_as_409():
            service.transition(current_user, case, data["to"], expected_version=data["version"],
                               reason=data["reason"], exit_reason=data["exit_reason"],
                               exit_reason_text=data["exit_reason_text"])
            db.session.flush()
        body = CaseSchema().dump(case)
        _commit()
        return _respond(body)


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
        items, total = _page(query, args)
        service.audit_view(current_user, case, summary="API: aantekeningen")
        body = NoteListSchema().dump({"items": items, "total": total, "page": args["page"]})
        _commit()
        return _respond(body)

    @blp.arguments(NoteCreateSchema)
    @blp.response(201, NoteSchema)
    @_problems(400, 401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], case_id: int):
        """Add a note. Notes are never edited and need no ``version``."""
        case = get_or_404(Case, case_id, current_user, Action.VIEW_NOTES)
        with _conflicts_as_409():
            note = service.add_note(current_user, case, contact_on=data["contact_on"],
                                    kind=data["kind"], text=data["text"])
        body = NoteSchema().dump(note)
        _commit()
        return _respond(body, 201)
