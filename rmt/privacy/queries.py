"""Read-only lists of the privacy-request register, for its pages and the start page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rmt import clock
from rmt.access import Action, allowed_regions, can, scoped
from rmt.auth.models import User
from rmt.cases import extensions
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.privacy.models import PrivacyRequest, RequestStatus


def waiting_privacy_requests(user: User) -> int:
    """How many privacy requests wait for ``user`` to handle them (0 for who does not handle
    them): the open requests of the regions where they may handle privacy requests. One
    ``count(*)`` on the index of open requests per region."""
    regions = allowed_regions(user, Action.HANDLE_PRIVACY_REQUEST)
    if not regions:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PrivacyRequest)
        .where(PrivacyRequest.region_code.in_(sorted(regions)),
               PrivacyRequest.status == RequestStatus.OPEN)) or 0


@dataclass
class RequestList:
    requests: list[PrivacyRequest]
    closed: bool
    today: Any


def request_list(user: User, *, closed: bool = False, limit: int = 200) -> RequestList:
    """Open requests of the user's regions, the most urgent (overdue) first; or the most recently
    closed ones. Case numbers only: no names on this page."""
    query = scoped(sa.select(PrivacyRequest), user, PrivacyRequest,
                   Action.RECORD_PRIVACY_REQUEST)
    if closed:
        query = query.where(PrivacyRequest.status == RequestStatus.CLOSED).order_by(
            PrivacyRequest.closed_at.desc(), PrivacyRequest.id.desc())
    else:
        query = query.where(PrivacyRequest.status == RequestStatus.OPEN).order_by(
            PrivacyRequest.due_on, PrivacyRequest.id)
    return RequestList(list(db.session.scalars(query.limit(limit))), closed, clock.today())


@dataclass
class CaseRequests:
    requests: list[PrivacyRequest]
    can_record: bool
    today: Any


def case_section(user: User, case: Case) -> CaseRequests | None:
    """The privacy requests of a case, for its page (one statement)."""
    if not can(user, Action.RECORD_PRIVACY_REQUEST, case):
        return None
    requests = [] if not extensions.has_rows(case, "privacy_requests") else list(db.session.scalars(
        sa.select(PrivacyRequest).where(PrivacyRequest.case_id == case.id)
        .order_by(PrivacyRequest.received_on.desc(), PrivacyRequest.id.desc())))
    return CaseRequests(requests, case.candidate.anonymised_at is None, clock.today())
