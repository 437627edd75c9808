"""Summary tables derived from the step history (``case_event``); never edited by hand.

``stat_case`` holds one row per case (registration, closing, the first date each step of the main
line was reached); ``stat_span`` one row per event: the interval in which a case stood in one step
in one region. A stay in a step that a transfer interrupts is split over two spans; the span that
ends the stay carries its length in days. Both tables are rebuilt per case from the history on
every flush that touches its events (:mod:`rmt.stats.summary`), so they cannot drift from it;
``stat_stay_month`` counts the stays of ``stat_span`` per month and follows the same changes.
Dates are calendar dates in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from rmt.db_types import enum_column
from rmt.extensions import db
from rmt.process import CaseState, ExitReason


class StatCase(db.Model):
    """One case: when and where it was registered and closed, and how far it got when."""

    __tablename__ = "stat_case"

    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    registered_on: Mapped[date] = mapped_column(sa.Date)
    registered_region: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    closed_region: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"))
    exit_reason: Mapped[ExitReason | None] = mapped_column(
        enum_column(ExitReason, "stat_exit_reason"))
    # The first date on which the case entered this step or a later one of the main line.
    reached_intake_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_diagnose_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_plan_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_uitvoering_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_bemiddeling_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_geplaatst_on: Mapped[date | None] = mapped_column(sa.Date)
    reached_nazorg_on: Mapped[date | None] = mapped_column(sa.Date)

    # Covering indexes: the instroom/funnel and the uitstroom of a period read only the index.
    __table_args__ = (
        sa.Index("ix_stat_case_registered_funnel", "registered_region", "registered_on",
                 "reached_intake_on", "reached_diagnose_on", "reached_plan_on",
                 "reached_uitvoering_on", "reached_bemiddeling_on", "reached_geplaatst_on",
                 "reached_nazorg_on"),
        sa.Index("ix_stat_case_closed_reason", "closed_region", "closed_on", "exit_reason",
                 "reached_geplaatst_on"),
    )


class StatSpan(db.Model):
    """The interval in which a case stood in one step in one region, started by one event."""

    __tablename__ = "stat_span"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_event.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    step: Mapped[CaseState] = mapped_column(enum_column(CaseState, "stat_step"))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    # Start of the stay in this step (earlier than started_on when a transfer split the stay).
    stay_started_on: Mapped[date] = mapped_column(sa.Date)
    # Set on the span whose end is the end of the stay: calendar days from entering to leaving.
    stay_days: Mapped[int | None] = mapped_column(sa.Integer)

    __table_args__ = (
        # Stock on a date (ended_on IS NULL or after the date) and stays ended in a period.
        sa.Index("ix_stat_span_ended", "ended_on", "region_code", "step", "stay_days",
                 "started_on"),
    )


class StatStayMonth(db.Model):
    """How many stays in a step ended in a month, per region and length in days.

    The sum of ``stat_span`` rows with a ``stay_days`` per (month of ``ended_on``, region, step,
    days), kept up to date with them: the medians of whole months read these few thousand rows
    instead of every stay (the days at the edges of a period come from ``stat_span``).
    """

    __tablename__ = "stat_stay_month"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)  # YYYY-MM
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True)
    step: Mapped[CaseState] = mapped_column(enum_column(CaseState, "stat_stay_step"),
                                            primary_key=True)
    stay_days: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    stays: Mapped[int] = mapped_column(sa.Integer)

