"""The four RMT regions and the municipalities that belong to them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.extensions import db


class Region(db.Model):
    """One of the four regions; rows are inserted by a data migration, never by the app."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Municipality(db.Model):
    """A gemeente; decides a candidate's region at registration. Edited by the admin."""

    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)

    region: Mapped[Region] = relationship(back_populates="municipalities")

    def __repr__(self) -> str:
        return f"<Municipality {self.name} ({self.region_code})>"
