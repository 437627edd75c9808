"""The audit log: who viewed or changed what, per user and per case number.

Read by the coordinators, region-scoped (only entries filed under one of their regions; entries
about a case carry the case's region at that moment), and by the functioneel beheerder, for
every region and the entries without one (sign-ins, user management): the log holds codes and
numbers, no case content (docs/security.md, Audit log). Filterable by date range, action, user
and case, paginated, and downloadable as CSV with the same filters. The page of one case ("wie
heeft dit dossier bekeken") is a privacy page (:mod:`rmt.privacy.views`) built with
:func:`log_page`: audit knows no feature.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError

from rmt import audit, clock, exports
from rmt.access import Action, allowed_regions, every_region, role_required
from rmt.audit.actions import action_title, object_label
from rmt.audit.models import AuditEntry
from rmt.audit.paging import page_number, paginate
from rmt.auth.models import RegionMembership, User
from rmt.extensions import db
from rmt.forms import max_length
from rmt.web.forms import DateInput

bp = Blueprint("audit", __name__, url_prefix="/audit")

CSV_BATCH = 1000


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    van = DateInput("Vanaf datum")
    tot = DateInput("Tot en met datum")
    handeling = SelectField("Handeling", choices=[], validate_choice=False)
    gebruiker = SelectField("Gebruiker", choices=[], validate_choice=False)
    traject = StringField("Trajectnummer", validators=[max_length(9)])

    def validate_traject(self, field: StringField) -> None:
        if field.data and not (field.data.strip().isdigit() and int(field.data) > 0):
            raise ValidationError("Vul een trajectnummer in (alleen cijfers).")

    def validate_tot(self, field: DateInput) -> None:
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError("De einddatum ligt voor de begindatum.")

    def validate_gebruiker(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Kies een gebruiker uit de lijst.")

    def validate_handeling(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Kies een handeling uit de lijst.")


@dataclass(frozen=True)
class Filters:
    regions: frozenset[str]
    #: Every region and the entries without one (the functioneel beheerder).
    every_region: bool = False
    start: datetime | None = None
    end: datetime | None = None
    action: str | None = None
    user_id: int | None = None
    case_id: int | None = None

    def query(self) -> sa.Select:
        query = sa.select(AuditEntry)
        if not self.every_region:
            query = query.where(AuditEntry.region_code.in_(sorted(self.regions)))
        if self.start:
            query = query.where(AuditEntry.at >= self.start)
        if self.end:
            query = query.where(AuditEntry.at < self.end)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.user_id:
            query = query.where(AuditEntry.user_id == self.user_id)
        if self.case_id:
            query = query.where(AuditEntry.object_type == "case",
                                AuditEntry.object_id == str(self.case_id))
        return query.order_by(AuditEntry.id.desc())

    def describe(self) -> str:
        parts = []
        if self.start:
            parts.append(f"vanaf {clock.local(self.start):%d-%m-%Y}")
        if self.end:
            parts.append(f"tot {clock.local(self.end):%d-%m-%Y}")
        if self.action:
            parts.append(f"handeling {action_title(self.action)}")
        if self.user_id:
            parts.append(f"gebruiker {self.user_id}")
        if self.case_id:
            parts.append(f"traject {self.case_id}")
        return ", ".join(parts) or "geen filter"


def _regions() -> frozenset[str]:
    return allowed_regions(current_user, Action.READ_AUDIT_LOG)


def _every_region() -> bool:
    return every_region(current_user, Action.READ_AUDIT_LOG)


def _user_choices(regions: frozenset[str], every: bool) -> list[tuple[str, str]]:
    query = sa.select(User).order_by(User.name, User.id)
    if not every:
        query = query.where(User.memberships.any(
            RegionMembership.region_code.in_(sorted(regions))))
    users = db.session.scalars(query).all()
    return [("", "Alle gebruikers")] + [(str(u.id), f"{u.name} ({u.email})") for u in users]


def _action_choices(regions: frozenset[str], every: bool) -> list[tuple[str, str]]:
    query = sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action).limit(300)
    if not every:
        query = query.where(AuditEntry.region_code.in_(sorted(regions)))
    actions = db.session.scalars(query).all()
    named = sorted(((a, action_title(a)) for a in actions), key=lambda pair: pair[1].casefold())
    return [("", "Alle handelingen"), *named]


def _form_and_filters(*, case_id: int | None = None,
                      user_id: int | None = None) -> tuple[AuditFilterForm, Filters]:
    regions, every = _regions(), _every_region()
    form = AuditFilterForm(request.args)
    form.gebruiker.choices = _user_choices(regions, every)
    form.handeling.choices = _action_choices(regions, every)
    if case_id:
        form.traject.data = str(case_id)
    if user_id:
        form.gebruiker.data = str(user_id)
    valid = form.validate()
    data = {name: (field.data if not field.errors else None)
            for name, field in form._fields.items()}
    filters = Filters(
        regions=regions,
        every_region=every,
        start=clock.start_of_day(data["van"]) if data["van"] else None,
        end=clock.start_of_day(data["tot"] + timedelta(days=1)) if data["tot"] else None,
        action=data["handeling"] or None,
        user_id=int(data["gebruiker"]) if data["gebruiker"] else None,
        case_id=int(data["traject"].strip()) if data["traject"] else None,
    )
    form.is_valid = valid  # type: ignore[attr-defined]
    return form, filters


def _render(form: AuditFilterForm, filters: Filters, endpoint: str, base: dict[str, Any], *,
            case: Any = None, person: User | None = None) -> ResponseReturnValue:
    page = paginate(filters.query(), page_number(request.args.get("pagina")))
    # Reading the log is itself audited: one entry per page view, with the entry ids shown.
    regions = sorted(filters.regions)
    audit.record_list_view("audit.list_view", (entry.id for entry in page.items),
                           object_type="audit_entry",
                           region_code=regions[0] if len(regions) == 1 else None)
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}
    fixed = {"traject": case.id} if case is not None else {}
    if person is not None:
        fixed["gebruiker"] = person.id
    return render_template(
        "audit/list.html", form=form, page=page, case=case, person=person,
        regions=sorted(filters.regions), every_region=filters.every_region, endpoint=endpoint,
        action_title=action_title, object_label=object_label,
        csv_url=url_for("audit.export_csv", **{**args, **fixed}),
        url_for_page=lambda p: url_for(endpoint, **base, **args, pagina=p),
        form_action=url_for(endpoint, **base),
    ), (200 if form.is_valid else 400)  # type: ignore[attr-defined]


def log_page(endpoint: str, base: dict[str, Any], *, case: Any = None,
             person: User | None = None) -> ResponseReturnValue:
    """The audit log page, filtered by the query string and fixed to one case (``case``, any
    object with an ``id``, already checked by the caller) or one colleague (``person``)."""
    form, filters = _form_and_filters(case_id=case.id if case is not None else None,
                                      user_id=person.id if person is not None else None)
    return _render(form, filters, endpoint, base, case=case, person=person)


@bp.route("")
@role_required(Action.READ_AUDIT_LOG)
def index():
    """The region's audit log (every region's, for the admin), newest first."""
    return log_page("audit.index", {})


@bp.route("/gebruikers/<id:user_id>")
@role_required(Action.READ_AUDIT_LOG)
def user_log(user_id: int):
    """What one colleague of the region (any user, for the admin) viewed or changed."""
    person = db.session.get(User, user_id)
    if person is None or not (_every_region() or person.region_codes & _regions()):
        abort(404)
    return log_page("audit.user_log", {"user_id": person.id}, person=person)


CSV_HEADER = ("tijdstip", "gebruiker", "handeling", "code", "gegeven", "soort", "nummer", "regio",
              "ip", "toelichting")


def _csv_rows(filters: Filters) -> Iterator[str]:
    """The CSV in batches of rows; every cell made safe by :func:`rmt.exports.csv_text`."""
    yield exports.csv_text([CSV_HEADER])
    last_id = None
    while True:
        query = filters.query().limit(CSV_BATCH)
        if last_id is not None:
            query = query.where(AuditEntry.id < last_id)
        batch = db.session.scalars(query).all()
        yield exports.csv_text(([
            entry.at, entry.user_email, action_title(entry.action), entry.action,
            object_label(entry.object_type, entry.object_id), entry.object_type,
            entry.object_id, entry.region_code, entry.ip, entry.summary] for entry in batch),
            bom=False)
        if len(batch) < CSV_BATCH:
            return
        last_id = batch[-1].id


@bp.route("/export.csv")
@role_required(Action.READ_AUDIT_LOG)
def export_csv():
    """The filtered log as CSV (semicolon-separated, UTF-8 with BOM for spreadsheets)."""
    form, filters = _form_and_filters()
    if not form.is_valid:  # type: ignore[attr-defined]
        return _render(form, filters, "audit.index", {})
    regions = sorted(filters.regions)
    body = "".join(_csv_rows(filters))
    audit.record("audit.export", region_code=regions[0] if len(regions) == 1 else None,
                 summary=f"CSV-export: {filters.describe()}")
    stamp = clock.local(clock.now()).strftime("%Y%m%d-%H%M")
    return exports.csv_response(body, f"auditlog-{stamp}.csv")
