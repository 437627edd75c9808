"""Anonymising a candidate: the one routine behind retention and erasure on request.

What goes: names (→ "Geanonimiseerd"), e-mail, phone, postcode (all of it, also the four digits),
the day and month of birth (→ 1 July of the birth year), and all free text: notes, intake,
plan goal and targets, activity descriptions, task titles, transfer reasons and decisions, the
exit-reason explanation, the reasons written with step changes, and free text in other
features' rows (their registered anonymiser, or the generic fallback).

What stays, so statistics do not change: the candidate row itself with municipality, education,
startkwalificatie, work status, benefit, doelgroep and verwijzer; every case with region, coach,
dates, status and exit reason; every step change (CaseEvent) with its dates; the rows (not the
text) of notes, tasks, activities, transfers and consents (purpose and dates, as facts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from rmt.cases import search
from rmt.cases.models import (
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Intake,
    Note,
    Plan,
    PlanActivity,
    Task,
)
from rmt.db_types import utcnow
from rmt.extensions import db
from rmt.privacy import generic
from rmt.privacy.registry import ANONYMISERS, anonymised_tables

ANONYMOUS_NAME = "Geanonimiseerd"


@dataclass
class Report:
    """What anonymising one candidate changed (counts only; no personal data)."""

    candidate_id: int
    case_ids: list[int]
    notes: int = 0
    tasks: int = 0
    activities: int = 0
    transfers: int = 0
    other: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"trajecten {', '.join(map(str, self.case_ids)) or '-'}",
                 "naam, contactgegevens, postcode en geboortedag verwijderd",
                 f"{self.notes} aantekeningen, {self.tasks} acties, "
                 f"{self.activities} activiteiten, {self.transfers} overdrachten zonder tekst"]
        if self.other:
            parts.append("ook: " + ", ".join(f"{k} ({v})" for k, v in sorted(self.other.items())))
        return "; ".join(parts)


def reduced_birth_date(value: date) -> date:
    return date(value.year, 7, 1)


def _report(candidate: Candidate, case_ids: list[int], linked: generic.Linked | None) -> Report:
    report = Report(candidate.id, case_ids)
    if linked is None:
        return report
    rows = linked.rows
    report.notes = len(rows.get("note", []))
    report.tasks = len(rows.get("task", []))
    report.activities = len(rows.get("plan_activity", []))
    report.transfers = len(rows.get("case_transfer", []))
    skip = anonymised_tables()
    report.other = {name: len(found) for name, found in rows.items()
                    if name not in generic.CORE_TABLES and name not in skip
                    and generic.free_text_columns(db.Model.metadata.tables[name])}
    return report


def _linked(candidate: Candidate) -> tuple[list[int], generic.Linked | None]:
    case_ids = sorted(c.id for c in candidate.cases)
    return case_ids, (generic.linked_rows(candidate.id, case_ids) if case_ids else None)


def plan_changes(candidate: Candidate) -> Report:
    """What :func:`anonymise` would change (for ``--dry-run``); changes nothing."""
    case_ids, linked = _linked(candidate)
    return _report(candidate, case_ids, linked)


def anonymise(candidate: Candidate, now: datetime | None = None) -> Report:
    """Anonymise ``candidate`` and everything written about them (not committed, not audited:
    the caller audits with its own reason)."""
    now = now or utcnow()
    case_ids, linked = _linked(candidate)  # found before the text is gone
    report = _report(candidate, case_ids, linked)

    candidate.first_name = ANONYMOUS_NAME
    candidate.name_prefix = ""
    candidate.last_name = ANONYMOUS_NAME
    candidate.email = ""
    candidate.phone = ""
    search.refresh(candidate)
    candidate.postcode = ""
    candidate.birth_date = reduced_birth_date(candidate.birth_date)
    candidate.anonymised_at = now

    if case_ids and linked is not None:
        for statement in (
            sa.update(Note).where(Note.case_id.in_(case_ids)).values(text=""),
            sa.update(Intake).where(Intake.case_id.in_(case_ids)).values(
                motivation="", wishes="", obstacles="", work_history="", preferred_sectors=""),
            sa.update(Plan).where(Plan.case_id.in_(case_ids)).values(
                goal="", target_sector="", target_occupation=""),
            sa.update(PlanActivity).where(PlanActivity.case_id.in_(case_ids)).values(
                description=""),
            sa.update(Task).where(Task.case_id.in_(case_ids)).values(title=""),
            sa.update(CaseTransfer).where(CaseTransfer.case_id.in_(case_ids)).values(
                reason="", decision_note=""),
            sa.update(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).values(reason=""),
            # Core UPDATE: the case's version (optimistic locking) is left alone on purpose.
            sa.update(Case).where(Case.id.in_(case_ids)).values(exit_reason_text=""),
        ):
            db.session.execute(statement, execution_options={"synchronize_session": False})
        for anonymiser in ANONYMISERS:
            anonymiser.anonymise(candidate, case_ids)
        generic.clear_free_text(linked, anonymised_tables())
    db.session.flush()
    # Objects loaded before the bulk updates must not show (or write back) the old text.
    for obj in list(db.session.identity_map.values()):
        if obj is not candidate and isinstance(
                obj, Note | Intake | Plan | PlanActivity | Task | CaseTransfer | CaseEvent | Case):
            db.session.expire(obj)
    return report
