"""``/api/v1/stats/pipeline``: the figures of the statistics pages as JSON.

``scope=own`` (default) gives the figures of the pages' own scope (a coordinator's regions, a
coach's own caseload); ``scope=comparison`` the four regions side by side with the same
suppression as the comparison page. The tables are the same objects the pages render.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from rmt import clock
from rmt.access import Action, allowed_regions, can
from rmt.api.auth import authenticate_bearer
from rmt.api.common import require_json_body
from rmt.api.schemas import MAX_ID, BaseSchema
from rmt.auth.models import Role
from rmt.cases.models import ReferralPartner, TargetGroup
from rmt.errors_domain import Forbidden
from rmt.stats import monitor, service
from rmt.stats.forms import MAX_PERIOD_DAYS
from rmt.stats.scope import REGION_CODES, Dimension, Period
from rmt.stats.tables import Table, comparison, page_tables

blp = Blueprint("api_stats", __name__, description="Pijplijnstatistiek")
blp.before_request(authenticate_bearer)
blp.before_request(require_json_body)

BREAKDOWNS = {"region": Dimension.REGION, "target_group": Dimension.TARGET_GROUP,
              "referral_partner": Dimension.REFERRAL_PARTNER, "coach": Dimension.COACH}
UNITS = {"count": "count", "percent": "percent", "days": "days", "money": "euro_cents",
         "month": "month", "date": "date", "text": "text"}


def _one_of(choices: list[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="Kies een van: {choices}.")


class PipelineArgsSchema(BaseSchema):
    from_ = fields.Date(data_key="from", metadata={"description": "Begin (default: 12 months)"})
    to = fields.Date(metadata={"description": "End, inclusive (default: today)"})
    on = fields.Date(metadata={"description": "Reference date of the stock (default: end)"})
    scope = fields.String(load_default="own", validate=_one_of(["own", "comparison"]))
    region = fields.String(validate=_one_of(list(REGION_CODES)))
    target_group = fields.String(validate=_one_of([m.value for m in TargetGroup]))
    referral_partner = fields.String(validate=_one_of([m.value for m in ReferralPartner]))
    coach = fields.Integer(validate=validate.Range(
        min=1, max=MAX_ID, error="Geef een geldig id (een positief geheel getal)."))
    breakdown = fields.String(load_default="region", validate=_one_of(list(BREAKDOWNS)))

    @validates_schema
    def check_period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("from_"), data.get("to")
        if start and end and end < start:
            raise ValidationError("De einddatum ligt voor de begindatum.", "to")
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError("Kies een periode van hoogstens vijf jaar.", "to")


class CellSchema(Schema):
    value = fields.Raw(allow_none=True, metadata={"description": "null when hidden"})
    display = fields.String()
    hidden = fields.String(allow_none=True, metadata={
        "description": "null, 'klein' (<5), 'aanvullend' or 'verborgen'"})


class PipelineSchema(Schema):
    period = fields.Dict()
    scope = fields.String()
    regions = fields.List(fields.String())
    breakdown = fields.String()
    suppressed = fields.Boolean()
    tables = fields.List(fields.Dict())


def _period(args: dict[str, Any]) -> Period:
    default = Period.default()
    start = args.get("from_") or default.start
    end = args.get("to") or max(default.end, start)
    if (end - start).days > MAX_PERIOD_DAYS:
        abort(422, message="Kies een periode van hoogstens vijf jaar.")
    return Period(start, end, args.get("on") or min(end, clock.today()))


def _value(cell: Any) -> Any:
    value = cell.public_value
    return value.isoformat() if isinstance(value, date) else value


def table_json(table: Table) -> dict[str, Any]:
    return {
        "key": table.key, "title": table.title, "description": table.description,
        "row_header": table.row_header,
        "columns": [{"key": c.key, "label": c.label, "unit": UNITS.get(c.kind, c.kind)}
                    for c in table.columns],
        "rows": [{"key": row.key, "label": row.label, "total": row.total,
                  "cells": {column.key: {"value": _value(cell), "display": cell.display,
                                         "hidden": cell.status or None}
                            for column, cell in zip(table.columns, row.cells, strict=True)}}
                 for row in table.rows],
    }


@blp.route("/stats/pipeline")
@blp.arguments(PipelineArgsSchema, location="query")
@blp.response(200, PipelineSchema)
def pipeline(args: dict[str, Any]):
    """The pipeline figures: own scope (exact) or the comparison of the four regions
    (small-cell and complementary suppression, as on the comparison page)."""
    period = _period(args)
    meta = {"from": period.start.isoformat(), "to": period.end.isoformat(),
            "on": period.on.isoformat()}
    if args["scope"] == "comparison":
        if not can(current_user, Action.COMPARE_REGIONS):
            raise Forbidden("Alleen regiocoördinatoren vergelijken regio's.")
        result = comparison(period, tuple(sorted(allowed_regions(current_user,
                                                                 Action.VIEW_STATS))))
        return {"period": meta, "scope": "comparison", "regions": list(REGION_CODES),
                "breakdown": "region", "suppressed": True,
                "tables": [table_json(t) for t in result.tables.values()]}
    if not can(current_user, Action.VIEW_STATS):
        raise Forbidden("Uw rol geeft geen toegang tot de cijfers.")
    coach = args.get("coach") if current_user.role != Role.COACH else None
    scope = service.scope_for(current_user, [args["region"]] if args.get("region") else None,
                              coach_id=coach, target_group=args.get("target_group"),
                              referral_partner=args.get("referral_partner"))
    breakdown = BREAKDOWNS[args["breakdown"]]
    figures = service.pipeline(scope, period, breakdown)
    return {"period": meta, "scope": "own", "regions": list(scope.regions),
            "breakdown": args["breakdown"], "suppressed": False,
            "tables": [table_json(t) for t in page_tables(figures).values()]}


class MonitorArgsSchema(BaseSchema):
    quarter = fields.String(metadata={"description": "Quarter as 2026-Q3 (default: the current "
                                                     "quarter, Europe/Amsterdam)"})
    region = fields.String(metadata={"description": "A region code (MU, AM, GV, FV) or "
                                                    "'provincie' (default: the province when "
                                                    "allowed, else your first region)"})


class MonitorSchema(Schema):
    quarter = fields.String()
    period = fields.Dict()
    region = fields.String()
    regions = fields.List(fields.String())
    suppressed = fields.Boolean()
    tables = fields.List(fields.Dict())


@blp.route("/stats/monitor")
@blp.arguments(MonitorArgsSchema, location="query")
@blp.response(200, MonitorSchema)
def monitor_report(args: dict[str, Any]):
    """The quarterly monitor of one region or of the province, in the funders' terms, with
    small-cell and complementary suppression (definitions: docs/statistics.md). Another
    region's monitor is a 404; the province needs the role that compares regions."""
    quarter = (monitor.Quarter.parse(args["quarter"]) if args.get("quarter")
               else monitor.Quarter.current())
    scope = monitor.monitor_scope(current_user, args.get("region"))
    result = monitor.build(quarter, scope)
    return {"quarter": str(quarter),
            "period": {"from": quarter.start.isoformat(), "to": quarter.end.isoformat()},
            "region": scope.key, "regions": list(scope.regions), "suppressed": True,
            "tables": [table_json(t) for t in result.tables.values()]}
