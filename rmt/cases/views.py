"""HTML pages for candidates and cases: registration, the case list, the case page and transfers.

Views parse (forms) and render; every rule is in :mod:`rmt.cases.service`, every list in
:mod:`rmt.cases.queries`. Each POST commits once at the end; a refusal rolls everything back and
shows the form again with the message at its field (400, or 409 for a conflict or a stale
version). Records outside the user's regions are 404 through :func:`rmt.access.get_or_404`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from rmt.access import Action, can, get_or_404, role_required
from rmt.audit.service import entries_for_object
from rmt.auth.models import Role, User
from rmt.cases import queries, service
from rmt.cases.forms import (
    ALL_FILTER,
    ActivityForm,
    ActivityStatusForm,
    CandidateEditForm,
    CaseFilterForm,
    CaseForm,
    ConsentForm,
    IntakeForm,
    NoteForm,
    PlanForm,
    ReassignForm,
    RegistrationForm,
    TaskForm,
    TransferDecisionForm,
    TransferRequestForm,
    TransitionForm,
    choice_label,
)
from rmt.cases.models import Case, CaseTransfer, label
from rmt.errors_domain import Conflict, DomainError, StaleVersion
from rmt.extensions import db
from rmt.process import STATE_LABELS, CaseState, TransitionKind, check
from rmt.regions.models import Region

bp = Blueprint("cases", __name__)

AUDIT_LABELS = {
    "case.view": "Bekeken",
    "case.create": "Aangemeld",
    "candidate.update": "Gegevens gewijzigd",
    "case.transition": "Stap gewijzigd",
    "case.intake": "Intake bewerkt",
    "case.plan": "Trajectplan bewerkt",
    "case.activity_add": "Activiteit toegevoegd",
    "case.activity_status": "Activiteit gewijzigd",
    "case.note_add": "Aantekening toegevoegd",
    "case.task_add": "Actie toegevoegd",
    "case.task_done": "Actie afgerond",
    "consent.give": "Toestemming vastgelegd",
    "consent.revoke": "Toestemming ingetrokken",
    "case.reassign": "Andere loopbaancoach",
    "case.transfer_request": "Overdracht aangevraagd",
    "case.transfer_accept": "Overdracht geaccepteerd",
    "case.transfer_refuse": "Overdracht geweigerd",
    "case.transfer_withdraw": "Overdracht ingetrokken",
}
SIMPLE_MOVES = (TransitionKind.FORWARD, TransitionKind.SKIP, TransitionKind.RESUME,
                TransitionKind.PAUSE)


@bp.app_template_filter("case_label")
def case_label(value: Any) -> str:
    """Dutch label of a case enum value (step, exit reason, doelgroep, ...)."""
    if isinstance(value, enum.Enum):
        return label(value)
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------------------------
# Helpers


def _case_or_404(case_id: int) -> Case:
    return get_or_404(Case, case_id, current_user, Action.VIEW_CASE)


def _require(action: Action, case: Case) -> None:
    """Role-level refusal (403) for a user who may read but not change the case."""
    if not can(current_user, action, case):
        abort(403)


def _regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


def _user_or_none(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _case_url(case: Case, anchor: str = "") -> str:
    return url_for("cases.case_page", case_id=case.id) + (f"#{anchor}" if anchor else "")


def _save(case: Case | None, form: CaseForm, apply: Callable[[], str],
          on_error: Callable[[CaseForm, int], ResponseReturnValue],
          done_url: Callable[[], str]) -> ResponseReturnValue:
    """Validate, let the service apply the change, commit once; or show the refusal.

    A refusal rolls back everything the request did. A stale version (found by the service or,
    for two saves at the same moment, by SQLAlchemy's version check) answers 409 and puts the
    current version in the form, so the kept input can be sent again on purpose.
    """
    if not form.validate_on_submit():
        db.session.rollback()
        return on_error(form, 400)
    try:
        message = apply()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.code == "forbidden":
            abort(403)
        form.add_domain_error(exc)
        if isinstance(exc, StaleVersion) and case is not None and hasattr(form, "version"):
            form.version.data = str(case.version)
        return on_error(form, 409 if isinstance(exc, Conflict) else 400)
    except StaleDataError:
        db.session.rollback()
        form.add_error("version", StaleVersion(0).message)
        if case is not None and hasattr(form, "version"):
            form.version.data = str(case.version)
        return on_error(form, 409)
    flash(message, "success")
    return redirect(done_url())


# ---------------------------------------------------------------------------------------------
# Case list


@bp.route("/trajecten")
@role_required(Action.VIEW_CASE)
def case_list():
    coaches = queries.region_staff(current_user.region_codes, (Role.COACH,), active_only=False)
    form = CaseFilterForm(formdata=request.args if request.args else None)
    form.set_coaches(coaches)
    valid = form.validate() if request.args else True
    sort = request.args.get("sorteer", "naam")
    sort = sort if sort in queries.SORT_LABELS else "naam"
    descending = request.args.get("richting") == "af"
    page_number = request.args.get("pagina", default=1, type=int)
    status = form.value("stap") or ""
    filters = queries.CaseFilters(
        status=status if status in {ALL_FILTER, *CaseState} else "",
        coach_id=form.value("coach"),
        target_group=form.value("doelgroep"),
        referral_partner=form.value("verwijzer"),
        opened_from=form.value("van"),
        opened_to=form.value("tot"),
        q=form.value("q") or "",
        sort=sort,
        descending=descending,
        page=page_number if page_number and page_number > 0 else 1,
    )
    result = queries.list_cases(current_user, filters)
    kept = {key: value for key, value in request.args.items()
            if value and key in form._fields and not form._fields[key].errors}

    def list_url(**changes: Any) -> str:
        args = {**kept, "sorteer": sort, "richting": "af" if descending else "op",
                "pagina": result.page, **changes}
        args = {k: v for k, v in args.items() if v not in ("", None)}
        if args.get("sorteer") == "naam":
            args.pop("sorteer")
        if args.get("richting") == "op":
            args.pop("richting")
        if args.get("pagina") == 1:
            args.pop("pagina")
        return url_for("cases.case_list", **args)

    return render_template(
        "cases/list.html", form=form, result=result, sort=sort, descending=descending,
        sort_labels=queries.SORT_LABELS, list_url=list_url, filtered=bool(kept),
    ), 200 if valid else 400


# ---------------------------------------------------------------------------------------------
# Registration (aanmelding)


def _registration_setup(form: RegistrationForm) -> None:
    regions = sorted(current_user.regions, key=lambda r: r.name)
    coaches = queries.region_staff(current_user.region_codes, (Role.COACH,))
    form.setup(regions, coaches)


def _hidden_values(form: CaseForm) -> list[tuple[str, str]]:
    """The submitted values, to carry them to the confirmation step in hidden inputs."""
    values = []
    for f in form:
        if f.type == "BooleanField":
            if f.data:
                values.append((f.name, "y"))
        else:
            values.append((f.name, f.raw_data[0] if f.raw_data else ""))
    return values


def _render_register(form: RegistrationForm, status: int = 200) -> ResponseReturnValue:
    return render_template("cases/register.html", form=form), status


def _render_duplicates(form: RegistrationForm, duplicates: list, status: int = 200,
                       error: str | None = None) -> ResponseReturnValue:
    return render_template(
        "cases/register_confirm.html", form=form, duplicates=duplicates,
        hidden_values=_hidden_values(form), error=error,
        my_regions=current_user.region_codes,
        choice_label=choice_label,
    ), status


@bp.route("/trajecten/nieuw", methods=["GET", "POST"])
@role_required(Action.CREATE_CASE)
def register():
    if not current_user.region_codes:
        abort(403)
    form = RegistrationForm()
    _registration_setup(form)
    if request.method == "GET":
        form.region_code.data = sorted(current_user.regions, key=lambda r: r.name)[0].code
        form.coach_id.data = current_user.id
        return _render_register(form)
    if not form.validate():
        return _render_register(form, 400)

    try:
        coach = service.check_registration(current_user, form.region_code.data,
                                           _user_or_none(form.coach_id.data))
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_register(form, 400)
    duplicates = service.find_duplicates(
        current_user, first_name=form.first_name.data, last_name=form.last_name.data,
        birth_date=form.birth_date.data, email=form.email.data or "",
        phone=form.phone.data or "")
    existing_id = request.form.get("bestaande_kandidaat", "")
    confirmed = request.form.get("bevestigd") == "1"
    try:
        if existing_id:
            candidate = next((c for c in duplicates if str(c.id) == existing_id), None)
            if candidate is None:
                return _render_duplicates(form, duplicates, 400,
                                          "Kies een van de getoonde kandidaten.")
            case = service.register(current_user, existing_candidate=candidate,
                                    region_code=form.region_code.data, coach=coach)
        elif duplicates and not confirmed:
            return _render_duplicates(form, duplicates)
        else:
            case = service.register(current_user, candidate_data=form.candidate_data(),
                                    region_code=form.region_code.data, coach=coach)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if existing_id:
            return _render_duplicates(form, duplicates, exc.status if isinstance(
                exc, Conflict) else 400, exc.message)
        form.add_domain_error(exc)
        return _render_register(form, 409 if isinstance(exc, Conflict) else 400)
    except sa.exc.IntegrityError:
        # Two registrations of the same person at the same moment: the database refused one.
        db.session.rollback()
        return _render_duplicates(form, duplicates, 409,
                                  "Deze kandidaat heeft intussen al een lopend traject.")
    flash(f"{case.candidate.full_name} is aangemeld. Het traject staat in de stap Aangemeld.",
          "success")
    return redirect(_case_url(case))


# ---------------------------------------------------------------------------------------------
# The case page


def _case_context(case: Case, forms: dict[str, CaseForm], page_errors: list[str]) -> dict:
    detail = queries.load_case_detail(case)
    user = current_user
    can_edit = can(user, Action.EDIT_CASE, case) and not case.is_closed
    can_reassign = (can(user, Action.EDIT_CASE, case) or can(user, Action.REASSIGN_CASE, case)) \
        and not case.is_closed
    staff = queries.region_staff({case.region_code}, (Role.COACH, Role.COORDINATOR))
    coaches = [u for u in staff if u.role == Role.COACH]
    regions = _regions()

    def make(key: str, form_cls: type[CaseForm], **data: Any) -> CaseForm:
        """The submitted form (with its errors) or a fresh one with defaults."""
        return forms.get(key) or form_cls(formdata=None, prefix=key, **data)

    note_form = make("aantekening", NoteForm)
    task_form = make("actie", TaskForm, owner_id=case.coach_id)
    task_form.set_owners(staff)
    consent_form = make("toestemming", ConsentForm)
    back_form = make("terug", TransitionForm, version=case.version)
    close_form = make("afsluiten", TransitionForm, version=case.version)
    reassign_form = make("coach", ReassignForm, version=case.version)
    reassign_form.set_coaches([c for c in coaches if c.id != case.coach_id])
    transfer_form = make("overdracht", TransferRequestForm, version=case.version)
    transfer_form.set_regions(regions, case.region_code)
    step_form = forms.get("stap")

    moves = service.available_transitions(case) if can_edit else []
    back_move = next((m for m in moves if m.kind == TransitionKind.BACK), None)
    close_move = next((m for m in moves if m.kind == TransitionKind.CLOSE), None)
    rendered = {"coach"} if can_reassign else set()
    if can_edit:
        rendered |= {"stap", "aantekening", "actie", "toestemming"}
        rendered |= {"terug"} if back_move else set()
        rendered |= {"afsluiten"} if close_move else set()
        rendered |= set() if detail.pending_transfer else {"overdracht"}
    for key, form in forms.items():
        if key not in rendered:  # e.g. the case was closed meanwhile: say why at the top
            page_errors = [*page_errors, *form.form_errors,
                           *[message for f in form for message in f.errors]]
    facts = service.case_facts(case)
    simple_moves = []
    for move in moves:
        if move.kind in SIMPLE_MOVES:
            problems = check(facts, move.target) if move.kind != TransitionKind.PAUSE else []
            simple_moves.append((move, [p.message for p in problems]))
    today = queries.local_today()
    return {
        "case": case,
        "candidate": case.candidate,
        "detail": detail,
        "can_edit": can_edit,
        "can_reassign": can_reassign,
        "can_view_notes": can(user, Action.VIEW_NOTES, case),
        "simple_moves": simple_moves,
        "back_move": back_move,
        "close_move": close_move,
        "timeline": service.timeline(case, include_notes=can(user, Action.VIEW_NOTES, case)),
        "audit_entries": entries_for_object("case", case.id)
        if can(user, Action.VIEW_CASE_AUDIT, case) else None,
        "audit_labels": AUDIT_LABELS,
        "days_in_step": queries.days_since(case.status_since, today),
        "today": today,
        "main_line": [s for s in STATE_LABELS if s not in (CaseState.GEPAUZEERD,)],
        "note_form": note_form, "task_form": task_form, "consent_form": consent_form,
        "back_form": back_form, "close_form": close_form, "step_form": step_form,
        "reassign_form": reassign_form, "transfer_form": transfer_form,
        "page_errors": page_errors,
        "region_names": {r.code: r.name for r in regions},
    }


def _render_case(case: Case, forms: dict[str, CaseForm] | None = None, status: int = 200,
                 page_errors: list[str] | None = None) -> ResponseReturnValue:
    context = _case_context(case, forms or {}, page_errors or [])
    return render_template("cases/case.html", **context), status


def _case_error(case: Case, key: str) -> Callable[[CaseForm, int], ResponseReturnValue]:
    return lambda form, status: _render_case(case, {key: form}, status)


@bp.route("/trajecten/<id:case_id>")
@login_required
def case_page(case_id: int):
    case = _case_or_404(case_id)
    service.audit_view(current_user, case)
    db.session.commit()
    return _render_case(case)


# --- steps ----------------------------------------------------------------------------------


@bp.route("/trajecten/<id:case_id>/stap", methods=["POST"])
@login_required
def transition(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    prefix = next((p for p in ("terug", "afsluiten") if f"{p}-to" in request.form), "stap")
    form = TransitionForm(prefix=prefix)

    def apply() -> str:
        service.transition(current_user, case, form.to.data,
                           expected_version=form.version_number, reason=form.reason.data or "",
                           exit_reason=form.exit_reason.data or None,
                           exit_reason_text=form.exit_reason_text.data or "")
        return f"Het traject staat nu in de stap {label(case.status)}."

    return _save(case, form, apply, _case_error(case, prefix), lambda: _case_url(case))


# --- notes, tasks, consent ------------------------------------------------------------------


@bp.route("/trajecten/<id:case_id>/aantekeningen", methods=["POST"])
@login_required
def note_add(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    form = NoteForm(prefix="aantekening")

    def apply() -> str:
        service.add_note(current_user, case, contact_on=form.contact_on.data,
                         kind=form.kind.data, text=form.text.data)
        return "De aantekening is opgeslagen."

    return _save(case, form, apply, _case_error(case, "aantekening"),
                 lambda: _case_url(case, "aantekeningen"))


@bp.route("/trajecten/<id:case_id>/acties", methods=["POST"])
@login_required
def task_add(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    form = TaskForm(prefix="actie")
    form.set_owners(queries.region_staff({case.region_code}, (Role.COACH, Role.COORDINATOR)))

    def apply() -> str:
        service.add_task(current_user, case, title=form.title.data, due_on=form.due_on.data,
                         owner=_user_or_none(form.owner_id.data))
        return "De actie is toegevoegd."

    return _save(case, form, apply, _case_error(case, "actie"),
                 lambda: _case_url(case, "acties"))


@bp.route("/trajecten/<id:case_id>/acties/<id:task_id>/afronden", methods=["POST"])
@login_required
def task_complete(case_id: int, task_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    try:
        task = service.complete_task(current_user, case, task_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.field == "task_id":
            abort(404)
        return _render_case(case, status=409 if isinstance(exc, Conflict) else 400,
                            page_errors=[exc.message])
    flash(f"De actie '{task.title}' is afgerond.", "success")
    if request.form.get("terug") == "start":
        return redirect(url_for("main.index"))
    return redirect(_case_url(case, "acties"))


@bp.route("/trajecten/<id:case_id>/toestemming", methods=["POST"])
@login_required
def consent_give(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    form = ConsentForm(prefix="toestemming")

    def apply() -> str:
        service.record_consent(current_user, case, form.purpose.data, form.given_on.data)
        return "De toestemming is vastgelegd."

    return _save(case, form, apply, _case_error(case, "toestemming"),
                 lambda: _case_url(case, "toestemming"))


@bp.route("/trajecten/<id:case_id>/toestemming/<id:consent_id>/intrekken", methods=["POST"])
@login_required
def consent_revoke(case_id: int, consent_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    try:
        service.revoke_consent(current_user, case, consent_id)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if exc.field == "consent_id":
            abort(404)
        return _render_case(case, status=409 if isinstance(exc, Conflict) else 400,
                            page_errors=[exc.message])
    flash("De toestemming is ingetrokken. Vanaf vandaag geldt zij niet meer.", "success")
    return redirect(_case_url(case, "toestemming"))


# --- coach and region -----------------------------------------------------------------------


@bp.route("/trajecten/<id:case_id>/coach", methods=["POST"])
@login_required
def reassign(case_id: int):
    case = _case_or_404(case_id)
    if not (can(current_user, Action.EDIT_CASE, case)
            or can(current_user, Action.REASSIGN_CASE, case)):
        abort(403)
    form = ReassignForm(prefix="coach")
    form.set_coaches(queries.region_staff({case.region_code}, (Role.COACH,)))

    def apply() -> str:
        coach = _user_or_none(form.coach_id.data)
        service.reassign(current_user, case, coach, form.version_number)
        return f"{coach.name} is nu de loopbaancoach van dit traject."

    return _save(case, form, apply, _case_error(case, "coach"), lambda: _case_url(case))


@bp.route("/trajecten/<id:case_id>/overdracht", methods=["POST"])
@login_required
def transfer_request(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    form = TransferRequestForm(prefix="overdracht")
    form.set_regions(_regions(), case.region_code)

    def apply() -> str:
        transfer = service.request_transfer(current_user, case,
                                            to_region_code=form.to_region_code.data,
                                            reason=form.reason.data,
                                            expected_version=form.version_number)
        return (f"De overdracht naar {transfer.to_region_code} is aangevraagd. Een coördinator "
                "van die regio beslist erover.")

    return _save(case, form, apply, _case_error(case, "overdracht"), lambda: _case_url(case))


@bp.route("/trajecten/<id:case_id>/overdracht/intrekken", methods=["POST"])
@login_required
def transfer_withdraw(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    try:
        service.withdraw_transfer(current_user, case)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _render_case(case, status=409 if isinstance(exc, Conflict) else 400,
                            page_errors=[exc.message])
    flash("Het overdrachtsverzoek is ingetrokken.", "success")
    return redirect(_case_url(case))


# ---------------------------------------------------------------------------------------------
# Separate pages: candidate details, intake, trajectplan


def _render_candidate(case: Case, form: CandidateEditForm, status: int = 200):
    return render_template("cases/candidate_edit.html", case=case, candidate=case.candidate,
                           form=form), status


def _candidate_form(case: Case, **kwargs: Any) -> CandidateEditForm:
    form = CandidateEditForm(**kwargs)
    form.set_municipalities(_regions())
    return form


@bp.route("/trajecten/<id:case_id>/gegevens", methods=["GET", "POST"])
@login_required
def candidate_edit(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    if request.method == "GET":
        candidate = case.candidate
        form = _candidate_form(case, formdata=None, obj=candidate, version=case.version)
        service.audit_view(current_user, case)
        db.session.commit()
        return _render_candidate(case, form)
    form = _candidate_form(case)

    def apply() -> str:
        service.update_candidate(current_user, case, form.candidate_data(),
                                 form.version_number)
        return "De gegevens van de kandidaat zijn opgeslagen."

    return _save(case, form, apply, lambda f, status: _render_candidate(case, f, status),
                 lambda: _case_url(case, "kandidaat"))


def _render_intake(case: Case, form: IntakeForm, status: int = 200):
    return render_template("cases/intake.html", case=case, candidate=case.candidate,
                           form=form, intake=case.intake,
                           stale=status == 409 and bool(form.form_errors)), status


@bp.route("/trajecten/<id:case_id>/intake", methods=["GET", "POST"])
@login_required
def intake(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    if request.method == "GET":
        form = IntakeForm(formdata=None, obj=case.intake, version=case.version)
        service.audit_view(current_user, case)
        db.session.commit()
        return _render_intake(case, form)
    form = IntakeForm()
    complete = "afronden" in request.form

    def apply() -> str:
        service.save_intake(current_user, case, form.intake_data(), complete=complete,
                            expected_version=form.version_number)
        if complete:
            return "De intake is afgerond. U kunt het traject nu naar de volgende stap zetten."
        return "De intake is opgeslagen."

    return _save(case, form, apply, lambda f, status: _render_intake(case, f, status),
                 lambda: _case_url(case) if complete else url_for("cases.intake",
                                                                   case_id=case.id))


def _render_plan(case: Case, forms: dict[str, CaseForm] | None = None, status: int = 200):
    forms = forms or {}
    plan_form = forms.get("plan") or PlanForm(formdata=None, obj=case.plan,
                                              version=case.version)
    activity_form = forms.get("activiteit") or ActivityForm(
        formdata=None, prefix="activiteit", version=case.version)
    status_forms = {}
    for activity in case.activities:
        key = f"a{activity.id}"
        status_forms[activity.id] = forms.get(key) or ActivityStatusForm(
            formdata=None, prefix=key, status=activity.status.value, version=case.version)
    return render_template(
        "cases/plan.html", case=case, candidate=case.candidate, plan=case.plan,
        plan_form=plan_form, activity_form=activity_form, status_forms=status_forms,
        can_edit=can(current_user, Action.EDIT_CASE, case) and not case.is_closed,
        stale=status == 409,
    ), status


@bp.route("/trajecten/<id:case_id>/plan", methods=["GET", "POST"])
@login_required
def plan(case_id: int):
    case = _case_or_404(case_id)
    if request.method == "GET":
        service.audit_view(current_user, case)
        db.session.commit()
        return _render_plan(case)
    _require(Action.EDIT_CASE, case)
    form = PlanForm()

    def apply() -> str:
        service.save_plan(current_user, case, {k: form._fields[k].data or "" for k in (
            "goal", "target_sector", "target_occupation")}, form.version_number)
        return "Het trajectplan is opgeslagen."

    return _save(case, form, apply, lambda f, status: _render_plan(case, {"plan": f}, status),
                 lambda: url_for("cases.plan", case_id=case.id))


@bp.route("/trajecten/<id:case_id>/activiteiten", methods=["POST"])
@login_required
def activity_add(case_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    form = ActivityForm(prefix="activiteit")

    def apply() -> str:
        service.add_activity(current_user, case, description=form.description.data,
                             due_on=form.due_on.data, expected_version=form.version_number)
        return "De activiteit is toegevoegd aan het trajectplan."

    return _save(case, form, apply,
                 lambda f, status: _render_plan(case, {"activiteit": f}, status),
                 lambda: url_for("cases.plan", case_id=case.id) + "#activiteiten")


@bp.route("/trajecten/<id:case_id>/activiteiten/<id:activity_id>", methods=["POST"])
@login_required
def activity_status(case_id: int, activity_id: int):
    case = _case_or_404(case_id)
    _require(Action.EDIT_CASE, case)
    if not any(a.id == activity_id for a in case.activities):
        abort(404)
    key = f"a{activity_id}"
    form = ActivityStatusForm(prefix=key)

    def apply() -> str:
        activity = service.set_activity_status(current_user, case, activity_id,
                                               form.status.data, form.version_number)
        return f"De status van '{activity.description}' is nu {label(activity.status)}."

    return _save(case, form, apply, lambda f, status: _render_plan(case, {key: f}, status),
                 lambda: url_for("cases.plan", case_id=case.id) + "#activiteiten")


# ---------------------------------------------------------------------------------------------
# Transfer inbox of the receiving region


def _render_inbox(forms: dict[int, TransferDecisionForm] | None = None, status: int = 200):
    forms = forms or {}
    transfers = queries.pending_transfers(current_user)
    pending_ids = {t.id for t in transfers}
    page_errors = [message for transfer_id, form in forms.items()
                   if transfer_id not in pending_ids
                   for message in [*form.form_errors, *[m for f in form for m in f.errors]]]
    codes = {t.to_region_code for t in transfers}
    coaches = queries.region_staff(codes, (Role.COACH,))
    decision_forms = {}
    for transfer in transfers:
        form = forms.get(transfer.id) or TransferDecisionForm(formdata=None,
                                                              prefix=f"t{transfer.id}")
        form.set_coaches([c for c in coaches if transfer.to_region_code in c.region_codes])
        decision_forms[transfer.id] = form
    return render_template(
        "cases/transfers.html", transfers=transfers, forms=decision_forms,
        page_errors=page_errors,
        decided=queries.recent_decisions(current_user),
        region_names={r.code: r.name for r in _regions()},
    ), status


@bp.route("/overdrachten")
@role_required(Action.DECIDE_TRANSFER)
def transfers():
    return _render_inbox()


@bp.route("/overdrachten/<id:transfer_id>", methods=["POST"])
@login_required
def transfer_decide(transfer_id: int):
    # Not role_required: whoever may not decide gets the same 404 as for an unknown request.
    transfer = get_or_404(CaseTransfer, transfer_id, current_user, Action.DECIDE_TRANSFER)
    form = TransferDecisionForm(prefix=f"t{transfer.id}")
    form.set_coaches(queries.region_staff({transfer.to_region_code}, (Role.COACH,)))
    case = transfer.case

    def apply() -> str:
        accept = form.decision.data == "accepteren"
        service.decide_transfer(current_user, transfer, accept=accept,
                                note=form.decision_note.data or "",
                                new_coach=_user_or_none(form.new_coach_id.data) if accept
                                else None)
        if accept:
            return (f"De overdracht is geaccepteerd. Het traject van {case.candidate.full_name} "
                    "staat nu in uw regio.")
        return "De overdracht is geweigerd. De aanvrager ziet uw toelichting."

    def done() -> str:
        if transfer.status.value == "geaccepteerd":
            return _case_url(case)
        return url_for("cases.transfers")

    return _save(None, form, apply, lambda f, status: _render_inbox({transfer.id: f}, status),
                 done)

