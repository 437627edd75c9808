"""Reading the regions."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

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
_names_by_database: dict[str, tuple[RegionName, ...]] = {}


def region_names() -> tuple[RegionName, ...]:
    """Every region's code and name, by name; read once per process and database."""
    database = db.engine.url.render_as_string(hide_password=True)
    names = _names_by_database.get(database)
    if not names:  # not read yet (or read before the data migration ran)
        names = _names_by_database[database] = _read()
    return names


def region_name(code: str) -> RegionName:
    """The region with this code (read again once if a data migration added it since)."""
    for region in region_names():
        if region.code == code:
            return region
    database = db.engine.url.render_as_string(hide_password=True)
    names = _names_by_database[database] = _read()
    return next(region for region in names if region.code == code)


def _read() -> tuple[RegionName, ...]:
    # On a connection of its own: once per process, and it leaves the unit of work (and a
    # test's count of its statements) as it was.
    with db.engine.connect() as connection:
        return tuple(RegionName(*row) for row in connection.execute(_NAMES))
