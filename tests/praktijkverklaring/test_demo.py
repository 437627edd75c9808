"""The demo seed: realistic reference data, trajectories in every status, idempotent."""

from __future__ import annotations

import sqlalchemy as sa
from stdnum.nl import brin

from rmt import clock
from rmt.employers.models import Sector
from rmt.extensions import db
from rmt.praktijkverklaring import demo, service
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.praktijkverklaring.models import MboSchool, PvTrajectory, Qualification
from rmt.process import CaseState
from tests.factories import CaseFactory
from tests.praktijkverklaring.factories import make_employer


def test_reference_data_is_valid():
    for _name, code in demo.SCHOOLS:
        assert brin.is_valid(code), code
    for crebo, (_name, _dossier, level, work_processes) in demo.QUALIFICATIONS.items():
        assert service.CREBO_RE.fullmatch(crebo) and 1 <= level <= 4
        for code, _text in work_processes:
            assert service.normalise_work_process_code(code) == code


def test_seed_is_idempotent_and_covers_every_status():
    registry_dc = make_employer(sbb_number="100999888", name="DC Lage Weide")
    registry_dc.sector = db.session.scalar(sa.select(Sector).where(Sector.code == "logistiek"))
    for region in ("MU", "AM", "GV", "FV"):
        for _ in range(len(demo.PLAN)):
            CaseFactory(region_code=region, status=CaseState.UITVOERING)
    first = demo.seed()
    assert "7 mbo-scholen, 4 kwalificaties en 36 praktijkverklaringen" in first
    statuses = db.session.scalars(sa.select(PvTrajectory.status)).all()
    assert set(statuses) == set(PvStatus)
    numbers = sorted(db.session.scalars(sa.select(PvTrajectory.register_number)
                                        .where(PvTrajectory.register_number.is_not(None))))
    year = clock.today().year
    assert numbers == sorted(f"PV-{r}-{year}-000{n}" for r in ("MU", "AM", "GV", "FV")
                             for n in (1, 2))
    # The leerbedrijf fits the kwalificatie: a logistics employer for logistiek medewerker, ...
    sectors = {region: {(t.qualification.name, t.employer.sector.code, bool(t.employer.sbb_number))
                        for t in db.session.scalars(sa.select(PvTrajectory))
                        if t.case.region_code == region}
               for region in ("MU", "AM", "GV", "FV")}
    assert sectors == {
        "MU": {("Logistiek medewerker", "logistiek", True)},
        "AM": {("Verkoopmedewerker", "detailhandel", True)},
        "GV": {("Medewerker facilitaire dienstverlening", "schoonmaak", True)},
        "FV": {("Medewerker productie", "agrifood", True)},
    }
    again = demo.seed()
    assert "0 mbo-scholen, 0 kwalificaties en 0 praktijkverklaringen" in again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MboSchool)) == 7
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Qualification)) == 4
    # A recognised employer of the right sector in the registry is used, not a demo one.
    assert {t.employer_id for t in db.session.scalars(sa.select(PvTrajectory))
            if t.case.region_code == "MU"} == {registry_dc.id}
