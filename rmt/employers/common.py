"""What the employers services share: input checks, optimistic locking, the permission check
and the region scoping of candidate data. No rules of their own; no Flask."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from rmt.access import Action, scoped
from rmt.access import require as access_require
from rmt.auth.models import User
from rmt.cases.models import Case, Consent, ConsentPurpose
from rmt.employers.models import Employer, Sector
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db

NOT_ALLOWED = "U mag dit niet doen."


def require(user: User, action: Action, obj: Any = None, message: str = NOT_ALLOWED) -> None:
    """The policy check (:func:`rmt.access.require`) with the employers' own refusal text."""
    access_require(user, action, obj, message)


MAX_HOURS = 60


#: How far ahead the start page looks for follow-ups that are coming up.
DUE_SOON_DAYS = 14


def text_input(data: dict[str, Any], key: str, max_len: int, *, required: str | None = None) -> str:
    """Stripped text from ``data[key]`` of at most ``max_len`` characters; ``required`` is the
    message when it is missing. Refuses non-text and NUL characters."""
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise DomainError("Vul tekst in.", field=key)
    if "\x00" in value:  # PostgreSQL cannot store it; nothing legitimate contains it
        raise DomainError("Tekst met een NUL-teken wordt niet geaccepteerd.", field=key)
    value = value.strip()
    if required and not value:
        raise DomainError(required, field=key)
    if len(value) > max_len:
        raise DomainError(f"Gebruik hoogstens {max_len} tekens.", field=key)
    return value


def search_text(q: Any) -> str:
    """A search term without NUL characters (PostgreSQL cannot compare them), at most 100."""
    return (q if isinstance(q, str) else "").replace("\x00", "").strip()[:100]


def check_hours(value: Any, key: str = "hours_per_week") -> int:
    """Hours per week: an integer from 1 to :data:`MAX_HOURS`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise DomainError(f"Vul een aantal uren per week in van 1 tot {MAX_HOURS}.", field=key)
    return value


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 jan + 1 -> 28/29 feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


STALE_MESSAGE = ("Iemand anders heeft {what} intussen gewijzigd. Uw wijziging is niet "
                 "opgeslagen; het formulier toont nu de nieuwste gegevens. Voer uw wijziging zo "
                 "nodig opnieuw in.")


def stale(obj: Any, what: str) -> Conflict:
    """The refusal of a save that started from an older version of ``obj``."""
    return Conflict(STALE_MESSAGE.format(what=what), field="version", code="stale_version",
                    current_version=obj.version)


def check_version(obj: Any, expected_version: Any, what: str) -> None:
    """Optimistic locking: the version the editor loaded must still be the current one."""
    if expected_version is not None and expected_version != obj.version:
        raise stale(obj, what)


def flush_versioned(obj: Any, what: str) -> None:
    """Write now, so a concurrent change (the row's version moved on) is a Conflict here."""
    try:
        db.session.flush()
    except StaleDataError:
        raise stale(obj, what) from None


def get_by_id(model: Any, ident: Any) -> Any:
    """The row with this id, or None for anything that is not a valid id."""
    if isinstance(ident, bool) or not isinstance(ident, int) or not 0 < ident <= 2**31 - 1:
        return None
    return db.session.get(model, ident)


def require_not_merged(employer: Employer) -> None:
    """A merged employer is history: changes go to the one it was merged into."""
    if employer.is_merged:
        raise Conflict("Deze werkgever is samengevoegd met een andere; werk die bij.",
                       code="employer_merged")


def chosen_sector(data: dict[str, Any], current_id: int | None) -> Sector:
    """The sector picked in ``data``: it must exist and be active, unless it is unchanged."""
    sector_id = data.get("sector_id")
    sector = db.session.get(Sector, sector_id) if isinstance(sector_id, int) and not isinstance(
        sector_id, bool) else None
    if sector is None or (not sector.active and sector.id != current_id):
        raise DomainError("Kies een sector uit de lijst.", field="sector_id")
    return sector


def consent_active_clause(on: date) -> sa.ColumnElement[bool]:
    """The case's candidate consented, on ``on``, to share the work profile with employers."""
    return sa.exists().where(
        Consent.candidate_id == Case.candidate_id,
        Consent.purpose == ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS,
        Consent.given_on <= on,
        sa.or_(Consent.revoked_on.is_(None), Consent.revoked_on > on))


def has_profile_consent(case: Case) -> bool:
    """Whether the candidate of ``case`` now consents to share the work profile."""
    return case.candidate.has_consent(ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS)


def scoped_case_ids(user: User, action: Action = Action.VIEW_WORK_PROFILE) -> sa.Select:
    """Ids of cases in the regions where the user may do ``action`` (via rmt.access)."""
    return scoped(sa.select(Case.id), user, Case, action)


def page_of(query: sa.Select, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of a query and the total number of rows (the HTML lists; the API pages with
    :func:`rmt.api.common.page`)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total
