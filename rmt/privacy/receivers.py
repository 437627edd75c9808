"""Privacy's own plug-ins; :func:`connect` is called once by create_app (nothing at import).

The readable subject-access sections of the vouchers, praktijkverklaring and employers tables
(:mod:`rmt.privacy.sections`) and the vouchers' fiscal retention duty, which blocks erasure on
request. The register of privacy requests: its section on the case page, its own rows in the
subject-access export and in anonymisation, and open requests that follow a transferred case.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from rmt import signals
from rmt.access import Action
from rmt.cases import extensions
from rmt.extensions import db
from rmt.privacy import (
    queries,
    register_anonymiser,
    register_erasure_blocker,
    register_subject_access,
    requests,
    sections,
    service,
)
from rmt.privacy.models import PrivacyRequest
from rmt.web.waiting import add_waiting

REQUEST_TABLES = ("privacy_request",)


def request_rows(_candidate: Any, cases: list[Any]) -> list[dict[str, Any]]:
    """The candidate's own privacy requests (subject access), one statement."""
    case_ids = [case.id for case in cases]
    if not case_ids:
        return []
    found = db.session.scalars(sa.select(PrivacyRequest).where(
        PrivacyRequest.case_id.in_(case_ids)).order_by(PrivacyRequest.id))
    return [{"id": r.id, "case": r.case_id, "kind": r.kind.label, "received_on": r.received_on,
             "due_on": r.due_on, "status": r.status.label,
             "result": r.outcome.label if r.outcome else None, "note": r.note,
             "outcome_reason": r.outcome_note} for r in found]


def clear_request_notes(_candidate: Any, case_ids: list[int]) -> None:
    """Anonymisation: the notes go; kind, dates and outcome stay (the register's figures)."""
    if case_ids:
        db.session.execute(sa.update(PrivacyRequest).where(
            PrivacyRequest.case_id.in_(case_ids)).values(note="", outcome_note=""))


def on_case_transferred(case: Any, **_: Any) -> None:
    requests.follow_transfer(case)


def connect() -> None:
    """Register the sections and the erasure blocker (idempotent); open privacy requests wait
    for the region's handlers on their start page."""
    sections.register_sections()
    register_erasure_blocker(service.voucher_retention_duty)
    register_subject_access("privacy_requests", "Privacyverzoeken",
                            tables=REQUEST_TABLES)(request_rows)
    register_anonymiser(tables=REQUEST_TABLES)(clear_request_notes)
    extensions.add_section("privacy/_requests_section.html", queries.case_section, order=60)
    extensions.add_row_probe("privacy_requests", PrivacyRequest.case_id)
    signals.case_transferred.connect(on_case_transferred)
    add_waiting("Privacyverzoeken die op afhandeling wachten", queries.waiting_privacy_requests,
                lambda _user: url_for("privacy.requests_list"),
                action=Action.HANDLE_PRIVACY_REQUEST, order=35)
