"""Two real transactions at once on the test database, for the race tests
(tests/vouchers/test_race.py, tests/concurrency/test_split_funding_race.py).

A race cannot run inside a test's rolled-back transaction: it needs two connections. A second
engine on the test database, configured like the app's, stands in for the app's session, one
session per thread; the rows a race needs get ids far above anything the other tests create
and are deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from rmt.auth.models import RegionMembership, Role, User
from rmt.cases.models import Candidate, Case
from rmt.extensions import db
from rmt.notifications.models import Notification, OutboundMail
from rmt.process import CaseState
from rmt.regions.models import Municipality
from rmt.transaction import configure_sqlite


@contextmanager
def second_engine(database_url: str) -> Iterator[sa.Engine]:
    """An engine of its own on the test database; ``db.session`` uses it (one session per
    thread) until the block ends."""
    options = {"connect_args": {"timeout": 15}} if database_url.startswith("sqlite") else {}
    engine = sa.create_engine(database_url, **options)
    configure_sqlite(engine)
    original = db.session
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        yield engine
    finally:
        db.session.remove()
        db.session = original
        engine.dispose()


def add_case_with_staff(session: Session, case_id: int, coach_id: int,
                        coordinator_ids: tuple[int, ...], label: str) -> None:
    """A running MU case ``case_id`` (its candidate has the same id), its coach and the
    region's coordinators; flushed."""
    municipality = session.scalar(sa.select(Municipality.id).where(
        Municipality.region_code == "MU").limit(1))
    people = ((coach_id, Role.COACH), *((ident, Role.COORDINATOR) for ident in coordinator_ids))
    for ident, role in people:
        session.add(User(id=ident, email=f"{label.lower()}{ident}@test.rmt.nl",
                         name=f"{label} {ident}", password_hash="x", role=role,
                         memberships=[RegionMembership(region_code="MU")]))
    session.add(Candidate(id=case_id, first_name=label, last_name="Test",
                          birth_date=date(1980, 1, 1), postcode="3511 AB",
                          municipality_id=municipality, education_level="mbo2",
                          work_status="werkzoekend", benefit="ww",
                          target_group="werkzoekenden", referral_partner="uwv"))
    session.flush()
    session.add(Case(id=case_id, candidate_id=case_id, region_code="MU", coach_id=coach_id,
                     status=CaseState.UITVOERING, opened_on=date.today()))
    session.flush()


def delete_case_with_staff(conn: sa.Connection, case_id: int, user_ids: tuple[int, ...]) -> None:
    """Undo :func:`add_case_with_staff`, with the notifications the race sent those users
    (the case's own rows, vouchers and the like, are the caller's to delete first)."""
    conn.execute(sa.delete(Case).where(Case.id == case_id))
    conn.execute(sa.delete(Candidate).where(Candidate.id == case_id))
    conn.execute(sa.delete(OutboundMail).where(OutboundMail.user_id.in_(user_ids)))
    conn.execute(sa.delete(Notification).where(Notification.user_id.in_(user_ids)))
    conn.execute(sa.delete(RegionMembership).where(RegionMembership.user_id.in_(user_ids)))
    conn.execute(sa.delete(User).where(User.id.in_(user_ids)))
