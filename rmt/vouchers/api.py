"""``/api/v1/budgets``, ``/api/v1/vouchers`` and ``/api/v1/training-providers``.

The API parses and answers; every rule lives in :mod:`rmt.vouchers.service`. Another region's
budget or voucher is 404 (through :mod:`rmt.access`); a broken rule is 409 with a message naming
the rule and a ``code``; wrong input is 422 with per-field ``errors``. Every read of a voucher is
audited, every change is audited in the service. The unit of work commits once after each
request; a refusal (``DomainError``) becomes problem+json in :mod:`rmt.errors` and rolls back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from rmt import clock, transaction
from rmt.access import Action, can, require
from rmt.api.auth import authenticate_bearer
from rmt.api.common import page, problem_documenter, require_json_body, respond
from rmt.cases.models import Case
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.vouchers import service
from rmt.vouchers.models import Budget, TrainingProvider, Voucher
from rmt.vouchers.schemas import (
    BudgetCreateSchema,
    BudgetListArgsSchema,
    BudgetListSchema,
    BudgetSchema,
    TrainingProviderListSchema,
    VoucherCreateSchema,
    VoucherDecisionSchema,
    VoucherListArgsSchema,
    VoucherListSchema,
    VoucherPageArgsSchema,
    VoucherProblemSchema,
    VoucherSchema,
    VoucherTransitionSchema,
)

blp = Blueprint("api_vouchers", __name__, description="Budgetten en scholingsvouchers")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

#: Service field names that the API spells differently (used by :mod:`rmt.errors`).
blp.field_aliases = {"amount": "amount_cents", "max_per_voucher": "max_per_voucher_cents",
                     "region_code": "region"}


_PROBLEMS = {
    401: "Geen of ongeldig token",
    403: "Uw rol staat dit niet toe",
    404: "Bestaat niet of ligt buiten uw regio's",
    409: "Een regel staat dit niet toe (code en detail noemen de regel)",
    415: "Stuur JSON (Content-Type: application/json)",
    422: "Invoer onjuist; per veld in errors",
}


_problems = problem_documenter(blp, VoucherProblemSchema, _PROBLEMS)


def _budget_body(budget: Budget, figures: service.Figures) -> dict[str, Any]:
    today = clock.today()
    return BudgetSchema().dump({
        "id": budget.id, "region_code": budget.region_code,
        "funding_source": budget.funding_source, "year": budget.year,
        "amount_cents": budget.amount_cents,
        "max_per_voucher_cents": budget.max_per_voucher_cents,
        "committed_cents": figures.committed, "paid_cents": figures.paid,
        "remaining_cents": figures.remaining, "requested_cents": figures.requested,
        "open_for_requests": budget.year == today.year and budget.funding_source.active,
    })


# --- budgets ---------------------------------------------------------------------------------


@blp.route("/budgets")
class BudgetCollection(MethodView):
    @blp.arguments(BudgetListArgsSchema, location="query")
    @blp.response(200, BudgetListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Budgets of your regions (all regions for the functioneel beheerder), with amount,
        committed, paid and remaining in euro cents. Newest year first."""
        service.require_budget_reader(current_user)
        query = service.budget_query(current_user)
        if "year" in args:
            query = query.where(Budget.year == args["year"])
        if "region" in args:
            query = query.where(Budget.region_code == args["region"])
        items, total = page(query, args)
        figures = service.figures_for(items)
        return respond({"items": [_budget_body(b, figures[b.id]) for b in items],
                         "total": total, "page": args["page"]})

    @blp.arguments(BudgetCreateSchema)
    @blp.response(201, BudgetSchema)
    @_problems(401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Create a budget: a coordinator for their own region, the functioneel beheerder for
        any region. One budget per region, funding source and year (422 ``budget_exists``);
        the maximum per voucher may not exceed the amount."""
        service.require_budget_manager(current_user)
        try:
            with transaction.attempt():
                budget = service.create_budget(
                    current_user, region_code=data["region"],
                    funding_source_id=data["funding_source_id"], year=data["year"],
                    amount_cents=data["amount_cents"],
                    max_per_voucher_cents=data["max_per_voucher_cents"])
        except sa.exc.IntegrityError:
            # The same budget created at the same moment by someone else.
            raise Conflict("Regel één budget per regio, financier en jaar: dit budget is "
                           "zojuist door iemand anders aangemaakt. Er is niets opgeslagen.",
                           code="budget_exists") from None
        body = _budget_body(budget, service.budget_figures(budget))
        return respond(body, 201, {
            "Location": url_for("api_vouchers.BudgetItem", budget_id=body["id"])})


@blp.route("/budgets/<id:budget_id>")
class BudgetItem(MethodView):
    @blp.response(200, BudgetSchema)
    @_problems(401, 403, 404)
    def get(self, budget_id: int):
        """One budget with its figures; another region's budget is 404."""
        service.require_budget_reader(current_user)
        budget = service.load_budget(budget_id, current_user)
        return respond(_budget_body(budget, service.budget_figures(budget)))


# --- training providers ----------------------------------------------------------------------


@blp.route("/training-providers")
class ProviderCollection(MethodView):
    @blp.arguments(VoucherPageArgsSchema, location="query")
    @blp.response(200, TrainingProviderListSchema)
    @_problems(401, 422)
    def get(self, args: dict[str, Any]):
        """Active training providers (opleiders), for ``provider_id`` of a new voucher."""
        query = sa.select(TrainingProvider).where(TrainingProvider.active).order_by(
            TrainingProvider.name, TrainingProvider.id)
        items, total = page(query, args)
        return {"items": items, "total": total, "page": args["page"]}


# --- vouchers --------------------------------------------------------------------------------


@blp.route("/vouchers")
class VoucherCollection(MethodView):
    @blp.arguments(VoucherListArgsSchema, location="query")
    @blp.response(200, VoucherListSchema)
    @_problems(401, 403, 422)
    def get(self, args: dict[str, Any]):
        """Vouchers in your regions, newest request first; filter on status, case or budget."""
        require(current_user, Action.VIEW_VOUCHER)
        query = service.voucher_query(current_user, status=args.get("status"),
                                      case_id=args.get("case_id"),
                                      budget_id=args.get("budget_id"))
        items, total = page(query.options(selectinload(Voucher.events),
                                          selectinload(Voucher.budget),
                                          selectinload(Voucher.parts)), args)
        return {"items": items, "total": total, "page": args["page"]}

    @blp.arguments(VoucherCreateSchema)
    @blp.response(201, VoucherSchema)
    @_problems(401, 403, 409, 415, 422)
    def post(self, data: dict[str, Any]):
        """Request a voucher for an open case (coach of the case's region).

        The budget must belong to the case's region and to the current year; the amount may
        not exceed the budget's maximum per voucher. A closed case gives 409 ``case_closed``.
        """
        require(current_user, Action.REQUEST_VOUCHER)
        case = db.session.get(Case, data["case_id"])
        if case is None or not can(current_user, Action.VIEW_CASE, case):
            # An unknown case and another region's case get the same answer.
            raise DomainError("Dit traject bestaat niet of ligt buiten uw regio's.",
                              field="case_id", code="unknown_case")
        voucher = service.request_voucher(
            current_user, case, budget_id=data["budget_id"], provider_id=data["provider_id"],
            course_name=data["course_name"], start_on=data["start_on"],
            end_on=data["end_on"], amount_cents=data["amount_cents"],
            motivation=data["motivation"], co_funding=data["co_funding"])
        body = VoucherSchema().dump(voucher)
        return respond(body, 201, {
            "Location": url_for("api_vouchers.VoucherItem", voucher_id=body["id"])})


@blp.route("/vouchers/<id:voucher_id>")
class VoucherItem(MethodView):
    @blp.response(200, VoucherSchema)
    @_problems(401, 403, 404)
    def get(self, voucher_id: int):
        """One voucher with its history; another region's voucher is 404. The read is audited."""
        voucher = service.load_voucher(voucher_id, current_user)
        service.audit_view(current_user, voucher)
        return respond(VoucherSchema().dump(voucher))


def _advance(voucher_id: int, to: str, **kwargs: Any) -> Response:
    voucher = service.load_voucher(voucher_id, current_user)
    service.advance(current_user, voucher, to, **kwargs)
    return respond(VoucherSchema().dump(voucher))


@blp.route("/vouchers/<id:voucher_id>/decision")
class VoucherDecision(MethodView):
    @blp.arguments(VoucherDecisionSchema)
    @blp.response(200, VoucherSchema)
    @_problems(401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], voucher_id: int):
        """Grant (``toegekend``) or refuse (``afgewezen``) a request.

        Only a coordinator of the voucher's region who did not request it (four eyes: 409
        ``four_eyes``). Granting may not exceed the budget's remaining amount (409
        ``exceeds_remaining_budget``) or its maximum per voucher (409
        ``exceeds_max_per_voucher``); refusing needs a ``note``.
        """
        return _advance(voucher_id, data["decision"], note=data["note"])


@blp.route("/vouchers/<id:voucher_id>/transitions")
class VoucherTransitions(MethodView):
    @blp.arguments(VoucherTransitionSchema)
    @blp.response(200, VoucherSchema)
    @_problems(401, 403, 404, 409, 415, 422)
    def post(self, data: dict[str, Any], voucher_id: int):
        """Move a voucher along its lifecycle:
        aangevraagd → toegekend | afgewezen; toegekend → gestart | ingetrokken;
        gestart → afgerond | afgebroken; afgerond | afgebroken → gedeclareerd → betaald.

        A move the lifecycle does not allow is 409 ``not_allowed`` listing the ``allowed``
        statuses. ``gedeclareerd`` needs ``invoice_number``; afwijzen, intrekken and afbreken
        need a ``note``.
        """
        return _advance(voucher_id, data["to"], note=data["note"],
                        invoice_number=data["invoice_number"],
                        declared_amount_cents=data["declared_amount_cents"])

