"""Employers (werkgevers) shared by the four regions, and what liaisons record about them:
contact persons, contact moments, vacancies, proposals of candidates, placements and aftercare.

Employer data is shared; everything that concerns a candidate (proposals, placements, follow-ups)
is seen through the candidate's case and therefore scoped on the case's region.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt import clock
from rmt.auth.models import User
from rmt.cases.models import Case, Task
from rmt.cases.sectors import SbiSection
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db
from rmt.regions.models import Region


class ContactKind(LabelledEnum):
    __titles__ = {"telefoon": "Telefoon", "bezoek": "Bezoek", "e-mail": "E-mail",
                  "bijeenkomst": "Bijeenkomst"}

    TELEFOON = "telefoon"
    BEZOEK = "bezoek"
    EMAIL = "e-mail"
    BIJEENKOMST = "bijeenkomst"


class VacancyStatus(LabelledEnum):
    __titles__ = {"open": "Open", "filled": "Vervuld", "closed": "Gesloten"}

    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class ProposalStatus(LabelledEnum):
    __titles__ = {"voorgesteld": "Voorgesteld", "gesprek": "Gesprek",
                  "aangenomen": "Aangenomen", "afgewezen": "Afgewezen",
                  "ingetrokken": "Ingetrokken"}

    VOORGESTELD = "voorgesteld"
    GESPREK = "gesprek"
    AANGENOMEN = "aangenomen"
    AFGEWEZEN = "afgewezen"
    INGETROKKEN = "ingetrokken"


class ContractType(LabelledEnum):
    __titles__ = {"vast": "Vast contract", "tijdelijk": "Tijdelijk contract",
                  "uitzend": "Uitzendcontract", "detachering": "Detachering",
                  "zzp-opdracht": "Zzp-opdracht", "leerwerkbaan": "Leerwerkbaan"}

    VAST = "vast"
    TIJDELIJK = "tijdelijk"
    UITZEND = "uitzend"
    DETACHERING = "detachering"
    ZZP_OPDRACHT = "zzp-opdracht"
    LEERWERKBAAN = "leerwerkbaan"


#: Months after the start of a placement at which aftercare checks in. The last one counts
#: for the *duurzaamheid* figure (still employed after six months).
FOLLOW_UP_MONTHS: tuple[int, ...] = (1, 3, 6)
SUSTAINABILITY_MONTHS = 6


sector_priority = sa.Table(
    "sector_priority",
    db.metadata,
    sa.Column("sector_id", sa.ForeignKey("sector.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_code", sa.ForeignKey("region.code"), primary_key=True),
)

employer_region = sa.Table(
    "employer_region",
    db.metadata,
    sa.Column("employer_id", sa.ForeignKey("employer.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_code", sa.ForeignKey("region.code"), primary_key=True),
)


class Sector(db.Model):
    """Reference list of sectors. A row in ``sector_priority`` marks it prioritair in a region.

    The functioneel beheerder adds, renames and deactivates sectors; ``code`` is fixed at
    creation. A sector is never deleted: an inactive one stays with the employers and vacancies
    that have it, but is not offered for new ones.
    """

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: The SBI section this sector belongs to (placements and the monitor count in sections).
    sbi_section: Mapped[SbiSection | None] = mapped_column(
        enum_column(SbiSection, "sector_sbi_section"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    priority_regions: Mapped[list[Region]] = relationship(
        secondary=sector_priority, order_by=Region.code)

    @property
    def priority_codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.priority_regions)

    def is_priority_in(self, region_code: str) -> bool:
        return region_code in self.priority_codes

    def __repr__(self) -> str:
        return f"<Sector {self.code}>"


class Employer(db.Model):
    """A werkgever, one row per KvK number, shared by all regions.

    A duplicate found later is merged into another employer by a coordinator: its history is
    re-pointed and the row stays behind, marked with ``merged_into_id``, so its KvK number keeps
    pointing to the employer that replaced it.
    """

    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    kvk_number: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    sector_id: Mapped[int] = mapped_column(sa.ForeignKey("sector.id"), index=True)
    street_address: Mapped[str] = mapped_column(sa.String(200), default="")
    postcode: Mapped[str] = mapped_column(sa.String(7), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    sbb_number: Mapped[str | None] = mapped_column(sa.String(12), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    sector: Mapped[Sector] = relationship(lazy="joined")
    regions: Mapped[list[Region]] = relationship(secondary=employer_region,
                                                 order_by=Region.code)
    contacts: Mapped[list[EmployerContact]] = relationship(
        back_populates="employer", order_by="EmployerContact.name")
    merged_into: Mapped[Employer | None] = relationship(remote_side=[id])

    @property
    def region_codes(self) -> list[str]:
        return [r.code for r in self.regions]

    @property
    def is_leerbedrijf(self) -> bool:
        return bool(self.sbb_number)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def __repr__(self) -> str:
        return f"<Employer {self.kvk_number} {self.name}>"


class EmployerContact(db.Model):
    """A contactpersoon at the employer."""

    __tablename__ = "employer_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    employer: Mapped[Employer] = relationship(back_populates="contacts")


class ContactMoment(db.Model):
    """A contactmoment of a liaison with an employer, in the liaison's region."""

    __tablename__ = "contact_moment"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer_contact.id"))
    contact_on: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind, "contact_kind"))
    summary: Mapped[str] = mapped_column(sa.Text)
    follow_up_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    follow_up_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"),
                                                           index=True)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    employer: Mapped[Employer] = relationship()
    liaison: Mapped[User] = relationship(foreign_keys=[liaison_id])
    follow_up_owner: Mapped[User | None] = relationship(foreign_keys=[follow_up_owner_id])
    contact: Mapped[EmployerContact | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("follow_up_on IS NULL OR follow_up_owner_id IS NOT NULL",
                           name="follow_up_has_owner"),
    )

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_on is not None and self.follow_up_done_at is None


class Vacancy(db.Model):
    """A vacature at an employer, handled by the liaisons of one region."""

    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    sector_id: Mapped[int] = mapped_column(sa.ForeignKey("sector.id"), index=True)
    hours_per_week: Mapped[int] = mapped_column()
    location: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    status: Mapped[VacancyStatus] = mapped_column(enum_column(VacancyStatus, "vacancy_status"),
                                                  default=VacancyStatus.OPEN, index=True)
    opened_on: Mapped[date] = mapped_column(sa.Date, index=True)
    closes_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    employer: Mapped[Employer] = relationship(lazy="joined")
    sector: Mapped[Sector] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint("hours_per_week BETWEEN 1 AND 60", name="hours_range"),
    )


_OPEN_PROPOSAL = sa.text("status IN ('voorgesteld', 'gesprek')")


class Proposal(db.Model):
    """A voordracht: a candidate (through their case) proposed for a vacancy.

    ``region_code`` is the region of the liaison who proposed (the case's region at the time);
    who may see it follows from the case's *current* region.
    """

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(sa.ForeignKey("vacancy.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus, "proposal_status"), default=ProposalStatus.VOORGESTELD,
        index=True)
    proposed_on: Mapped[date] = mapped_column(sa.Date, index=True)
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    status_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()
    vacancy: Mapped[Vacancy] = relationship()
    proposed_by: Mapped[User] = relationship()
    events: Mapped[list[ProposalEvent]] = relationship(back_populates="proposal",
                                                       order_by="ProposalEvent.id")
    placement: Mapped[Placement | None] = relationship(back_populates="proposal", uselist=False)

    __table_args__ = (
        sa.Index("uq_proposal_one_open_per_case_vacancy", "case_id", "vacancy_id", unique=True,
                 sqlite_where=_OPEN_PROPOSAL, postgresql_where=_OPEN_PROPOSAL),
    )


class ProposalEvent(db.Model):
    """Every status change of a proposal: from, to, when, by whom, with an optional note."""

    __tablename__ = "proposal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    from_status: Mapped[ProposalStatus | None] = mapped_column(
        enum_column(ProposalStatus, "from_status"))
    to_status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, "to_status"))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class Placement(db.Model):
    """A plaatsing of the candidate of a case with an employer; active until ``end_on``."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal.id"), unique=True)
    job_title: Mapped[str] = mapped_column(sa.String(200))
    contract_type: Mapped[ContractType] = mapped_column(enum_column(ContractType,
                                                                    "contract_type"))
    hours_per_week: Mapped[int] = mapped_column()
    start_on: Mapped[date] = mapped_column(sa.Date, index=True)
    end_on: Mapped[date | None] = mapped_column(sa.Date)
    end_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The SBI section of the job (by default that of the employer's sector).
    sector: Mapped[SbiSection | None] = mapped_column(enum_column(SbiSection, "placement_sector"),
                                                      index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()
    employer: Mapped[Employer] = relationship()
    proposal: Mapped[Proposal | None] = relationship(back_populates="placement")
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="placement",
                                                      order_by="FollowUp.months")

    __table_args__ = (
        sa.CheckConstraint("hours_per_week BETWEEN 1 AND 60", name="hours_range"),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="end_after_start"),
    )

    def is_active(self, on: date | None = None) -> bool:
        on = on or clock.today()
        return self.end_on is None or self.end_on > on


class FollowUp(db.Model):
    """Aftercare check of a placement at +1, +3 or +6 months, with its outcome.

    The six-month outcome (``months == 6``, ``still_employed``) is the duurzaamheid figure.
    """

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placement.id"), index=True)
    months: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task.id"))
    still_employed: Mapped[bool | None] = mapped_column()
    outcome_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    recorded_on: Mapped[date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    placement: Mapped[Placement] = relationship(back_populates="follow_ups")
    task: Mapped[Task | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("placement_id", "months", name="uq_follow_up_placement_months"),
        sa.CheckConstraint("months IN (1, 3, 6)", name="months_allowed"),
    )

    @property
    def is_recorded(self) -> bool:
        return self.still_employed is not None
