"""The audit log for coordinators: who viewed or changed what, per case and per user.

Region-scoped: a coordinator sees only entries filed under one of their regions (entries about
a case carry the case's region at that moment). Filterable by date range, action, user and case,
paginated, and downloadable as CSV with the same filters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError

from rmt import audit
from rmt.access import Action, allowed_regions, get_or_404, role_required
from rmt.audit.models import AuditEntry
from rmt.audit.paging import page_number, paginate
from rmt.auth.models import RegionMembership, User
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.forms import max_length
from rmt.privacy.forms import DateInput

bp = Blueprint("audit", __name__, url_prefix="/audit")

LOCAL = ZoneInfo("Europe/Amsterdam")
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
    start: datetime | None = None
    end: datetime | None = None
    action: str | None = None
    user_id: int | None = None
    case_id: int | None = None

    def query(self) -> sa.Select:
        query = sa.select(AuditEntry).where(AuditEntry.region_code.in_(sorted(self.regions)))
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
            parts.append(f"vanaf {self.start.astimezone(LOCAL):%d-%m-%Y}")
        if self.end:
            parts.append(f"tot {self.end.astimezone(LOCAL):%d-%m-%Y}")
        if self.action:
            parts.append(f"handeling {self.action}")
        if self.user_id:
            parts.append(f"gebruiker {self.user_id}")
        if self.case_id:
            parts.append(f"traject {self.case_id}")
        return ", ".join(parts) or "geen filter"


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL).astimezone(UTC)


def _regions() -> frozenset[str]:
    return allowed_regions(current_user, Action.VIEW_CASE_AUDIT)


def _user_choices(regions: frozenset[str]) -> list[tuple[str, str]]:
    users = db.session.scalars(
        sa.select(User).where(User.memberships.any(
            RegionMembership.region_code.in_(sorted(regions)))).order_by(User.name)).all()
    return [("", "Alle gebruikers")] + [(str(u.id), f"{u.name} ({u.email})") for u in users]


def _action_choices(regions: frozenset[str]) -> list[tuple[str, str]]:
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.region_code.in_(sorted(regions)))
        .distinct().order_by(AuditEntry.action).limit(300)).all()
    return [("", "Alle handelingen")] + [(a, a) for a in actions]


def _form_and_filters(*, case_id: int | None = None,
                      user_id: int | None = None) -> tuple[AuditFilterForm, Filters]:
    regions = _regions()
    form = AuditFilterForm(request.args)
    form.gebruiker.choices = _user_choices(regions)
    form.handeling.choices = _action_choices(regions)
    if case_id:
        form.traject.data = str(case_id)
    if user_id:
        form.gebruiker.data = str(user_id)
    valid = form.validate()
    data = {name: (field.data if not field.errors else None)
            for name, field in form._fields.items()}
    filters = Filters(
        regions=regions,
        start=_local_midnight_utc(data["van"]) if data["van"] else None,
        end=_local_midnight_utc(data["tot"] + timedelta(days=1)) if data["tot"] else None,
        action=data["handeling"] or None,
        user_id=int(data["gebruiker"]) if data["gebruiker"] else None,
        case_id=int(data["traject"].strip()) if data["traject"] else None,
    )
    form.is_valid = valid  # type: ignore[attr-defined]
    return form, filters


def _render(form: AuditFilterForm, filters: Filters, *, case: Case | None = None,
            person: User | None = None):
    page = paginate(filters.query(), page_number(request.args.get("pagina")))
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}
    if case is not None:
        endpoint, base = "audit.case_log", {"case_id": case.id}
    elif person is not None:
        endpoint, base = "audit.user_log", {"user_id": person.id}
    else:
        endpoint, base = "audit.index", {}
    return render_template(
        "audit/list.html", form=form, page=page, case=case, person=person,
        regions=sorted(filters.regions), endpoint=endpoint,
        csv_url=url_for("audit.export_csv", **{**args, **(
            {"traject": case.id} if case else {}), **({"gebruiker": person.id} if person else {})}),
        url_for_page=lambda p: url_for(endpoint, **base, **args, pagina=p),
        form_action=url_for(endpoint, **base),
    ), (200 if form.is_valid else 400)


@bp.route("")
@role_required(Action.VIEW_CASE_AUDIT)
def index():
    """The region's audit log, newest first."""
    form, filters = _form_and_filters()
    return _render(form, filters)


@bp.route("/trajecten/<id:case_id>")
@role_required(Action.VIEW_CASE_AUDIT)
def case_log(case_id: int):
    """Who viewed or changed this case ("wie heeft dit dossier bekeken of gewijzigd")."""
    case = get_or_404(Case, case_id, current_user, Action.VIEW_CASE_AUDIT)
    form, filters = _form_and_filters(case_id=case.id)
    return _render(form, filters, case=case)


@bp.route("/gebruikers/<id:user_id>")
@role_required(Action.VIEW_CASE_AUDIT)
def user_log(user_id: int):
    """What one colleague of the region viewed or changed."""
    person = db.session.get(User, user_id)
    if person is None or not (person.region_codes & _regions()):
        abort(404)
    form, filters = _form_and_filters(user_id=person.id)
    return _render(form, filters, person=person)


_CSV_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """No formula injection when the CSV is opened in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_CSV_DANGEROUS) else text


def _csv_rows(filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["tijdstip", "gebruiker", "handeling", "soort", "nummer", "regio", "ip",
                     "toelichting"])
    last_id = None
    while True:
        query = filters.query().limit(CSV_BATCH)
        if last_id is not None:
            query = query.where(AuditEntry.id < last_id)
        batch = db.session.scalars(query).all()
        for entry in batch:
            writer.writerow([_cell(v) for v in (
                entry.at.astimezone(LOCAL).isoformat(timespec="seconds"), entry.user_email,
                entry.action, entry.object_type, entry.object_id, entry.region_code, entry.ip,
                entry.summary)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(batch) < CSV_BATCH:
            return
        last_id = batch[-1].id


@bp.route("/export.csv")
@role_required(Action.VIEW_CASE_AUDIT)
def export_csv():
    """The filtered log as CSV (semicolon-separated, UTF-8 with BOM for spreadsheets)."""
    form, filters = _form_and_filters()
    if not form.is_valid:  # type: ignore[attr-defined]
        return _render(form, filters)
    regions = sorted(filters.regions)
    audit.record("audit.export", region_code=regions[0] if len(regions) == 1 else None,
                 summary=f"CSV-export: {filters.describe()}")
    db.session.commit()
    body = "\ufeff" + "".join(_csv_rows(filters))
    stamp = datetime.now(LOCAL).strftime("%Y%m%d-%H%M")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="auditlog-{stamp}.csv"'})
