"""HTML pages for employers, contact moments, vacancies, proposals, placements and aftercare.

Views parse the form, call a service through :func:`rmt.web.handlers.submit` and render; the
request's unit of work commits once after the view. Employer data is shared; anything about a
candidate is loaded through the candidate's case and is 404 outside the user's regions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from rmt import audit, clock, pdf, transaction
from rmt.access import Action, can, get_or_404, role_required
from rmt.cases.models import Case
from rmt.employers import common, contacts, lifecycle, pages, placements, registry, vacancies
from rmt.employers.forms import (
    ContactForm,
    ContactMomentForm,
    EmployerForm,
    EmployersForm,
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
)
from rmt.errors_domain import DomainError, Forbidden
from rmt.extensions import db
from rmt.regions import REGION_CODES
from rmt.web import sections
from rmt.web.forms import opts
from rmt.web.handlers import submit

bp = Blueprint("employers", __name__)

PER_PAGE = 50


# ---------------------------------------------------------------------------------------------
# Helpers


def _link_existing(form: EmployerForm) -> Employer | None:
    """A refused duplicate KvK number: link the employer that has it at the field itself."""
    known = form.refusal.extra.get("existing_employer") if form.refusal else None
    existing = db.session.get(Employer, known["id"]) if known else None
    if existing is not None:
        href = url_for("employers.employer", employer_id=existing.id)
        form.kvk_number.description = Markup(
            'Dit nummer hoort bij <a class="utrecht-link" href="{}">{}</a>.').format(
                href, existing.name)
    return existing


def _shown(form: EmployersForm, loaded_form: Callable[[], EmployersForm]) -> EmployersForm:
    """The form to show again: after a stale-version refusal the newest data, with its version
    and the message; else the form as it was posted."""
    if not form.is_stale:
        return form
    fresh = loaded_form()
    fresh.add_domain_error(form.refusal)
    return fresh


def _try(apply: Callable[[], Any]) -> DomainError | None:
    """A service call for a button without a form page: run it in a savepoint and return the
    refusal (to flash) or None. A role refusal goes on to the 403 page."""
    try:
        with transaction.attempt():
            apply()
    except Forbidden:
        raise
    except DomainError as error:
        return error
    return None


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
    return value if value in REGION_CODES else None


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
    if not (can(current_user, Action.VIEW_CASE, case) or common.has_profile_consent(case)):
        abort(404)
    return case


# ---------------------------------------------------------------------------------------------
# What other features' templates show of employers
#
# The liaison's start page (rmt.main) and the case page (rmt.cases) are rendered by views that
# must not import this feature (cases is the core; features depend on it, not the other way
# round). So their employers sections fetch their own data through these context functions,
# called from the template when the section is shown; they are registered with the blueprint
# (create_app), not at import time.


@bp.app_template_global("liaison_dashboard")
def _liaison_dashboard() -> pages.LiaisonDashboard | None:
    """Data for the liaison's start page (rmt/templates/main/start_liaison.html)."""
    if not can(current_user, Action.MANAGE_EMPLOYERS):
        return None
    dashboard = pages.liaison_dashboard(current_user)
    # The follow-ups show candidates' names: one audit entry with the cases behind them.
    follow_ups = (*dashboard.overdue_own_follow_ups, *dashboard.due_own_follow_ups,
                  *dashboard.overdue_follow_ups, *dashboard.due_follow_ups)
    audit.record_list_view("case.start_view", sorted({f.placement.case_id for f in follow_ups}),
                           object_type="case")
    return dashboard


@bp.app_template_global("follow_up_form")
def _follow_up_form(follow_up: FollowUp) -> FollowUpForm:
    """An empty outcome form for one follow-up (the liaison's start page)."""
    return FollowUpForm(prefix=f"nazorg{follow_up.id}", formdata=None)


# ---------------------------------------------------------------------------------------------
# Employers


@bp.route("/werkgevers")
@role_required(Action.VIEW_EMPLOYERS)
def employers():
    leerbedrijf = {"ja": True, "nee": False}.get(request.args.get("leerbedrijf", ""))
    filters = {"q": request.args.get("q", "")[:100], "sector_id": _int_arg("sector"),
               "region_code": _region_arg(), "leerbedrijf": leerbedrijf}
    page = _page_arg()
    items, total = common.page_of(registry.employer_query(**filters), page, PER_PAGE)
    return render_template("employers/list.html", employers=items, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), filters=filters,
                           sectors=registry.sectors(), regions=registry.regions(),
                           leerbedrijf=request.args.get("leerbedrijf", ""))


@bp.route("/werkgevers/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def employer_create():
    form = EmployerForm()
    form.set_choices(registry.sector_options(), registry.regions())

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/employer_form.html", form=form, employer=None,
                               existing=_link_existing(form)), status

    if request.method == "GET":
        form.region_codes.data = sorted(current_user.region_codes)
        return page(200)
    return submit(
        form, lambda: registry.create_employer(current_user, form.to_data()),
        on_error=page,
        success_message=lambda employer: f"Werkgever {employer.name} is geregistreerd.",
        on_success=lambda employer: redirect(url_for("employers.employer",
                                                     employer_id=employer.id)))


@bp.route("/werkgevers/<id:employer_id>")
@role_required(Action.VIEW_EMPLOYERS)
def employer(employer_id: int):
    employer = _employer_or_404(employer_id)
    if employer.is_merged:
        target = registry.resolve_merged(employer)
        flash(f"Deze registratie is samengevoegd met {target.name}.", "info")
        return redirect(url_for("employers.employer", employer_id=target.id))
    page = pages.employer_page(current_user, employer)
    return render_template("employers/employer.html", page=page, employer=employer,
                           today=clock.today())


@bp.route("/werkgevers/<id:employer_id>/bewerken", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def employer_edit(employer_id: int):
    employer = _active_employer_or_404(employer_id)

    def loaded_form() -> EmployerForm:
        form = EmployerForm(formdata=None, obj=employer)
        form.set_choices(registry.sector_options(employer.sector_id), registry.regions())
        form.sector_id.data = str(employer.sector_id)
        form.region_codes.data = employer.region_codes
        form.sbb_number.data = employer.sbb_number or ""
        form.version.data = str(employer.version)
        return form

    def page(status: int) -> ResponseReturnValue:
        shown = _shown(form, loaded_form)
        return render_template("employers/employer_form.html", form=shown, employer=employer,
                               existing=_link_existing(shown)), status

    if request.method == "GET":
        form = loaded_form()
        return page(200)
    form = EmployerForm()
    form.set_choices(registry.sector_options(employer.sector_id), registry.regions())
    return submit(
        form, lambda: registry.update_employer(current_user, employer, form.to_data(),
                                               expected_version=form.expected_version()),
        on_error=page, success_message="De wijzigingen zijn opgeslagen.",
        on_success=lambda _: redirect(url_for("employers.employer", employer_id=employer.id)))


@bp.route("/werkgevers/<id:employer_id>/samenvoegen", methods=["GET", "POST"])
@role_required(Action.MERGE_EMPLOYERS)
def employer_merge(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    others = [e for e in db.session.scalars(registry.employer_query()) if e.id != employer.id]
    form = MergeForm()
    form.duplicate_id.choices = opts([("", "Kies de dubbele registratie")] + [
        (e.id, f"{e.name} (KvK {e.kvk_number}{', ' + e.city if e.city else ''})")
        for e in others])

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/merge.html", form=form, employer=employer), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    duplicate = _active_employer_or_404(int(form.duplicate_id.data))

    def merged(moved: dict[str, int]) -> str:
        return (f"{duplicate.name} is samengevoegd met {employer.name}; {sum(moved.values())} "
                "gekoppelde gegevens zijn overgezet.")

    return submit(
        form, lambda: registry.merge_employers(current_user, employer, duplicate),
        validate=False, on_error=page, success_message=merged,
        on_success=lambda _: redirect(url_for("employers.employer", employer_id=employer.id)))


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


def _contact_form(employer: Employer, contact: EmployerContact | None) -> ResponseReturnValue:
    def loaded_form() -> ContactForm:
        form = ContactForm(formdata=None, obj=contact)
        form.version.data = str(contact.version) if contact is not None else ""
        return form

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/contact_form.html", form=_shown(form, loaded_form),
                               employer=employer, contact=contact), status

    def save() -> EmployerContact:
        if contact is None:
            return registry.add_contact(current_user, employer, form.to_data())
        return registry.update_contact(current_user, contact, form.to_data(),
                                       expected_version=form.expected_version())

    if request.method == "GET":
        form = loaded_form()
        return page(200)
    form = ContactForm()
    return submit(form, save, on_error=page, success_message="De contactpersoon is opgeslagen.",
                  on_success=lambda _: redirect(url_for(
                      "employers.employer", employer_id=employer.id, _anchor="contactpersonen")))


# ---------------------------------------------------------------------------------------------
# Contact moments


@bp.route("/werkgevers/<id:employer_id>/contactmomenten/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def contact_moment_create(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    form = ContactMomentForm()
    owners: dict[int, Any] = {}
    for code in sorted(current_user.region_codes):
        for user in contacts.follow_up_owners(code):
            owners.setdefault(user.id, user)
    owners.pop(current_user.id, None)
    people = list(db.session.scalars(
        sa.select(EmployerContact).where(EmployerContact.employer_id == employer.id)
        .order_by(EmployerContact.name)))
    form.set_choices(current_user, people, sorted(owners.values(), key=lambda u: u.name))

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/contact_moment_form.html", form=form,
                               employer=employer), status

    if request.method == "GET":
        form.contact_on.data = clock.today()
        return page(200)
    return submit(
        form, lambda: contacts.record_contact_moment(current_user, employer, form.to_data()),
        on_error=page, success_message="Het contactmoment is vastgelegd.",
        on_success=lambda _: redirect(url_for("employers.employer", employer_id=employer.id,
                                              _anchor="contactmomenten")))


@bp.route("/contactmomenten/<id:moment_id>/afgehandeld", methods=["POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def follow_up_done(moment_id: int):
    moment = get_or_404(ContactMoment, moment_id, current_user, Action.MANAGE_EMPLOYERS)
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    employer_id = moment.employer_id
    refusal = _try(lambda: contacts.complete_follow_up(current_user, moment))
    if refusal is not None:
        flash(refusal.message, "error")
    else:
        flash("De vervolgafspraak is afgehandeld.", "success")
    if request.form.get("terug") == "werkgever":
        return redirect(url_for("employers.employer", employer_id=employer_id,
                                _anchor="contactmomenten"))
    return redirect(url_for("main.index"))


# ---------------------------------------------------------------------------------------------
# Vacancies


@bp.route("/vacatures", endpoint="vacancies")
@role_required(Action.VIEW_EMPLOYERS)
def vacancy_list():
    status = request.args.get("status", VacancyStatus.OPEN.value)
    status = status if status in {s.value for s in VacancyStatus} else ""
    filters = {"status": status, "region_code": _region_arg(), "sector_id": _int_arg("sector"),
               "q": request.args.get("q", "")[:100]}
    page = _page_arg()
    items, total = common.page_of(vacancies.vacancy_query(**filters), page, PER_PAGE)
    return render_template("employers/vacancies.html", vacancies=items, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), filters=filters,
                           sectors=registry.sectors(), regions=registry.regions(),
                           status_options=VacancyStatus.choices())


@bp.route("/werkgevers/<id:employer_id>/vacatures/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_create(employer_id: int):
    employer = _active_employer_or_404(employer_id)
    form = VacancyForm()
    form.set_choices(current_user, registry.sector_options())

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/vacancy_form.html", form=form, employer=employer,
                               vacancy=None), status

    if request.method == "GET":
        form.sector_id.data = str(employer.sector_id)
        form.opened_on.data = clock.today()
        form.location.data = employer.city
        return page(200)
    return submit(
        form, lambda: vacancies.create_vacancy(current_user, employer, form.to_data()),
        on_error=page,
        success_message=lambda vacancy: f"De vacature {vacancy.title} is aangemaakt.",
        on_success=lambda vacancy: redirect(url_for("employers.vacancy", vacancy_id=vacancy.id)))


@bp.route("/vacatures/<id:vacancy_id>")
@role_required(Action.VIEW_EMPLOYERS)
def vacancy(vacancy_id: int):
    vacancy = db.session.get(Vacancy, vacancy_id) or abort(404)
    proposals = list(db.session.scalars(vacancies.proposal_query(current_user,
                                                                 vacancy_id=vacancy.id)))
    if proposals:
        audit.record("vacancy.view", object_type="vacancy", object_id=vacancy.id,
                     region_code=vacancy.region_code,
                     summary="voordrachten: " + ",".join(str(p.id) for p in proposals))
    return render_template("employers/vacancy.html", vacancy=vacancy, proposals=proposals,
                           steps=lifecycle.allowed_vacancy_steps(vacancy.status),
                           step_labels=lifecycle.VACANCY_STEP_LABELS)


@bp.route("/vacatures/<id:vacancy_id>/bewerken", methods=["GET", "POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_edit(vacancy_id: int):
    vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)

    def loaded_form() -> VacancyForm:
        form = VacancyForm(formdata=None, obj=vacancy)
        form.set_choices(current_user, registry.sector_options(vacancy.sector_id))
        form.sector_id.data = str(vacancy.sector_id)
        form.version.data = str(vacancy.version)
        return form

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/vacancy_form.html", form=_shown(form, loaded_form),
                               employer=vacancy.employer, vacancy=vacancy), status

    if request.method == "GET":
        form = loaded_form()
        return page(200)
    form = VacancyForm()
    form.set_choices(current_user, registry.sector_options(vacancy.sector_id))
    return submit(
        form, lambda: vacancies.update_vacancy(current_user, vacancy, form.to_data(),
                                               expected_version=form.expected_version()),
        on_error=page, success_message="De vacature is bijgewerkt.",
        on_success=lambda _: redirect(url_for("employers.vacancy", vacancy_id=vacancy.id)))


@bp.route("/vacatures/<id:vacancy_id>/status", methods=["POST"])
@role_required(Action.MANAGE_EMPLOYERS)
def vacancy_status(vacancy_id: int):
    vacancy = get_or_404(Vacancy, vacancy_id, current_user, Action.MANAGE_EMPLOYERS)
    form = VacancyStatusForm()
    if not form.validate_on_submit():
        abort(400)
    refusal = _try(lambda: vacancies.set_vacancy_status(current_user, vacancy,
                                                        form.to.data or ""))
    if refusal is not None:
        flash(refusal.message, "error")
    else:
        flash(f"De vacature heeft nu de status {vacancy.status.label.lower()}.", "success")
    return redirect(url_for("employers.vacancy", vacancy_id=vacancy_id))


# ---------------------------------------------------------------------------------------------
# Proposals


@bp.route("/vacatures/<id:vacancy_id>/voordragen", methods=["GET", "POST"])
@role_required(Action.PROPOSE_CANDIDATE)
def propose(vacancy_id: int):
    vacancy = db.session.get(Vacancy, vacancy_id) or abort(404)
    form = ProposeForm()
    q = request.args.get("q", "")[:100]

    def page(status: int) -> ResponseReturnValue:
        cases = (vacancies.proposable_cases(current_user, vacancy, q)
                 if vacancy.status == VacancyStatus.OPEN else [])
        return render_template("employers/propose.html", vacancy=vacancy, cases=cases, q=q,
                               form=form), status

    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        abort(400)
    case_id = _positive_int(form.case_id.data)
    if case_id is None:
        abort(404)
    case = get_or_404(Case, case_id, current_user, Action.PROPOSE_CANDIDATE)
    return submit(
        form, lambda: vacancies.propose(current_user, case, vacancy, note=form.note.data or ""),
        validate=False, on_error=page,
        success_message=f"{case.candidate.full_name} is voorgedragen voor {vacancy.title}.",
        on_success=lambda proposal: redirect(url_for("employers.proposal",
                                                     proposal_id=proposal.id)))


@bp.route("/voordrachten")
@role_required(Action.VIEW_WORK_PROFILE)
def proposals():
    status = request.args.get("status", "")
    status = status if status in {s.value for s in ProposalStatus} else ""
    page = _page_arg()
    items, total = common.page_of(
        vacancies.proposal_query(current_user, status=status or None), page, PER_PAGE)
    # Candidate names are shown: one entry per page view with the proposal ids on it.
    audit.record_list_view("proposal.list", (p.id for p in items), object_type="proposal")
    return render_template("employers/proposals.html", proposals=items, total=total,
                           page=page, pages=max(1, -(-total // PER_PAGE)), status=status,
                           status_options=ProposalStatus.choices())


@bp.route("/voordrachten/<id:proposal_id>", methods=["GET"])
@role_required(Action.VIEW_WORK_PROFILE)
def proposal(proposal_id: int):
    proposal = vacancies.get_proposal(current_user, proposal_id) or abort(404)
    return _render_proposal(proposal, _step_form(proposal), 200)


def _step_form(proposal) -> ProposalStepForm:
    form = ProposalStepForm()
    steps = lifecycle.allowed_proposal_steps(proposal.status)
    form.to.choices = opts([("", "Kies de volgende stap")] + [
        (s.value, lifecycle.PROPOSAL_STEP_LABELS[s]) for s in steps])
    if request.method == "GET":
        form.current_status.data = proposal.status.value
        form.job_title.data = proposal.vacancy.title
        form.hours_per_week.data = proposal.vacancy.hours_per_week
    return form


def _render_proposal(proposal, form: ProposalStepForm, status: int) -> ResponseReturnValue:
    audit.record("proposal.view", object_type="case", object_id=proposal.case_id,
                 region_code=proposal.case.region_code, summary=f"voordracht {proposal.id}")
    return render_template(
        "employers/proposal.html", proposal=proposal, form=form,
        steps=lifecycle.allowed_proposal_steps(proposal.status),
        can_change=can(current_user, Action.PROPOSE_CANDIDATE, proposal.case),
        has_consent=common.has_profile_consent(proposal.case)), status


@bp.route("/voordrachten/<id:proposal_id>/status", methods=["POST"])
@role_required(Action.PROPOSE_CANDIDATE)
def proposal_step(proposal_id: int):
    proposal = vacancies.get_proposal(current_user, proposal_id) or abort(404)
    if not can(current_user, Action.PROPOSE_CANDIDATE, proposal.case):
        abort(404)
    form = _step_form(proposal)

    def page(status: int) -> ResponseReturnValue:
        shown = vacancies.get_proposal(current_user, proposal_id) or abort(404)
        if form.refusal is not None:  # show the status as it is now
            form.current_status.data = shown.status.value
        return _render_proposal(shown, form, status)

    return submit(
        form, lambda: vacancies.transition_proposal(
            current_user, proposal, form.to.data, note=form.note.data or "",
            expected_status=form.current_status.data or None,
            placement=form.placement_data(), fill_vacancy=bool(form.fill_vacancy.data)),
        on_error=page,
        success_message=lambda _: (f"De voordracht heeft nu de status "
                                   f"{proposal.status.label.lower()}."),
        on_success=lambda _: redirect(url_for("employers.proposal", proposal_id=proposal.id)))


# ---------------------------------------------------------------------------------------------
# Placements and aftercare


@bp.route("/kandidaten/<id:case_id>/plaatsingen/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def placement_create(case_id: int):
    case = _case_for_work(case_id, Action.MANAGE_PLACEMENTS)
    if case.is_closed:
        abort(404)
    form = PlacementForm()
    employers = list(db.session.scalars(registry.employer_query()))
    form.employer_id.choices = opts([("", "Kies de werkgever")] + [
        (e.id, f"{e.name} ({e.city})" if e.city else e.name) for e in employers])

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/placement_form.html", form=form, case=case), status

    if request.method == "GET":
        if _int_arg("werkgever"):
            form.employer_id.data = str(_int_arg("werkgever"))
        return page(200)
    return submit(
        form, lambda: placements.create_placement(
            current_user, case, db.session.get(Employer, int(form.employer_id.data)),
            form.placement_data()),
        on_error=page,
        success_message="De plaatsing is vastgelegd; de nazorg na 1, 3 en 6 maanden is "
                        "ingepland.",
        on_success=lambda placement: redirect(url_for("employers.placement",
                                                      placement_id=placement.id)))


@bp.route("/plaatsingen/<id:placement_id>")
@role_required(Action.VIEW_WORK_PROFILE)
def placement(placement_id: int):
    placement = placements.get_placement(current_user, placement_id) or abort(404)
    return _render_placement(placement, EndPlacementForm(prefix="einde"), {}, 200)


def _render_placement(placement, end_form, follow_up_forms: dict[int, FollowUpForm],
                      status: int) -> ResponseReturnValue:
    horizon = clock.today() + timedelta(days=common.DUE_SOON_DAYS)
    for follow_up in placement.follow_ups:
        if not follow_up.is_recorded and follow_up.due_on <= horizon:
            follow_up_forms.setdefault(follow_up.id, FollowUpForm(prefix=f"nazorg{follow_up.id}"))
    audit.record("placement.view", object_type="case", object_id=placement.case_id,
                 region_code=placement.case.region_code, summary=f"plaatsing {placement.id}")
    return render_template(
        "employers/placement.html", placement=placement, end_form=end_form,
        follow_up_forms=follow_up_forms,
        can_change=can(current_user, Action.MANAGE_PLACEMENTS, placement.case),
        has_consent=common.has_profile_consent(placement.case), today=clock.today(),
        record_sections=sections.load("placement", current_user, placement)), status


@bp.route("/plaatsingen/<id:placement_id>/beeindigen", methods=["POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def placement_end(placement_id: int):
    placement = placements.get_placement(current_user, placement_id) or abort(404)
    if not can(current_user, Action.MANAGE_PLACEMENTS, placement.case):
        abort(404)
    form = EndPlacementForm(prefix="einde")

    def page(status: int) -> ResponseReturnValue:
        shown = placements.get_placement(current_user, placement_id) or abort(404)
        return _render_placement(shown, form, {}, status)

    return submit(
        form, lambda: placements.end_placement(current_user, placement, end_on=form.end_on.data,
                                               reason=form.end_reason.data or ""),
        on_error=page, success_message="De plaatsing is beëindigd.",
        on_success=lambda _: redirect(url_for("employers.placement", placement_id=placement_id)))


@bp.route("/nazorg/<id:follow_up_id>", methods=["POST"])
@role_required(Action.MANAGE_PLACEMENTS)
def follow_up_record(follow_up_id: int):
    follow_up = db.session.get(FollowUp, follow_up_id) or abort(404)
    placement = placements.get_placement(current_user, follow_up.placement_id) or abort(404)
    if not can(current_user, Action.MANAGE_PLACEMENTS, placement.case):
        abort(404)
    placement_id, months = placement.id, follow_up.months
    form = FollowUpForm(prefix=f"nazorg{follow_up.id}")

    def page(status: int) -> ResponseReturnValue:
        shown = db.session.get(FollowUp, follow_up_id) or abort(404)
        return _render_placement(shown.placement,
                                 EndPlacementForm(prefix="einde", formdata=None),
                                 {shown.id: form}, status)

    def done(_: FollowUp) -> ResponseReturnValue:
        if request.form.get("terug") == "start":  # sent from the liaison's start page
            return redirect(url_for("main.index", _anchor="mijn-nazorg"))
        return redirect(url_for("employers.placement", placement_id=placement_id))

    return submit(
        form, lambda: placements.record_follow_up(
            current_user, follow_up, still_employed=form.still_employed.data == "ja",
            reason=form.reason.data or ""),
        on_error=page, success_message=ngettext("De nazorg na %(num)d maand is vastgelegd.",
                                                 "De nazorg na %(num)d maanden is vastgelegd.",
                                                 months),
        on_success=done)


# ---------------------------------------------------------------------------------------------
# The work profile: what a liaison may see of a candidate


@bp.route("/kandidaten/<id:case_id>/werkprofiel")
@role_required(Action.VIEW_WORK_PROFILE)
def work_profile(case_id: int):
    case = get_or_404(Case, case_id, current_user, Action.VIEW_WORK_PROFILE)
    profile = pages.work_profile(current_user, case)
    if profile is None:
        abort(404)
    return render_template("employers/work_profile.html", profile=profile)


@bp.route("/kandidaten/<id:case_id>/werkprofiel.pdf")
@role_required(Action.VIEW_WORK_PROFILE)
def work_profile_pdf(case_id: int):
    """The work profile as an A4 PDF for an employer: only with the candidate's consent
    (without it, 404 like the page)."""
    case = get_or_404(Case, case_id, current_user, Action.VIEW_WORK_PROFILE)
    profile = pages.work_profile(current_user, case)
    if profile is None:
        abort(404)
    return pdf.download("employers/work_profile_pdf.html", f"werkprofiel-{case.id}.pdf",
                        profile=profile)


# ---------------------------------------------------------------------------------------------
# Reference data: sectors and their priority per region


@bp.route("/beheer/sectoren", methods=["GET", "POST"])
@role_required(Action.SET_SECTOR_PRIORITY)
def sectors():
    form = PostForm()
    all_sectors = registry.sectors()
    editable = registry.sector_priority_regions(current_user)

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/sectors.html", form=form, sectors=all_sectors,
                               regions=registry.regions(), editable=editable,
                               manage=can(current_user, Action.MANAGE_REFERENCE_DATA)), status

    if request.method == "GET":
        return page(200)
    priorities = {s.id: set(request.form.getlist(f"prio-{s.id}")) for s in all_sectors}
    return submit(
        form, lambda: registry.set_sector_priorities(current_user, priorities),
        on_error=page,
        success_message=lambda changed: ("De prioritaire sectoren zijn opgeslagen." if changed
                                         else "Er is niets gewijzigd."),
        on_success=lambda _: redirect(url_for("employers.sectors")))


@bp.route("/beheer/sectoren/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def sector_create():
    return _sector_form(None)


@bp.route("/beheer/sectoren/<id:sector_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_REFERENCE_DATA)
def sector_edit(sector_id: int):
    sector = db.session.get(Sector, sector_id) or abort(404)
    return _sector_form(sector)


def _sector_form(sector: Sector | None) -> ResponseReturnValue:
    def loaded_form() -> SectorForm:
        if sector is not None and request.method == "POST":
            db.session.refresh(sector)  # after a stale refusal: the newest data and version
        form = SectorForm(formdata=None, obj=sector)
        form.version.data = str(sector.version) if sector is not None else ""
        return form

    def page(status: int) -> ResponseReturnValue:
        return render_template("employers/sector_form.html", form=_shown(form, loaded_form),
                               sector=sector), status

    if request.method == "GET":
        form = loaded_form()
        return page(200)
    form = SectorForm()
    return submit(
        form, lambda: registry.save_sector(
            current_user, sector, form.to_data(),
            expected_version=form.expected_version() if sector else None),
        on_error=page, success_message=lambda saved: f"Sector {saved.name} is opgeslagen.",
        on_success=lambda _: redirect(url_for("employers.sectors")))
