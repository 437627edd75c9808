"""Contact moments with employers and their follow-up appointments.

Contact moments are shared employer data, recorded in one of the liaison's own regions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from rmt import audit, clock
from rmt.access import Action
from rmt.auth.models import RegionMembership, Role, User
from rmt.db_types import utcnow
from rmt.employers.common import require, require_not_merged, text_input
from rmt.employers.models import ContactKind, ContactMoment, Employer, EmployerContact
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db


def follow_up_owners(region_code: str) -> list[User]:
    """Who can own a follow-up in a region: its active liaisons and coordinators."""
    return list(db.session.scalars(
        sa.select(User)
        .where(User.active, User.role.in_([Role.LIAISON, Role.COORDINATOR]),
               User.memberships.any(RegionMembership.region_code == region_code))
        .order_by(User.name)))


def record_contact_moment(user: User, employer: Employer, data: dict[str, Any]) -> ContactMoment:
    """A liaison (or coordinator) records a contact, in one of their own regions."""
    require(user, Action.MANAGE_EMPLOYERS)
    require_not_merged(employer)
    region_code = data.get("region_code")
    if region_code not in user.region_codes:
        raise DomainError("Kies een van uw eigen regio's.", field="region_code")
    contact_on = data.get("contact_on")
    if not isinstance(contact_on, date):
        raise DomainError("Vul de datum van het contact in.", field="contact_on")
    if contact_on > clock.today():
        raise DomainError("Een contactmoment kan niet in de toekomst liggen.", field="contact_on")
    try:
        kind = ContactKind(data.get("kind"))
    except ValueError:
        raise DomainError("Kies een soort contact.", field="kind") from None
    summary = text_input(data, "summary", 5000, required="Vat het contact kort samen.")
    contact = None
    if data.get("contact_id"):
        contact = db.session.get(EmployerContact, data["contact_id"])
        if contact is None or contact.employer_id != employer.id:
            raise DomainError("Kies een contactpersoon van deze werkgever.", field="contact_id")
    follow_up_on = data.get("follow_up_on")
    owner = None
    if follow_up_on is not None:
        if not isinstance(follow_up_on, date) or follow_up_on < contact_on:
            raise DomainError("De vervolgafspraak ligt op of na de datum van het contact.",
                              field="follow_up_on")
        owner_id = data.get("follow_up_owner_id") or user.id
        owner = db.session.get(User, owner_id) if isinstance(owner_id, int) else None
        if owner is None or owner not in follow_up_owners(region_code):
            raise DomainError("Kies een werkgeversadviseur of coördinator van deze regio.",
                              field="follow_up_owner_id")
    elif data.get("follow_up_owner_id"):
        raise DomainError("Vul ook de datum van de vervolgafspraak in.", field="follow_up_on")
    moment = ContactMoment(employer=employer, liaison_id=user.id, region_code=region_code,
                           contact=contact, contact_on=contact_on, kind=kind, summary=summary,
                           follow_up_on=follow_up_on, follow_up_owner=owner)
    db.session.add(moment)
    db.session.flush()
    audit.record("employer.contact_moment", object_type="employer", object_id=employer.id,
                 region_code=region_code, summary=f"contactmoment {moment.id} ({kind.label})")
    return moment


def complete_follow_up(user: User, moment: ContactMoment) -> ContactMoment:
    """Mark the follow-up of a contact moment as done (its owner or a colleague of the region)."""
    require(user, Action.MANAGE_EMPLOYERS, moment)
    if moment.follow_up_on is None:
        raise Conflict("Bij dit contactmoment hoort geen vervolgafspraak.", code="no_follow_up")
    if moment.follow_up_done_at is None:
        moment.follow_up_done_at = utcnow()
        audit.record("employer.follow_up_done", object_type="employer",
                     object_id=moment.employer_id, region_code=moment.region_code,
                     summary=f"contactmoment {moment.id}")
    return moment
