"""Reference data (mbo schools, kwalificaties with werkprocessen) and praktijkverklaring
trajectories with their chosen werkprocessen, step history and register counters."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.employers.models import Employer
from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus


class MboSchool(db.Model):
    """An mbo school (bevoegd gezag) that issues praktijkverklaringen; identified by BRIN."""

    __tablename__ = "mbo_school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    brin: Mapped[str] = mapped_column(sa.String(6), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MboSchool {self.brin} {self.name}>"


class Qualification(db.Model):
    """A kwalificatie of an mbo kwalificatiedossier, identified by its crebo number."""

    __tablename__ = "pv_qualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    crebo: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    dossier_name: Mapped[str] = mapped_column(sa.String(200), default="")
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    work_processes: Mapped[list[QualificationWorkProcess]] = relationship(
        back_populates="qualification", order_by="QualificationWorkProcess.code")

    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_range"),
    )

    @property
    def active_work_processes(self) -> list[QualificationWorkProcess]:
        return [wp for wp in self.work_processes if wp.active]

    def __repr__(self) -> str:
        return f"<Qualification {self.crebo} {self.name}>"


class QualificationWorkProcess(db.Model):
    """A werkproces of a kwalificatie (reference data), e.g. ``B1-K1-W1``."""

    __tablename__ = "pv_qualification_work_process"

    id: Mapped[int] = mapped_column(primary_key=True)
    qualification_id: Mapped[int] = mapped_column(sa.ForeignKey("pv_qualification.id"),
                                                  index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)

    qualification: Mapped[Qualification] = relationship(back_populates="work_processes")

    __table_args__ = (
        sa.UniqueConstraint("qualification_id", "code", name="uq_pv_qwp_qualification_code"),
    )


# At most one open trajectory per case (a partial unique index on every engine).
_OPEN = sa.text("status NOT IN ('uitgereikt', 'afgebroken')")


class PvTrajectory(db.Model):
    """A praktijkverklaring trajectory on a case. Region follows the case (``region_code``).

    At issuance the register number is assigned and the school, qualification and leerbedrijf
    are copied (``issued_*``), so a later edit of reference data never changes a certificate.
    """

    __tablename__ = "pv_trajectory"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    status: Mapped[PvStatus] = mapped_column(enum_column(PvStatus, "pv_status"), index=True,
                                             default=PvStatus.AANGEVRAAGD)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("mbo_school.id"), index=True)
    qualification_id: Mapped[int] = mapped_column(sa.ForeignKey("pv_qualification.id"),
                                                  index=True)
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    praktijkopleider: Mapped[str] = mapped_column(sa.String(200), default="")
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    abort_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    status_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # Issuance (status uitgereikt): the register number and what the certificate shows.
    register_region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("region.code"))
    register_year: Mapped[int | None] = mapped_column()
    register_seq: Mapped[int | None] = mapped_column()
    register_number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    issued_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    issued_school_name: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_school_brin: Mapped[str] = mapped_column(sa.String(6), default="")
    issued_crebo: Mapped[str] = mapped_column(sa.String(5), default="")
    issued_qualification_name: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_employer_name: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_employer_kvk: Mapped[str] = mapped_column(sa.String(8), default="")
    issued_sbb_number: Mapped[str] = mapped_column(sa.String(12), default="")

    case: Mapped[Case] = relationship(lazy="joined")
    school: Mapped[MboSchool] = relationship(lazy="joined")
    qualification: Mapped[Qualification] = relationship(lazy="joined")
    employer: Mapped[Employer | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship()
    work_processes: Mapped[list[PvWorkProcess]] = relationship(
        back_populates="trajectory", order_by="PvWorkProcess.code",
        cascade="all, delete-orphan")
    events: Mapped[list[PvEvent]] = relationship(back_populates="trajectory",
                                                 order_by="PvEvent.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("uq_pv_trajectory_one_open_per_case", "case_id", unique=True,
                 sqlite_where=_OPEN, postgresql_where=_OPEN),
        sa.UniqueConstraint("register_region_code", "register_year", "register_seq",
                            name="uq_pv_trajectory_register_seq"),
        sa.CheckConstraint(
            "(status = 'uitgereikt' AND register_number IS NOT NULL AND issued_on IS NOT NULL"
            " AND register_seq IS NOT NULL AND register_seq >= 1)"
            " OR (status != 'uitgereikt' AND register_number IS NULL)",
            name="issued_has_number"),
        sa.CheckConstraint("planned_end IS NULL OR planned_start IS NULL"
                           " OR planned_end >= planned_start", name="end_after_start"),
    )

    @hybrid_property
    def region_code(self) -> str:
        """The case's current region: what the access policy checks."""
        return self.case.region_code

    @region_code.inplace.expression
    @classmethod
    def _region_code_expression(cls) -> sa.ColumnElement[str]:
        return (sa.select(Case.region_code).where(Case.id == cls.case_id)
                .scalar_subquery())

    @property
    def is_open(self) -> bool:
        return self.status not in (PvStatus.UITGEREIKT, PvStatus.AFGEBROKEN)

    @property
    def status_label(self) -> str:
        return PvStatus(self.status).label

    @property
    def demonstrated(self) -> list[PvWorkProcess]:
        return [wp for wp in self.work_processes if wp.result == AssessmentResult.AANGETOOND]

    def __repr__(self) -> str:
        return f"<PvTrajectory {self.id} case={self.case_id} {self.status}>"


class PvWorkProcess(db.Model):
    """A werkproces chosen for a trajectory, with its assessment.

    Code and name are copied from the reference data when chosen, so the certificate keeps the
    wording the candidate was assessed on.
    """

    __tablename__ = "pv_work_process"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(sa.ForeignKey("pv_trajectory.id"), index=True)
    definition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pv_qualification_work_process.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(300))
    result: Mapped[AssessmentResult | None] = mapped_column(
        enum_column(AssessmentResult, "pv_result"))
    assessed_on: Mapped[date | None] = mapped_column(sa.Date)
    assessor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    trajectory: Mapped[PvTrajectory] = relationship(back_populates="work_processes")

    __table_args__ = (
        sa.UniqueConstraint("trajectory_id", "definition_id", name="uq_pv_wp_trajectory_def"),
        sa.CheckConstraint(
            "result IS NULL OR (assessed_on IS NOT NULL AND assessor_name != '')",
            name="assessment_complete"),
    )

    @property
    def result_label(self) -> str:
        return AssessmentResult(self.result).label if self.result else "Nog niet beoordeeld"


class PvEvent(db.Model):
    """A step of a trajectory: from, to, when, by whom, why. Shown in the case timeline."""

    __tablename__ = "pv_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(sa.ForeignKey("pv_trajectory.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    from_status: Mapped[PvStatus | None] = mapped_column(enum_column(PvStatus, "pv_from_status"))
    to_status: Mapped[PvStatus] = mapped_column(enum_column(PvStatus, "pv_to_status"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")

    trajectory: Mapped[PvTrajectory] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship(lazy="joined")


class PvRegisterCounter(db.Model):
    """The last register sequence number issued per (region, year). Locked while issuing."""

    __tablename__ = "pv_register_counter"

    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("last_seq >= 0", name="seq_not_negative"),)
