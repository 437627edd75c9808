"""Candidates (the person) and cases (trajecten), with everything recorded on a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from rmt import clock
from rmt.auth.models import User
from rmt.cases.sectors import SbiSection
from rmt.db_types import UTCDateTime, enum_column, utcnow
from rmt.enums import LabelledEnum
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from rmt.regions.models import Municipality


class EducationLevel(LabelledEnum):
    __titles__ = {
        "geen": "Geen afgeronde opleiding",
        "basisonderwijs": "Basisonderwijs",
        "vmbo": "Vmbo",
        "mbo1": "Mbo niveau 1 (entree)",
        "mbo2": "Mbo niveau 2",
        "mbo3": "Mbo niveau 3",
        "mbo4": "Mbo niveau 4",
        "havo": "Havo",
        "vwo": "Vwo",
        "hbo": "Hbo",
        "wo": "Wo",
        "buitenlands": "Buitenlands diploma",
    }

    GEEN = "geen"
    BASISONDERWIJS = "basisonderwijs"
    VMBO = "vmbo"
    MBO1 = "mbo1"
    MBO2 = "mbo2"
    MBO3 = "mbo3"
    MBO4 = "mbo4"
    HAVO = "havo"
    VWO = "vwo"
    HBO = "hbo"
    WO = "wo"
    BUITENLANDS = "buitenlands"


class WorkStatus(LabelledEnum):
    __titles__ = {
        "werkend": "Werkend",
        "werk_bedreigd": "Werkend, baan in gevaar",
        "werkzoekend": "Werkzoekend",
        "zzp": "Zelfstandige (zzp)",
        "uitzendkracht": "Uitzendkracht",
    }

    WERKEND = "werkend"
    WERK_BEDREIGD = "werk_bedreigd"
    WERKZOEKEND = "werkzoekend"
    ZZP = "zzp"
    UITZENDKRACHT = "uitzendkracht"


class Benefit(LabelledEnum):
    __titles__ = {
        "geen": "Geen uitkering",
        "ww": "WW",
        "bijstand": "Bijstand (Participatiewet)",
        "wia": "WIA",
        "wajong": "Wajong",
        "anw": "Anw",
        "overig": "Andere uitkering",
    }

    GEEN = "geen"
    WW = "ww"
    BIJSTAND = "bijstand"
    WIA = "wia"
    WAJONG = "wajong"
    ANW = "anw"
    OVERIG = "overig"


class TargetGroup(LabelledEnum):
    """Doelgroep, as agreed between the four regions."""

    __titles__ = {
        "werkenden": "Werkenden met risico op werkverlies",
        "werkzoekenden": "Werkzoekenden",
        "zzp": "Zzp'ers",
        "uitzendkrachten": "Uitzendkrachten",
        "zonder_startkwalificatie": "Werkenden zonder startkwalificatie",
    }

    WERKENDEN = "werkenden"
    WERKZOEKENDEN = "werkzoekenden"
    ZZP = "zzp"
    UITZENDKRACHTEN = "uitzendkrachten"
    ZONDER_STARTKWALIFICATIE = "zonder_startkwalificatie"


class ReferralPartner(LabelledEnum):
    """Verwijzer."""

    __titles__ = {
        "uwv": "UWV",
        "gemeente": "Gemeente",
        "spt": "Servicepunt Techniek",
        "leerwerkloket": "Leerwerkloket",
        "werkgever": "Werkgever",
        "maakjestap": "MaakJeStap",
        "zelf": "Eigen aanmelding",
        "overig": "Anders",
    }

    UWV = "uwv"
    GEMEENTE = "gemeente"
    SPT = "spt"
    LEERWERKLOKET = "leerwerkloket"
    WERKGEVER = "werkgever"
    MAAKJESTAP = "maakjestap"
    ZELF = "zelf"
    OVERIG = "overig"


class NoteKind(LabelledEnum):
    __titles__ = {
        "gesprek": "Gesprek",
        "telefoon": "Telefoon",
        "e-mail": "E-mail",
        "bezoek": "Bezoek",
        "notitie": "Notitie",
    }

    GESPREK = "gesprek"
    TELEFOON = "telefoon"
    EMAIL = "e-mail"
    BEZOEK = "bezoek"
    NOTITIE = "notitie"


class ActivityStatus(LabelledEnum):
    __titles__ = {
        "gepland": "Gepland",
        "bezig": "Bezig",
        "afgerond": "Afgerond",
        "gestopt": "Gestopt",
    }

    GEPLAND = "gepland"
    BEZIG = "bezig"
    AFGEROND = "afgerond"
    GESTOPT = "gestopt"


class ConsentPurpose(LabelledEnum):
    __titles__ = {
        "profiel_delen_met_werkgevers": "Werkprofiel delen met werkgevers",
    }

    SHARE_PROFILE_WITH_EMPLOYERS = "profiel_delen_met_werkgevers"


class TransferStatus(LabelledEnum):
    __titles__ = {
        "aangevraagd": "Aangevraagd",
        "geaccepteerd": "Geaccepteerd",
        "geweigerd": "Geweigerd",
        "ingetrokken": "Ingetrokken",
    }

    REQUESTED = "aangevraagd"
    ACCEPTED = "geaccepteerd"
    REFUSED = "geweigerd"
    WITHDRAWN = "ingetrokken"


class Candidate(db.Model):
    """The person. Has no region of its own: a candidate is seen through their cases."""

    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    name_prefix: Mapped[str] = mapped_column(sa.String(20), default="")
    last_name: Mapped[str] = mapped_column(sa.String(100))
    birth_date: Mapped[date] = mapped_column(sa.Date, index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="", index=True)
    postcode: Mapped[str] = mapped_column(sa.String(7))
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipality.id"))
    education_level: Mapped[EducationLevel] = mapped_column(
        enum_column(EducationLevel, "education_level"))
    has_startkwalificatie: Mapped[bool] = mapped_column(default=False)
    #: Valt onder de banenafspraak (doelgroepregister, arbeidsbeperking).
    banenafspraak: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    work_status: Mapped[WorkStatus] = mapped_column(enum_column(WorkStatus, "work_status"))
    benefit: Mapped[Benefit] = mapped_column(enum_column(Benefit, "benefit"))
    target_group: Mapped[TargetGroup] = mapped_column(enum_column(TargetGroup, "target_group"))
    referral_partner: Mapped[ReferralPartner] = mapped_column(
        enum_column(ReferralPartner, "referral_partner"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Name, e-mail address and phone number, lowercased and without accents: what the case
    #: search matches (``rmt.cases.search``; refreshed by every service that writes them).
    #: Indexed outside the model: pg_trgm on PostgreSQL, the FTS5 table ``candidate_fts`` on
    #: SQLite (see the migration ``c41e9a7b3d58``).
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", server_default="")

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    cases: Mapped[list[Case]] = relationship(back_populates="candidate",
                                             order_by="Case.opened_on.desc()")
    consents: Mapped[list[Consent]] = relationship(back_populates="candidate",
                                                   order_by="Consent.given_on.desc()")

    __table_args__ = (
        # The case list's default order (name): read in index order, stopped at the page.
        sa.Index("ix_candidate_sort_name", "last_name", "first_name", "id"),
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)

    @property
    def sort_name(self) -> str:
        prefix = f" {self.name_prefix}" if self.name_prefix else ""
        return f"{self.last_name}, {self.first_name}{prefix}"

    def has_consent(self, purpose: ConsentPurpose, on: date | None = None) -> bool:
        on = on or clock.today()
        return any(c.purpose == purpose and c.is_active(on) for c in self.consents)


#: Jongeren: under this age on the day their case was registered (the funders' definition).
JONGEREN_AGE = 27


def age_on(birth_date: date, on: date) -> int:
    """Whole years of age on a day."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_jongere(birth_date: date, registered_on: date) -> bool:
    """Jongere: under 27 on the registration date. Derived, never stored."""
    return age_on(birth_date, registered_on) < JONGEREN_AGE


# One open case per candidate: a partial unique index on every engine.
_OPEN = sa.text("status != 'afgesloten'")


class Case(db.Model):
    """A traject: one candidate, one region, one coach, moving through the harmonised steps."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[CaseState] = mapped_column(enum_column(CaseState, "case_status"), index=True)
    paused_from: Mapped[CaseState | None] = mapped_column(enum_column(CaseState, "paused_from"))
    opened_on: Mapped[date] = mapped_column(sa.Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    exit_reason: Mapped[ExitReason | None] = mapped_column(enum_column(ExitReason, "exit_reason"))
    exit_reason_text: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The placement an exit to work names (``rmt.employers`` ``placement.id``; no foreign key:
    #: the core does not depend on the employers' table). Set exactly for the work exits.
    exit_placement_id: Mapped[int | None] = mapped_column(sa.Integer)
    status_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: The candidate's last and first name, copied here so that a region's running cases can be
    #: read in name order from one index (the case list's default order): kept equal to the
    #: candidate's by :func:`copy_candidate_names` on every flush; bulk inserts pass them.
    sort_last_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    sort_first_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")

    candidate: Mapped[Candidate] = relationship(back_populates="cases", lazy="joined")
    coach: Mapped[User] = relationship(lazy="joined")
    intake: Mapped[Intake | None] = relationship(back_populates="case", uselist=False)
    plan: Mapped[Plan | None] = relationship(back_populates="case", uselist=False)
    activities: Mapped[list[PlanActivity]] = relationship(
        back_populates="case", order_by="PlanActivity.id")
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case",
                                                   order_by="CaseEvent.id")
    notes: Mapped[list[Note]] = relationship(
        back_populates="case", order_by=lambda: (Note.contact_on.desc(), Note.id.desc()))
    tasks: Mapped[list[Task]] = relationship(
        back_populates="case", order_by=lambda: (Task.done_at.is_not(None), Task.due_on))

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index("uq_case_one_open_per_candidate", "candidate_id", unique=True,
                 sqlite_where=_OPEN, postgresql_where=_OPEN),
        # The case list and the API list (issue 14; plans in docs/benchmarks.md): a region's
        # cases in one step, a coach's open cases, newest first, longest in their step.
        sa.Index("ix_case_file_region_status", "region_code", "status", "coach_id"),
        # The list filtered by a step, in name order (its default): from the index, stopped at
        # the page.
        sa.Index("ix_case_file_region_step_by_name", "region_code", "status", "sort_last_name",
                 "sort_first_name", "id"),
        sa.Index("ix_case_file_coach_status", "coach_id", "status"),
        sa.Index("ix_case_file_region_opened", "region_code", "opened_on", "id"),
        sa.Index("ix_case_file_region_status_since", "region_code", "status_since"),
        # Running cases per coach (caseload sizes, the coach's start page): only those rows,
        # with the step, the region and the name order, so that both engines count them and
        # sort the start page's ids from the index alone.
        sa.Index("ix_case_file_open_by_coach", "coach_id", "status", "region_code",
                 "sort_last_name", "sort_first_name", "id", sqlite_where=_OPEN,
                 postgresql_where=_OPEN),
        # A region's running cases in name order (the case list's default page): read from the
        # index and stopped at the page, on both engines.
        sa.Index("ix_case_file_open_by_name", "region_code", "sort_last_name",
                 "sort_first_name", "id", sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    @property
    def is_closed(self) -> bool:
        return self.status == CaseState.AFGESLOTEN

    @property
    def is_jongere(self) -> bool:
        """The candidate was under 27 when this case was registered."""
        return is_jongere(self.candidate.birth_date, self.opened_on)

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.region_code} {self.status}>"


#: "The case is running" as the partial indexes say it: a literal, not a bound parameter, so
#: that both planners see the index holds every matching row (with a parameter SQLite re-reads
#: each row from the table to check it, and PostgreSQL's generic plan of a prepared statement
#: cannot use the index at all).
RUNNING = Case.status != sa.literal_column("'afgesloten'")


class CaseEvent(db.Model):
    """A step change. Statistics are computed from these rows, never from the current state."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    from_status: Mapped[CaseState | None] = mapped_column(enum_column(CaseState, "from_status"))
    to_status: Mapped[CaseState] = mapped_column(enum_column(CaseState, "to_status"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    exit_reason: Mapped[ExitReason | None] = mapped_column(
        enum_column(ExitReason, "event_exit_reason"))

    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class Intake(db.Model):
    __tablename__ = "intake"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), primary_key=True)
    motivation: Mapped[str] = mapped_column(sa.Text, default="")
    wishes: Mapped[str] = mapped_column(sa.Text, default="")
    obstacles: Mapped[str] = mapped_column(sa.Text, default="")
    work_history: Mapped[str] = mapped_column(sa.Text, default="")
    preferred_sectors: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Sector of origin: the SBI section of the current or last job (None: still to choose).
    origin_sector: Mapped[SbiSection | None] = mapped_column(
        enum_column(SbiSection, "origin_sector"), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="intake")


class Plan(db.Model):
    """Trajectplan: the goal; its activities are ``PlanActivity`` rows."""

    __tablename__ = "plan"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), primary_key=True)
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    #: Free text of before the coding (kept as the coach's explanation).
    target_sector: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Target sector: an SBI section (None: still to choose).
    target_section: Mapped[SbiSection | None] = mapped_column(
        enum_column(SbiSection, "target_section"), index=True)
    target_occupation: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship(back_populates="plan")


class ServiceCategory(LabelledEnum):
    """The three kinds of service named by the Tijdelijke regeling aanvullende
    crisisdienstverlening COVID-19; every service type belongs to one of them."""

    __titles__ = {
        "werkfitbehoud": "Dienstverlening werkfitbehoud",
        "aanvullende_crisisdienstverlening": "Aanvullende crisisdienstverlening",
        "praktijkleren_mbo": "Scholing via praktijkleren in het mbo",
    }

    WERKFITBEHOUD = "werkfitbehoud"
    AANVULLENDE_CRISISDIENSTVERLENING = "aanvullende_crisisdienstverlening"
    PRAKTIJKLEREN_MBO = "praktijkleren_mbo"


class PartnerKind(LabelledEnum):
    """What kind of organisation a delivering partner is."""

    __titles__ = {
        "uwv": "UWV",
        "gemeente": "Gemeente",
        "leerwerkloket": "Leerwerkloket",
        "spt": "Servicepunt Techniek",
        "mbo_school": "Mbo-school",
        "oo_fonds": "O&O-fonds",
        "private_partner": "Private partner",
    }

    UWV = "uwv"
    GEMEENTE = "gemeente"
    LEERWERKLOKET = "leerwerkloket"
    SPT = "spt"
    MBO_SCHOOL = "mbo_school"
    OO_FONDS = "oo_fonds"
    PRIVATE_PARTNER = "private_partner"


#: Code of the service type that free-text activities from before the coding were given.
OTHER_SERVICE_CODE = "overig"


class ServiceType(db.Model):
    """Soort dienst (loopbaanadvies, scholing, ...), mapped to a category of the regulation.

    Reference data: the functioneel beheerder adds, renames and deactivates; ``code`` is fixed at
    creation; never deleted (an inactive type stays with the activities that have it).
    """

    __tablename__ = "service_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    category: Mapped[ServiceCategory] = mapped_column(
        enum_column(ServiceCategory, "service_category"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<ServiceType {self.code}>"


class DeliveryPartner(db.Model):
    """A partner that delivers services (UWV, a gemeente, an mbo-school, ...). Reference data."""

    __tablename__ = "delivery_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    kind: Mapped[PartnerKind] = mapped_column(enum_column(PartnerKind, "partner_kind"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<DeliveryPartner {self.name}>"


class PlanActivity(db.Model):
    """One activity of the trajectplan: a coded service delivered by a partner, with its text.

    Activities from before the coding have service type "overig" and no partner."""

    __tablename__ = "plan_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(sa.ForeignKey("service_type.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery_partner.id"),
                                                   index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[ActivityStatus] = mapped_column(enum_column(ActivityStatus, "activity_status"),
                                                   default=ActivityStatus.GEPLAND)
    due_on: Mapped[date | None] = mapped_column(sa.Date)

    case: Mapped[Case] = relationship(back_populates="activities")
    service_type: Mapped[ServiceType] = relationship(lazy="joined")
    partner: Mapped[DeliveryPartner | None] = relationship(lazy="joined")


class Note(db.Model):
    """Contactmoment or aantekening on a case."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    contact_on: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[NoteKind] = mapped_column(enum_column(NoteKind, "note_kind"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[User] = relationship(lazy="joined")


class Task(db.Model):
    """An action with a due date and an owner; shown on the owner's start page."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the task was closed without being done (closing of the case); empty when done.
    closed_reason: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="tasks")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")


class Consent(db.Model):
    """A purpose-bound consent of the candidate, with the dates it was given and revoked."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_column(ConsentPurpose, "consent_purpose"))
    given_on: Mapped[date] = mapped_column(sa.Date)
    revoked_on: Mapped[date | None] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="consents")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def is_active(self, on: date) -> bool:
        return self.given_on <= on and (self.revoked_on is None or self.revoked_on > on)


class CaseTransfer(db.Model):
    """Request to move a case to another region. Scoped by the *receiving* region."""

    __tablename__ = "case_transfer"
    __region_column__ = "to_region_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_file.id"), index=True)
    from_region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"))
    to_region_code: Mapped[str] = mapped_column(sa.ForeignKey("region.code"), index=True)
    status: Mapped[TransferStatus] = mapped_column(enum_column(TransferStatus, "transfer_status"),
                                                   default=TransferStatus.REQUESTED)
    reason: Mapped[str] = mapped_column(sa.String(500))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(sa.String(500), default="")
    new_coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def region_code(self) -> str:
        """For the policy: a transfer belongs to the region that must decide on it."""
        return self.to_region_code


# ---------------------------------------------------------------------------------------------
# The candidate's name on its cases (``Case.sort_last_name``, ``Case.sort_first_name``)


def sort_names(candidate: dict[str, Any]) -> dict[str, str]:
    """The sort columns of a case for a bulk insert, from its candidate's row values."""
    return {"sort_last_name": candidate.get("last_name") or "",
            "sort_first_name": candidate.get("first_name") or ""}


def copy_candidate_names(session: Session, _context: Any, _instances: Any) -> None:
    """Give a new case its candidate's name, and every case of a renamed (or anonymised)
    candidate the new name. The cases are updated with one statement outside the ORM: their
    version (optimistic locking) is not the candidate's concern."""
    for obj in session.new:
        if isinstance(obj, Case) and obj.candidate is not None:
            obj.sort_last_name = obj.candidate.last_name or ""
            obj.sort_first_name = obj.candidate.first_name or ""
    for obj in session.dirty:
        if not isinstance(obj, Candidate) or obj.id is None:
            continue
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in ("last_name", "first_name")):
            table = Case.__table__
            session.execute(sa.update(table).where(table.c.candidate_id == obj.id).values(
                sort_last_name=obj.last_name or "", sort_first_name=obj.first_name or ""))


def keep_sort_names() -> None:
    """Run :func:`copy_candidate_names` before every flush of every session (idempotent;
    called by :func:`rmt.cases.receivers.connect`, not at import time)."""
    if not sa.event.contains(Session, "before_flush", copy_candidate_names):
        sa.event.listen(Session, "before_flush", copy_candidate_names)
