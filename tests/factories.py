"""factory_boy factories, one per model."""

from __future__ import annotations

from datetime import date

import factory
import sqlalchemy as sa
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory

from rmt.auth.models import ApiToken, Role, User
from rmt.cases.models import (
    Benefit,
    Candidate,
    Case,
    CaseEvent,
    Consent,
    ConsentPurpose,
    DeliveryPartner,
    EducationLevel,
    Note,
    NoteKind,
    ReferralPartner,
    ServiceType,
    TargetGroup,
    Task,
    WorkStatus,
)
from rmt.cases.search import search_text_of
from rmt.employers.models import (
    ContactKind,
    ContactMoment,
    Employer,
    EmployerContact,
    Sector,
    Vacancy,
    VacancyStatus,
)
from rmt.process import CaseState
from rmt.regions.models import Municipality
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider

DEFAULT_PASSWORD = "Correct-Paard-9-Nietje"
# Hashed once with the cheap test parameters; hashing per user would slow every test down.
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEFAULT_PASSWORD)

_session_holder: dict = {}


def bind_session(session) -> None:
    _session_holder["session"] = session


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: _session_holder["session"]  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"gebruiker{n}@test.rmt.nl")
    name = factory.Faker("name", locale="nl_NL")
    role = Role.COACH
    password_hash = _PASSWORD_HASH
    active = True
    regions = ("MU",)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        regions = kwargs.pop("regions")
        kwargs["role"] = Role(kwargs["role"])
        user = model_class(*args, **kwargs)
        user.set_regions(regions)
        session = cls._meta.sqlalchemy_session_factory()
        session.add(user)
        session.flush()
        return user


class ApiTokenFactory(BaseFactory):
    class Meta:
        model = ApiToken


class CandidateFactory(BaseFactory):
    class Meta:
        model = Candidate

    first_name = factory.Faker("first_name", locale="nl_NL")
    name_prefix = ""
    last_name = factory.Faker("last_name", locale="nl_NL")
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=60)
    email = factory.Sequence(lambda n: f"kandidaat{n}@voorbeeld.nl")
    phone = factory.Sequence(lambda n: f"06{n:08d}")
    postcode = "3511 AB"
    municipality_id = factory.LazyFunction(
        lambda: _session_holder["session"].scalar(
            sa.select(Municipality.id).where(Municipality.name == "Utrecht")))
    education_level = EducationLevel.MBO2
    has_startkwalificatie = True
    work_status = WorkStatus.WERKZOEKEND
    benefit = Benefit.WW
    target_group = TargetGroup.WERKZOEKENDEN
    referral_partner = ReferralPartner.UWV
    # As the services write it (rmt.cases.search.refresh).
    search_text = factory.LazyAttribute(lambda o: search_text_of(
        o.first_name, o.name_prefix, o.last_name, o.email, o.phone))


class CaseFactory(BaseFactory):
    """A case in ``status`` with a matching event history (use ``CaseFactory(status=...)``)."""

    class Meta:
        model = Case

    candidate = factory.SubFactory(CandidateFactory)
    region_code = "MU"
    coach = factory.LazyAttribute(lambda o: UserFactory(role=Role.COACH, regions=[o.region_code]))
    status = CaseState.AANGEMELD
    opened_on = factory.LazyFunction(date.today)

    @factory.post_generation
    def history(obj: Case, create: bool, extracted, **kwargs) -> None:
        session = _session_holder["session"]
        session.add(CaseEvent(case=obj, region_code=obj.region_code, from_status=None,
                              to_status=CaseState.AANGEMELD, user_id=obj.coach.id))
        if obj.status != CaseState.AANGEMELD:
            session.add(CaseEvent(case=obj, region_code=obj.region_code,
                                  from_status=CaseState.AANGEMELD, to_status=obj.status,
                                  user_id=obj.coach.id))
        session.flush()


class NoteFactory(BaseFactory):
    class Meta:
        model = Note

    case = factory.SubFactory(CaseFactory)
    author_id = factory.LazyAttribute(lambda o: o.case.coach_id)
    contact_on = factory.LazyFunction(date.today)
    kind = NoteKind.GESPREK
    text = factory.Faker("paragraph", locale="nl_NL")


class TaskFactory(BaseFactory):
    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    owner = factory.LazyAttribute(lambda o: o.case.coach)
    title = factory.Faker("sentence", nb_words=4, locale="nl_NL")
    due_on = factory.LazyFunction(date.today)


class FundingSourceFactory(BaseFactory):
    class Meta:
        model = FundingSource

    name = factory.Sequence(lambda n: f"Testfonds {n}")
    active = True


class TrainingProviderFactory(BaseFactory):
    class Meta:
        model = TrainingProvider

    name = factory.Sequence(lambda n: f"Opleider {n}")
    kvk_number = factory.Sequence(lambda n: f"{10_000_000 + n:08d}")
    contact_name = "Jan Opleider"
    contact_email = "info@opleider.example"
    contact_phone = "0301234567"
    active = True


class BudgetFactory(BaseFactory):
    """A budget of this year (amounts in cents): € 10.000 with at most € 2.500 per voucher."""

    class Meta:
        model = Budget

    region_code = "MU"
    funding_source = factory.SubFactory(FundingSourceFactory)
    year = factory.LazyFunction(lambda: date.today().year)
    amount_cents = 10_000_00
    max_per_voucher_cents = 2_500_00


# --- employers ---------------------------------------------------------------------------------


def sector(code: str = "logistiek") -> Sector:
    """A sector of the reference list (filled by the migration)."""
    return _session_holder["session"].scalar(sa.select(Sector).where(Sector.code == code))


class EmployerFactory(BaseFactory):
    """An employer; ``EmployerFactory(regions=["MU", "FV"])`` sets where it is active."""

    class Meta:
        model = Employer

    kvk_number = factory.Sequence(lambda n: f"{92_000_000 + n:08d}")
    name = factory.Sequence(lambda n: f"Testbedrijf {n} B.V.")
    sector = factory.LazyFunction(sector)
    street_address = "Stationsplein 1"
    postcode = "3511 AB"
    city = "Utrecht"
    regions = ("MU",)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from rmt.regions.models import Region

        session = cls._meta.sqlalchemy_session_factory()
        codes = list(kwargs.pop("regions"))
        kwargs["regions"] = list(session.scalars(sa.select(Region).where(Region.code.in_(codes))))
        employer = model_class(*args, **kwargs)
        session.add(employer)
        session.flush()
        return employer


class EmployerContactFactory(BaseFactory):
    class Meta:
        model = EmployerContact

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Faker("name", locale="nl_NL")
    role = "HR-adviseur"
    phone = "0301234567"
    email = factory.Sequence(lambda n: f"contact{n}@bedrijf.example")


class ContactMomentFactory(BaseFactory):
    class Meta:
        model = ContactMoment

    employer = factory.SubFactory(EmployerFactory)
    region_code = "MU"
    liaison = factory.LazyAttribute(lambda o: UserFactory(role=Role.LIAISON,
                                                          regions=[o.region_code]))
    contact_on = factory.LazyFunction(date.today)
    kind = ContactKind.TELEFOON
    summary = "Gebeld over vacatures."


class VacancyFactory(BaseFactory):
    class Meta:
        model = Vacancy

    employer = factory.SubFactory(EmployerFactory)
    title = factory.Sequence(lambda n: f"Orderpicker {n}")
    sector = factory.LazyAttribute(lambda o: o.employer.sector)
    hours_per_week = 32
    location = "Utrecht"
    region_code = "MU"
    status = VacancyStatus.OPEN
    opened_on = factory.LazyFunction(date.today)
    created_by = factory.LazyAttribute(lambda o: UserFactory(role=Role.LIAISON,
                                                             regions=[o.region_code]))


class ProfileConsentFactory(BaseFactory):
    """The candidate's consent to share their work profile with employers."""

    class Meta:
        model = Consent

    candidate = factory.SubFactory(CandidateFactory)
    purpose = ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS
    given_on = factory.LazyFunction(date.today)
    recorded_by_id = factory.LazyAttribute(lambda o: UserFactory(role=Role.COACH).id)


# --- coded services (reference lists filled by the migration) ---------------------------------


def service_type(code: str = "loopbaanadvies") -> ServiceType:
    return _session_holder["session"].scalar(sa.select(ServiceType).where(ServiceType.code == code))


def delivery_partner(name: str = "UWV") -> DeliveryPartner:
    return _session_holder["session"].scalar(
        sa.select(DeliveryPartner).where(DeliveryPartner.name == name))


def coded(code: str = "loopbaanadvies", partner: str = "UWV") -> dict[str, int]:
    """The service-type and partner ids of a plan activity (``add_activity(..., **coded())``)."""
    return {"service_type_id": service_type(code).id,
            "partner_id": delivery_partner(partner).id}
