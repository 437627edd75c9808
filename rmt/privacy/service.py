"""Privacy rules shared by the views and the CLI: who may handle a candidate's request,
erasure on request, retention, and the consent register. Never commits."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from rmt import audit, clock
from rmt.access import Action, allowed_regions, can
from rmt.auth.models import User
from rmt.cases import search
from rmt.cases.models import RUNNING, Candidate, Case, Consent, ConsentPurpose
from rmt.db_types import utcnow
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.privacy.anonymise import Report, anonymise, plan_changes
from rmt.privacy.registry import ERASURE_BLOCKERS
from rmt.process import CaseState

# ---------------------------------------------------------------------------------------------
# Access


def visible_candidate(user: User, candidate_id: int,
                      action: Action = Action.HANDLE_PRIVACY_REQUEST) -> Candidate | None:
    """The candidate when they have a case in a region where ``user`` may do ``action``."""
    regions = allowed_regions(user, action)
    if not regions or not (0 < candidate_id <= 2**31 - 1):
        return None
    in_scope = sa.select(Case.candidate_id).where(Case.region_code.in_(sorted(regions)))
    return db.session.scalar(
        sa.select(Candidate).where(Candidate.id == candidate_id, Candidate.id.in_(in_scope)))


def case_facts(candidate: Candidate) -> list[sa.Row]:
    """(id, region_code, status) of the candidate's cases, newest first; one light query."""
    return list(db.session.execute(
        sa.select(Case.id, Case.region_code, Case.status)
        .where(Case.candidate_id == candidate.id)
        .order_by(Case.opened_on.desc(), Case.id.desc())).all())


def main_region(user: User, candidate: Candidate) -> str | None:
    """The region to file audit entries about this candidate under: the newest case the user
    may see."""
    regions = allowed_regions(user, Action.HANDLE_PRIVACY_REQUEST)
    return next((c.region_code for c in case_facts(candidate) if c.region_code in regions), None)


def find_candidates(user: User, q: str, limit: int = 25) -> list[Candidate]:
    """Search by case number or name among candidates with a case in the user's regions."""
    regions = allowed_regions(user, Action.HANDLE_PRIVACY_REQUEST)
    q = (q or "").strip()
    if not regions or not q:
        return []
    in_scope = sa.select(Case.candidate_id).where(Case.region_code.in_(sorted(regions)))
    query = sa.select(Candidate).where(Candidate.id.in_(in_scope))
    parsed = search.parse(q)
    if parsed.case_number is not None:  # "301", "Traject 301": the person of that case
        query = query.where(Candidate.id.in_(sa.select(Case.candidate_id).where(
            Case.id == parsed.case_number)))
    else:  # the case list's search (accents and case ignored, indexed)
        condition = search.candidate_condition(parsed)
        if condition is None:  # nothing searchable left (only accents or punctuation)
            return []
        query = query.where(condition)
    query = query.options(
        selectinload(Candidate.cases).joinedload(Case.coach).lazyload(User.memberships)
    ).order_by(
        Candidate.last_name, Candidate.id).limit(limit)
    return list(db.session.scalars(query).unique())


# ---------------------------------------------------------------------------------------------
# Erasure on request


def _normalise_name(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def erasure_blockers(user: User, candidate: Candidate) -> list[str]:
    """Why erasure is not possible now (Dutch, for the page); empty when it is allowed."""
    if candidate.anonymised_at is not None:
        return ["De gegevens van deze persoon zijn al geanonimiseerd."]
    reasons = []
    regions = allowed_regions(user, Action.HANDLE_PRIVACY_REQUEST)
    cases = case_facts(candidate)
    elsewhere = sorted({c.region_code for c in cases} - set(regions))
    if elsewhere:
        reasons.append(
            "Deze persoon heeft ook een traject in een andere regio. Wissen raakt ook die "
            "gegevens; laat het verzoek afhandelen in overleg met de coördinator daar "
            f"({', '.join(elsewhere)}) of met de functioneel beheerder.")
    open_cases = [c.id for c in cases if c.status != CaseState.AFGESLOTEN]
    if open_cases:
        reasons.append(
            f"Er loopt nog een traject (nummer {', '.join(map(str, open_cases))}). De "
            "loopbaancoach sluit het eerst af, met uitstroomreden 'uitval, eigen keuze'.")
    for blocker in ERASURE_BLOCKERS:
        reason = blocker(candidate)
        if reason:
            reasons.append(reason)
    return reasons


def voucher_retention_duty(candidate: Candidate) -> str | None:
    """A declared or paid voucher is part of the financial administration, which must be kept
    for seven years (fiscal retention duty); only checked when the vouchers module is present."""
    voucher = db.Model.metadata.tables.get("voucher")
    if voucher is None or "status" not in voucher.c or "case_id" not in voucher.c:
        return None
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(voucher).where(
            voucher.c.case_id.in_(sa.select(Case.id).where(Case.candidate_id == candidate.id)),
            voucher.c.status.in_(["gedeclareerd", "betaald"])))
    if count:
        return ("Er is een scholingsvoucher gedeclareerd of betaald. Die gegevens vallen onder "
                "de wettelijke bewaarplicht van de financiële administratie (7 jaar), dus wissen "
                "op verzoek kan niet. De bewaartermijn anonimiseert de persoon wel automatisch; "
                "bedrag, opleider en factuurnummer van de voucher blijven dan bewaard.")
    return None


def erase(user: User, candidate: Candidate, *, confirm_name: str, requested_on: date) -> Report:
    """Erase on request (AVG art. 17): the candidate is anonymised at once, like retention.

    Refused when a blocker applies; the typed name must match the candidate's full name.
    """
    if not can(user, Action.HANDLE_PRIVACY_REQUEST):
        raise Forbidden("Alleen een regiocoördinator handelt privacyverzoeken af.")
    blockers = erasure_blockers(user, candidate)
    if blockers:
        raise Conflict(" ".join(blockers), code="erasure_blocked")
    if requested_on > clock.today():
        raise DomainError("De datum van het verzoek kan niet in de toekomst liggen.",
                          field="requested_on")
    if _normalise_name(confirm_name) != _normalise_name(candidate.full_name):
        raise DomainError("De naam komt niet overeen. Typ de volledige naam precies zoals "
                          "hierboven vermeld.", field="confirm_name")
    region = main_region(user, candidate)
    report = anonymise(candidate)
    audit.record("privacy.erase", object_type="candidate", object_id=candidate.id,
                 region_code=region,
                 summary=f"gewist op verzoek van {requested_on:%d-%m-%Y}; {report.summary()}")
    return report


def record_subject_access(user: User, candidate: Candidate, fmt: str) -> None:
    audit.record("privacy.subject_access", object_type="candidate", object_id=candidate.id,
                 region_code=main_region(user, candidate), summary=f"inzage ({fmt})")


# ---------------------------------------------------------------------------------------------
# Retention


def months_before(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def retention_cutoff(months: int, today: date | None = None) -> date:
    return months_before(today or clock.today(), months)


def due_for_retention(cutoff: date, *, after_id: int = 0, limit: int | None = None) -> sa.Select:
    """Candidates not yet anonymised whose cases are all closed before ``cutoff``.

    A candidate with an open case, or a case closed on or after the cutoff, is left alone.
    """
    old_closed = sa.select(Case.id).where(
        Case.candidate_id == Candidate.id, Case.status == CaseState.AFGESLOTEN,
        Case.closed_on < cutoff).exists()
    open_or_recent = sa.select(Case.id).where(
        Case.candidate_id == Candidate.id,
        sa.or_(RUNNING, Case.closed_on.is_(None),
               Case.closed_on >= cutoff)).exists()
    query = (sa.select(Candidate.id)
             .where(Candidate.anonymised_at.is_(None), Candidate.id > after_id, old_closed,
                    ~open_or_recent)
             .order_by(Candidate.id))
    return query.limit(limit) if limit else query


def _load(ids: list[int]) -> list[Candidate]:
    return list(db.session.scalars(
        sa.select(Candidate).where(Candidate.id.in_(ids)).order_by(Candidate.id)
        .options(selectinload(Candidate.cases))).unique())


@dataclass(frozen=True)
class RetentionLine:
    candidate_id: int
    region_code: str
    closed_on: date | None
    report: Report


def preview_batch(cutoff: date, after_id: int, limit: int) -> list[RetentionLine]:
    """The next batch that retention would anonymise, and what would change (dry run)."""
    ids = list(db.session.scalars(due_for_retention(cutoff, after_id=after_id, limit=limit)))
    return [_line(candidate, plan_changes(candidate)) for candidate in _load(ids)]


def anonymise_batch(cutoff: date, limit: int, months: int,
                    now: datetime | None = None) -> list[RetentionLine]:
    """Anonymise the next batch; one audit entry per candidate. The caller commits."""
    now = now or utcnow()
    ids = list(db.session.scalars(due_for_retention(cutoff, limit=limit)))
    lines = []
    for candidate in _load(ids):
        newest = max(candidate.cases, key=lambda c: (c.closed_on or date.min, c.id))
        region, closed_on = newest.region_code, newest.closed_on
        report = anonymise(candidate, now)
        audit.record("privacy.retention_anonymise", object_type="candidate",
                     object_id=candidate.id, region_code=region, user=None,
                     summary=f"laatste traject gesloten op {closed_on:%d-%m-%Y}, bewaartermijn "
                             f"{months} maanden verstreken; {report.summary()}")
        lines.append(RetentionLine(candidate.id, region, closed_on, report))
    return lines


def _line(candidate: Candidate, report: Report) -> RetentionLine:
    newest = max(candidate.cases, key=lambda c: (c.closed_on or date.min, c.id))
    return RetentionLine(candidate.id, newest.region_code, newest.closed_on, report)


# ---------------------------------------------------------------------------------------------
# Consent register


class ConsentState:
    ACTIVE = "actief"
    REVOKED = "ingetrokken"


def consent_query(user: User, *, purpose: str | None = None, state: str | None = None,
                  today: date | None = None) -> sa.Select:
    """Consents of candidates with a case in the user's regions, newest first."""
    today = today or clock.today()
    regions = allowed_regions(user, Action.VIEW_CONSENT_REGISTER)
    query = sa.select(Consent)
    if not regions:
        return query.where(sa.false())
    in_scope = sa.select(Case.candidate_id).where(Case.region_code.in_(sorted(regions)))
    query = query.where(Consent.candidate_id.in_(in_scope))
    if purpose in {p.value for p in ConsentPurpose}:
        query = query.where(Consent.purpose == ConsentPurpose(purpose))
    if state == ConsentState.ACTIVE:
        query = query.where(Consent.given_on <= today,
                            sa.or_(Consent.revoked_on.is_(None), Consent.revoked_on > today))
    elif state == ConsentState.REVOKED:
        query = query.where(Consent.revoked_on.is_not(None), Consent.revoked_on <= today)
    return query.options(
        joinedload(Consent.candidate),
        joinedload(Consent.recorded_by).lazyload(User.memberships),
        joinedload(Consent.revoked_by).lazyload(User.memberships),
    ).order_by(Consent.given_on.desc(), Consent.id.desc())
