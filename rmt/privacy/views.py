"""Privacy pages for coordinators: find a person, subject access (HTML and JSON), erasure on
request, the consent register of the region, and who viewed or changed a case."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_login import current_user

from rmt import audit, clock
from rmt.access import Action, allowed_regions, get_or_404, role_required
from rmt.audit.paging import page_number, paginate
from rmt.audit.views import log_page
from rmt.cases.models import Case, ConsentPurpose, NoteKind, TransferStatus
from rmt.enums import label_of
from rmt.extensions import db
from rmt.privacy import queries, requests, service, subject_access
from rmt.privacy.forms import CloseRequestForm, ErasureForm, RecordRequestForm
from rmt.privacy.models import PrivacyRequest, RequestKind
from rmt.process import CaseState, ExitReason
from rmt.web.handlers import submit

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Dutch column titles for the export's keys (the HTML page shows the same data as the JSON).
TITLES = {
    "id": "Nummer", "region": "Regio", "coach": "Loopbaancoach", "status": "Stap",
    "at": "Moment", "from": "Van", "to": "Naar", "by": "Door", "reason": "Reden",
    "exit_reason": "Uitstroomreden", "contact_on": "Datum", "kind": "Soort", "author": "Auteur",
    "text": "Tekst", "created_at": "Vastgelegd op", "title": "Omschrijving", "due_on": "Uiterlijk",
    "owner": "Eigenaar", "done_at": "Afgerond op", "description": "Omschrijving",
    "requested_by": "Aangevraagd door", "requested_at": "Aangevraagd op",
    "decided_by": "Besloten door", "decided_at": "Besloten op", "decision_note": "Toelichting",
    "purpose_label": "Doel", "given_on": "Gegeven op", "recorded_by": "Vastgelegd door",
    "revoked_on": "Ingetrokken op", "revoked_by": "Ingetrokken door", "user": "Gebruiker",
    "action": "Code", "action_title": "Handeling", "object": "Gegeven", "summary": "Toelichting",
    # sections of vouchers, praktijkverklaringen, proposals and placements (rmt/privacy/sections)
    "case": "Traject", "course": "Opleiding", "provider": "Opleider",
    "funding_source": "Financier", "budget_year": "Budgetjaar", "amount": "Bedrag",
    "start_on": "Begin", "end_on": "Einde", "motivation": "Motivatie",
    "invoice_number": "Factuurnummer", "declared_amount": "Gedeclareerd bedrag",
    "declared_at": "Gedeclareerd op", "paid_at": "Betaald op", "voucher": "Voucher",
    "note": "Toelichting", "school": "Mbo-school", "crebo": "Crebo",
    "qualification": "Kwalificatie", "employer": "Werkgever",
    "praktijkopleider": "Praktijkopleider", "planned_start": "Geplande start",
    "planned_end": "Gepland einde", "register_number": "Registernummer",
    "issued_on": "Uitgereikt op", "abort_reason": "Reden afbreken",
    "praktijkverklaring": "Praktijkverklaring", "code": "Code", "name": "Werkproces",
    "result": "Resultaat", "assessed_on": "Beoordeeld op", "assessor_name": "Beoordelaar",
    "vacancy": "Vacature", "proposed_by": "Voorgedragen door", "proposed_on": "Voorgedragen op",
    "decided_on": "Besloten op", "proposal": "Voordracht", "job_title": "Functie",
    "contract_type": "Contract", "hours_per_week": "Uren per week",
    "end_reason": "Reden einde", "placement": "Plaatsing", "months": "Na maanden",
    "still_employed": "Nog in dienst", "outcome_reason": "Toelichting",
    "recorded_on": "Vastgelegd op",
}


def format_value(value: Any) -> str:
    """Readable text for a value of the export (ISO timestamps shown in Dutch local time)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value), "d MMM yyyy HH:mm")
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return format_date(date.fromisoformat(value), "d MMM yyyy")
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _candidate_or_404(candidate_id: int):
    candidate = service.visible_candidate(current_user, candidate_id)
    if candidate is None:
        abort(404)
    return candidate


@bp.route("")
@role_required(Action.HANDLE_PRIVACY_REQUEST)
def index():
    """Find the person a privacy request is about (case number or name)."""
    q = (request.args.get("q") or "").strip()[:100]
    results = service.find_candidates(current_user, q) if q else []
    regions = allowed_regions(current_user, Action.HANDLE_PRIVACY_REQUEST)
    if q:
        # The names found are shown: their candidate ids, never the search text.
        audit.record("privacy.search", summary=f"{len(results)} resultaten" + (
            ": kandidaten " + ",".join(str(p.id) for p in results) if results else ""))
    return render_template("privacy/index.html", q=q, results=results, regions=regions,
                           waiting=queries.waiting_privacy_requests(current_user))


@bp.route("/kandidaten/<id:candidate_id>")
@role_required(Action.HANDLE_PRIVACY_REQUEST)
def candidate(candidate_id: int):
    """The readable subject-access page: everything stored about this person (audited)."""
    person = _candidate_or_404(candidate_id)
    data = subject_access.export(current_user, person)
    html = render_template("privacy/candidate.html", person=person, data=data,
                           personal=subject_access.personal_rows(person), fmt=format_value,
                           titles=TITLES, label_of=_label,
                           blockers=service.erasure_blockers(current_user, person))
    service.record_subject_access(current_user, person, "html")
    return html


@bp.route("/kandidaten/<id:candidate_id>/inzage.json")
@role_required(Action.HANDLE_PRIVACY_REQUEST)
def candidate_json(candidate_id: int):
    """The same export as a JSON download (audited)."""
    person = _candidate_or_404(candidate_id)
    body = json.dumps(subject_access.export(current_user, person), ensure_ascii=False, indent=2)
    service.record_subject_access(current_user, person, "json")
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="inzage-kandidaat-{candidate_id}.json"'})


@bp.route("/kandidaten/<id:candidate_id>/wissen", methods=["GET", "POST"])
@role_required(Action.HANDLE_PRIVACY_REQUEST)
def erase(candidate_id: int):
    """Erasure on request, with a confirmation step (the typed full name)."""
    person = _candidate_or_404(candidate_id)
    blockers = service.erasure_blockers(current_user, person)
    form = ErasureForm()

    def page(status: int) -> ResponseReturnValue:
        return render_template("privacy/erase.html", person=person, form=form,
                               blockers=blockers), status

    if blockers:
        return page(409 if request.method == "POST" else 200)
    if request.method != "POST":
        return page(200)
    return submit(
        form, lambda: service.erase(current_user, person, confirm_name=form.confirm_name.data,
                                    requested_on=form.requested_on.data),
        on_error=page,
        on_success=lambda _report: redirect(url_for("privacy.candidate",
                                                    candidate_id=person.id)),
        success_message="De gegevens zijn gewist: de persoon is geanonimiseerd. De cijfers over "
                        "het traject blijven bestaan.")


@bp.route("/toestemmingen")
@role_required(Action.VIEW_CONSENT_REGISTER)
def consents():
    """The consent register of the coordinator's regions, filterable by purpose and state."""
    purpose = request.args.get("doel") or ""
    state = request.args.get("status") or ""
    if purpose not in {p.value for p in ConsentPurpose}:
        purpose = ""
    if state not in (service.ConsentState.ACTIVE, service.ConsentState.REVOKED):
        state = ""
    page = paginate(service.consent_query(current_user, purpose=purpose or None,
                                          state=state or None),
                    page_number(request.args.get("pagina")))
    regions = sorted(allowed_regions(current_user, Action.VIEW_CONSENT_REGISTER))
    candidate_ids = sorted({consent.candidate_id for consent in page.items})
    case_numbers: dict[int, list[int]] = {}
    if candidate_ids:
        rows = db.session.execute(
            sa.select(Case.candidate_id, Case.id)
            .where(Case.candidate_id.in_(candidate_ids), Case.region_code.in_(regions))
            .order_by(Case.id)).all()
        for candidate_id, case_id in rows:
            case_numbers.setdefault(candidate_id, []).append(case_id)
    audit.record("consent.register_view", region_code=regions[0] if len(regions) == 1 else None,
                 summary=f"pagina {page.page}, {len(page.items)} regels")
    return render_template(
        "privacy/consents.html", page=page, purpose=purpose, state=state,
        purposes=ConsentPurpose.choices(), case_numbers=case_numbers, regions=regions,
        label=label_of, today=clock.today(),
        url_for_page=lambda p: url_for("privacy.consents", doel=purpose or None,
                                       status=state or None, pagina=p))


def _label(enum_cls_name: str, value: str | None) -> str:
    """Dutch label of a stored enum value in the export (steps, exit reasons, note kinds)."""
    classes = {"state": CaseState, "exit": ExitReason, "note": NoteKind,
               "transfer": TransferStatus}
    try:
        return classes[enum_cls_name](value).label if value else "—"
    except (KeyError, ValueError):
        return value or "—"


@bp.route("/trajecten/<id:case_id>/audit")
@role_required(Action.VIEW_CASE_AUDIT)
def case_audit_log(case_id: int):
    """Who viewed or changed this case ("wie heeft dit dossier bekeken of gewijzigd")."""
    case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE_AUDIT)
    return log_page("privacy.case_audit_log", {"case_id": case.id}, case=case)


# ---------------------------------------------------------------------------------------------
# The register of privacy requests


@bp.route("/trajecten/<id:case_id>/verzoeken/nieuw", methods=["GET", "POST"])
@role_required(Action.RECORD_PRIVACY_REQUEST)
def record_request(case_id: int):
    """Record a privacy request the candidate of this case made."""
    case = get_or_404(Case, case_id, current_user, Action.RECORD_PRIVACY_REQUEST)
    form = RecordRequestForm()
    if request.method == "GET":
        form.received_on.data = clock.today()

    def page(status: int) -> ResponseReturnValue:
        return render_template("privacy/request_new.html", case=case, form=form), status

    if request.method != "POST":
        return page(200)
    return submit(
        form, lambda: requests.record_request(current_user, case, kind=form.kind.data,
                                              received_on=form.received_on.data,
                                              note=form.note.data),
        on_error=page,
        on_success=lambda made: redirect(url_for("privacy.request_detail", request_id=made.id)),
        success_message=lambda made: f"Het verzoek is vastgelegd; afhandelen uiterlijk "
                                     f"{format_date(made.due_on, 'd MMMM yyyy')}.")


@bp.route("/verzoeken")
@role_required(Action.RECORD_PRIVACY_REQUEST)
def requests_list():
    """Open privacy requests of the user's regions, overdue first (or the closed ones)."""
    closed = request.args.get("status") == "afgehandeld"
    return render_template("privacy/requests.html",
                           listing=queries.request_list(current_user, closed=closed),
                           can_handle=bool(allowed_regions(current_user,
                                                           Action.HANDLE_PRIVACY_REQUEST)))


def _request_page(privacy_request: PrivacyRequest, form: CloseRequestForm,
                  status: int = 200) -> ResponseReturnValue:
    return render_template("privacy/request.html", item=privacy_request, form=form,
                           today=clock.today(), kinds=RequestKind), status


@bp.route("/verzoeken/<id:request_id>")
@role_required(Action.RECORD_PRIVACY_REQUEST)
def request_detail(request_id: int):
    """One request: its term, where to handle it, and (for the handler) closing it."""
    privacy_request = get_or_404(PrivacyRequest, request_id, current_user,
                                 Action.RECORD_PRIVACY_REQUEST)
    form = CloseRequestForm(version=privacy_request.version)
    return _request_page(privacy_request, form)


@bp.route("/verzoeken/<id:request_id>/afhandelen", methods=["POST"])
@role_required(Action.HANDLE_PRIVACY_REQUEST)
def close_request(request_id: int):
    privacy_request = get_or_404(PrivacyRequest, request_id, current_user,
                                 Action.HANDLE_PRIVACY_REQUEST)
    form = CloseRequestForm()
    return submit(
        form, lambda: requests.close_request(current_user, privacy_request,
                                             outcome=form.outcome.data,
                                             outcome_note=form.outcome_note.data,
                                             expected_version=form.version_number),
        on_error=lambda status: _request_page(privacy_request, form, status),
        on_success=lambda _done: redirect(url_for("privacy.requests_list")),
        success_message="Het verzoek is afgehandeld.")
