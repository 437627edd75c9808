"""``/api/v1/praktijkverklaringen``: list, request, read, steps and assessments.

The API parses and answers; the rules live in :mod:`rmt.praktijkverklaring.service`. Records
are loaded through :mod:`rmt.access` (another region's trajectory is 404); every read is audited
here, every change in the service. The unit of work commits once after each request; a refusal
(``DomainError``) becomes problem+json in :mod:`rmt.errors` and rolls back.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from rmt.access import Action, can, get_or_404, require
from rmt.api.auth import authenticate_bearer
from rmt.api.common import page, problem_documenter, require_json_body, respond
from rmt.cases.models import Case
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.praktijkverklaring.schemas import (
    PvAssessmentSchema,
    PvProblemSchema,
    PvTrajectoryCreateSchema,
    PvTrajectoryListArgsSchema,
    PvTrajectoryListSchema,
    PvTrajectorySchema,
    PvTrajectoryUpdateSchema,
    PvTransitionSchema,
)

blp = Blueprint("api_praktijkverklaring", __name__, description="Praktijkverklaringen")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

#: Service field names that the API spells differently (used by :mod:`rmt.errors`).
blp.field_aliases = {"school_id": "school_brin", "qualification_id": "crebo"}


_PROBLEMS = {
    400: "Ongeldige JSON of parameters",
    401: "Geen of ongeldig token",
    403: "Uw rol staat dit niet toe",
    404: "Praktijkverklaring bestaat niet of ligt buiten uw regio's",
    409: "Conflict met de huidige toestand (stap niet toegestaan, verouderde versie)",
    415: "Stuur JSON (Content-Type: application/json)",
    422: "Invoer onjuist; per veld in errors",
}


_problems = problem_documenter(blp, PvProblemSchema, _PROBLEMS)


def _trajectory(pv_id: int) -> PvTrajectory:
    return get_or_404(PvTrajectory, pv_id, current_user, Action.VIEW_CASE)


def _require_edit(trajectory_or_case: Any) -> None:
    case = getattr(trajectory_or_case, "case", trajectory_or_case)
    require(current_user, Action.EDIT_CASE, case)


@blp.route("/praktijkverklaringen")
class TrajectoryCollection(MethodView):
    @blp.arguments(PvTrajectoryListArgsSchema, location="query")
    @blp.response(200, PvTrajectoryListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Praktijkverklaringen on cases in your regions, filtered and paged (newest first)."""
        require(current_user, Action.VIEW_CASE)
        query = service.trajectory_query(
            current_user, status=args.get("status"), region_code=args.get("region"),
            case_id=args.get("case_id"))
        items, total = page(query, args)
        return {"items": items, "total": total, "page": args["page"]}

    @blp.arguments(PvTrajectoryCreateSchema)
    @blp.response(201, PvTrajectorySchema)
    @_problems(401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Request a praktijkverklaring on a case (status ``aangevraagd``).

        ``school_brin`` and ``crebo`` name the school and the kwalificatie; ``employer_id``
        (optional until the praktijkovereenkomst) must be an employer with an SBB recognition
        number; ``work_processes`` lists the chosen codes. A second open praktijkverklaring on
        the same case gives 409 ``open_trajectory_exists``.
        """
        require(current_user, Action.EDIT_CASE)
        case = db.session.get(Case, data["case_id"])
        if case is None or not can(current_user, Action.VIEW_CASE, case):
            raise DomainError("Dit traject bestaat niet of ligt buiten uw regio's.",
                              field="case_id")
        school = service.school_by_brin(_brin(data["school_brin"]))
        if school is None or not school.active:
            raise DomainError("Onbekende of inactieve mbo-school.", field="school_brin")
        qualification = service.qualification_by_crebo(service.normalise_crebo(data["crebo"]))
        if qualification is None or not qualification.active:
            raise DomainError("Onbekende of inactieve kwalificatie.", field="crebo")
        trajectory = service.create(
            current_user, case, school_id=school.id, qualification_id=qualification.id,
            employer_id=data["employer_id"], praktijkopleider=data["praktijkopleider"],
            planned_start=data["planned_start"], planned_end=data["planned_end"],
            work_process_ids=_work_process_ids(qualification, data["work_processes"]))
        db.session.flush()
        body = PvTrajectorySchema().dump(trajectory)
        return respond(body, 201, {"Location": url_for("api_praktijkverklaring.TrajectoryItem",
                                                        pv_id=body["id"])})


def _work_process_ids(qualification: Any, codes: list[str]) -> list[int]:
    """The ids of the kwalificatie's active werkprocessen with these codes (422 for others)."""
    definitions = {wp.code: wp.id for wp in qualification.active_work_processes}
    normalised = []
    for code in codes:
        try:
            normalised.append(service.normalise_work_process_code(code))
        except DomainError:
            raise DomainError(f"Ongeldige werkprocescode: {code[:20]!r}.",
                              field="work_processes") from None
    unknown = [c for c in normalised if c not in definitions]
    if unknown:
        raise DomainError(f"Onbekend werkproces voor crebo {qualification.crebo}: "
                          f"{', '.join(unknown[:5])}.", field="work_processes")
    return [definitions[c] for c in normalised]


def _brin(value: str) -> str:
    try:
        return service.normalise_brin(value)
    except DomainError as exc:
        raise DomainError(exc.message, field="school_brin") from None


@blp.route("/praktijkverklaringen/<id:pv_id>")
class TrajectoryItem(MethodView):
    @blp.response(200, PvTrajectorySchema)
    @_problems(401, 404)
    def get(self, pv_id: int):
        """One praktijkverklaring with its werkprocessen and steps (the read is audited)."""
        trajectory = _trajectory(pv_id)
        service.audit_view(trajectory, "bekeken via de API")
        return respond(PvTrajectorySchema().dump(trajectory))

    @blp.arguments(PvTrajectoryUpdateSchema)
    @blp.response(200, PvTrajectorySchema)
    @_problems(401, 403, 404, 409, 415, 422)
    def patch(self, data: dict[str, Any], pv_id: int):
        """Change the details or the chosen werkprocessen; only the fields sent change.

        School, kwalificatie, leerbedrijf, praktijkopleider and planned dates may change until
        the praktijkovereenkomst is signed (then 409 ``details_locked``); the kwalificatie and
        ``work_processes`` only while ``aangevraagd``. A stale ``version`` gives 409.
        """
        trajectory = _trajectory(pv_id)
        _require_edit(trajectory)
        version = data.pop("version")
        details: dict[str, Any] = {key: data[key] for key in (
            "employer_id", "praktijkopleider", "planned_start", "planned_end") if key in data}
        if "school_brin" in data:
            school = service.school_by_brin(_brin(data["school_brin"]))
            if school is None:
                raise DomainError("Onbekende mbo-school.", field="school_brin")
            details["school_id"] = school.id
        if "crebo" in data:
            qualification = service.qualification_by_crebo(
                service.normalise_crebo(data["crebo"]))
            if qualification is None:
                raise DomainError("Onbekende kwalificatie.", field="crebo")
            details["qualification_id"] = qualification.id
        if details:
            service.update_details(current_user, trajectory, details, version)
        if "work_processes" in data:
            service.choose_work_processes(
                current_user, trajectory,
                _work_process_ids(trajectory.qualification, data["work_processes"]),
                None if details else version)
        elif not details:
            raise DomainError("Stuur minstens één veld om te wijzigen naast version.",
                              code="nothing_to_change")
        db.session.flush()
        return respond(PvTrajectorySchema().dump(trajectory))


@blp.route("/praktijkverklaringen/<id:pv_id>/transitions")
class TrajectoryTransitions(MethodView):
    @blp.arguments(PvTransitionSchema)
    @blp.response(200, PvTrajectorySchema)
    @_problems(401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], pv_id: int):
        """Move to the next status (or ``afgebroken``, with a ``reason``).

        ``uitgereikt`` assigns the register number ``PV-<region>-<year>-<seq>``. A step the
        lifecycle does not allow from the current status, or a stale ``version``, gives 409;
        an unmet guard (e.g. not every werkproces assessed) gives 422.
        """
        trajectory = _trajectory(pv_id)
        _require_edit(trajectory)
        service.transition(current_user, trajectory, data["to"],
                           expected_version=data["version"], reason=data["reason"])
        db.session.flush()
        return respond(PvTrajectorySchema().dump(trajectory))


@blp.route("/praktijkverklaringen/<id:pv_id>/assessments")
class TrajectoryAssessments(MethodView):
    @blp.arguments(PvAssessmentSchema)
    @blp.response(200, PvTrajectorySchema)
    @_problems(401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], pv_id: int):
        """Record the assessment of one chosen werkproces (while ``in_leren``)."""
        trajectory = _trajectory(pv_id)
        _require_edit(trajectory)
        work_process = service.work_process_by_code(trajectory, data["work_process"])
        if work_process is None:
            raise DomainError("Dit werkproces is niet gekozen voor deze praktijkverklaring.",
                              field="work_process")
        service.assess(current_user, trajectory, work_process, result=data["result"],
                       assessed_on=data["assessed_on"], assessor_name=data["assessor_name"],
                       expected_version=data["version"])
        db.session.flush()
        return respond(PvTrajectorySchema().dump(trajectory))
