"""HTML pages for employers, contact moments, vacancies, proposals, placements and aftercare.

Views parse the form, call the service and commit once. Employer data is shared; anything about a
candidate is loaded through the candidate's case and is 404 outside the user's regions.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import Form

from rmt import audit
from rmt.access import Action, can, get_or_404, role_required
from rmt.cases.models import Case
from rmt.employers import service
from rmt.employers.forms import (
    ContactForm,
    ContactMomentForm,
    EmployerForm,
    EndPlacementForm,
    FollowUpForm,
    MergeForm,
    PlacementForm,
    PostForm,
    ProposalStepForm,
    ProposeForm,
    SectorForm,
    VacancyForm,
    VacancyStatusForm,
    opts,
)
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    FollowUp,
    ProposalStatus,
    Sector,
    Vacancy,
    VacancyStatus,
    label,
)
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db

bp = Blueprint("employers", __name__)

PER_PAGE = 50


# ---------------------------------------------------------------------------------------------
# Helpers


def _form_error(form: Form, exc: DomainError) -> int:
    """Show a service refusal at its field (or above the form); the status for the response."""
    target = getattr(form, exc.field, None) if exc.field else None
    if target is not None and hasattr(target, "errors") and target.type != "HiddenField":
        target.errors = [*target.errors, exc.message]
    else:
        form.form_errors.append(exc.message)
    return 409 if isinstance(exc, Conflict) else 400


def _link_existing(form: EmployerForm, employer_id: int) -> Employer | None:
    """A refused duplicate KvK number: link the employer that has it at the field itself."""
    existing = db.session.get(Employer, employer_id)
    if existing is not None:
        href = url_for("employers.employer", employer_id=existing.id)
        form.kvk_number.description = Markup(
            'Dit nummer hoort bij <a class="utrecht-link" href="{}">{}</a>.').format(
                href, existing.name)
    return existing


def _expected_version(form: Any) -> int:
    """The version of the record when the editor opened the form (optimistic locking).

    A form without it (an old tab, a hand-made request) cannot prove it saw the latest data,
    so it is refused like a stale one."""
    version = form.version_number
    if version is None:
        raise Conflict("Het formulier mist de versie van de gegevens. Open het opnieuw en "
                       "voer uw wijziging nog eens in.", field="version", code="stale_version")
    return version


def _atomic(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a service call in a savepoint: a refusal leaves nothing of it in the session."""
    with db.session.begin_nested():
        return func(*args, **kwargs)


def _render_and_commit(template: str, status: int = 200, /,
                       **context: Any) -> tuple[str, int]:
    """Render first, then commit the request's audit entries: committing expires every loaded
    object, and rendering expired objects would reload them one by one."""
    body = render_template(template, **context)
    db.session.commit()
    return body, status


def _positive_int(value: str | None, max_digits: int = 9) -> int | None:
    """A positive integer written in ASCII digits, or None (never an exception)."""
    if value and re.fullmatch(rf"[0-9]{{1,{max_digits}}}", value) and int(value) > 0:
        return int(value)
    return None


def _page_arg() -> int:
    return _positive_int(request.args.get("pagina"), 5) or 1


def _int_arg(name: str) -> int | None:
    return _positive_int(request.args.get(name))


def _region_arg(name: str = "regio") -> str | None:
    value = request.args.get(name, "")
    return value if value in service.REGION_CODES else None


def _employer_or_404(employer_id: int) -> Employer:
    employer = db.session.get(Employer, employer_id)
    if employer is None:
        abort(404)
    return employer


def _active_employer_or_404(employer_id: int) -> Employer:
    employer = _employer_or_404(employer_id)
    if employer.is_merged:
        abort(404)
    return employer


def _case_for_work(case_id: int, action: Action) -> Case:
    """A case for work-related pages: in the user's regions, and either the user sees the whole
    case (coach, coordinator) or the candidate consented to share their work profile."""
    case = get_or_404(Case, case_id, current_user, action)
    if not (can(current_user, Action.VIEW_CASE, case) or service.has_profile_consent(case)):
        abort(404)
    return case


@bp.app_template_filter("werkgever_label")
def _label_filter(value: Any) -> str:
    return label(value)


@bp.app_template_global("liaison_dashboard")
def _liaison_dashboard() -> service.LiaisonDashboard | None:
    """Data for the liaison's start page (rmt/templates/main/start_liaison.html)."""
    if not can(current_user, Action.MANAGE_EMPLOYERS):
        return None
    return service.liaison_dashboard(current_user)


@bp.app_template_global("follow_up_form")
def _follow_up_form(follow_up: FollowUp) -> FollowUpForm:
    """An empty outcome form for one follow-up (the liaison's start page)."""
    return FollowUpForm(prefix=f"nazorg{follow_up.id}", formdata=None)


@bp.app_template_global("case_employment")
def _case_employment(case: Case) -> service.CaseEmployment:
    """Proposals and placements for the case page section."""
    return service.case_employment(current_user, case)


# ---------------------------------------------------------------------------------------------
# Employers


@bp.route("/werkgevers")
@role_required(Action.VIEW_EMPLOYERS)
def employers():
    leerbedrijf = {"ja": True, "nee": False}.get(request.args.get("leerbedrijf", ""))
    filters = {"q": request.args.get("q", "")[:100], "sector_id": _int_arg("sector"),
               "region_code": _region_arg(), "leerbedrijf": leerbedrijf}
    page = _page_arg()
    items, total = service.page_of(service.employer_query(**filters), page, PER_PAGE)
    return render_template("employers/list.html", employers=items, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), filters=filters,
                           sectors=service.sectors(), regions=service.regions(),
                           leerbedrijf=request.args.get("leerbedrijf", ""))


@bp.route("/werkgevers/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def employer_create():
    form = EmployerForm()
    form.set_choices(service.sector_options(), service.regions())
    if request.method == "GET":
        form.region_codes.data = sorted(current_user.region_codes)
    existing = None
    status = 200
    if form.validate_on_submit():
        try:
            employer = _atomic(service.create_employer, current_user, form.to_data())
        except service.DuplicateEmployer as exc:
            status = _form_error(form, exc)
            existing = _link_existing(form, exc.existing.id)
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash(f"Werkgever {employer.name} is geregistreerd.", "success")
            return redirect(url_for("employers.employer", employer_id=employer.id))
    elif form.errors:
        status = 400
    return render_template("employers/employer_form.html", form=form, employer=None,
                           existing=existing), status


@bp.route("/werkgevers/<id:employer_id>")
@role_required(Action.VIEW_EMPLOYERS)
def employer(employer_id: int):
    employer = _employer_or_404(employer_id)
    if employer.is_merged:
        target = service.resolve_merged(employer)
        flash(f"Deze registratie is samengevoegd met {target.name}.", "info")
        return redirect(url_for("employers.employer", employer_id=target.id))
    page = service.employer_page(current_user, employer)
    return _render_and_commit("employers/employer.html", page=page, employer=employer,
                              today=date.today())


@bp.route("/werkgevers/<id:employer_id>/bewerken", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def employer_edit(employer_id: int):
    employer = _active_employer_or_404(employer_id)

    def loaded_form() -> EmployerForm:
        form = EmployerForm(formdata=None, obj=employer)
        form.set_choices(service.sector_options(employer.sector_id), service.regions())
        form.sector_id.data = str(employer.sector_id)
        form.region_codes.data = employer.region_codes
        form.sbb_number.data = employer.sbb_number or ""
        form.version.data = str(employer.version)
        return form

    if request.method == "GET":
        form = loaded_form()
    else:
        form = EmployerForm()
        form.set_choices(service.sector_options(employer.sector_id), service.regions())
    existing = None
    status = 200
    if form.validate_on_submit():
        try:
            _atomic(service.update_employer, current_user, employer, form.to_data(),
                    expected_version=_expected_version(form))
        except service.DuplicateEmployer as exc:
            status = _form_error(form, exc)
            existing = _link_existing(form, exc.existing.id)
        except DomainError as exc:
            if exc.code == "stale_version":
                form = loaded_form()  # the newest data, with its version
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash("De wijzigingen zijn opgeslagen.", "success")
            return redirect(url_for("employers.employer", employer_id=employer.id))
    elif form.errors:
        status = 400
    return render_template("employers/employer_form.html", form=form, employer=employer,
                           existing=existing), status


@bp.route("/werkgevers/<id:employer_id>/samenvoegen", methods=["GET", "POST"])
@role_required(Action.MERGE_EMPLOYERS)
def employer_merge(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    others = [e for e in db.session.scalars(service.employer_query()) if e.id != employer.id]
    form = MergeForm()
    form.duplicate_id.choices = opts([("", "Kies de dubbele registratie")] + [
        (e.id, f"{e.name} (KvK {e.kvk_number}{', ' + e.city if e.city else ''})")
        for e in others])
    status = 200
    if form.validate_on_submit():
        duplicate = _active_employer_or_404(int(form.duplicate_id.data))
        try:
            moved = _atomic(service.merge_employers, current_user, employer, duplicate)
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            count = sum(moved.values())
            flash(f"{duplicate.name} is samengevoegd met {employer.name}; {count} gekoppelde "
                  "gegevens zijn overgezet.", "success")
            return redirect(url_for("employers.employer", employer_id=employer.id))
    elif form.errors:
        status = 400
    return render_template("employers/merge.html", form=form, employer=employer), status


@bp.route("/werkgevers/<id:employer_id>/contactpersonen/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def contact_create(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    return _contact_form(employer, None)


@bp.route("/werkgevers/<id:employer_id>/contactpersonen/<id:contact_id>",
          methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def contact_edit(employer_id: int, contact_id: int):
    employer = _active_employer_or_404(employer_id)
    contact = db.session.get(EmployerContact, contact_id)
    if contact is None or contact.employer_id != employer.id:
        abort(404)
    return _contact_form(employer, contact)


def _contact_form(employer: Employer, contact: EmployerContact | None):
    def loaded_form() -> ContactForm:
        form = ContactForm(formdata=None, obj=contact)
        form.version.data = str(contact.version) if contact is not None else ""
        return form

    form = loaded_form() if request.method == "GET" else ContactForm()
    status = 200
    if form.validate_on_submit():
        try:
            if contact is None:
                _atomic(service.add_contact, current_user, employer, form.to_data())
            else:
                _atomic(service.update_contact, current_user, contact, form.to_data(),
                        expected_version=_expected_version(form))
        except DomainError as exc:
            if exc.code == "stale_version":
                form = loaded_form()
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash("De contactpersoon is opgeslagen.", "success")
            return redirect(url_for("employers.employer", employer_id=employer.id,
                                    _anchor="contactpersonen"))
    elif form.errors:
        status = 400
    return render_template("employers/contact_form.html", form=form, employer=employer,
                           contact=contact), status


# ---------------------------------------------------------------------------------------------
# Contact moments


@bp.route("/werkgevers/<id:employer_id>/contactmomenten/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def contact_moment_create(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    form = ContactMomentForm()
    owners: dict[int, Any] = {}
    for code in sorted(current_user.region_codes):
        for user in service.follow_up_owners(code):
            owners.setdefault(user.id, user)
    owners.pop(current_user.id, None)
    contacts = list(db.session.scalars(
        sa.select(EmployerContact).where(EmployerContact.employer_id == employer.id)
        .order_by(EmployerContact.name)))
    form.set_choices(current_user, contacts, sorted(owners.values(), key=lambda u: u.name))
    if request.method == "GET":
        form.contact_on.data = date.today()
    status = 200
    if form.validate_on_submit():
        try:
            _atomic(service.record_contact_moment, current_user, employer, form.to_data())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash("Het contactmoment is vastgelegd.", "success")
            return redirect(url_for("employers.employer", employer_id=employer.id,
                                    _anchor="contactmomenten"))
    elif form.errors:
        status = 400
    return render_template("employers/contact_moment_form.html", form=form,
                           employer=employer), status


@bp.route("/contactmomenten/<id:moment_id>/afgehandeld", methods=["POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def follow_up_done(moment_id: int):
    moment = get_or_404(ContactMoment, moment_id, current_user, Action.MANAGE_EMPLOYERS)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _atomic(service.complete_follow_up, current_user, moment)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("De vervolgafspraak is afgehandeld.", "success")
    if request.form.get("terug") == "werkgever":
        return redirect(url_for("employers.employer", employer_id=moment.employer_id,
                                _anchor="contactmomenten"))
    return redirect(url_for("main.index"))


# ---------------------------------------------------------------------------------------------
# Vacancies


@bp.route("/vacatures")
@role_required(Action.VIEW_EMPLOYERS)
def vacancies():
    status = request.args.get("status", VacancyStatus.OPEN.value)
    status = status if status in {s.value for s in VacancyStatus} else ""
    filters = {"status": status, "region_code": _region_arg(), "sector_id": _int_arg("sector"),
               "q": request.args.get("q", "")[:100]}
    page = _page_arg()
    items, total = service.page_of(service.vacancy_query(**filters), page, PER_PAGE)
    return render_template("employers/vacancies.html", vacancies=items, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), filters=filters,
                           sectors=service.sectors(), regions=service.regions(),
                           status_options=[(s.value, label(s)) for s in VacancyStatus])


@bp.route("/werkgevers/<id:employer_id>/vacatures/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_create(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    form = VacancyForm()
    form.set_choices(current_user, service.sector_options())
    if request.method == "GET":
        form.sector_id.data = str(employer.sector_id)
        form.opened_on.data = date.today()
        form.location.data = employer.city
    status = 200
    if form.validate_on_submit():
        try:
            vacancy = _atomic(service.create_vacancy, current_user, employer, form.to_data())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash(f"De vacature {vacancy.title} is aangemaakt.", "success")
            return redirect(url_for("employers.vacancy", vacancy_id=vacancy.id))
    elif form.errors:
        status = 400
    return render_template("employers/vacancy_form.html", form=form, employer=employer,
                           vacancy=None), status


@bp.route("/vacatures/<id:vacancy_id>")
@role_required(Action.VIEW_EMPLOYERS)
def vacancy(vacancy_id: int):
    vacancy = db.session.get(Vacancy, vacancy_id) or abort(404)
    proposals = list(db.session.scalars(service.proposal_query(current_user,
                                                               vacancy_id=vacancy.id)))
    if proposals:
        audit.record("vacancy.view", object_type="vacancy", object_id=vacancy.id,
                     region_code=vacancy.region_code,
                     summary=f"{len(proposals)} voordrachten getoond")
    return _render_and_commit("employers/vacancy.html", vacancy=vacancy, proposals=proposals,
                              steps=service.allowed_vacancy_steps(vacancy.status),
                              step_labels=service.VACANCY_STEP_LABELS)


@bp.route("/vacatures/<id:vacancy_id>/bewerken", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_edit(vacancy_id: int):
    vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)

    def loaded_form() -> VacancyForm:
        form = VacancyForm(formdata=None, obj=vacancy)
        form.set_choices(current_user, service.sector_options(vacancy.sector_id))
        form.sector_id.data = str(vacancy.sector_id)
        form.version.data = str(vacancy.version)
        return form

    if request.method == "GET":
        form = loaded_form()
    else:
        form = VacancyForm()
        form.set_choices(current_user, service.sector_options(vacancy.sector_id))
    status = 200
    if form.validate_on_submit():
        try:
            _atomic(service.update_vacancy, current_user, vacancy, form.to_data(),
                    expected_version=_expected_version(form))
        except DomainError as exc:
            if exc.code == "stale_version":
                form = loaded_form()
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash("De vacature is bijgewerkt.", "success")
            return redirect(url_for("employers.vacancy", vacancy_id=vacancy.id))
    elif form.errors:
        status = 400
    return render_template("employers/vacancy_form.html", form=form, employer=vacancy.employer,
                           vacancy=vacancy), status


@bp.route("/vacatures/<id:vacancy_id>/status", methods=["POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_status(vacancy_id: int):
    vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)
    form = VacancyStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        _atomic(service.set_vacancy_status, current_user, vacancy, form.to.data or "")
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("employers.vacancy", vacancy_id=vacancy_id))
    db.session.commit()
    flash(f"De vacature heeft nu de status {label(vacancy.status).lower()}.", "success")
    return redirect(url_for("employers.vacancy", vacancy_id=vacancy.id))


# ---------------------------------------------------------------------------------------------
# Proposals


@bp.route("/vacatures/<id:vacancy_id>/voordragen", methods=["GET", "POST"])
@role_required(Action.PROPOSE_CANDIDATE)
def propose(vacancy_id: int):
    vacancy = db.session.get(Vacancy, vacancy_id) or abort(404)
    form = ProposeForm()
    q = request.args.get("q", "")[:100]
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        case_id = _positive_int(form.case_id.data)
        if case_id is None:
            abort(404)
        case = get_or_404(Case, case_id, current_user, Action.PROPOSE_CANDIDATE)
        try:
            proposal = _atomic(service.propose, current_user, case, vacancy,
                               note=form.note.data or "")
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash(f"{case.candidate.full_name} is voorgedragen voor {vacancy.title}.",
                  "success")
            return redirect(url_for("employers.proposal", proposal_id=proposal.id))
    cases = (service.proposable_cases(current_user, vacancy, q)
             if vacancy.status == VacancyStatus.OPEN else [])
    return render_template("employers/propose.html", vacancy=vacancy, cases=cases, q=q,
                           form=form), status


@bp.route("/voordrachten")
@role_required(Action.VIEW_WORK_PROFILE)
def proposals():
    status = request.args.get("status", "")
    status = status if status in {s.value for s in ProposalStatus} else ""
    page = _page_arg()
    items, total = service.page_of(service.proposal_query(current_user, status=status or None),
                                   page, PER_PAGE)
    if items:
        audit.record("proposal.list", object_type="proposal",
                     summary=f"{len(items)} voordrachten getoond (pagina {page})")
    return _render_and_commit("employers/proposals.html", proposals=items, total=total,
                              page=page, pages=max(1, -(-total // PER_PAGE)), status=status,
                              status_options=[(s.value, label(s)) for s in ProposalStatus])


@bp.route("/voordrachten/<id:proposal_id>", methods=["GET"])
@role_required(Action.VIEW_WORK_PROFILE)
def proposal(proposal_id: int):
    proposal = service.get_proposal(current_user, proposal_id) or abort(404)
    return _render_proposal(proposal, _step_form(proposal), 200)


def _step_form(proposal) -> ProposalStepForm:
    form = ProposalStepForm()
    steps = service.allowed_proposal_steps(proposal.status)
    form.to.choices = opts([("", "Kies de volgende stap")] + [
        (s.value, service.PROPOSAL_STEP_LABELS[s]) for s in steps])
    if request.method == "GET":
        form.current_status.data = proposal.status.value
        form.job_title.data = proposal.vacancy.title
        form.hours_per_week.data = proposal.vacancy.hours_per_week
    return form


def _render_proposal(proposal, form: ProposalStepForm, status: int):
    audit.record("proposal.view", object_type="case", object_id=proposal.case_id,
                 region_code=proposal.case.region_code, summary=f"voordracht {proposal.id}")
    return _render_and_commit(
        "employers/proposal.html", status, proposal=proposal, form=form,
        steps=service.allowed_proposal_steps(proposal.status),
        can_change=can(current_user, Action.PROPOSE_CANDIDATE, proposal.case),
        has_consent=service.has_profile_consent(proposal.case))


@bp.route("/voordrachten/<id:proposal_id>/status", methods=["POST"])
@role_required(Action.PROPOSE_CANDIDATE)
def proposal_step(proposal_id: int):
    proposal = service.get_proposal(current_user, proposal_id) or abort(404)
    if not can(current_user, Action.PROPOSE_CANDIDATE, proposal.case):
        abort(404)
    form = _step_form(proposal)
    status = 400
    if form.validate_on_submit():
        try:
            _atomic(service.transition_proposal, current_user, proposal, form.to.data,
                    note=form.note.data or "", expected_status=form.current_status.data or None,
                    placement=form.placement_data(), fill_vacancy=bool(form.fill_vacancy.data))
        except DomainError as exc:
            status = _form_error(form, exc)
            proposal = service.get_proposal(current_user, proposal_id) or abort(404)
            form.current_status.data = proposal.status.value
        else:
            db.session.commit()
            flash(f"De voordracht heeft nu de status {label(proposal.status).lower()}.",
                  "success")
            return redirect(url_for("employers.proposal", proposal_id=proposal.id))
    return _render_proposal(proposal, form, status)


# ---------------------------------------------------------------------------------------------
# Placements and aftercare


@bp.route("/kandidaten/<id:case_id>/plaatsingen/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def placement_create(case_id: int):
    case = _case_for_work(case_id, Action.MANAGE_PLACEMENTS)
    if case.is_closed:
        abort(404)
    form = PlacementForm()
    employers = list(db.session.scalars(service.employer_query()))
    form.employer_id.choices = opts([("", "Kies de werkgever")] + [
        (e.id, f"{e.name} ({e.city})" if e.city else e.name) for e in employers])
    if request.method == "GET" and _int_arg("werkgever"):
        form.employer_id.data = str(_int_arg("werkgever"))
    status = 200
    if form.validate_on_submit():
        employer = db.session.get(Employer, int(form.employer_id.data))
        try:
            placement = _atomic(service.create_placement, current_user, case, employer,
                                                 form.placement_data())
        except DomainError as exc:
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash("De plaatsing is vastgelegd; de nazorg na 1, 3 en 6 maanden is ingepland.",
                  "success")
            return redirect(url_for("employers.placement", placement_id=placement.id))
    elif form.errors:
        status = 400
    return render_template("employers/placement_form.html", form=form, case=case), status


@bp.route("/plaatsingen/<id:placement_id>")
@role_required(Action.VIEW_WORK_PROFILE)
def placement(placement_id: int):
    placement = service.get_placement(current_user, placement_id) or abort(404)
    return _render_placement(placement, EndPlacementForm(prefix="einde"), {}, 200)


def _render_placement(placement, end_form, follow_up_forms: dict[int, FollowUpForm],
                      status: int):
    horizon = date.today() + timedelta(days=service.DUE_SOON_DAYS)
    for follow_up in placement.follow_ups:
        if not follow_up.is_recorded and follow_up.due_on <= horizon:
            follow_up_forms.setdefault(follow_up.id, FollowUpForm(prefix=f"nazorg{follow_up.id}"))
    audit.record("placement.view", object_type="case", object_id=placement.case_id,
                 region_code=placement.case.region_code, summary=f"plaatsing {placement.id}")
    return _render_and_commit(
        "employers/placement.html", status, placement=placement, end_form=end_form,
        follow_up_forms=follow_up_forms,
        can_change=can(current_user, Action.MANAGE_PLACEMENTS, placement.case),
        has_consent=service.has_profile_consent(placement.case), today=date.today())


@bp.route("/plaatsingen/<id:placement_id>/beeindigen", methods=["POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def placement_end(placement_id: int):
    placement = service.get_placement(current_user, placement_id) or abort(404)
    if not can(current_user, Action.MANAGE_PLACEMENTS, placement.case):
        abort(404)
    form = EndPlacementForm(prefix="einde")
    status = 400
    if form.validate_on_submit():
        try:
            _atomic(service.end_placement, current_user, placement, end_on=form.end_on.data,
                                  reason=form.end_reason.data or "")
        except DomainError as exc:
            status = _form_error(form, exc)
            placement = service.get_placement(current_user, placement_id) or abort(404)
        else:
            db.session.commit()
            flash("De plaatsing is beëindigd.", "success")
            return redirect(url_for("employers.placement", placement_id=placement.id))
    return _render_placement(placement, form, {}, status)


@bp.route("/nazorg/<id:follow_up_id>", methods=["POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def follow_up_record(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
    placement = service.get_placement(current_user, follow_up.placement_id) or abort(404)
    if not can(current_user, Action.MANAGE_PLACEMENTS, placement.case):
        abort(404)
    form = FollowUpForm(prefix=f"nazorg{follow_up.id}")
    status = 400
    if form.validate_on_submit():
        try:
            _atomic(service.record_follow_up, current_user, follow_up,
                                     still_employed=form.still_employed.data == "ja",
                                     reason=form.reason.data or "")
        except DomainError as exc:
            status = _form_error(form, exc)
            follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
            placement = follow_up.placement
        else:
            db.session.commit()
            flash(f"De nazorg na {follow_up.months} maand(en) is vastgelegd.", "success")
            if request.form.get("terug") == "start":  # sent from the liaison's start page
                return redirect(url_for("main.index", _anchor="mijn-nazorg"))
            return redirect(url_for("employers.placement", placement_id=placement.id))
    return _render_placement(placement, EndPlacementForm(prefix="einde", formdata=None),
                             {follow_up.id: form}, status)


# ---------------------------------------------------------------------------------------------
# The work profile: what a liaison may see of a candidate


@bp.route("/kandidaten/<id:case_id>/werkprofiel")
@role_required(Action.VIEW_WORK_PROFILE)
def work_profile(case_id: int):
    case = get_or_404(Case, case_id, current_user, Action.VIEW_WORK_PROFILE)
    profile = service.work_profile(current_user, case)
    if profile is None:
        abort(404)
    return _render_and_commit("employers/work_profile.html", profile=profile)


# ---------------------------------------------------------------------------------------------
# Reference data: sectors and their priority per region


@bp.route("/beheer/sectoren", methods=["GET", "POST"])
@role_required(Action.SET_SECTOR_PRIORITY)
def sectors():
    form = PostForm()
    all_sectors = service.sectors()
    editable = service.sector_priority_regions(current_user)
    if form.validate_on_submit():
        priorities = {s.id: set(request.form.getlist(f"prio-{s.id}")) for s in all_sectors}
        changed = _atomic(service.set_sector_priorities, current_user, priorities)
        db.session.commit()
        flash("De prioritaire sectoren zijn opgeslagen." if changed
              else "Er is niets gewijzigd.", "success")
        return redirect(url_for("employers.sectors"))
    return render_template("employers/sectors.html", form=form, sectors=all_sectors,
                           regions=service.regions(),
                           editable=editable,
                           manage=can(current_user, Action.MANAGE_REFERENCE_DATA)), \
        400 if request.method == "POST" else 200


@bp.route("/beheer/sectoren/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def sector_create():
    return _sector_form(None)


@bp.route("/beheer/sectoren/<id:sector_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def sector_edit(sector_id: int):
    sector = db.session.get(Sector, sector_id) or abort(404)
    return _sector_form(sector)


def _sector_form(sector: Sector | None):
    def loaded_form() -> SectorForm:
        form = SectorForm(formdata=None, obj=sector)
        form.version.data = str(sector.version) if sector is not None else ""
        return form

    form = loaded_form() if request.method == "GET" else SectorForm()
    status = 200
    if form.validate_on_submit():
        try:
            saved = _atomic(service.save_sector, current_user, sector, form.to_data(),
                            expected_version=_expected_version(form) if sector else None)
        except DomainError as exc:
            if exc.code == "stale_version" and sector is not None:
                db.session.refresh(sector)
                form = loaded_form()  # the newest data, with its version
            status = _form_error(form, exc)
        else:
            db.session.commit()
            flash(f"Sector {saved.name} is opgeslagen.", "success")
            return redirect(url_for("employers.sectors"))
    elif form.errors:
        status = 400
    return render_template("employers/sector_form.html", form=form, sector=sector), status
