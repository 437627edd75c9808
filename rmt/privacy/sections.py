"""Readable subject-access sections for the vouchers, praktijkverklaring and employers data.

These tables hold data about the candidate (through the case) but belong to other features. So
that the export shows them with names instead of raw ids, they are read here with SQLAlchemy Core
through the shared metadata — :mod:`rmt.privacy` imports none of those feature packages, and a
section of a feature that is not installed is simply empty. Anonymising these rows stays with
the generic fallback (:func:`rmt.privacy.generic.clear_free_text`) or the feature's own
registered anonymiser. One query per section (plus one for the staff names), however many rows.
They are registered by :func:`register_sections` (called from ``rmt.privacy.receivers``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from rmt.extensions import db
from rmt.privacy.registry import register_subject_access


def _table(name: str) -> sa.Table | None:
    return db.Model.metadata.tables.get(name)


def _tables(*names: str) -> list[sa.Table] | None:
    found = [_table(name) for name in names]
    return None if any(t is None for t in found) else found


def _case_ids(cases: Iterable[Any]) -> list[int]:
    return sorted(case.id for case in cases)


def euro(cents: int | None) -> str | None:
    """Dutch notation: 123456 -> '€ 1.234,56'."""
    if cents is None:
        return None
    whole, part = divmod(abs(int(cents)), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{part:02d}"


def _value(value: Any) -> Any:
    return getattr(value, "value", value)  # enums as their stored value


def _select(columns: list[Any], from_: sa.FromClause,
            staff: dict[str, sa.Column]) -> sa.Select:
    """``columns`` from ``from_``, plus name and e-mail of the staff member of every
    ``staff`` key (an outer join per key, so no extra query)."""
    users = _table("user_account")
    for key, column in staff.items():
        person = users.alias(f"staff_{key}")
        from_ = from_.outerjoin(person, person.c.id == column)
        columns = [*columns, person.c.name.label(f"{key}__name"),
                   person.c.email.label(f"{key}__email")]
    return sa.select(*columns).select_from(from_)


def _rows(query: sa.Select) -> list[dict[str, Any]]:
    """Rows as dicts; enums as their value; staff columns as 'Name <e-mail>'."""
    rows = []
    for mapping in db.session.execute(query).mappings():
        row: dict[str, Any] = {}
        for key, value in mapping.items():
            if key.endswith("__email"):
                continue
            if key.endswith("__name"):
                email = mapping[key.removesuffix("__name") + "__email"]
                row[key.removesuffix("__name")] = f"{value} <{email}>" if value else None
            else:
                row[key] = _value(value)
        rows.append(row)
    return rows


# --- vouchers ----------------------------------------------------------------------------------


def vouchers(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("voucher", "training_provider", "budget", "funding_source")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    voucher, provider, budget, source = tables
    rows = _rows(_select(
        [voucher.c.id, voucher.c.case_id.label("case"), voucher.c.course_name.label("course"),
         provider.c.name.label("provider"), source.c.name.label("funding_source"),
         budget.c.year.label("budget_year"), voucher.c.amount_cents, voucher.c.start_on,
         voucher.c.end_on, voucher.c.status, voucher.c.motivation, voucher.c.requested_at,
         voucher.c.decided_at, voucher.c.decision_note, voucher.c.invoice_number,
         voucher.c.declared_amount_cents, voucher.c.declared_at, voucher.c.paid_at],
        voucher.join(provider, provider.c.id == voucher.c.provider_id)
        .join(budget, budget.c.id == voucher.c.budget_id)
        .join(source, source.c.id == budget.c.funding_source_id),
        {"requested_by": voucher.c.requested_by_id, "decided_by": voucher.c.decided_by_id})
        .where(voucher.c.case_id.in_(case_ids))
        .order_by(voucher.c.requested_at, voucher.c.id))
    for row in rows:
        row["amount"] = euro(row.pop("amount_cents"))
        row["declared_amount"] = euro(row.pop("declared_amount_cents"))
    return rows


def voucher_events(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("voucher", "voucher_event")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    voucher, event = tables
    return _rows(_select(
        [event.c.voucher_id.label("voucher"), event.c.at, event.c.from_status.label("from"),
         event.c.to_status.label("to"), event.c.note],
        event.join(voucher, voucher.c.id == event.c.voucher_id), {"by": event.c.user_id})
        .where(voucher.c.case_id.in_(case_ids))
        .order_by(event.c.at, event.c.id))


def voucher_funding(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    """The co-funding parts of the vouchers (medefinanciering)."""
    tables = _tables("voucher", "voucher_funding", "budget", "funding_source")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    voucher, part, budget, source = tables
    return _rows(_select(
        [part.c.voucher_id.label("voucher"), source.c.name.label("funding_source"),
         budget.c.year.label("budget_year"), part.c.amount_cents, part.c.declared_cents],
        part.join(voucher, voucher.c.id == part.c.voucher_id)
        .join(budget, budget.c.id == part.c.budget_id)
        .join(source, source.c.id == budget.c.funding_source_id), {})
        .where(voucher.c.case_id.in_(case_ids))
        .order_by(part.c.voucher_id, part.c.id))


# --- praktijkverklaringen ----------------------------------------------------------------------


def praktijkverklaringen(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("pv_trajectory", "mbo_school", "pv_qualification", "employer")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    trajectory, school, qualification, employer = tables
    return _rows(_select(
        [trajectory.c.id, trajectory.c.case_id.label("case"), school.c.name.label("school"),
         qualification.c.crebo, qualification.c.name.label("qualification"),
         employer.c.name.label("employer"), trajectory.c.praktijkopleider, trajectory.c.status,
         trajectory.c.planned_start, trajectory.c.planned_end, trajectory.c.register_number,
         trajectory.c.issued_on, trajectory.c.abort_reason, trajectory.c.created_at],
        trajectory.join(school, school.c.id == trajectory.c.school_id)
        .join(qualification, qualification.c.id == trajectory.c.qualification_id)
        .outerjoin(employer, employer.c.id == trajectory.c.employer_id),
        {"recorded_by": trajectory.c.created_by_id})
        .where(trajectory.c.case_id.in_(case_ids))
        .order_by(trajectory.c.created_at, trajectory.c.id))


def pv_work_processes(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("pv_trajectory", "pv_work_process")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    trajectory, work_process = tables
    return _rows(_select(
        [work_process.c.trajectory_id.label("praktijkverklaring"), work_process.c.code,
         work_process.c.name, work_process.c.result, work_process.c.assessed_on,
         work_process.c.assessor_name],
        work_process.join(trajectory, trajectory.c.id == work_process.c.trajectory_id),
        {"recorded_by": work_process.c.recorded_by_id})
        .where(trajectory.c.case_id.in_(case_ids))
        .order_by(work_process.c.trajectory_id, work_process.c.code))


def pv_events(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    event = _table("pv_event")
    case_ids = _case_ids(cases)
    if event is None or not case_ids:
        return []
    return _rows(_select(
        [event.c.trajectory_id.label("praktijkverklaring"), event.c.at,
         event.c.from_status.label("from"), event.c.to_status.label("to"), event.c.reason],
        event, {"by": event.c.user_id})
        .where(event.c.case_id.in_(case_ids))
        .order_by(event.c.at, event.c.id))


# --- proposals and placements ------------------------------------------------------------------


def proposals(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("proposal", "vacancy", "employer")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    proposal, vacancy, employer = tables
    return _rows(_select(
        [proposal.c.id, proposal.c.case_id.label("case"), vacancy.c.title.label("vacancy"),
         employer.c.name.label("employer"), proposal.c.region_code.label("region"),
         proposal.c.proposed_on, proposal.c.status, proposal.c.decided_on, proposal.c.note],
        proposal.join(vacancy, vacancy.c.id == proposal.c.vacancy_id)
        .join(employer, employer.c.id == vacancy.c.employer_id),
        {"proposed_by": proposal.c.proposed_by_id})
        .where(proposal.c.case_id.in_(case_ids))
        .order_by(proposal.c.proposed_on, proposal.c.id))


def proposal_events(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("proposal", "proposal_event")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    proposal, event = tables
    return _rows(_select(
        [event.c.proposal_id.label("proposal"), event.c.at, event.c.from_status.label("from"),
         event.c.to_status.label("to"), event.c.note],
        event.join(proposal, proposal.c.id == event.c.proposal_id), {"by": event.c.user_id})
        .where(proposal.c.case_id.in_(case_ids))
        .order_by(event.c.at, event.c.id))


def placements(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("placement", "employer")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    placement, employer = tables
    return _rows(_select(
        [placement.c.id, placement.c.case_id.label("case"), employer.c.name.label("employer"),
         placement.c.job_title, placement.c.contract_type, placement.c.hours_per_week,
         placement.c.start_on, placement.c.end_on, placement.c.end_reason],
        placement.join(employer, employer.c.id == placement.c.employer_id),
        {"recorded_by": placement.c.created_by_id})
        .where(placement.c.case_id.in_(case_ids))
        .order_by(placement.c.start_on, placement.c.id))


def follow_ups(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    tables = _tables("placement", "follow_up")
    case_ids = _case_ids(cases)
    if tables is None or not case_ids:
        return []
    placement, follow_up = tables
    return _rows(_select(
        [follow_up.c.placement_id.label("placement"), follow_up.c.months, follow_up.c.due_on,
         follow_up.c.still_employed, follow_up.c.outcome_reason, follow_up.c.recorded_on],
        follow_up.join(placement, placement.c.id == follow_up.c.placement_id),
        {"recorded_by": follow_up.c.recorded_by_id})
        .where(placement.c.case_id.in_(case_ids))
        .order_by(follow_up.c.placement_id, follow_up.c.months))


#: (key, title, tables it covers, collect): the order of the export.
SECTIONS: tuple[tuple[str, str, tuple[str, ...], Any], ...] = (
    ("vouchers", "Scholingsvouchers", ("voucher", "voucher_event", "voucher_funding"), vouchers),
    ("voucher_events", "Stappen van scholingsvouchers", (), voucher_events),
    ("voucher_funding", "Medefinanciering van scholingsvouchers", (), voucher_funding),
    ("praktijkverklaringen", "Praktijkverklaringen",
     ("pv_trajectory", "pv_work_process", "pv_event"), praktijkverklaringen),
    ("pv_work_processes", "Werkprocessen van praktijkverklaringen", (), pv_work_processes),
    ("pv_events", "Stappen van praktijkverklaringen", (), pv_events),
    ("proposals", "Voordrachten bij werkgevers", ("proposal", "proposal_event"), proposals),
    ("proposal_events", "Stappen van voordrachten", (), proposal_events),
    ("placements", "Plaatsingen", ("placement", "follow_up"), placements),
    ("follow_ups", "Nazorg na plaatsingen", (), follow_ups),
)


def register_sections() -> None:
    """Register the sections above, in this order (idempotent: keyed by section)."""
    for key, title, tables, collect in SECTIONS:
        register_subject_access(key, title, tables=tables)(collect)
