"""The signed-in user of every request: one statement, and the ORM's loading only when the
account changed.

Every page needs the signed-in user with their region memberships, and the header its unread
count. Loading the user through the ORM on every request was about a tenth of the cheapest
page's work. So each worker thread keeps the user it loaded last, with the account's row and
memberships as they were read. A request reads that row, the memberships and the unread count
with one Core statement; when they equal the kept ones, the kept object is attached to the
request's session instead of being built again.

Nothing is trusted from the kept object that the database no longer says: a changed account
(another session token after a password change or deactivation, a new role, a region more or
less, any column) makes the rows differ, and the user is loaded afresh in the same request. An
object that a commit or rollback expired, that is still part of another session or that another
session factory loaded, is never reused: it is loaded with the ORM statement alone, as is the
first request of a thread.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from rmt.auth.models import RegionMembership, User
from rmt.extensions import db


class SignedInUsers:
    """Loads the signed-in user (and the unread count) for one app; keeps one user per thread."""

    def __init__(self) -> None:
        # Imported here, when the app is built: rmt.auth is imported before rmt.notifications.
        from rmt.notifications.service import unread_count_of

        user_id = sa.bindparam("user_id", type_=sa.Integer)
        unread = unread_count_of(user_id).label("unread")
        account = User.__table__
        memberships = RegionMembership.__table__
        #: The ORM's loading: the user, their memberships and the unread count.
        self._load = (sa.select(User, unread).where(User.id == user_id)
                      .options(joinedload(User.memberships)))
        #: The same as plain rows: every column of the account, one row per region.
        self._check = (sa.select(*account.c, memberships.c.region_code, unread)
                       .select_from(account.outerjoin(memberships,
                                                      memberships.c.user_id == account.c.id))
                       .where(account.c.id == user_id)
                       .order_by(memberships.c.region_code))
        mapper = sa.inspect(User)
        self._keys = tuple(mapper.get_property_by_column(column).key for column in account.c)
        self._kept = threading.local()

    def load(self, user_id: int) -> tuple[User, int] | None:
        """The user with this id, attached to the request's session, and their unread count;
        None if there is no such account."""
        kept = self._reusable(user_id)
        if kept is None:
            return self._load_afresh(user_id)
        rows = db.session.connection().execute(self._check, {"user_id": user_id}).all()
        if not rows:
            return None
        account = (tuple(rows[0][:len(self._keys)]),
                   tuple(row.region_code for row in rows if row.region_code is not None))
        if account != self._kept.account:
            return self._load_afresh(user_id)
        db.session.add(kept)
        return kept, rows[0].unread or 0

    def _reusable(self, user_id: int) -> User | None:
        user = getattr(self._kept, "user", None)
        if user is None or self._kept.sessions is not db.session:
            return None
        state = sa.inspect(user)  # (the state only: an expired detached object cannot be read)
        if state.key is None or state.key[1] != (user_id,) or state.session_id is not None \
                or state.expired_attributes or state.modified or "memberships" not in state.dict \
                or db.session.identity_map.get(state.key) is not None:
            return None
        return user

    def _load_afresh(self, user_id: int) -> tuple[User, int] | None:
        row = db.session.execute(self._load, {"user_id": user_id}).unique().one_or_none()
        if row is None:
            self._kept.user = None
            return None
        user, unread = row
        self._kept.user, self._kept.account = user, self._account_of(user)
        self._kept.sessions = db.session  # the tests give each test a session factory of its own
        return user, unread or 0

    def _account_of(self, user: User) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        """The account as the check statement reads it, from the loaded object."""
        values = sa.inspect(user).dict
        return (tuple(values.get(key) for key in self._keys),
                tuple(sorted(m.region_code for m in user.memberships)))
