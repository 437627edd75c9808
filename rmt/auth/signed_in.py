"""The signed-in user of every request: one statement, and the ORM's loading only when the
account changed.

Every page needs the signed-in user with their region memberships, and the header its unread
count. Loading the user through the ORM on every request was about a tenth of the cheapest
page's work. So each worker thread keeps the user it loaded last. A request reads the account's
row, its regions and the unread count with one Core statement; when the kept object holds
exactly those values (every column, every region), it is attached to the request's session
instead of being built again.

The comparison is with the kept object as it is now, not as it was loaded: whatever changed the
database (another session token after a password change or deactivation, a new role, a region
more or less, any column) or the object (a value set in an earlier request) makes the two
differ, and the user is loaded afresh in the same request. An object that a commit or rollback
expired, with changes not flushed, still part of a session, or loaded by another session factory
is not reused either: it is loaded with the ORM statement alone, as is the first request of a
thread. Signing out forgets the thread's kept user.
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
                       .where(account.c.id == user_id))
        mapper = sa.inspect(User)
        self._keys = tuple(mapper.get_property_by_column(column).key for column in account.c)
        self._kept = threading.local()

    def kept_user(self) -> User | None:
        """This thread's kept user, if any."""
        return getattr(self._kept, "user", None)

    def forget(self, *_args: Any, **_kwargs: Any) -> None:
        """Drop this thread's kept user (Flask-Login's ``user_logged_out``)."""
        self._kept.user = None

    def load(self, user_id: int) -> tuple[User, int] | None:
        """The user with this id, attached to the request's session, and their unread count;
        None if there is no such account."""
        kept = self._reusable(user_id)
        if kept is None:
            return self._load_afresh(user_id)
        if db.session.autoflush:  # what this request changed is read, as by the ORM statement
            db.session.flush()
        rows = db.session.connection().execute(self._check, {"user_id": user_id}).all()
        if not rows:
            return None
        account = (tuple(rows[0][:len(self._keys)]),
                   tuple(sorted(row.region_code for row in rows if row.region_code is not None)))
        if account != self._account_of(kept):
            return self._load_afresh(user_id)
        db.session.add(kept)
        return kept, rows[0].unread or 0

    def _reusable(self, user_id: int) -> User | None:
        """The kept user if it can join this request's session as it is: loaded by this session
        factory, clean, not in a session, and neither it nor its memberships already in this
        one. Only the objects' states are read: an expired detached object cannot be."""
        user = self.kept_user()
        if user is None or self._kept.sessions is not db.session:
            return None
        state = sa.inspect(user)
        if state.key is None or state.key[1] != (user_id,) or "memberships" not in state.dict:
            return None
        for each in (state, *(sa.inspect(m) for m in state.dict["memberships"])):
            if each.key is None or each.session_id is not None or each.expired_attributes \
                    or each.modified or db.session.identity_map.get(each.key) is not None:
                return None
        return user

    def _load_afresh(self, user_id: int) -> tuple[User, int] | None:
        row = db.session.execute(self._load, {"user_id": user_id}).unique().one_or_none()
        if row is None:
            self._kept.user = None
            return None
        user, unread = row
        self._kept.user = user
        self._kept.sessions = db.session  # the tests give each test a session factory of its own
        return user, unread or 0

    def _account_of(self, user: User) -> tuple[tuple[Any, ...], tuple[str, ...]]:
        """What the object holds now, as the check statement reads it (its state only: nothing
        is loaded)."""
        values = sa.inspect(user).dict
        return (tuple(values.get(key) for key in self._keys),
                tuple(sorted(sa.inspect(m).dict.get("region_code")
                             for m in values["memberships"])))
