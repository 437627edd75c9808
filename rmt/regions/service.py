"""Reading the regions."""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import sqlalchemy as sa

from rmt import transaction
from rmt.extensions import db
from rmt.regions.models import Region


@dataclass(frozen=True, slots=True)
class RegionName:
    """A region as pages name it."""

    code: str
    name: str


_NAMES = sa.select(Region.code, Region.name).order_by(Region.name)
#: Per database: the rows come from a data migration and the app never changes them, so the
#: pages that only name regions (the case page's transfer form, say) need not read them again.
_names_by_database: WeakKeyDictionary[sa.Engine, tuple[RegionName, ...]] = WeakKeyDictionary()


def region_names() -> tuple[RegionName, ...]:
    """Every region's code and name, by name; read once per process and database."""
    # Not read yet (or read before the data migration ran): read now.
    return _names_by_database.get(_database()) or _read()


def region_name(code: str) -> RegionName:
    """The region with this code (read again once if a data migration added it since)."""
    found = next((region for region in region_names() if region.code == code), None)
    return found or next(region for region in _read() if region.code == code)


def _database() -> sa.Engine:
    """The app's engine: hashed by identity (a URL's hash renders it as a string each time),
    and forgotten with it (tests make many apps)."""
    return db.engine


def _read() -> tuple[RegionName, ...]:
    """Read the names and keep them. On a connection of its own: once per process, and it
    leaves the unit of work (and a test's count of its statements) as it was. As a read, also
    in a writing unit (a form shown again with its errors names the user's regions)."""
    with transaction.reading_aside(), db.engine.connect() as connection:
        names = tuple(RegionName(*row) for row in connection.execute(_NAMES))
    _names_by_database[_database()] = names
    return names
