"""The statistics page (own regions, or a coach's own caseload) and the region comparison.

Both are read-only GET pages; every table on them downloads as CSV and XLSX with the same
query string.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from rmt import exports
from rmt.access import Action, allowed_regions, role_required
from rmt.auth.models import RegionMembership, Role, User
from rmt.extensions import db
from rmt.stats import charts, export, monitor, service
from rmt.stats.forms import FIRST_MONITOR_YEAR, MonitorForm, PeriodForm, StatsForm
from rmt.stats.scope import REGION_CODES, Dimension, Period, Scope
from rmt.stats.service import PipelineFigures, region_names
from rmt.stats.summary import FUNNEL_STEPS
from rmt.stats.tables import Table, comparison, format_value, page_tables

bp = Blueprint("stats", __name__, url_prefix="/cijfers")
FORMATS = ("csv", "xlsx")


def _coaches(region_codes: frozenset[str]) -> list[tuple[int, str]]:
    if not region_codes:
        return []
    query = (sa.select(User.id, User.name).where(
        User.role == Role.COACH,
        User.memberships.any(RegionMembership.region_code.in_(sorted(region_codes))))
        .order_by(User.name, User.id))
    return [(i, n) for i, n in db.session.execute(query)]


def _args_kept(form: Any) -> dict[str, str]:
    """The query arguments that were valid (for download links and the form)."""
    return {key: value for key, value in request.args.items()
            if value and key in form._fields and not form._fields[key].errors}


# ---------------------------------------------------------------------------------------------
# The statistics page


def _stats_request() -> tuple[StatsForm, bool, Scope, Period, Dimension]:
    regions = allowed_regions(current_user, Action.VIEW_STATS)
    names = region_names()
    form = StatsForm(formdata=request.args if request.args else None)
    form.set_regions([(c, names.get(c, c)) for c in REGION_CODES if c in regions])
    is_coach = current_user.role == Role.COACH
    form.set_coaches([] if is_coach else _coaches(regions))
    valid = form.validate() if request.args else True
    coach = form.text("coach")
    scope = service.scope_for(
        current_user, [form.text("regio")] if form.text("regio") else None,
        coach_id=int(coach) if coach and not is_coach else None,
        target_group=form.text("doelgroep"), referral_partner=form.text("verwijzer"))
    return form, valid, scope, form.period(), form.dimension()


def _subtitle(period: Period) -> str:
    return (f"{format_value(period.start, 'date')} tot en met {format_value(period.end, 'date')}"
            f"; peildatum {format_value(period.on, 'date')}")


@bp.route("/")
@role_required(Action.VIEW_STATS)
def index():
    form, valid, scope, period, dimension = _stats_request()
    figures = service.pipeline(scope, period, dimension)
    tables = page_tables(figures)
    return render_template(
        "stats/index.html", form=form, figures=figures, tables=tables, period=period,
        subtitle=_subtitle(period), charts=_page_charts(figures, tables),
        args=_args_kept(form), scope=scope,
        region_title=", ".join(region_names().get(c, c) for c in scope.regions),
        own_caseload=scope.own_caseload,
    ), 200 if valid else 400


@bp.route("/tabel/<key>.<any(csv, xlsx):fmt>")
@role_required(Action.VIEW_STATS)
def download(key: str, fmt: str):
    _form, _valid, scope, period, dimension = _stats_request()
    figures = service.pipeline(scope, period, dimension)
    table = page_tables(figures).get(key) or abort(404)
    return _file(table, fmt, f"cijfers-{key}-{period.start}-{period.end}", _subtitle(period))


def _file(table: Table, fmt: str, name: str, subtitle: str) -> Response:
    if fmt == "csv":
        return exports.csv_response(export.to_csv(table), f"{name}.csv")
    response = Response(export.to_xlsx(table, subtitle), mimetype=export.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _page_charts(figures: PipelineFigures, tables: dict[str, Table]) -> dict[str, Markup]:
    funnel = tables["funnel"]
    bars = [charts.Group(row.label, [charts.Bar(
        "", row.cells[0].value, f"{row.cells[0].display} ({row.cells[1].display})"
        if row.cells[1].value is not None else row.cells[0].display)])
        for row in funnel.rows]
    trend = figures.trend
    return {
        "funnel": charts.horizontal_bars(
            "grafiek-trechter", "Trechter: aantal uit de instroom dat elke stap bereikte",
            bars),
        "trend": charts.monthly_columns(
            "grafiek-trend", "Instroom en uitstroom per maand",
            [format_value(m, "month") for m, _, _ in trend],
            [("Instroom", [i for _, i, _ in trend]), ("Uitstroom", [o for _, _, o in trend])]),
    }


# ---------------------------------------------------------------------------------------------
# The region comparison


def _compare_request() -> tuple[PeriodForm, bool, Period]:
    form = PeriodForm(formdata=request.args if request.args else None)
    valid = form.validate() if request.args else True
    return form, valid, form.period()


def _known_regions() -> tuple[str, ...]:
    return tuple(sorted(allowed_regions(current_user, Action.VIEW_STATS)))


@bp.route("/regios")
@role_required(Action.COMPARE_REGIONS)
def compare():
    form, valid, period = _compare_request()
    result = comparison(period, _known_regions())
    return render_template(
        "stats/compare.html", form=form, tables=result.tables, period=period,
        subtitle=_subtitle(period), charts=_comparison_charts(result.tables),
        args=_args_kept(form),
    ), 200 if valid else 400


@bp.route("/regios/tabel/<key>.<any(csv, xlsx):fmt>")
@role_required(Action.COMPARE_REGIONS)
def compare_download(key: str, fmt: str):
    _form, _valid, period = _compare_request()
    table = comparison(period, _known_regions()).tables.get(key) or abort(404)
    return _file(table, fmt, f"regios-{key}-{period.start}-{period.end}", _subtitle(period))


def _region_bars(table: Table, rows: list[str] | None = None) -> list[charts.Group]:
    groups = []
    for row in table.rows:
        if rows is not None and row.key not in rows:
            continue
        bars = []
        for column, cell in zip(table.columns, row.cells, strict=False):
            if column.key == "totaal":
                continue
            bars.append(charts.Bar(column.key, None if cell.hidden else cell.value,
                                   "verborgen" if cell.hidden else cell.display))
        groups.append(charts.Group(row.label, bars))
    return groups


def _comparison_charts(tables: dict[str, Table]) -> dict[str, Markup]:
    return {
        "funnel": charts.horizontal_bars(
            "grafiek-trechter-regio", "Trechter per regio: aandeel van de instroom",
            _region_bars(tables["funnel_aandeel"], [s.value for s in FUNNEL_STEPS[1:]]),
            unit_max=100.0),
        "doorlooptijd": charts.horizontal_bars(
            "grafiek-doorlooptijd", "Mediane doorlooptijd per stap per regio (dagen)",
            _region_bars(tables["doorlooptijd"])),
    }


# ---------------------------------------------------------------------------------------------
# The quarterly monitor


def _quarters() -> list[tuple[str, str]]:
    """Every quarter from the first year up to the current one, newest first."""
    current = monitor.Quarter.current()
    result, quarter = [], current
    while quarter.year >= FIRST_MONITOR_YEAR:
        result.append((str(quarter), quarter.label))
        quarter = quarter.previous()
    return result


def _monitor_request() -> tuple[MonitorForm, bool, monitor.Quarter, monitor.MonitorScope]:
    names = region_names()
    regions = [(monitor.PROVINCE, "Provincie Utrecht (vier regio's)")] if (
        monitor.can_see_province(current_user)) else []
    regions += [(code, names.get(code, code)) for code in monitor.monitor_regions(current_user)]
    form = MonitorForm(formdata=request.args if request.args else None)
    form.set_choices(_quarters(), regions)
    valid = form.validate() if request.args else True
    chosen = form.value("kwartaal")
    quarter = monitor.Quarter.parse(chosen) if chosen else monitor.Quarter.current()
    # The region as asked (not as the form's choices allow): another region is a 404.
    scope = monitor.monitor_scope(current_user, request.args.get("regio") or None)
    return form, valid, quarter, scope


def _monitor_charts(result: monitor.Monitor) -> dict[str, Markup]:
    labels = monitor.flow_labels()
    result_charts = {}
    for key, title in (("mobiliteit_doel", "Van sector van herkomst naar doelsector"),
                       ("mobiliteit_plaatsing",
                        "Van sector van herkomst naar sector van plaatsing")):
        table = result.tables[key]
        totals = {row.key: row.cells[-1] for row in table.rows if not row.total}
        total_row = next((row for row in table.rows if row.total), None)
        origins = [charts.Node(k, labels.get(k, k), None if c.hidden else c.value, c.display)
                   for k, c in totals.items()]
        targets = []
        if total_row is not None:
            for column, cell in zip(table.columns[:-1], total_row.cells[:-1], strict=True):
                targets.append(charts.Node(column.key, labels.get(column.key, column.key),
                                           None if cell.hidden else cell.value, cell.display))
        flows = [(o, t, cell.value) for o, t, cell in result.flows[key] if not cell.hidden]
        result_charts[key] = charts.flow_chart(f"grafiek-{key}", title, origins, targets, flows)
    return result_charts


def _monitor_subtitle(result: monitor.Monitor) -> str:
    quarter = result.quarter
    return (f"{quarter.label}: {format_value(quarter.start, 'date')} tot en met "
            f"{format_value(quarter.end, 'date')}")


@bp.route("/monitor")
@login_required
def monitor_page():
    form, valid, quarter, scope = _monitor_request()
    result = monitor.build(quarter, scope)
    args = {"kwartaal": str(quarter), "regio": scope.key}
    return render_template(
        "stats/monitor.html", form=form, result=result, tables=result.tables,
        charts=_monitor_charts(result), subtitle=_monitor_subtitle(result), args=args,
    ), 200 if valid else 400


@bp.route("/monitor/tabel/<key>.<any(csv, xlsx):fmt>")
@login_required
def monitor_download(key: str, fmt: str):
    _form, _valid, quarter, scope = _monitor_request()
    result = monitor.build(quarter, scope)
    table = result.tables.get(key) or abort(404)
    return _file(table, fmt, f"monitor-{scope.key}-{quarter}-{key}", _monitor_subtitle(result))


@bp.route("/monitor/rapport.<any(csv, xlsx):fmt>")
@login_required
def monitor_report(fmt: str):
    _form, _valid, quarter, scope = _monitor_request()
    result = monitor.build(quarter, scope)
    tables = list(result.tables.values())
    if fmt == "csv":
        body, mimetype = export.report_csv(tables), export.CSV_MIMETYPE
    else:
        body, mimetype = export.report_xlsx(tables, _monitor_subtitle(result)), \
            export.XLSX_MIMETYPE
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="monitor-{scope.key}-{quarter}.{fmt}"')
    return response
