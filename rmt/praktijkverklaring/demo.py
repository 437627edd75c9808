"""Demo data for praktijkverklaringen (``flask --app rmt demo seed``); idempotent.

Reference data is entered by hand from public descriptions of mbo schools in and around the
province and of kwalificaties often used for praktijkverklaringen. **The BRIN codes and crebo
numbers below are illustrative**: they pass python-stdnum's BRIN format check and the five-digit
crebo rule, but were not checked against DUO's and SBB's registers; check them there before any
real use. Werkproces wording is abridged.

Trajectories are made through the service (so every step obeys the lifecycle and every issued
verklaring gets a real register number) on open demo cases, a few per region. The caller commits.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from rmt import clock
from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.employers.models import Employer, Sector
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import (
    MboSchool,
    PvTrajectory,
    Qualification,
    QualificationWorkProcess,
)
from rmt.process import CaseState
from rmt.regions.models import Region

#: (name, BRIN) — illustrative codes, see the module docstring.
SCHOOLS: tuple[tuple[str, str], ...] = (
    ("ROC Midden Nederland", "25PZ"),
    ("MBO Utrecht", "27UV"),
    ("MBO Amersfoort", "25LH"),
    ("Aeres MBO", "30RR"),
    ("Wellant", "22GP"),
    ("ROC van Amsterdam - Gooi en Vechtstreek", "25LJ"),
    ("ROC A12", "25LG"),
)

#: crebo -> (name, kwalificatiedossier, level, [(code, werkproces)]) — illustrative crebo numbers.
QUALIFICATIONS: dict[str, tuple[str, str, int, tuple[tuple[str, str], ...]]] = {
    "25409": ("Logistiek medewerker", "Logistiek", 2, (
        ("B1-K1-W1", "Neemt goederen in ontvangst en controleert ze"),
        ("B1-K1-W2", "Slaat goederen op"),
        ("B1-K1-W3", "Verzamelt goederen voor een order (orderpicken)"),
        ("B1-K1-W4", "Maakt goederen gereed voor verzending en verzendt ze"),
        ("B1-K1-W5", "Voert voorraadbeheer uit"),
    )),
    "25252": ("Verkoopmedewerker", "Retail", 2, (
        ("B1-K1-W1", "Ontvangt en verwerkt goederen"),
        ("B1-K1-W2", "Presenteert producten en houdt de winkel op orde"),
        ("B1-K1-W3", "Helpt klanten en geeft productadvies"),
        ("B1-K1-W4", "Handelt verkooptransacties af aan de kassa"),
        ("B1-K1-W5", "Behandelt vragen en klachten van klanten"),
    )),
    "25198": ("Medewerker facilitaire dienstverlening", "Facilitaire dienstverlening", 2, (
        ("B1-K1-W1", "Voert schoonmaakwerkzaamheden uit"),
        ("B1-K1-W2", "Verzorgt eenvoudige catering en vergaderservice"),
        ("B1-K1-W3", "Voert logistieke taken uit, zoals post en goederen"),
        ("B1-K1-W4", "Voert eenvoudige onderhouds- en reparatiewerkzaamheden uit"),
        ("B1-K1-W5", "Ontvangt en informeert bezoekers"),
    )),
    "25655": ("Medewerker productie", "Procesindustrie", 2, (
        ("B1-K1-W1", "Bereidt de productie voor"),
        ("B1-K1-W2", "Bedient en bewaakt de productielijn"),
        ("B1-K1-W3", "Controleert de kwaliteit van het product"),
        ("B1-K1-W4", "Voert eerstelijns onderhoud uit"),
    )),
}

#: Demo leerbedrijven in the sector of each region's demo kwalificatie, added only when the
#: registry has no SBB-recognised employer of that sector in the region.
#: (KvK, name, sector code, city, SBB number, regions) — fictitious (KvK numbers start with 90).
LEERBEDRIJVEN: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("90000101", "Distributiecentrum De Liesbosch", "logistiek", "Nieuwegein",
     "100234567", ("MU",)),
    ("90000102", "Supermarkt Eemplein", "detailhandel", "Amersfoort", "100345678",
     ("AM",)),
    ("90000103", "Facilitair Bedrijf Gooiland", "schoonmaak", "Hilversum", "100456789",
     ("GV",)),
    ("90000104", "Voedingsmiddelenfabriek De Vallei", "agrifood", "Ede", "100567890",
     ("FV",)),
)

#: Per region, the statuses of the demo trajectories (in this order on the first open cases).
PLAN: tuple[PvStatus, ...] = (
    PvStatus.UITGEREIKT, PvStatus.UITGEREIKT, PvStatus.VASTGESTELD, PvStatus.BEOORDEELD,
    PvStatus.IN_LEREN, PvStatus.OVEREENKOMST_GETEKEND, PvStatus.WERKPROCESSEN_VASTGESTELD,
    PvStatus.AANGEVRAAGD, PvStatus.AFGEBROKEN,
)
REGION_QUALIFICATION = {"MU": "25409", "AM": "25252", "GV": "25198", "FV": "25655"}
REGION_SCHOOL = {"MU": "25PZ", "AM": "25LH", "GV": "25LJ", "FV": "25LG"}
PRAKTIJKOPLEIDERS = ("Karin Verhoef", "Mohamed Amrani", "Petra de Wit", "Jeroen Hoekstra",
                     "Sevda Kaya", "Ruud Brouwer")


def seed_reference_data() -> tuple[int, int]:
    """Schools, kwalificaties and werkprocessen that do not exist yet; returns (schools, quals)."""
    schools = qualifications = 0
    for name, brin in SCHOOLS:
        if service.school_by_brin(brin) is None and db.session.scalar(
                sa.select(MboSchool.id).where(MboSchool.name == name)) is None:
            db.session.add(MboSchool(name=name, brin=brin, active=True))
            schools += 1
    for crebo, (name, dossier, level, work_processes) in QUALIFICATIONS.items():
        qualification = service.qualification_by_crebo(crebo)
        if qualification is None:
            qualification = Qualification(crebo=crebo, name=name, dossier_name=dossier,
                                          level=level, active=True)
            db.session.add(qualification)
            qualifications += 1
        known = {wp.code for wp in qualification.work_processes}
        for code, text in work_processes:
            if code not in known:
                db.session.add(QualificationWorkProcess(qualification=qualification, code=code,
                                                        name=text, active=True))
    db.session.flush()
    return schools, qualifications


def _leerbedrijven() -> dict[str, Employer]:
    """Per region a leerbedrijf in the sector of its demo kwalificatie (a logistics employer
    for logistiek medewerker, a shop for verkoopmedewerker, ...): a recognised employer from
    the registry, or the demo one above, added to the registry for the purpose."""
    sectors = {s.code: s for s in db.session.scalars(sa.select(Sector))}
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    recognised = service.leerbedrijven()
    result = {}
    for kvk, name, sector, city, sbb, region_codes in LEERBEDRIJVEN:
        region = region_codes[0]
        found = next((e for e in recognised if e.sector is not None
                      and e.sector.code == sector and region in e.region_codes), None)
        if found is None:
            found = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == kvk))
        if found is None and sector in sectors:
            found = Employer(kvk_number=kvk, name=name, sector=sectors[sector], city=city,
                             sbb_number=sbb, regions=[regions[c] for c in region_codes])
            db.session.add(found)
            db.session.flush()
        if found is not None:
            result[region] = found
    return result


def _cases(region: str, count: int) -> list[Case]:
    return list(db.session.scalars(
        sa.select(Case)
        .where(Case.region_code == region,
               Case.status.in_((CaseState.UITVOERING, CaseState.BEMIDDELING, CaseState.PLAN)))
        .order_by(Case.id).limit(count)))


def seed_trajectories() -> int:
    """A few trajectories per region in every status, unless any exist already."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(PvTrajectory)):
        return 0
    employers = _leerbedrijven()
    created = 0
    today = clock.today()
    for region in ("MU", "AM", "GV", "FV"):
        qualification = service.qualification_by_crebo(REGION_QUALIFICATION[region])
        school = service.school_by_brin(REGION_SCHOOL[region])
        employer = employers.get(region)
        if qualification is None or school is None or employer is None:
            continue
        definitions = [wp.id for wp in qualification.active_work_processes]
        for index, (case, target) in enumerate(zip(_cases(region, len(PLAN)), PLAN,
                                                    strict=False)):
            coach: User = case.coach
            chosen = definitions[: 3 + index % 3]
            trajectory = service.create(
                coach, case, school_id=school.id, qualification_id=qualification.id,
                employer_id=employer.id, praktijkopleider=PRAKTIJKOPLEIDERS[index % 6],
                planned_start=today - timedelta(days=120 - 10 * index),
                planned_end=today + timedelta(days=60 + 10 * index),
                work_process_ids=chosen if target != PvStatus.AANGEVRAAGD else None)
            _walk(coach, trajectory, target, index)
            created += 1
    db.session.flush()
    return created


def _walk(coach: User, trajectory: PvTrajectory, target: PvStatus, index: int) -> None:
    """Move a new trajectory along the main line to ``target`` with plausible assessments."""
    if target == PvStatus.AANGEVRAAGD:
        return
    if target == PvStatus.AFGEBROKEN:
        service.transition(coach, trajectory, PvStatus.WERKPROCESSEN_VASTGESTELD,
                           expected_version=None)
        service.transition(coach, trajectory, PvStatus.AFGEBROKEN, expected_version=None,
                           reason="Kandidaat heeft elders een vaste baan gevonden.")
        return
    order = (PvStatus.WERKPROCESSEN_VASTGESTELD, PvStatus.OVEREENKOMST_GETEKEND,
             PvStatus.IN_LEREN, PvStatus.BEOORDEELD, PvStatus.VASTGESTELD, PvStatus.UITGEREIKT)
    for status in order:
        if status == PvStatus.BEOORDEELD:
            _assess_all(coach, trajectory, index)
        if status == PvStatus.IN_LEREN and target == PvStatus.IN_LEREN:
            service.transition(coach, trajectory, status, expected_version=None)
            first = trajectory.work_processes[0]
            service.assess(coach, trajectory, first, result=AssessmentResult.AANGETOOND,
                           assessed_on=clock.today() - timedelta(days=7),
                           assessor_name=trajectory.praktijkopleider, expected_version=None)
            return
        service.transition(coach, trajectory, status, expected_version=None)
        if status == target:
            return


def _assess_all(coach: User, trajectory: PvTrajectory, index: int) -> None:
    for number, work_process in enumerate(trajectory.work_processes):
        # Mostly shown; now and then one werkproces not (yet) — it stays off the certificate.
        shown = not (number == len(trajectory.work_processes) - 1 and index % 2 == 1)
        service.assess(coach, trajectory, work_process,
                       result=AssessmentResult.AANGETOOND if shown
                       else AssessmentResult.NOG_NIET_AANGETOOND,
                       assessed_on=clock.today() - timedelta(days=20 - number),
                       assessor_name=trajectory.praktijkopleider, expected_version=None)


def seed() -> str:
    """Everything above; returns a line for the CLI."""
    schools, qualifications = seed_reference_data()
    trajectories = seed_trajectories()
    return (f"Praktijkverklaring: {schools} mbo-scholen, {qualifications} kwalificaties en "
            f"{trajectories} praktijkverklaringen aangemaakt.")
