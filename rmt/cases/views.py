"""HTML pages for candidates and cases: registration, the case list, the case page and transfers.

Views parse (forms) and render; every rule is in :mod:`rmt.cases.service`, every list in
:mod:`rmt.cases.queries`. A POST goes through :func:`rmt.web.handlers.submit`: the service runs in
a savepoint, so a refusal leaves nothing behind and the form is shown again with the message at
its field (400, or 409 for a conflict or a stale version); the request's unit of work commits once
after the view (:mod:`rmt.transaction`). A role that may not change a case is refused by the
policy (:func:`rmt.access.require`, 403); records outside the user's regions are 404 through
:func:`rmt.access.get_or_404`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from flask_login import current_user, login_required

from rmt import audit, clock, pdf, transaction
from rmt.access import Action, can, get_or_404, get_row_or_404, require, role_required
from rmt.audit.actions import action_title
from rmt.audit.service import entries_for_object
from rmt.auth.models import Role, User
from rmt.cases import extensions, queries, reference, service
from rmt.cases.forms import (
    ALL_FILTER,
    MAX_QUERY,
    ActivityForm,
    ActivityStatusForm,
    CandidateEditForm,
    CaseFilterForm,
    CaseForm,
    CaseloadForm,
    CloseForm,
    ConsentForm,
    IntakeForm,
    NoteForm,
    PartnerForm,
    PlanForm,
    ReassignForm,
    RegistrationForm,
    ReopenForm,
    ServiceTypeForm,
    TaskForm,
    TransferDecisionForm,
    TransferRequestForm,
    TransitionForm,
)
from rmt.cases.models import Case, CaseTransfer, DeliveryPartner, ServiceType
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.process import CaseState, Transition, TransitionKind, check
from rmt.regions.models import Region
from rmt.regions.service import RegionName, region_names
from rmt.web.forms import choice_label
from rmt.web.handlers import reference_form, submit

bp = Blueprint("cases", __name__)

SIMPLE_MOVES = (TransitionKind.FORWARD, TransitionKind.SKIP, TransitionKind.RESUME,
                TransitionKind.PAUSE)
REASSIGN_REFUSED = service.REASSIGN_REFUSED



@bp.route("/trajecten/<id:case_id>/trajectplan.pdf")
@login_required
def plan_pdf(case_id: int):
    """The trajectplan as an A4 PDF for signature by candidate and coach (the read is
    audited)."""
    case = _case_or_404(case_id)
    service.audit_view(current_user, case, "trajectplan als PDF")
    return pdf.download("cases/plan_pdf.html", f"trajectplan-{case.id}.pdf", case=case,
                        candidate=case.candidate, plan=case.plan, activities=case.activities,
                        today=clock.today())


# ---------------------------------------------------------------------------------------------
# Helpers


def _case_or_404(case_id: int) -> Case:
    return get_or_404(Case, case_id, current_user, Action.VIEW_CASE)


def _regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


def _user_or_none(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def _case_url(case: Case, anchor: str = "") -> str:
    return url_for("cases.case_page", case_id=case.id) + (f"#{anchor}" if anchor else "")


def _show_again(case: Case, form: CaseForm,
                render: Callable[[CaseForm, int], ResponseReturnValue]
                ) -> Callable[[int], ResponseReturnValue]:
    """``on_error`` of :func:`submit`: the form again with its errors. After a conflict the form
    carries the case's current version, so the kept input can be sent again on purpose."""

    def on_error(status: int) -> ResponseReturnValue:
        if status == 409 and hasattr(form, "version"):
            form.version.data = str(case.version)
        return render(form, status)

    return on_error


def _case_action(case: Case, apply: Callable[[], Any], *, done_url: str,
                 message: str | Callable[[Any], str]) -> ResponseReturnValue:
    """A button on the case page without input of its own (complete a task, revoke a consent,
    withdraw a transfer): a refusal is shown at the top of the case page."""
    form = CaseForm(formdata=None)
    return submit(form, apply, validate=False, success_message=message,
                  on_error=lambda status: _render_case(case, status=status,
                                                       page_errors=form.form_errors),
                  on_success=lambda _result: redirect(done_url))


# ---------------------------------------------------------------------------------------------
# Case list


def _list_filters(form: CaseFilterForm, sort: str, descending: bool) -> queries.CaseFilters:
    """The list's filters from the (checked) filter form and the sort and page arguments;
    an invalid filter is ignored."""
    page_number = request.args.get("pagina", default=1, type=int)
    status = form.value("stap") or ""
    return queries.CaseFilters(
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


def _list_url_maker(kept: dict[str, str], sort: str, descending: bool,
                    page_number: int) -> Callable[..., str]:
    """``list_url(**changes)`` for the template: this list with some arguments changed, the
    defaults (sort by name, ascending, page 1) left out of the URL."""
    defaults = {"sorteer": "naam", "richting": "op", "pagina": 1}

    def list_url(**changes: Any) -> str:
        args = {**kept, "sorteer": sort, "richting": "af" if descending else "op",
                "pagina": page_number, **changes}
        args = {k: v for k, v in args.items() if v not in ("", None) and defaults.get(k) != v}
        return url_for("cases.case_list", **args)

    return list_url


@bp.route("/trajecten")
@role_required(Action.VIEW_CASE)
def case_list():
    coaches = queries.staff_choices(current_user.region_codes, (Role.COACH,), active_only=False)
    form = CaseFilterForm(formdata=request.args if request.args else None)
    form.set_coaches(coaches)
    valid = form.validate() if request.args else True
    sort = request.args.get("sorteer", "naam")
    sort = sort if sort in queries.SORT_LABELS else "naam"
    descending = request.args.get("richting") == "af"
    result = queries.list_cases(current_user, _list_filters(form, sort, descending))
    kept = {key: value for key, value in request.args.items()
            if value and key in form._fields and not form._fields[key].errors}
    # Candidate names are shown: one audit entry per page view, with the case ids on it.
    regions = {row.region_code for row in result.rows}
    audit.record_list_view("case.list_view", (row.id for row in result.rows),
                           object_type="case",
                           region_code=regions.pop() if len(regions) == 1 else None)
    return render_template(
        "cases/list.html", form=form, result=result, sort=sort, descending=descending,
        sort_labels=queries.SORT_LABELS, list_url=_list_url_maker(kept, sort, descending,
                                                                  result.page),
        filtered=bool(kept),
    ), 200 if valid else 400


@bp.route("/zoeken")
@role_required(Action.VIEW_CASE)
def header_search():
    """The header's search box. A case number ("301", "Traject 301") that matches exactly one
    case the user may see opens that case; anything else is the case list's search over every
    case of the user's regions, closed ones included."""
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    if not q:
        return redirect(url_for("cases.case_list"))
    case_id = queries.only_case_named(current_user, q)
    if case_id is not None:
        return redirect(url_for("cases.case_page", case_id=case_id))
    return redirect(url_for("cases.case_list", q=q, stap=ALL_FILTER))


# ---------------------------------------------------------------------------------------------
# Registration (aanmelding)


def _registration_setup(form: RegistrationForm) -> None:
    regions = list(db.session.scalars(sa.select(Region).order_by(Region.name)
                                      .where(Region.code.in_(current_user.region_codes))))
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
        matches=service.duplicate_matches(current_user, duplicates),
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
        form.region_code.data = form.region_code.choices[0].value  # the first of the user's
        form.coach_id.data = current_user.id
        return _render_register(form)
    coach = _registration_coach(form) if form.validate() else None
    if coach is None:
        return _render_register(form, 400)
    return _register_or_confirm(form, coach)


def _register_or_confirm(form: RegistrationForm, coach: User) -> ResponseReturnValue:
    """Open the case, unless the candidate looks known: then ask which person it is (an
    existing candidate, or confirmed as someone new)."""
    duplicates = service.find_duplicates(
        current_user, first_name=form.first_name.data, last_name=form.last_name.data,
        birth_date=form.birth_date.data, email=form.email.data or "",
        phone=form.phone.data or "")
    existing_id = request.form.get("bestaande_kandidaat", "")
    if existing_id:
        candidate = next((c for c in duplicates if str(c.id) == existing_id), None)
        if candidate is None:
            return _render_duplicates(form, duplicates, 400, "Kies een van de getoonde kandidaten.")
        return _register_case(form, duplicates, coach, existing_candidate=candidate)
    if duplicates and request.form.get("bevestigd") != "1":
        return _render_duplicates(form, duplicates)
    return _register_case(form, duplicates, coach, candidate_data=form.candidate_data())


def _registration_coach(form: RegistrationForm) -> User | None:
    """The coach of the new case, if the user may open one in the chosen region for them;
    else None, with the refusal at its field."""
    try:
        return service.check_registration(current_user, form.region_code.data,
                                          _user_or_none(form.coach_id.data))
    except Forbidden:
        raise
    except DomainError as exc:
        form.add_domain_error(exc)
        return None


def _register_case(form: RegistrationForm, duplicates: list, coach: User,
                   **candidate: Any) -> ResponseReturnValue:
    """Open the case (for a known candidate or a new one), or show why not."""
    try:
        with transaction.attempt():
            case = service.register(current_user, region_code=form.region_code.data,
                                    coach=coach, **candidate)
    except Forbidden:
        raise
    except DomainError as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        if "existing_candidate" in candidate:
            return _render_duplicates(form, duplicates, status, exc.message)
        form.add_domain_error(exc)
        return _render_register(form, status)
    except sa.exc.IntegrityError:
        # Two registrations of the same person at the same moment: the database refused one.
        return _render_duplicates(form, duplicates, 409,
                                  "Deze kandidaat heeft intussen al een lopend traject.")
    flash(f"{case.candidate.full_name} is aangemeld. Het traject staat in de stap Aangemeld.",
          "success")
    return redirect(_case_url(case))


# ---------------------------------------------------------------------------------------------
# The case page


@dataclass(frozen=True)
class CaseRights:
    """What the current user may do on the case page (asked of the policy once)."""

    edit: bool
    reassign: bool
    view_notes: bool
    view_audit: bool
    reopen: bool = False

    @classmethod
    def of(cls, user: Any, case: Case) -> CaseRights:
        may_edit = can(user, Action.EDIT_CASE, case)
        deadline = service.reopen_deadline(case)
        return cls(
            edit=may_edit and not case.is_closed,
            reassign=(may_edit or can(user, Action.REASSIGN_CASE, case)) and not case.is_closed,
            view_notes=can(user, Action.VIEW_NOTES, case),
            view_audit=can(user, Action.VIEW_CASE_AUDIT, case),
            reopen=(case.is_closed and deadline is not None and clock.today() <= deadline
                    and can(user, Action.REOPEN_CASE, case)),
        )


@dataclass(frozen=True)
class CaseMoves:
    """The steps offered on the case page: simple buttons (each with what still blocks it), a
    step back and closing (each a small form)."""

    simple: list[tuple[Transition, list[str]]]
    back: Transition | None
    close: Transition | None

    @classmethod
    def of(cls, case: Case, rights: CaseRights) -> CaseMoves:
        moves = service.available_transitions(case) if rights.edit else []
        facts = service.case_facts(case)
        simple = [(move, [p.message for p in check(facts, move.target)]
                   if move.kind != TransitionKind.PAUSE else [])
                  for move in moves if move.kind in SIMPLE_MOVES]
        return cls(simple=simple,
                   back=next((m for m in moves if m.kind == TransitionKind.BACK), None),
                   close=next((m for m in moves if m.kind == TransitionKind.CLOSE), None))


def _case_forms(case: Case, submitted: dict[str, CaseForm], shown: set[str],
                regions: Sequence[RegionName]) -> dict[str, CaseForm | None]:
    """The forms the page shows (``shown``: their prefixes): the submitted one with its errors,
    or fresh ones. Forms the user is not offered are not built (None)."""

    def make(key: str, form_cls: type[CaseForm], **data: Any) -> CaseForm | None:
        if key not in shown:
            return None
        return submitted.get(key) or form_cls(formdata=None, prefix=key, **data)

    task_form = make("actie", TaskForm, owner_id=case.coach_id)
    if task_form is not None:
        task_form.set_owners(queries.staff_choices({case.region_code},
                                                  (Role.COACH, Role.COORDINATOR)))
    transfer_form = make("overdracht", TransferRequestForm, version=case.version)
    if transfer_form is not None:
        transfer_form.set_regions(regions, case.region_code)
    return {
        "note_form": make("aantekening", NoteForm),
        "task_form": task_form,
        "consent_form": make("toestemming", ConsentForm),
        "back_form": make("terug", TransitionForm, version=case.version),
        "step_form": submitted.get("stap"),
        "transfer_form": transfer_form,
        "reopen_form": make("heropenen", ReopenForm, version=case.version),
    }


def _shown_forms(rights: CaseRights, moves: CaseMoves, transfer_pending: bool) -> set[str]:
    """The prefixes of the forms the page shows to this user now."""
    shown = {"heropenen"} if rights.reopen else set()
    if rights.edit:
        shown |= {"stap", "aantekening", "actie", "toestemming"}
        shown |= {"terug"} if moves.back else set()
        shown |= set() if transfer_pending else {"overdracht"}
    return shown


def _errors_of_hidden_forms(submitted: dict[str, CaseForm], shown: set[str]) -> list[str]:
    """The errors of a submitted form the page no longer shows (e.g. the case was closed
    meanwhile): they are said at the top of the page."""
    return [message for key, form in submitted.items() if key not in shown
            for message in _form_messages(form)]


def _case_sections(case: Case, rights: CaseRights, detail: queries.CaseDetail
                   ) -> dict[str, Any]:
    """The read-only sections: timeline, who viewed or changed it, time in the step."""
    today = clock.today()
    return {
        "timeline": service.timeline(case, include_notes=rights.view_notes,
                                     notes=detail.notes, transfers=detail.transfers,
                                     events=detail.events),
        "audit_entries": entries_for_object("case", case.id) if rights.view_audit else None,
        "audit_title": action_title,
        "days_in_step": queries.days_since(case.status_since, today),
        "today": today,
        "main_line": [s for s in CaseState if s != CaseState.GEPAUZEERD],
        "feature_sections": extensions.load_sections(current_user, case),
    }


def _case_context(case: Case, submitted: dict[str, CaseForm], page_errors: list[str]) -> dict:
    """Everything the case page shows, in named steps: load, check, forms, sections."""
    notes_limit = request.args.get("aantekeningen", default=queries.NOTES_PAGE, type=int)
    notes_limit = min(max(notes_limit or queries.NOTES_PAGE, queries.NOTES_PAGE), 10_000)
    detail = queries.load_case_detail(case, notes_limit)
    regions = region_names()
    rights = CaseRights.of(current_user, case)
    moves = CaseMoves.of(case, rights)
    shown = _shown_forms(rights, moves, transfer_pending=detail.pending_transfer is not None)
    return {
        "case": case,
        "candidate": case.candidate,
        "detail": detail,
        "can_edit": rights.edit,
        "can_reassign": rights.reassign,
        "can_view_notes": rights.view_notes,
        "can_reopen": rights.reopen,
        "reopen_deadline": service.reopen_deadline(case),
        "simple_moves": moves.simple,
        "back_move": moves.back,
        "close_move": moves.close,
        **_case_forms(case, submitted, shown, regions),
        **_case_sections(case, rights, detail),
        "page_errors": [*page_errors, *_errors_of_hidden_forms(submitted, shown)],
        "region_names": {r.code: r.name for r in regions},
    }


def _render_case(case: Case, forms: dict[str, CaseForm] | None = None, status: int = 200,
                 page_errors: list[str] | None = None) -> ResponseReturnValue:
    context = _case_context(case, forms or {}, page_errors or [])
    return render_template("cases/case.html", **context), status


def _on_case_page(case: Case, key: str, form: CaseForm) -> Callable[[int], ResponseReturnValue]:
    """``on_error`` for a form of the case page: the page again with that form's errors."""
    return _show_again(case, form, lambda f, status: _render_case(case, {key: f}, status))


@bp.route("/trajecten/<id:case_id>")
@login_required
def case_page(case_id: int):
    case, probes = get_row_or_404(Case, case_id, current_user, Action.VIEW_CASE,
                                  options=queries.CASE_PAGE_LOAD,
                                  columns=extensions.probe_columns(Case.id))
    extensions.keep_probe_answers(case, probes)  # what the sections ask (has_rows)
    service.audit_view(current_user, case)
    return _render_case(case)


# --- steps ----------------------------------------------------------------------------------


@bp.route("/trajecten/<id:case_id>/stap", methods=["POST"])
@login_required
def transition(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    prefix = next((p for p in ("terug", "afsluiten") if f"{p}-to" in request.form), "stap")
    form = TransitionForm(prefix=prefix)
    return submit(
        form,
        lambda: service.transition(current_user, case, form.to.data,
                                   expected_version=form.version_number,
                                   reason=form.reason.data or "",
                                   exit_reason=form.exit_reason.data or None,
                                   exit_reason_text=form.exit_reason_text.data or ""),
        on_error=_on_case_page(case, prefix, form),
        on_success=lambda _event: redirect(_case_url(case)),
        success_message=lambda _event: f"Het traject staat nu in de stap {case.status.label}.")


# --- closing and reopening -----------------------------------------------------------------


def _render_close(case: Case, form: CloseForm, status: int = 200) -> ResponseReturnValue:
    items = service.closing_items(case)
    return render_template(
        "cases/close.html", case=case, candidate=case.candidate, form=form, items=items,
        blocking=[item for item in items if item.blocks],
        placements=[p for p in service.work_placements(case) if p.runs_on(clock.today())],
        work_exits=sorted(reason.value for reason in service.WORK_EXITS)), status


@bp.route("/trajecten/<id:case_id>/afsluiten", methods=["GET", "POST"])
@login_required
def close(case_id: int):
    """The confirmation step of closing: every open item and what closing does with it."""
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    if case.is_closed:
        return redirect(_case_url(case))
    if request.method == "GET":
        form = CloseForm(formdata=None, version=case.version)
    else:
        form = CloseForm()
    form.set_placements([p for p in service.work_placements(case)
                         if p.runs_on(clock.today())])
    if request.method == "GET":
        return _render_close(case, form)
    return submit(
        form,
        lambda: service.close(current_user, case, exit_reason=form.exit_reason.data,
                              exit_reason_text=form.exit_reason_text.data or "",
                              reason=form.reason.data or "",
                              placement_id=form.placement_id.data,
                              expected_version=form.version_number),
        on_error=_show_again(case, form, lambda f, status: _render_close(case, f, status)),
        on_success=lambda _event: redirect(_case_url(case)),
        success_message=lambda _event: (
            f"Het traject is afgesloten met uitstroomreden {case.exit_reason.label.lower()}."))


@bp.route("/trajecten/<id:case_id>/heropenen", methods=["POST"])
@login_required
def reopen(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.REOPEN_CASE, case)
    form = ReopenForm(prefix="heropenen")
    return submit(
        form,
        lambda: service.reopen(current_user, case, reason=form.reason.data,
                               expected_version=form.version_number),
        on_error=_on_case_page(case, "heropenen", form),
        on_success=lambda _event: redirect(_case_url(case)),
        success_message=lambda _event: (
            f"Het traject is heropend en staat weer in de stap {case.status.label}."))


# --- notes, tasks, consent ------------------------------------------------------------------


@bp.route("/trajecten/<id:case_id>/aantekeningen", methods=["POST"])
@login_required
def note_add(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    form = NoteForm(prefix="aantekening")
    return submit(
        form,
        lambda: service.add_note(current_user, case, contact_on=form.contact_on.data,
                                 kind=form.kind.data, text=form.text.data),
        on_error=_on_case_page(case, "aantekening", form),
        on_success=lambda _note: redirect(_case_url(case, "aantekeningen")),
        success_message="De aantekening is opgeslagen.")


@bp.route("/trajecten/<id:case_id>/acties", methods=["POST"])
@login_required
def task_add(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    form = TaskForm(prefix="actie")
    form.set_owners(queries.staff_choices({case.region_code}, (Role.COACH, Role.COORDINATOR)))
    return submit(
        form,
        lambda: service.add_task(current_user, case, title=form.title.data,
                                 due_on=form.due_on.data,
                                 owner=_user_or_none(form.owner_id.data)),
        on_error=_on_case_page(case, "actie", form),
        on_success=lambda _task: redirect(_case_url(case, "acties")),
        success_message="De actie is toegevoegd.")


@bp.route("/trajecten/<id:case_id>/acties/<id:task_id>/afronden", methods=["POST"])
@login_required
def task_complete(case_id: int, task_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    if not any(t.id == task_id for t in case.tasks):
        abort(404)
    done_url = (url_for("main.index") if request.form.get("terug") == "start"
                else _case_url(case, "acties"))
    return _case_action(case, lambda: service.complete_task(current_user, case, task_id),
                        done_url=done_url,
                        message=lambda task: f"De actie '{task.title}' is afgerond.")


@bp.route("/trajecten/<id:case_id>/toestemming", methods=["POST"])
@login_required
def consent_give(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    form = ConsentForm(prefix="toestemming")
    return submit(
        form,
        lambda: service.record_consent(current_user, case, form.purpose.data,
                                       form.given_on.data),
        on_error=_on_case_page(case, "toestemming", form),
        on_success=lambda _consent: redirect(_case_url(case, "toestemming")),
        success_message="De toestemming is vastgelegd.")


@bp.route("/trajecten/<id:case_id>/toestemming/<id:consent_id>/intrekken", methods=["POST"])
@login_required
def consent_revoke(case_id: int, consent_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    if not any(c.id == consent_id for c in case.candidate.consents):
        abort(404)
    return _case_action(
        case, lambda: service.revoke_consent(current_user, case, consent_id),
        done_url=_case_url(case, "toestemming"),
        message="De toestemming is ingetrokken. Vanaf vandaag geldt zij niet meer.")


# --- coach and region -----------------------------------------------------------------------


def _render_reassign(case: Case, form: ReassignForm, status: int = 200) -> ResponseReturnValue:
    return render_template("cases/reassign.html", case=case, candidate=case.candidate,
                           form=form), status


@bp.route("/trajecten/<id:case_id>/coach", methods=["GET", "POST"])
@login_required
def reassign(case_id: int):
    """Another coach of the region, chosen with their caseloads (a page of its own: counting
    every coach's running cases is not work for each view of the case page)."""
    case = _case_or_404(case_id)
    require(current_user, (Action.EDIT_CASE, Action.REASSIGN_CASE), case,
            message=REASSIGN_REFUSED)
    if request.method == "GET" and case.is_closed:  # a closed case keeps its coach
        return redirect(_case_url(case))
    coaches = queries.region_staff({case.region_code}, (Role.COACH,))
    if request.method == "GET":
        form = ReassignForm(formdata=None, prefix="coach", version=case.version)
        form.set_coaches(queries.with_caseload([c for c in coaches if c.id != case.coach_id]))
        return _render_reassign(case, form)
    # Any coach of the region is a valid answer; the service says why the current one is not.
    form = ReassignForm(prefix="coach")
    form.set_coaches(queries.with_caseload(coaches))
    return submit(
        form,
        lambda: service.reassign(current_user, case, _user_or_none(form.coach_id.data),
                                 form.version_number),
        on_error=_show_again(case, form, lambda f, status: _render_reassign(case, f, status)),
        on_success=lambda _none: redirect(_case_url(case)),
        success_message=lambda _none: f"{case.coach.name} is nu de loopbaancoach van dit traject.")


@bp.route("/trajecten/<id:case_id>/overdracht", methods=["POST"])
@login_required
def transfer_request(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    form = TransferRequestForm(prefix="overdracht")
    form.set_regions(region_names(), case.region_code)
    return submit(
        form,
        lambda: service.request_transfer(current_user, case,
                                         to_region_code=form.to_region_code.data,
                                         reason=form.reason.data,
                                         expected_version=form.version_number),
        on_error=_on_case_page(case, "overdracht", form),
        on_success=lambda _transfer: redirect(_case_url(case)),
        success_message=lambda transfer: (
            f"De overdracht naar {transfer.to_region_code} is aangevraagd. Een coördinator "
            "van die regio beslist erover."))


@bp.route("/trajecten/<id:case_id>/overdracht/intrekken", methods=["POST"])
@login_required
def transfer_withdraw(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    return _case_action(case, lambda: service.withdraw_transfer(current_user, case),
                        done_url=_case_url(case),
                        message="Het overdrachtsverzoek is ingetrokken.")


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
    require(current_user, Action.EDIT_CASE, case)
    if request.method == "GET":
        form = _candidate_form(case, formdata=None, obj=case.candidate, version=case.version)
        service.audit_view(current_user, case)
        return _render_candidate(case, form)
    form = _candidate_form(case)
    return submit(
        form,
        lambda: service.update_candidate(current_user, case, form.candidate_data(),
                                         form.version_number),
        on_error=_show_again(case, form, lambda f, status: _render_candidate(case, f, status)),
        on_success=lambda _none: redirect(_case_url(case, "kandidaat")),
        success_message="De gegevens van de kandidaat zijn opgeslagen.")


def _render_intake(case: Case, form: IntakeForm, status: int = 200):
    return render_template("cases/intake.html", case=case, candidate=case.candidate,
                           form=form, intake=case.intake,
                           stale=status == 409 and bool(form.form_errors)), status


@bp.route("/trajecten/<id:case_id>/intake", methods=["GET", "POST"])
@login_required
def intake(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    if request.method == "GET":
        form = IntakeForm(formdata=None, obj=case.intake, version=case.version)
        service.audit_view(current_user, case)
        return _render_intake(case, form)
    form = IntakeForm()
    complete = "afronden" in request.form
    return submit(
        form,
        lambda: service.save_intake(current_user, case, form.intake_data(), complete=complete,
                                    expected_version=form.version_number),
        on_error=_show_again(case, form, lambda f, status: _render_intake(case, f, status)),
        on_success=lambda _intake: redirect(
            _case_url(case) if complete else url_for("cases.intake", case_id=case.id)),
        success_message=("De intake is afgerond. U kunt het traject nu naar de volgende stap "
                         "zetten." if complete else "De intake is opgeslagen."))


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


def _on_plan_page(case: Case, key: str, form: CaseForm) -> Callable[[int], ResponseReturnValue]:
    """``on_error`` for a form of the plan page: the page again with that form's errors."""
    return _show_again(case, form, lambda f, status: _render_plan(case, {key: f}, status))


def _plan_url(case: Case, anchor: str = "") -> str:
    return url_for("cases.plan", case_id=case.id) + (f"#{anchor}" if anchor else "")


@bp.route("/trajecten/<id:case_id>/plan", methods=["GET", "POST"])
@login_required
def plan(case_id: int):
    case = _case_or_404(case_id)
    if request.method == "GET":
        service.audit_view(current_user, case)
        return _render_plan(case)
    require(current_user, Action.EDIT_CASE, case)
    form = PlanForm()
    return submit(
        form,
        lambda: service.save_plan(current_user, case, {k: form._fields[k].data or "" for k in
                                                       service.PLAN_FIELDS}, form.version_number),
        on_error=_on_plan_page(case, "plan", form),
        on_success=lambda _plan: redirect(_plan_url(case)),
        success_message="Het trajectplan is opgeslagen.")


@bp.route("/trajecten/<id:case_id>/activiteiten", methods=["POST"])
@login_required
def activity_add(case_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    form = ActivityForm(prefix="activiteit")
    return submit(
        form,
        lambda: service.add_activity(current_user, case, description=form.description.data,
                                     due_on=form.due_on.data,
                                     service_type_id=form.service_type_id.data,
                                     partner_id=form.partner_id.data,
                                     expected_version=form.version_number),
        on_error=_on_plan_page(case, "activiteit", form),
        on_success=lambda _activity: redirect(_plan_url(case, "activiteiten")),
        success_message="De activiteit is toegevoegd aan het trajectplan.")


@bp.route("/trajecten/<id:case_id>/activiteiten/<id:activity_id>", methods=["POST"])
@login_required
def activity_status(case_id: int, activity_id: int):
    case = _case_or_404(case_id)
    require(current_user, Action.EDIT_CASE, case)
    if not any(a.id == activity_id for a in case.activities):
        abort(404)
    key = f"a{activity_id}"
    form = ActivityStatusForm(prefix=key)
    return submit(
        form,
        lambda: service.set_activity_status(current_user, case, activity_id, form.status.data,
                                            form.version_number),
        on_error=_on_plan_page(case, key, form),
        on_success=lambda _activity: redirect(_plan_url(case, "activiteiten")),
        success_message=lambda activity: (
            f"De status van '{activity.description}' is nu {activity.status.label}."))


# ---------------------------------------------------------------------------------------------
# Reference data of the trajectplan (functioneel beheer): service types and partners


@bp.route("/beheer/soorten-dienst")
@role_required(Action.MANAGE_REFERENCE_DATA)
def service_types():
    return render_template("cases/service_types.html", items=reference.service_types())


@bp.route("/beheer/soorten-dienst/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def service_type_create():
    return _service_type_form(None)


@bp.route("/beheer/soorten-dienst/<id:record_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def service_type_edit(record_id: int):
    return _service_type_form(db.session.get(ServiceType, record_id) or abort(404))


def _service_type_form(record: ServiceType | None) -> ResponseReturnValue:
    return reference_form(
        ServiceTypeForm, record, reference.save_service_type, "cases/service_type_form.html",
        lambda saved: (f"Soort dienst {saved.name} is opgeslagen.",
                       url_for("cases.service_types")),
        record=record)


@bp.route("/beheer/partners")
@role_required(Action.MANAGE_REFERENCE_DATA)
def partners():
    return render_template("cases/partners.html", items=reference.partners())


@bp.route("/beheer/partners/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def partner_create():
    return _partner_form(None)


@bp.route("/beheer/partners/<id:record_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def partner_edit(record_id: int):
    return _partner_form(db.session.get(DeliveryPartner, record_id) or abort(404))


def _partner_form(record: DeliveryPartner | None) -> ResponseReturnValue:
    return reference_form(
        PartnerForm, record, reference.save_partner, "cases/partner_form.html",
        lambda saved: (f"Partner {saved.name} is opgeslagen.", url_for("cases.partners")),
        record=record)




# ---------------------------------------------------------------------------------------------
# A leaving coach's caseload


def _render_caseload(form: CaseloadForm, coach: User | None, cases: list[Case],
                     status: int = 200) -> ResponseReturnValue:
    return render_template(
        "cases/caseload.html", form=form, coach=coach, cases=cases,
        inactive=queries.inactive_coach_caseloads(current_user),
        coaches=queries.region_staff(set(current_user.region_codes), (Role.COACH,),
                                     active_only=False),
        region_names={r.code: r.name for r in region_names()}), status


@bp.route("/trajecten/overnemen", methods=["GET", "POST"])
@role_required(Action.REASSIGN_CASELOAD)
def caseload():
    """Hand over the running cases of a deactivated or leaving coach in one go."""
    coach_id = request.values.get("coach", type=int)
    coach = db.session.get(User, coach_id) if coach_id else None
    if coach is not None and (coach.role != Role.COACH
                              or not coach.region_codes & current_user.region_codes):
        abort(404)
    cases = queries.running_cases_of(current_user, coach) if coach else []
    form = CaseloadForm() if request.method == "POST" else CaseloadForm(
        formdata=None, case_ids=[c.id for c in cases])
    regions = {c.region_code for c in cases} or set(current_user.region_codes)
    candidates = [u for u in queries.region_staff(regions, (Role.COACH,))
                  if coach is None or u.id != coach.id]
    form.set_choices(cases, queries.with_caseload(candidates))
    if request.method == "GET" or coach is None:
        return _render_caseload(form, coach, cases)
    return submit(
        form,
        lambda: service.reassign_caseload(current_user, coach, form.case_ids.data or [],
                                          _user_or_none(form.new_coach_id.data)),
        on_error=lambda status: _render_caseload(form, coach, cases, status),
        on_success=lambda moved: redirect(url_for("cases.caseload", coach=coach.id)),
        success_message=lambda moved: (
            ngettext("%(num)d traject is overgedragen aan %(coach)s.",
                     "%(num)d trajecten zijn overgedragen aan %(coach)s.", len(moved),
                     coach=moved[0].coach.name)))


# ---------------------------------------------------------------------------------------------
# Transfer inbox of the receiving region


def _form_messages(form: CaseForm) -> list[str]:
    """Every error of a form: above it and at its fields."""
    return [*form.form_errors, *[message for f in form for message in f.errors]]


def _decision_forms(transfers: list[CaseTransfer], submitted: dict[int, TransferDecisionForm]
                    ) -> dict[int, TransferDecisionForm]:
    """One decision form per pending transfer (the submitted one with its errors), each offering
    the coaches of the receiving region."""
    coaches = queries.region_staff({t.to_region_code for t in transfers}, (Role.COACH,))
    labels = dict(queries.with_caseload(coaches))
    forms = {}
    for transfer in transfers:
        form = submitted.get(transfer.id) or TransferDecisionForm(formdata=None,
                                                                  prefix=f"t{transfer.id}")
        form.set_coaches([(c.id, labels[c.id]) for c in coaches
                          if transfer.to_region_code in c.region_codes])
        forms[transfer.id] = form
    return forms


def _render_inbox(forms: dict[int, TransferDecisionForm] | None = None, status: int = 200):
    forms = forms or {}
    transfers = queries.pending_transfers(current_user)
    pending_ids = {t.id for t in transfers}
    # The summaries show these cases to the receiving region before it decides: audited.
    audit.record_list_view("transfer.summary_view", [t.case_id for t in transfers],
                           object_type="case", label="trajecten")
    # A request decided meanwhile has no form on the page any more: its errors go on top.
    page_errors = [message for transfer_id, form in forms.items()
                   if transfer_id not in pending_ids for message in _form_messages(form)]
    return render_template(
        "cases/transfers.html", transfers=transfers, forms=_decision_forms(transfers, forms),
        summaries=queries.transfer_summaries(transfers),
        page_errors=page_errors,
        decided=queries.recent_decisions(current_user),
        region_names={r.code: r.name for r in region_names()},
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
    accept = form.decision.data == "accepteren"

    def decided(_none: None) -> ResponseReturnValue:
        if accept:
            return redirect(_case_url(case))
        return redirect(url_for("cases.transfers"))

    return submit(
        form,
        lambda: service.decide_transfer(
            current_user, transfer, accept=accept, note=form.decision_note.data or "",
            new_coach=_user_or_none(form.new_coach_id.data) if accept else None),
        on_error=lambda status: _render_inbox({transfer.id: form}, status),
        on_success=decided,
        success_message=(
            f"De overdracht is geaccepteerd. Het traject van {case.candidate.full_name} staat nu "
            "in uw regio." if accept else
            "De overdracht is geweigerd. De aanvrager ziet uw toelichting."))
