"""Subject access (AVG art. 15): everything stored about a candidate, for one coordinator.

The export covers the candidate's personal data and consents, every case of the candidate in
the coordinator's regions with everything recorded on it, the rows of other features (their
registered section, or the generic fallback for tables nobody registered), and the access log:
who viewed or changed those cases (the audit entries of the cases, also from before a transfer,
since the history travels with the case). Cases in other regions are named by region only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from rmt.access import Action, allowed_regions
from rmt.audit.actions import action_title, object_label
from rmt.audit.models import AuditEntry
from rmt.auth.models import User
from rmt.cases.models import (
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Consent,
    Note,
    Task,
)
from rmt.db_types import utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db
from rmt.privacy import generic
from rmt.privacy.registry import SUBJECT_ACCESS_SECTIONS, registered_tables

PERSONAL_FIELDS = (
    ("first_name", "Voornaam"), ("name_prefix", "Tussenvoegsel"), ("last_name", "Achternaam"),
    ("birth_date", "Geboortedatum"), ("email", "E-mailadres"), ("phone", "Telefoonnummer"),
    ("postcode", "Postcode"), ("municipality", "Gemeente"), ("education_level", "Opleiding"),
    ("has_startkwalificatie", "Startkwalificatie"), ("banenafspraak", "Banenafspraak"),
    ("work_status", "Werksituatie"),
    ("benefit", "Uitkering"), ("target_group", "Doelgroep"),
    ("referral_partner", "Verwijzer"), ("created_at", "Geregistreerd op"),
    ("anonymised_at", "Geanonimiseerd op"),
)


def personal_rows(candidate: Candidate) -> list[tuple[str, str]]:
    """(Dutch title, readable value) for the HTML page."""
    rows = []
    for key, title in PERSONAL_FIELDS:
        value = getattr(candidate, key)
        if key == "municipality":
            text = candidate.municipality.name
        elif isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, LabelledEnum):
            text = value.label
        elif isinstance(value, datetime):
            text = value.strftime("%d-%m-%Y %H:%M") + " (UTC)"
        elif isinstance(value, date):
            text = value.strftime("%d-%m-%Y")
        else:
            text = value or "—"
        rows.append((title, text))
    return rows


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _user(user: User | None) -> str | None:
    return f"{user.name} <{user.email}>" if user is not None else None


def case_regions(candidate: Candidate) -> dict[int, str]:
    """Case id -> region of every case of the candidate (one light query)."""
    return dict(db.session.execute(
        sa.select(Case.id, Case.region_code).where(Case.candidate_id == candidate.id)).all())


def export(user: User, candidate: Candidate) -> dict[str, Any]:
    """The whole export as JSON-friendly data (dates as ISO 8601 text)."""
    regions = sorted(allowed_regions(user, Action.HANDLE_PRIVACY_REQUEST))
    all_cases = case_regions(candidate)
    case_ids = sorted(i for i, region in all_cases.items() if region in regions)
    cases = list(db.session.scalars(
        sa.select(Case).where(Case.id.in_(case_ids)).order_by(Case.opened_on, Case.id)
        .options(
            # Users are shown by name and e-mail only: their region memberships are not needed.
            joinedload(Case.coach).lazyload(User.memberships),
            selectinload(Case.events).joinedload(CaseEvent.user).lazyload(User.memberships),
            selectinload(Case.notes).joinedload(Note.author).lazyload(User.memberships),
            selectinload(Case.tasks).joinedload(Task.owner).lazyload(User.memberships),
            selectinload(Case.activities),
            joinedload(Case.intake),
            joinedload(Case.plan),
        )).unique())
    transfers = db.session.scalars(
        sa.select(CaseTransfer).where(CaseTransfer.case_id.in_(case_ids))
        .options(joinedload(CaseTransfer.requested_by).lazyload(User.memberships),
                 joinedload(CaseTransfer.decided_by).lazyload(User.memberships),
                 lazyload(CaseTransfer.case))
        .order_by(CaseTransfer.requested_at)).all()
    consents = db.session.scalars(
        sa.select(Consent).where(Consent.candidate_id == candidate.id)
        .options(joinedload(Consent.recorded_by).lazyload(User.memberships),
                 joinedload(Consent.revoked_by).lazyload(User.memberships))
        .order_by(Consent.given_on, Consent.id)).all()

    data: dict[str, Any] = {
        "export": {
            "created_at": utcnow().isoformat(timespec="seconds"),
            "created_by": _user(user),
            "regions": regions,
            "about": ("Inzage in de gegevens die de Regionale Mobiliteitsteams over deze persoon "
                      "hebben vastgelegd (AVG artikel 15)."),
        },
        "candidate": personal_data(candidate),
        "cases": [_case(case, [t for t in transfers if t.case_id == case.id]) for case in cases],
        "consents": [_consent(c) for c in consents],
        "other_regions": sorted(set(all_cases.values()) - set(regions)),
    }
    sections = {}
    for key, section in SUBJECT_ACCESS_SECTIONS.items():
        sections[key] = {"title": section.title,
                         "rows": _jsonable(section.collect(candidate, cases))}
    data["sections"] = sections
    linked = generic.linked_rows(candidate.id, case_ids)
    skip = generic.CORE_TABLES | registered_tables()
    data["other_records"] = {name: [generic.row_dict(row) for row in rows]
                             for name, rows in linked.rows.items() if name not in skip}
    data["access_log"] = access_log(candidate, case_ids)
    return data


def personal_data(candidate: Candidate) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, _title in PERSONAL_FIELDS:
        value = getattr(candidate, key)
        if key == "municipality":
            value = candidate.municipality.name
        elif isinstance(value, LabelledEnum):
            value = value.value
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        values[key] = value
    values["id"] = candidate.id
    return values


def _case(case: Case, transfers: Iterable[CaseTransfer]) -> dict[str, Any]:
    intake = case.intake
    plan = case.plan
    return {
        "id": case.id,
        "region": case.region_code,
        "coach": _user(case.coach),
        "status": case.status.value,
        "status_label": case.status.label,
        "opened_on": _iso(case.opened_on),
        "closed_on": _iso(case.closed_on),
        "exit_reason": case.exit_reason.value if case.exit_reason else None,
        "exit_reason_text": case.exit_reason_text,
        "events": [
            {"at": _iso(e.at), "from": e.from_status.value if e.from_status else None,
             "to": e.to_status.value, "region": e.region_code, "by": _user(e.user),
             "reason": e.reason, "exit_reason": e.exit_reason.value if e.exit_reason else None}
            for e in case.events
        ],
        "intake": None if intake is None else {
            "motivation": intake.motivation, "wishes": intake.wishes,
            "obstacles": intake.obstacles, "work_history": intake.work_history,
            "preferred_sectors": intake.preferred_sectors,
            "origin_sector": intake.origin_sector.label if intake.origin_sector else "",
            "completed_at": _iso(intake.completed_at),
        },
        "plan": None if plan is None else {
            "goal": plan.goal, "target_sector": plan.target_sector,
            "target_section": plan.target_section.label if plan.target_section else "",
            "target_occupation": plan.target_occupation,
        },
        "activities": [
            {"description": a.description, "status": a.status.value, "due_on": _iso(a.due_on)}
            for a in case.activities
        ],
        "notes": [_note(n) for n in sorted(case.notes, key=lambda n: (n.contact_on, n.id))],
        "tasks": [_task(t) for t in sorted(case.tasks, key=lambda t: t.id)],
        "transfers": [
            {"from": t.from_region_code, "to": t.to_region_code, "status": t.status.value,
             "reason": t.reason, "requested_by": _user(t.requested_by),
             "requested_at": _iso(t.requested_at), "decided_by": _user(t.decided_by),
             "decided_at": _iso(t.decided_at), "decision_note": t.decision_note}
            for t in transfers
        ],
    }


def _note(note: Note) -> dict[str, Any]:
    return {"contact_on": _iso(note.contact_on), "kind": note.kind.value,
            "author": _user(note.author), "text": note.text,
            "created_at": _iso(note.created_at)}


def _task(task: Task) -> dict[str, Any]:
    return {"title": task.title, "due_on": _iso(task.due_on), "owner": _user(task.owner),
            "done_at": _iso(task.done_at), "created_at": _iso(task.created_at)}


def _consent(consent: Consent) -> dict[str, Any]:
    return {"purpose": consent.purpose.value, "purpose_label": consent.purpose.label,
            "given_on": _iso(consent.given_on), "recorded_by": _user(consent.recorded_by),
            "revoked_on": _iso(consent.revoked_on), "revoked_by": _user(consent.revoked_by)}


def access_log(candidate: Candidate, case_ids: list[int], limit: int = 5000) -> list[dict]:
    """Who viewed or changed the cases (and this candidate's privacy record), oldest first."""
    query = (
        sa.select(AuditEntry)
        .where(sa.or_(
            sa.and_(AuditEntry.object_type == "case",
                    AuditEntry.object_id.in_([str(i) for i in case_ids])),
            sa.and_(AuditEntry.object_type == "candidate",
                    AuditEntry.object_id == str(candidate.id)),
        ))
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    return [
        {"at": _iso(e.at), "user": e.user_email, "action": e.action,
         "action_title": action_title(e.action),
         "object": object_label(e.object_type, e.object_id), "region": e.region_code,
         "summary": e.summary}
        for e in db.session.scalars(query)
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return generic.jsonable(value)
