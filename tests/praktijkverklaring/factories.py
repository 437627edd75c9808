"""factory_boy factories of the praktijkverklaring reference data and a leerbedrijf helper.

Kept next to the tests of this module (they build on ``tests.factories.BaseFactory``) so the
shared factory file is not touched while several modules are built at once.
"""

from __future__ import annotations

import factory
import sqlalchemy as sa

from rmt.employers.models import Employer, Sector
from rmt.praktijkverklaring.models import MboSchool, Qualification, QualificationWorkProcess
from rmt.regions.models import Region
from tests.factories import BaseFactory, _session_holder


class MboSchoolFactory(BaseFactory):
    class Meta:
        model = MboSchool

    name = factory.Sequence(lambda n: f"ROC Testregio {n}")
    brin = factory.Sequence(
        lambda n: f"{10 + n % 90:02d}{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    active = True


class QualificationFactory(BaseFactory):
    """A kwalificatie with ``work_process_count`` werkprocessen B1-K1-W1 ... (default 3)."""

    class Meta:
        model = Qualification

    crebo = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Sequence(lambda n: f"Testmedewerker {n}")
    dossier_name = "Testdossier"
    level = 2
    active = True

    @factory.post_generation
    def work_process_count(obj: Qualification, create: bool, extracted, **kwargs) -> None:
        session = _session_holder["session"]
        for number in range(1, (3 if extracted is None else extracted) + 1):
            session.add(QualificationWorkProcess(qualification=obj, code=f"B1-K1-W{number}",
                                                 name=f"Voert taak {number} uit", active=True))
        session.flush()


_KVK = iter(range(70_000_000, 79_999_999))


def make_employer(*, sbb_number: str | None = "100200300", regions: tuple[str, ...] = ("MU",),
                  name: str | None = None) -> Employer:
    """An employer in the registry (a leerbedrijf when it has an SBB recognition number)."""
    session = _session_holder["session"]
    kvk = f"{next(_KVK):08d}"
    employer = Employer(
        kvk_number=kvk, name=name or f"Leerbedrijf {kvk}", city="Utrecht",
        sector=session.scalars(sa.select(Sector).order_by(Sector.id)).first(),
        sbb_number=sbb_number,
        regions=list(session.scalars(sa.select(Region).where(Region.code.in_(regions)))))
    session.add(employer)
    session.flush()
    return employer
