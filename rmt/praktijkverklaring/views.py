"""HTML pages: the praktijkverklaring on a case, the certificate, the register per region with
CSV/XLSX export, and the reference data (mbo schools, kwalificaties, werkprocessen) for admins.

Views parse and render; the rules live in :mod:`rmt.praktijkverklaring.service`. Each POST goes
through :func:`rmt.web.handlers.submit` (the service in a savepoint; the unit of work commits
once after the view); a refusal leaves nothing behind and shows the form again with the message
at its field (400, or 409 for a conflict or a stale version). Another region's record is 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from flask import (
    Blueprint,
    abort,
    flash,
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
from rmt.errors_domain import Forbidden
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.forms import (
    AssessmentForm,
    PvForm,
    QualificationForm,
    SchoolForm,
    StepForm,
    TrajectoryEditForm,
    TrajectoryForm,
    WorkProcessChoiceForm,
    WorkProcessForm,
)
from rmt.praktijkverklaring.lifecycle import MAIN_LINE, PvStatus, PvTransitionKind, as_status
from rmt.praktijkverklaring.models import (
    MboSchool,
    PvTrajectory,
    PvWorkProcess,
    Qualification,
    QualificationWorkProcess,
)
from rmt.regions.models import Region
from rmt.web import sections
from rmt.web.handlers import submit

bp = Blueprint("praktijkverklaring", __name__)


@bp.app_template_filter("pv_longdate")
def pv_long_date(value: date | None) -> str:
    """A date written out in Dutch, as on a certificate (a Dutch document): '24 november 2026'."""
    return format_date(value, "d MMMM yyyy", locale="nl") if value else ""


# ---------------------------------------------------------------------------------------------
# Helpers


def _trajectory_or_404(pv_id: int) -> PvTrajectory:
    return get_or_404(PvTrajectory, pv_id, current_user, Action.VIEW_CASE)


def _require_edit_role(trajectory: PvTrajectory) -> None:
    """Role-level refusal (403) for a user who may read but not change the case."""
    require(current_user, Action.EDIT_CASE, trajectory.case)


def _not_now(trajectory: PvTrajectory, allowed: frozenset[PvStatus] | set[PvStatus],
             message: str) -> ResponseReturnValue | None:
    """On GET, send the user back to the trajectory page when this page cannot be used now."""
    if request.method == "GET" and (trajectory.status not in allowed
                                    or trajectory.case.is_closed):
        flash(message, "info")
        return redirect(_url(trajectory))
    return None


def _audit_form_read(trajectory: PvTrajectory, form_name: str) -> None:
    """A form page shows the candidate: its GET is a read of the case (audited)."""
    service.audit_view(trajectory, f"formulier {form_name} geopend")


def _url(trajectory: PvTrajectory, anchor: str = "") -> str:
    return (url_for("praktijkverklaring.trajectory", pv_id=trajectory.id)
            + (f"#{anchor}" if anchor else ""))


def _done(message: str) -> str:
    """The flash message of a saved form: what the view's ``apply`` returned."""
    return message


def _setup_details(form: TrajectoryForm, trajectory: PvTrajectory | None = None) -> None:
    schools = service.schools(active_only=True)
    qualifications = service.qualifications(active_only=True)
    employers = service.leerbedrijven()
    if trajectory is not None:  # keep the current (perhaps since deactivated) choices
        if trajectory.school not in schools:
            schools.append(trajectory.school)
        if trajectory.qualification not in qualifications:
            qualifications.append(trajectory.qualification)
        if trajectory.employer is not None and trajectory.employer not in employers:
            employers.append(trajectory.employer)
    form.setup(schools, qualifications, employers)


# ---------------------------------------------------------------------------------------------
# Request and details


@bp.route("/trajecten/<id:case_id>/praktijkverklaring/nieuw", methods=["GET", "POST"])
@login_required
def create(case_id: int):
    case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE)
    require(current_user, Action.EDIT_CASE, case)
    if request.method == "GET":
        service.audit_case_read(case, "praktijkverklaring aanvragen: formulier geopend")
    form = TrajectoryForm(formdata=None) if request.method == "GET" else TrajectoryForm()
    _setup_details(form)

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        return render_template("praktijkverklaring/create.html", case=case, form=f), status

    if request.method == "GET":
        return render(form)
    created: list[PvTrajectory] = []

    def apply() -> str:
        created.append(service.create(current_user, case, **form.details()))
        return ("De praktijkverklaring is aangevraagd. Kies nu de werkprocessen die de kandidaat "
                "in de praktijk laat zien.")

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done, on_success=lambda _message: redirect(
                      url_for("praktijkverklaring.work_processes", pv_id=created[0].id)))


@bp.route("/praktijkverklaringen/<id:pv_id>")
@login_required
def trajectory(pv_id: int):
    trajectory = _trajectory_or_404(pv_id)
    service.audit_view(trajectory)
    return _render_trajectory(trajectory)


def _render_trajectory(trajectory: PvTrajectory, forms: dict[str, StepForm] | None = None,
                       status: int = 200) -> ResponseReturnValue:
    forms = forms or {}
    can_edit = (can(current_user, Action.EDIT_CASE, trajectory.case)
                and not trajectory.case.is_closed and trajectory.is_open)
    options = service.step_options(trajectory) if can_edit else []
    forward = next((o for o in options if o.transition.kind == PvTransitionKind.FORWARD), None)
    abort_option = next((o for o in options if o.transition.kind == PvTransitionKind.ABORT),
                        None)
    step_form = forms.get("stap") or StepForm(
        formdata=None, prefix="stap", version=trajectory.version,
        to=forward.transition.target.value if forward else "")
    abort_form = forms.get("afbreken") or StepForm(
        formdata=None, prefix="afbreken", version=trajectory.version,
        to=PvStatus.AFGEBROKEN.value)
    return render_template(
        "praktijkverklaring/trajectory.html", trajectory=trajectory, case=trajectory.case,
        candidate=trajectory.case.candidate, can_edit=can_edit, forward=forward,
        abort_option=abort_option, step_form=step_form, abort_form=abort_form,
        main_line=MAIN_LINE,
        details_editable=can_edit and trajectory.status in service.DETAILS_EDITABLE,
        choose_editable=can_edit and trajectory.status == PvStatus.AANGEVRAAGD,
        assessable=can_edit and trajectory.status in service.ASSESSABLE,
        record_sections=sections.load("praktijkverklaring", current_user, trajectory),
    ), status


@bp.route("/praktijkverklaringen/<id:pv_id>/gegevens", methods=["GET", "POST"])
@login_required
def edit(pv_id: int):
    trajectory = _trajectory_or_404(pv_id)
    _require_edit_role(trajectory)
    if back := _not_now(trajectory, service.DETAILS_EDITABLE,
                        "De gegevens liggen vast sinds de praktijkovereenkomst is getekend."):
        return back
    if request.method == "GET":
        _audit_form_read(trajectory, "gegevens")
        form = TrajectoryEditForm(formdata=None, obj=trajectory, version=trajectory.version)
    else:
        form = TrajectoryEditForm()
    _setup_details(form, trajectory)

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        f.show_current_version(trajectory)
        return render_template("praktijkverklaring/edit.html", trajectory=trajectory,
                               case=trajectory.case, form=f,
                               qualification_locked=trajectory.status != PvStatus.AANGEVRAAGD,
                               ), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        changed = service.update_details(current_user, trajectory, form.details(),
                                         form.expected_version())
        return ("De gegevens zijn opgeslagen." if changed
                else "Er was niets gewijzigd.")

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done, on_success=lambda _message: redirect(_url(trajectory)))


@bp.route("/praktijkverklaringen/<id:pv_id>/werkprocessen", methods=["GET", "POST"])
@login_required
def work_processes(pv_id: int):
    trajectory = _trajectory_or_404(pv_id)
    _require_edit_role(trajectory)
    if back := _not_now(trajectory, {PvStatus.AANGEVRAAGD},
                        "De werkprocessen zijn vastgesteld en kunnen niet meer wijzigen."):
        return back
    definitions = trajectory.qualification.active_work_processes
    if request.method == "GET":
        _audit_form_read(trajectory, "werkprocessen kiezen")
        form = WorkProcessChoiceForm(
            formdata=None, version=trajectory.version,
            work_processes=[wp.definition_id for wp in trajectory.work_processes])
    else:
        form = WorkProcessChoiceForm()
    form.set_work_processes(definitions)

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        f.show_current_version(trajectory)
        return render_template("praktijkverklaring/work_processes.html", trajectory=trajectory,
                               case=trajectory.case, form=f,
                               locked=trajectory.status != PvStatus.AANGEVRAAGD), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        service.choose_work_processes(current_user, trajectory, form.work_processes.data or [],
                                      form.expected_version())
        return f"{len(trajectory.work_processes)} werkproces(sen) gekozen."

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done,
                  on_success=lambda _message: redirect(_url(trajectory, "werkprocessen")))


@bp.route("/praktijkverklaringen/<id:pv_id>/werkprocessen/<id:wp_id>",
          methods=["GET", "POST"])
@login_required
def assess(pv_id: int, wp_id: int):
    trajectory = _trajectory_or_404(pv_id)
    _require_edit_role(trajectory)
    work_process = db.session.get(PvWorkProcess, wp_id)
    if work_process is None or work_process.trajectory_id != trajectory.id:
        abort(404)
    if back := _not_now(trajectory, service.ASSESSABLE,
                        "Werkprocessen worden beoordeeld tijdens het leren in de praktijk."):
        return back
    if request.method == "GET":
        _audit_form_read(trajectory, f"beoordeling {work_process.code}")
        form = AssessmentForm(
            formdata=None, version=trajectory.version,
            result=work_process.result.value if work_process.result else "",
            assessed_on=work_process.assessed_on or clock.today(),
            assessor_name=work_process.assessor_name or trajectory.praktijkopleider)
    else:
        form = AssessmentForm()

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        f.show_current_version(trajectory)
        return render_template("praktijkverklaring/assess.html", trajectory=trajectory,
                               case=trajectory.case, work_process=work_process, form=f), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        service.assess(current_user, trajectory, work_process, result=form.result.data,
                       assessed_on=form.assessed_on.data, assessor_name=form.assessor_name.data,
                       expected_version=form.expected_version())
        return f"De beoordeling van {work_process.code} is opgeslagen."

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done,
                  on_success=lambda _message: redirect(_url(trajectory, "werkprocessen")))


@bp.route("/praktijkverklaringen/<id:pv_id>/stap", methods=["POST"])
@login_required
def step(pv_id: int):
    trajectory = _trajectory_or_404(pv_id)
    _require_edit_role(trajectory)
    prefix = "afbreken" if "afbreken-to" in request.form else "stap"
    form = StepForm(prefix=prefix)

    def apply() -> str:
        service.transition(current_user, trajectory, form.to.data,
                           expected_version=form.expected_version(), reason=form.reason.data or "")
        if trajectory.status == PvStatus.UITGEREIKT:
            return (f"De praktijkverklaring is uitgereikt met registernummer "
                    f"{trajectory.register_number}.")
        return f"De praktijkverklaring staat nu op '{trajectory.status_label.lower()}'."

    def on_error(f: PvForm, status: int) -> ResponseReturnValue:
        f.show_current_version(trajectory)
        return _render_trajectory(trajectory, {prefix: f}, status)

    return submit(form, apply, on_error=lambda status: on_error(form, status),
                  success_message=_done, on_success=lambda _message: redirect(_url(trajectory)))


# ---------------------------------------------------------------------------------------------
# Certificate and register


@bp.route("/praktijkverklaringen/<id:pv_id>/verklaring")
@login_required
def certificate(pv_id: int):
    trajectory = _trajectory_or_404(pv_id)
    if trajectory.status != PvStatus.UITGEREIKT:
        abort(404)
    service.audit_view(trajectory, f"verklaring {trajectory.register_number} bekeken")
    return render_template("praktijkverklaring/certificate.html", trajectory=trajectory,
                           candidate=trajectory.case.candidate,
                           region=db.session.get(Region, trajectory.register_region_code))


@bp.route("/praktijkverklaringen/<id:pv_id>/verklaring.pdf")
@login_required
def certificate_pdf(pv_id: int):
    """The certificate as an A4 PDF made on the server (replaces printing from the browser)."""
    trajectory = _trajectory_or_404(pv_id)
    if trajectory.status != PvStatus.UITGEREIKT:
        abort(404)
    service.audit_view(trajectory, f"verklaring {trajectory.register_number} als PDF")
    return pdf.download("praktijkverklaring/certificate_pdf.html",
                        f"praktijkverklaring-{trajectory.register_number}.pdf",
                        trajectory=trajectory, candidate=trajectory.case.candidate,
                        region=db.session.get(Region, trajectory.register_region_code))


def _register_params() -> tuple[str, int | None, list[str]]:
    """The region (one of the user's) and year asked for; another region is 404."""
    regions = service.register_regions(current_user)
    if not regions:
        raise Forbidden()
    region = request.args.get("regio") or regions[0]
    if region not in regions:
        abort(404)
    year_text = request.args.get("jaar") or ""
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else None
    return region, year, regions


@bp.route("/praktijkverklaringen")
@role_required(Action.VIEW_CASE)
def register():
    region, year, regions = _register_params()
    audit.record("pv.register_view", object_type="pv_register", object_id=region,
                 region_code=region, summary=f"jaar {year or 'alle'}")
    entries = service.register_entries(region, year)
    # ?status=beoordeeld lists the running trajectories in one status (the start page links
    # here for those that wait for the school's vaststelling).
    status = as_status(request.args.get("status", ""))
    in_status = (service.trajectories_in_status(current_user, region, status)
                 if status is not None else [])
    audit.record_list_view("case.list_view", (t.case_id for t in in_status), object_type="case")
    region_rows = {r.code: r for r in db.session.scalars(sa.select(Region))}
    return render_template(
        "praktijkverklaring/register.html", entries=entries, region=region_rows[region],
        regions=[region_rows[code] for code in regions], year=year,
        years=service.register_years(region), counts=service.status_counts(region),
        status=status, in_status=in_status)


def _export_rows() -> tuple[str, int | None, list[list[Any]]]:
    region, year, _regions = _register_params()
    entries = service.register_entries(region, year)
    rows = service.register_rows(entries)
    audit.record("pv.register_export", object_type="pv_register", object_id=region,
                 region_code=region, summary=f"{request.path.rsplit('.', 1)[-1]}, "
                                             f"jaar {year or 'alle'}, {len(rows)} regels")
    return region, year, rows


def _filename(region: str, year: int | None, ext: str) -> str:
    return f"praktijkverklaringen-{region}-{year or 'alle-jaren'}.{ext}"


@bp.route("/praktijkverklaringen/register.csv")
@role_required(Action.VIEW_CASE)
def register_csv():
    region, year, rows = _export_rows()
    return exports.csv_response([service.REGISTER_COLUMNS, *rows], _filename(region, year, "csv"))


@bp.route("/praktijkverklaringen/register.xlsx")
@role_required(Action.VIEW_CASE)
def register_xlsx():
    region, year, rows = _export_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Register {region}"
    exports.append_row(sheet, service.REGISTER_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        for cell in sheet[exports.append_row(sheet, row)]:
            if isinstance(cell.value, date):
                cell.number_format = "DD-MM-YYYY"
    for column, width in zip("ABCDEFGHIJKLM", (18, 14, 28, 14, 30, 8, 8, 30, 60, 30, 12, 14, 8),
                             strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return exports.xlsx_response(workbook, _filename(region, year, "xlsx"))


# ---------------------------------------------------------------------------------------------
# Reference data (functioneel beheer)


@bp.route("/beheer/mbo-scholen")
@role_required(Action.MANAGE_REFERENCE_DATA)
def schools():
    return render_template("praktijkverklaring/admin_schools.html", schools=service.schools())


@bp.route("/beheer/mbo-scholen/nieuw", methods=["GET", "POST"])
@bp.route("/beheer/mbo-scholen/<id:school_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def school_edit(school_id: int | None = None):
    school = None
    if school_id is not None:
        school = db.session.get(MboSchool, school_id) or abort(404)
    form = SchoolForm(formdata=None, obj=school) if request.method == "GET" else SchoolForm()

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        return render_template("praktijkverklaring/admin_school_form.html", school=school,
                               form=f), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        saved = service.save_school(current_user, school, name=form.name.data,
                                    brin=form.brin.data, active=form.active.data)
        return f"{saved.name} ({saved.brin}) is opgeslagen."

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done,
                  on_success=lambda _message: redirect(url_for("praktijkverklaring.schools")))


@bp.route("/beheer/kwalificaties")
@role_required(Action.MANAGE_REFERENCE_DATA)
def qualifications():
    return render_template("praktijkverklaring/admin_qualifications.html",
                           qualifications=service.qualifications())


def _qualification_form(qualification: Qualification | None) -> QualificationForm:
    form = QualificationForm(formdata=None, obj=qualification)
    if qualification is not None:
        form.level.data = str(qualification.level)
    return form


@bp.route("/beheer/kwalificaties/nieuw", methods=["GET", "POST"])
@bp.route("/beheer/kwalificaties/<id:qualification_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def qualification_edit(qualification_id: int | None = None):
    qualification = None
    if qualification_id is not None:
        qualification = db.session.get(Qualification, qualification_id) or abort(404)
    form = _qualification_form(qualification) if request.method == "GET" else QualificationForm()
    created: list[Qualification] = []

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        return render_template(
            "praktijkverklaring/admin_qualification_form.html", qualification=qualification,
            form=f, work_process_form=WorkProcessForm(formdata=None, prefix="werkproces")
        ), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        saved = service.save_qualification(
            current_user, qualification, crebo=form.crebo.data, name=form.name.data,
            dossier_name=form.dossier_name.data, level=form.level.data,
            active=form.active.data)
        created.append(saved)
        return f"Kwalificatie {saved.name} (crebo {saved.crebo}) is opgeslagen."

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done, on_success=lambda _message: redirect(url_for(
                      "praktijkverklaring.qualification_edit", qualification_id=created[0].id)))


@bp.route("/beheer/kwalificaties/<id:qualification_id>/werkprocessen", methods=["POST"])
@bp.route("/beheer/kwalificaties/<id:qualification_id>/werkprocessen/<id:wp_id>",
          methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def work_process_edit(qualification_id: int, wp_id: int | None = None):
    qualification = db.session.get(Qualification, qualification_id) or abort(404)
    definition = None
    if wp_id is not None:
        definition = db.session.get(QualificationWorkProcess, wp_id)
        if definition is None or definition.qualification_id != qualification.id:
            abort(404)
    prefix = "werkproces"
    if request.method == "GET":
        form = WorkProcessForm(formdata=None, obj=definition, prefix=prefix)
    else:
        form = WorkProcessForm(prefix=prefix)

    def render(f: PvForm, status: int = 200) -> ResponseReturnValue:
        if definition is None:  # the add form lives on the qualification page
            return render_template(
                "praktijkverklaring/admin_qualification_form.html",
                qualification=qualification,
                form=_qualification_form(qualification),
                work_process_form=f), status
        return render_template("praktijkverklaring/admin_work_process_form.html",
                               qualification=qualification, definition=definition,
                               form=f), status

    if request.method == "GET":
        return render(form)

    def apply() -> str:
        saved = service.save_work_process(current_user, qualification, definition,
                                          code=form.code.data, name=form.name.data,
                                          active=form.active.data)
        return f"Werkproces {saved.code} is opgeslagen."

    return submit(form, apply, on_error=lambda status: render(form, status),
                  success_message=_done, on_success=lambda _message: redirect(url_for(
                      "praktijkverklaring.qualification_edit", qualification_id=qualification.id)
                      + "#werkprocessen"))
