"""The register of privacy requests: the rules for recording a request a candidate made and
for closing it.

Whoever may see the case (its coach, a coordinator) records a request as received; it is due
one calendar month after receipt (AVG art. 12(3)) and waits for the region's privacy handler
(:data:`rmt.access.Action.HANDLE_PRIVACY_REQUEST`), who is notified
(:data:`rmt.signals.privacy_request_received`), handles it through the existing pages (subject
access, erasure, the candidate's data) and closes it with an outcome. Every step is audited.
The notes describe the handling only: they refuse e-mail addresses, phone numbers and dates, the
personal data that people are tempted to copy in.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from rmt import audit, clock, signals
from rmt.access import Action, require
from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.db_types import utcnow
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.privacy.models import PrivacyRequest, RequestKind, RequestOutcome, RequestStatus

#: One calendar month after receipt (AVG art. 12(3)); extending it is a decision of its own.
TERM_MONTHS = 1
#: How far back a receipt date may lie (a request found in the post late is still recorded).
OLDEST_RECEIPT = timedelta(days=366)
NOTE_MAX = 500

RECORD_REFUSED = "U mag voor dit traject geen privacyverzoek vastleggen."
HANDLE_REFUSED = "Alleen de privacybehandelaar van de regio handelt privacyverzoeken af."

_PERSONAL = (
    (re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+"), "een e-mailadres"),
    (re.compile(r"(?:\+|\b)\d(?:[\s-]?\d){8,}"), "een telefoon- of ander persoonsnummer"),
    (re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{4}-\d{1,2}-\d{1,2}\b"), "een datum"),
)


def due_date(received_on: date) -> date:
    """The last day of the legal term for a request received on ``received_on``."""
    return clock.add_months(received_on, TERM_MONTHS)


def check_note(text: str | None, field: str) -> str:
    """The note, trimmed; refused when it holds what looks like personal data."""
    note = (text or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(f"Gebruik hoogstens {NOTE_MAX} tekens.", field=field)
    for pattern, what in _PERSONAL:
        if pattern.search(note):
            raise DomainError(f"Noteer geen persoonsgegevens: de toelichting bevat {what}. "
                              "Beschrijf alleen het verzoek en de afhandeling.", field=field)
    return note


def record_request(user: User, case: Case, *, kind: str, received_on: date,
                   note: str = "") -> PrivacyRequest:
    """Register a request received from the candidate of ``case``; it waits for the handler."""
    require(user, Action.RECORD_PRIVACY_REQUEST, case, message=RECORD_REFUSED)
    if case.candidate.anonymised_at is not None:
        raise Conflict("De gegevens van deze persoon zijn al gewist.", code="anonymised")
    try:
        request_kind = RequestKind(kind)
    except ValueError:
        raise DomainError("Kies het soort verzoek.", field="kind") from None
    today = clock.today()
    if received_on > today:
        raise DomainError("De datum van ontvangst kan niet in de toekomst liggen.",
                          field="received_on")
    if received_on < today - OLDEST_RECEIPT:
        raise DomainError("De datum van ontvangst ligt meer dan een jaar terug.",
                          field="received_on")
    request = PrivacyRequest(case=case, region_code=case.region_code, kind=request_kind,
                             received_on=received_on, due_on=due_date(received_on),
                             note=check_note(note, "note"), status=RequestStatus.OPEN,
                             recorded_by_id=user.id)
    db.session.add(request)
    db.session.flush()
    audit.record("privacy_request.record", object_type="privacy_request", object_id=request.id,
                 region_code=request.region_code,
                 summary=f"traject {case.id}: {request_kind.value}, uiterlijk {request.due_on}")
    signals.privacy_request_received.send(request, user=user)
    return request


def close_request(user: User, request: PrivacyRequest, *, outcome: str, outcome_note: str = "",
                  expected_version: int | None = None) -> PrivacyRequest:
    """The handler closes the request with its outcome (a refusal needs its reasons)."""
    require(user, Action.HANDLE_PRIVACY_REQUEST, request, message=HANDLE_REFUSED)
    if not request.is_open:
        raise Conflict("Dit verzoek is al afgehandeld.", code="closed")
    if expected_version is not None and expected_version != request.version:
        raise Conflict("Iemand anders heeft dit verzoek intussen gewijzigd; laad de pagina "
                       "opnieuw.", field="version", code="stale_version")
    try:
        result = RequestOutcome(outcome)
    except ValueError:
        raise DomainError("Kies de uitkomst.", field="outcome") from None
    note = check_note(outcome_note, "outcome_note")
    if result in (RequestOutcome.REFUSED, RequestOutcome.PARTLY) and not note:
        raise DomainError("Geef de motivering van de (gedeeltelijke) afwijzing.",
                          field="outcome_note")
    request.status = RequestStatus.CLOSED
    request.outcome = result
    request.outcome_note = note
    request.closed_by_id = user.id
    request.closed_at = utcnow()
    db.session.flush()
    late = " (na de termijn)" if clock.today() > request.due_on else ""
    audit.record("privacy_request.close", object_type="privacy_request", object_id=request.id,
                 region_code=request.region_code,
                 summary=f"traject {request.case_id}: {result.value}{late}")
    return request


def follow_transfer(case: Case) -> None:
    """Open requests go with a case transferred to another region (its handler takes over)."""
    for request in db.session.scalars(sa.select(PrivacyRequest).where(
            PrivacyRequest.case_id == case.id, PrivacyRequest.status == RequestStatus.OPEN)):
        request.region_code = case.region_code
        audit.record("privacy_request.transfer", object_type="privacy_request",
                     object_id=request.id, region_code=case.region_code,
                     summary=f"traject {case.id} naar {case.region_code}")
        signals.privacy_request_received.send(request, user=None)
