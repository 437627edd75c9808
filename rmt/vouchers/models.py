"""Reference data (training providers, funding sources), budgets and scholingsvouchers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.vouchers.lifecycle import COMMITTED, VoucherStatus


class FundingSource(db.Model):
    """Financier of a budget (RMT-budget, gemeente, O&O-fonds, ESF, ...). Reference data."""

    __tablename__ = "funding_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<FundingSource {self.name}>"


class TrainingProvider(db.Model):
    """Opleider. Shared by the four regions; the KvK number identifies it."""

    __tablename__ = "training_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    kvk_number: Mapped[str] = mapped_column(sa.String(8), unique=True)
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __table_args__ = (sa.CheckConstraint("length(kvk_number) = 8", name="kvk_8_digits"),)
    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<TrainingProvider {self.kvk_number} {self.name}>"


class Budget(db.Model):
    """The money of one funding source for one region in one year. Amounts in euro cents.

    Region, funding source and year are fixed once created; amount and maximum per voucher can
    change, never below what is already committed.
    """

    __tablename__ = "budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    funding_source_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_source.id"))
    year: Mapped[int] = mapped_column(sa.SmallInteger)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    max_per_voucher_cents: Mapped[int] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    region: Mapped[Region] = relationship(lazy="joined")
    funding_source: Mapped[FundingSource] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("region_code", "funding_source_id", "year",
                            name="uq_budget_region_source_year"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("max_per_voucher_cents > 0 AND max_per_voucher_cents <= amount_cents",
                           name="max_per_voucher_within_amount"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        return f"{self.funding_source.name} {self.year} ({self.region_code})"

    def __repr__(self) -> str:
        return f"<Budget {self.id} {self.region_code} {self.year}>"


class Voucher(db.Model):
    """A scholingsvoucher for one case, paid from one budget of the case's region.

    ``region_code`` is the budget's region (fixed), so region scoping needs no join.
    """

    __tablename__ = "voucher"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    budget_id: Mapped[int] = mapped_column(sa.ForeignKey("budget.id"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("training_provider.id"), index=True)
    course_name: Mapped[str] = mapped_column(sa.String(200))
    start_on: Mapped[date] = mapped_column(sa.Date)
    end_on: Mapped[date] = mapped_column(sa.Date)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    motivation: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[VoucherStatus] = mapped_column(enum_column(VoucherStatus, "voucher_status"),
                                                  index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(sa.String(1000), default="")
    invoice_number: Mapped[str] = mapped_column(sa.String(50), default="")
    declared_amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    budget: Mapped[Budget] = relationship()
    provider: Mapped[TrainingProvider] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    events: Mapped[list[VoucherEvent]] = relationship(back_populates="voucher",
                                                      order_by="VoucherEvent.id")
    #: Co-funding: the parts paid from other budgets; the main budget pays the rest.
    parts: Mapped[list[VoucherFunding]] = relationship(back_populates="voucher",
                                                       order_by="VoucherFunding.id")

    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("end_on >= start_on", name="end_after_start"),
        sa.CheckConstraint(
            "declared_amount_cents IS NULL OR "
            "(declared_amount_cents > 0 AND declared_amount_cents <= amount_cents)",
            name="declared_within_amount"),
    )

    @property
    def status_label(self) -> str:
        return VoucherStatus(self.status).label

    @property
    def committed_cents(self) -> int:
        """What this voucher takes from its budget: the declared amount once known."""
        if self.status not in COMMITTED:
            return 0
        return self.declared_amount_cents or self.amount_cents

    @property
    def main_amount_cents(self) -> int:
        """The part of the amount the main budget pays (all of it without co-funding)."""
        return self.amount_cents - sum(p.amount_cents for p in self.parts)

    def funding(self) -> list[tuple[Budget, int, int | None]]:
        """Every part as (budget, amount, declared share): the main budget first."""
        declared = None
        if self.declared_amount_cents is not None:
            declared = self.declared_amount_cents - sum(p.declared_cents or 0 for p in self.parts)
        return [(self.budget, self.main_amount_cents, declared),
                *((p.budget, p.amount_cents, p.declared_cents) for p in self.parts)]

    def committed_on(self, budget_id: int) -> int:
        """What this voucher takes from one of its budgets (0 when it does not count)."""
        if self.status not in COMMITTED:
            return 0
        return sum(declared if declared is not None else cents
                   for budget, cents, declared in self.funding() if budget.id == budget_id)

    def __repr__(self) -> str:
        return f"<Voucher {self.id} {self.status}>"


class VoucherFunding(db.Model):
    """A part of a voucher paid from another budget than its main one (medefinanciering).

    A training paid from several budgets (say the RMT budget and an O&O-fonds) has one row per
    extra budget; the main budget (``Voucher.budget_id``) pays the rest of the amount, so a
    voucher without rows is paid wholly from its main budget. Each part, the main one too, is
    checked against its own budget. Once declared, the declared amount is divided over the
    parts in proportion (``declared_cents``); the main budget's share is the rest.
    """

    __tablename__ = "voucher_funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher.id"), index=True)
    budget_id: Mapped[int] = mapped_column(sa.ForeignKey("budget.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    declared_cents: Mapped[int | None] = mapped_column(sa.BigInteger)

    voucher: Mapped[Voucher] = relationship(back_populates="parts")
    budget: Mapped[Budget] = relationship(lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("voucher_id", "budget_id", name="uq_voucher_funding_budget"),
        sa.CheckConstraint("amount_cents > 0", name="amount_positive"),
        sa.CheckConstraint("declared_cents IS NULL OR "
                           "(declared_cents >= 0 AND declared_cents <= amount_cents)",
                           name="declared_within_amount"),
    )

    @property
    def committed_cents(self) -> int:
        """What this part takes from its budget (0 when the voucher does not count)."""
        if self.voucher.status not in COMMITTED:
            return 0
        return self.declared_cents if self.declared_cents is not None else self.amount_cents


class VoucherEvent(db.Model):
    """Every status change of a voucher: from, to, when, who and why."""

    __tablename__ = "voucher_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(sa.ForeignKey("voucher.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    from_status: Mapped[VoucherStatus | None] = mapped_column(
        enum_column(VoucherStatus, "voucher_from_status"))
    to_status: Mapped[VoucherStatus] = mapped_column(
        enum_column(VoucherStatus, "voucher_to_status"))
    note: Mapped[str] = mapped_column(sa.String(1000), default="")

    voucher: Mapped[Voucher] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship(lazy="joined")
