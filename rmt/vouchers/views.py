"""HTML pages for scholingsvouchers, budgets and their reference data.

Views parse (forms) and render; every rule is in :mod:`rmt.vouchers.service`. A POST goes
through :func:`rmt.web.handlers.submit`: the service runs in a savepoint, the unit of work commits
once after the view; a refusal leaves nothing behind and shows the form again with the message at
its field (400), or above it for a broken rule (409). Records outside the user's regions are 404
(through :mod:`rmt.access`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.styles import Font

from rmt import audit, clock, exports, pdf
from rmt.access import Action, can, get_or_404, require, role_required
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.vouchers import service
from rmt.vouchers.forms import (
    BudgetAmountsForm,
    BudgetCreateForm,
    FundingSourceForm,
    MoveForm,
    ProviderForm,
    VoucherRequestForm,
    id_choice,
)
from rmt.vouchers.lifecycle import COMMITTED, PAID, VoucherStatus, as_status
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider, Voucher
from rmt.vouchers.money import format_euros
from rmt.web import sections
from rmt.web.handlers import reference_form, submit

bp = Blueprint("vouchers", __name__)


@bp.app_template_filter("euros")
def euros(cents: int | None) -> str:
    """Template filter: 125050 -> '€ 1.250,50'."""
    return format_euros(cents)


def _case_url(case_id: int) -> str:
    return url_for("cases.case_page", case_id=case_id)


def _regions() -> dict[str, str]:
    return dict(db.session.execute(sa.select(Region.code, Region.name).order_by(Region.code)).all())


# ---------------------------------------------------------------------------------------------
# Reference data (functioneel beheer)


@bp.route("/beheer/opleiders")
@role_required(Action.MANAGE_REFERENCE_DATA)
def providers():
    items = db.session.scalars(sa.select(TrainingProvider).order_by(
        TrainingProvider.active.desc(), TrainingProvider.name)).all()
    return render_template("vouchers/providers.html", providers=items)


@bp.route("/beheer/opleiders/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def provider_create():
    return _provider_form(None)


@bp.route("/beheer/opleiders/<id:provider_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def provider_edit(provider_id: int):
    provider = db.session.get(TrainingProvider, provider_id) or abort(404)
    return _provider_form(provider)


def _provider_form(provider: TrainingProvider | None) -> ResponseReturnValue:
    return reference_form(
        ProviderForm, provider, service.save_provider, "vouchers/provider_form.html",
        lambda saved: (f"Opleider {saved.name} is opgeslagen.",
                       url_for("vouchers.provider_edit", provider_id=saved.id)),
        provider=provider)




@bp.route("/beheer/financiers")
@role_required(Action.MANAGE_REFERENCE_DATA)
def funding_sources():
    items = db.session.scalars(sa.select(FundingSource).order_by(
        FundingSource.active.desc(), FundingSource.name)).all()
    return render_template("vouchers/funding_sources.html", sources=items)


@bp.route("/beheer/financiers/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def funding_source_create():
    return _funding_source_form(None)


@bp.route("/beheer/financiers/<id:source_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def funding_source_edit(source_id: int):
    source = db.session.get(FundingSource, source_id) or abort(404)
    return _funding_source_form(source)


def _funding_source_form(source: FundingSource | None) -> ResponseReturnValue:
    return reference_form(
        FundingSourceForm, source, service.save_funding_source, "vouchers/funding_source_form.html",
        lambda saved: (f"Financier {saved.name} is opgeslagen.",
                       url_for("vouchers.funding_sources")),
        source=source)


# ---------------------------------------------------------------------------------------------
# Budgets


@bp.route("/budgetten")
@login_required
def budgets():
    service.require_budget_reader(current_user)
    query = service.budget_query(current_user)
    year = request.args.get("jaar", "")
    if year.isdigit() and len(year) == 4:
        query = query.where(Budget.year == int(year))
    region = request.args.get("regio", "")
    if region in _regions():
        query = query.where(Budget.region_code == region)
    items = db.session.scalars(query).all()
    years = db.session.scalars(sa.select(Budget.year).distinct().order_by(
        Budget.year.desc())).all()
    return render_template(
        "vouchers/budgets.html", budgets=items, figures=service.figures_for(list(items)),
        years=years, regions=_regions(), selected_year=year, selected_region=region,
        can_create=bool(service.manageable_regions(current_user)))


@bp.route("/budgetten/nieuw", methods=["GET", "POST"])
@login_required
def budget_create():
    service.require_budget_manager(current_user)
    regions = service.manageable_regions(current_user)
    names = _regions()
    form = BudgetCreateForm()
    sources = db.session.execute(sa.select(FundingSource.id, FundingSource.name).where(
        FundingSource.active).order_by(FundingSource.name)).all()
    form.set_choices([(code, names[code]) for code in regions], [tuple(s) for s in sources])

    def render(status: int = 200) -> ResponseReturnValue:
        return render_template("vouchers/budget_form.html", form=form, budget=None), status

    if request.method == "GET":
        return render()
    return submit(
        form,
        lambda: service.create_budget(
            current_user, region_code=form.region_code.data,
            funding_source_id=id_choice(form.funding_source_id.data),
            year=id_choice(form.year.data), amount_cents=form.amount.data,
            max_per_voucher_cents=form.max_per_voucher.data),
        on_error=render, success_message="Het budget is aangemaakt.",
        on_success=lambda budget: redirect(url_for("vouchers.budget_detail",
                                                   budget_id=budget.id)))


@bp.route("/budgetten/<id:budget_id>")
@login_required
def budget_detail(budget_id: int):
    service.require_budget_reader(current_user)
    budget = service.load_budget(budget_id, current_user)
    show_vouchers = can(current_user, Action.VIEW_BUDGET, budget)  # the admin: figures only
    if show_vouchers:
        audit.record("budget.view", object_type="budget", object_id=budget.id,
                     region_code=budget.region_code)
    figures = service.budget_figures(budget)
    groups: dict[str, list[Voucher]] | None = None
    if show_vouchers:
        vouchers = db.session.scalars(service.with_list_data(
            service.voucher_query(current_user, budget_id=budget.id))).all()
        groups = {
            "requested": [v for v in vouchers if v.status == VoucherStatus.AANGEVRAAGD],
            "committed": [v for v in vouchers if v.status in COMMITTED],
            "paid": [v for v in vouchers if v.status in PAID],
            "closed": [v for v in vouchers if v.status in (VoucherStatus.AFGEWEZEN,
                                                         VoucherStatus.INGETROKKEN)],
        }
        # Candidate names are shown: one audit entry per page view with the voucher ids.
        audit.record_list_view("voucher.list_view", (v.id for v in vouchers),
                               object_type="budget", region_code=budget.region_code)
    return render_template("vouchers/budget_detail.html", budget=budget, figures=figures,
                           groups=groups, can_manage=service.can_manage_budget(current_user,
                                                                               budget),
                           today=clock.today())


@bp.route("/budgetten/<id:budget_id>/wijzigen", methods=["GET", "POST"])
@login_required
def budget_edit(budget_id: int):
    service.require_budget_reader(current_user)
    budget = service.load_budget(budget_id, current_user)
    service.require_budget_manager(current_user, budget)
    form = BudgetAmountsForm()
    if request.method == "GET":
        _fill_budget_form(form, budget)
    ident = budget.id

    def render(status: int = 200) -> ResponseReturnValue:
        shown = form
        if form.stale:
            shown = BudgetAmountsForm(formdata=None)  # the newest figures
            _fill_budget_form(shown, budget)
            shown.form_errors.extend(form.form_errors)
        return render_template("vouchers/budget_form.html", form=shown, budget=budget,
                               figures=service.budget_figures(budget)), status

    if request.method == "GET":
        return render()
    return submit(
        form,
        lambda: service.update_budget(current_user, budget, amount_cents=form.amount.data,
                                      max_per_voucher_cents=form.max_per_voucher.data,
                                      expected_version=form.expected_version()),
        on_error=render, success_message="Het budget is gewijzigd.",
        on_success=lambda _budget: redirect(url_for("vouchers.budget_detail", budget_id=ident)))


def _fill_budget_form(form: BudgetAmountsForm, budget: Budget) -> None:
    form.amount.data = budget.amount_cents
    form.max_per_voucher.data = budget.max_per_voucher_cents
    form.version.data = str(budget.version)


EXPORT_HEADERS = ("Voucher", "Traject", "Regio", "Financier", "Budgetjaar", "Opleider",
                  "KvK-nummer opleider", "Opleiding", "Startdatum", "Einddatum", "Bedrag (€)",
                  "Status", "Telt mee als vastgelegd", "Vastgelegd (€)", "Aangevraagd op",
                  "Besloten op", "Factuurnummer", "Gedeclareerd (€)", "Betaald op")


def _export_rows(budget: Budget) -> list[list[Any]]:
    vouchers = db.session.scalars(service.with_list_data(
        service.voucher_query(current_user, budget_id=budget.id)).order_by(None).order_by(
        Voucher.id)).all()
    rows = []
    for v in vouchers:
        rows.append([
            v.id, v.case_id, v.region_code, budget.funding_source.name, budget.year,
            v.provider.name, v.provider.kvk_number, v.course_name, v.start_on, v.end_on,
            exports.euros(v.amount_cents), v.status.label,
            "ja" if v.status in COMMITTED else "nee", exports.euros(v.committed_on(budget.id)),
            clock.local_date(v.requested_at),
            clock.local_date(v.decided_at) if v.decided_at else None,
            v.invoice_number or None,
            exports.euros(v.declared_amount_cents) if v.declared_amount_cents else None,
            clock.local_date(v.paid_at) if v.paid_at else None,
        ])
    return rows


def _export_budget(budget_id: int) -> tuple[Budget, list[list[Any]], str]:
    budget = service.load_budget(budget_id, current_user)
    require(current_user, Action.VIEW_BUDGET, budget)
    rows = _export_rows(budget)
    audit.record("budget.export", object_type="budget", object_id=budget.id,
                 region_code=budget.region_code, summary=f"{len(rows)} vouchers")
    name = f"vouchers-{budget.region_code}-{budget.year}-budget-{budget.id}"
    return budget, rows, name


@bp.route("/budgetten/<id:budget_id>/vouchers.csv")
@login_required
def budget_export_csv(budget_id: int):
    _budget, rows, name = _export_budget(budget_id)
    return exports.csv_response([EXPORT_HEADERS, *rows], f"{name}.csv")


@bp.route("/budgetten/<id:budget_id>/vouchers.xlsx")
@login_required
def budget_export_xlsx(budget_id: int):
    budget, rows, name = _export_budget(budget_id)
    figures = service.budget_figures(budget)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Vouchers"
    exports.append_row(sheet, EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        exports.append_row(sheet, row)
    money_columns = {i for i, h in enumerate(EXPORT_HEADERS) if "(€)" in h}
    for row_cells in sheet.iter_rows(min_row=2):
        for index, cell in enumerate(row_cells):
            if index in money_columns:
                cell.number_format = "€ #,##0.00"
            elif isinstance(cell.value, date):
                cell.number_format = "DD-MM-YYYY"
    for index, header in enumerate(EXPORT_HEADERS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            12, len(header) + 2)
    sheet.freeze_panes = "A2"
    summary = workbook.create_sheet("Budget")
    for label, value in (("Budget", budget.title), ("Regio", budget.region.name),
                         ("Financier", budget.funding_source.name), ("Jaar", budget.year),
                         ("Bedrag (€)", figures.amount), ("Vastgelegd (€)", figures.committed),
                         ("Betaald (€)", figures.paid), ("Resterend (€)", figures.remaining),
                         ("Wacht op besluit (€)", figures.requested)):
        is_money = "(€)" in label
        row_number = exports.append_row(summary, [label, Decimal(value) / 100 if is_money
                                                  else value])
        if is_money:
            summary.cell(row=row_number, column=2).number_format = "€ #,##0.00"
        summary.cell(row=row_number, column=1).font = Font(bold=True)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 32
    return exports.xlsx_response(workbook, f"{name}.xlsx")


# ---------------------------------------------------------------------------------------------
# Vouchers


@bp.route("/vouchers/te-beoordelen")
@role_required(Action.DECIDE_VOUCHER)
def inbox():
    vouchers = db.session.scalars(service.with_list_data(service.inbox_query(current_user))).all()
    stale = db.session.scalars(
        service.with_list_data(service.stale_requests_query(current_user))).all()
    budgets = {v.budget_id: v.budget for v in vouchers}
    audit.record_list_view("voucher.list_view", (v.id for v in [*vouchers, *stale]),
                           object_type="voucher")
    today = clock.today()
    return render_template("vouchers/inbox.html", vouchers=vouchers, stale=stale, today=today,
                           started=sum(service.course_started(v, today) for v in vouchers),
                           figures=service.figures_for(list(budgets.values())))


@bp.route("/vouchers/mijn")
@role_required(Action.REQUEST_VOUCHER)
def mine():
    status = request.args.get("status", "")
    query = service.voucher_query(current_user, coach_id=current_user.id,
                                  status=status if as_status(status) else None)
    vouchers = db.session.scalars(service.with_list_data(query)).all()
    audit.record_list_view("voucher.list_view", (v.id for v in vouchers), object_type="voucher")
    return render_template("vouchers/mine.html", vouchers=vouchers,
                           statuses=VoucherStatus.choices(),
                           selected_status=status if as_status(status) else "")


@bp.route("/trajecten/<id:case_id>/vouchers/nieuw", methods=["GET", "POST"])
@login_required
def request_voucher(case_id: int):
    case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
    require(current_user, Action.REQUEST_VOUCHER, case)
    form = VoucherRequestForm()
    budgets = service.requestable_budgets(case)
    figures = service.figures_for(budgets)
    form.set_choices(
        [(b.id, f"{b.funding_source.name} {b.year}: nog {euros(figures[b.id].remaining)} vrij, "
                f"hoogstens {euros(b.max_per_voucher_cents)} per voucher") for b in budgets],
        [(p.id, p.name) for p in service.active_providers()])

    def render(status: int = 200) -> ResponseReturnValue:
        return render_template("vouchers/request.html", form=form, case=case,
                               case_url=_case_url(case.id), has_budgets=bool(budgets)), status

    if request.method == "GET":
        return render()
    return submit(
        form,
        lambda: service.request_voucher(
            current_user, case, budget_id=id_choice(form.budget_id.data),
            provider_id=id_choice(form.provider_id.data), course_name=form.course_name.data,
            start_on=form.start_on.data, end_on=form.end_on.data,
            amount_cents=form.amount.data, motivation=form.motivation.data,
            co_funding=form.co_funding()),
        on_error=render,
        success_message=lambda voucher: (f"Voucher {voucher.id} is aangevraagd. Een "
                                         "regiocoördinator van de regio beslist erover."),
        on_success=lambda voucher: redirect(url_for("vouchers.detail", voucher_id=voucher.id)))


@bp.route("/vouchers/<id:voucher_id>")
@login_required
def detail(voucher_id: int):
    voucher = service.load_voucher(voucher_id, current_user)
    service.audit_view(current_user, voucher)
    return _render_detail(voucher)


def _render_detail(voucher: Voucher, posted: tuple[str, MoveForm] | None = None,
                   status: int = 200) -> ResponseReturnValue:
    moves = service.available_moves(current_user, voucher)
    forms = {move.target.value: MoveForm(prefix=move.target.value, formdata=None)
             for move in moves}
    if posted is not None:
        forms[posted[0]] = posted[1]
    for move in moves:
        if move.needs_note:
            forms[move.target.value].note.flags.required = True
        if move.needs_invoice:
            forms[move.target.value].invoice_number.flags.required = True
    four_eyes = (can(current_user, Action.DECIDE_VOUCHER, voucher)
                 and voucher.status == VoucherStatus.AANGEVRAAGD
                 and voucher.requested_by_id == current_user.id)
    return render_template("vouchers/detail.html", voucher=voucher, moves=moves, forms=forms,
                           case_url=_case_url(voucher.case_id),
                           figures=service.budget_figures(voucher.budget),
                           part_figures=service.figures_for(
                               [budget for budget, _, _ in voucher.funding()]),
                           four_eyes=four_eyes, posted=posted[0] if posted else None,
                           course_started=(voucher.status == VoucherStatus.AANGEVRAAGD
                                           and service.course_started(voucher)),
                           stale=(voucher.status == VoucherStatus.AANGEVRAAGD
                                  and not service.can_still_be_granted(voucher)),
                           record_sections=sections.load("voucher", current_user, voucher)
                           ), status


@bp.route("/vouchers/<id:voucher_id>/besluit.pdf")
@login_required
def decision_pdf(voucher_id: int):
    """The decision letter to the candidate as an A4 PDF; only once the voucher is decided."""
    voucher = service.load_voucher(voucher_id, current_user)
    if voucher.decided_at is None:
        abort(404)
    service.audit_view(current_user, voucher)
    return pdf.download("vouchers/decision_pdf.html", f"besluit-voucher-{voucher.id}.pdf",
                        voucher=voucher, candidate=voucher.case.candidate,
                        granted=voucher.status != VoucherStatus.AFGEWEZEN,
                        amount=format_euros(voucher.amount_cents),
                        decided_on=clock.local_date(voucher.decided_at))


@bp.route("/vouchers/<id:voucher_id>/naar/<to>", methods=["POST"])
@login_required
def move(voucher_id: int, to: str):
    voucher = service.load_voucher(voucher_id, current_user)
    target = as_status(to)
    if target is None:
        abort(404)
    form = MoveForm(prefix=target.value)
    ident = voucher.id
    return submit(
        form,
        lambda: service.advance(current_user, voucher, target, note=form.note.data or "",
                                invoice_number=form.invoice_number.data or "",
                                declared_amount_cents=form.declared_amount.data),
        on_error=lambda status: _render_detail(voucher, (target.value, form), status),
        success_message=f"Voucher {ident}: {target.label.lower()}.",
        on_success=lambda _voucher: redirect(url_for("vouchers.detail", voucher_id=ident)))
