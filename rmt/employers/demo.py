"""Demo employers and their history for ``flask --app rmt demo seed``.

Runs after the cases seed: fictitious employers in logistiek, detailhandel, techniek, zorg and
more (in real gemeenten of the four regions), their contact persons, contact moments over the last
18 months, vacancies, proposals and placements with aftercare. Proposals and placements go through
the employers services (:mod:`rmt.employers.vacancies`, ``placements``) and step changes through
:mod:`rmt.cases.service`, then their moments are backdated, so every history is one the
application itself could have written. Some demo cases in bemiddeling move to geplaatst and
nazorg. Demo cases the cases seed closed with an exit to work (through geplaatst) get the placement
their exit names (``case_file.exit_placement_id``), so the exits to work and the placements agree
as they do for closings in the application. Idempotent: employers are added when their KvK
number is missing; the history only when the demo employers have none yet. Does not commit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from rmt import clock
from rmt.auth.models import User
from rmt.cases import service as cases_service
from rmt.cases.models import Candidate, Case, Consent, ConsentPurpose
from rmt.employers import common, contacts, placements, vacancies
from rmt.employers.models import (
    ContactKind,
    ContactMoment,
    ContractType,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    ProposalStatus,
    Sector,
    Vacancy,
    VacancyStatus,
    sector_priority,
)
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from rmt.regions import REGION_CODES
from rmt.regions.models import Region

DEMO_DOMAIN = "demo.rmt.test"
DEMO_RANDOM_SEED = 20261126
HISTORY_DAYS = 540

#: (KvK, name, sector, street, postcode, city, regions, SBB number or None, contacts).
#: Fictitious: the KvK numbers start with 91 and are not meant to exist.
EMPLOYERS: tuple[tuple[str, str, str, str, str, str, tuple[str, ...], str | None,
                       tuple[tuple[str, str], ...]], ...] = (
    ("91000011", "Transportbedrijf Van der Wal", "logistiek", "Ravenswade 54", "3439 LD",
     "Nieuwegein", ("MU", "AM"), "200113245",
     (("Henk van der Wal", "Directeur"), ("Marloes Kuipers", "HR-adviseur"))),
    ("91000022", "Distributiecentrum Eemhaven", "logistiek", "Palestinastraat 20", "3812 PG",
     "Amersfoort", ("AM",), None,
     (("Rik Bosman", "Vestigingsmanager"), ("Samira Ouali", "Recruiter"))),
    ("91000033", "Koel- en Vrieslogistiek De Harselaar", "logistiek", "Harselaarseweg 3",
     "3771 MA", "Barneveld", ("FV",), None, (("Wim Hardeman", "Operationeel manager"),)),
    ("91000044", "Pakketservice Lage Weide", "logistiek", "Atoomweg 80", "3542 AB", "Utrecht",
     ("MU",), None, (("Anouk Jacobs", "Teamleider planning"),)),
    ("91000055", "Bouwmarkt De Koppel", "detailhandel", "Hogeweg 120", "3814 CE", "Amersfoort",
     ("AM",), None, (("Dennis Vermeulen", "Bedrijfsleider"),)),
    ("91000066", "Supermarkt Dekker Veenendaal", "detailhandel", "Kerkewijk 61", "3901 EE",
     "Veenendaal", ("FV",), "200224356", (("Ilse Dekker", "Eigenaar"),
                                           ("Gerrit Hofman", "Afdelingsmanager vers"))),
    ("91000077", "Modehuis Gooiland", "detailhandel", "Kerkstraat 12", "1211 CL", "Hilversum",
     ("GV",), None, (("Charlotte van Rijn", "Filiaalmanager"),)),
    ("91000088", "Tuincentrum Heimerstein", "detailhandel", "Veenendaalsestraatweg 7",
     "3911 AV", "Rhenen", ("FV",), None, (("Bas Willemsen", "Bedrijfsleider"),)),
    ("91000099", "Installatiebedrijf Hoogland & Zn", "techniek", "Zevenhuizerstraat 38",
     "3833 VC", "Leusden", ("AM",), "200335467",
     (("Jan Hoogland", "Eigenaar"), ("Kees Smits", "Praktijkopleider"))),
    ("91000101", "Metaalbewerking Barwoutswaarder", "techniek", "Barwoutswaarder 9",
     "3449 HE", "Woerden", ("MU",), "200446578", (("Ruud Kok", "Productieleider"),)),
    ("91000112", "Elektrotechniek Huizen", "techniek", "Oude Haven 5", "1271 AD", "Huizen",
     ("GV",), "200557689", (("Sandra Post", "Office manager"), ("Erik Blom", "Werkvoorbereider"))),
    ("91000123", "Machinefabriek De Vallei", "techniek", "Galvanistraat 14", "6716 AE", "Ede",
     ("FV",), "200668790", (("Martijn van Ee", "HR-manager"),)),
    ("91000134", "Liftonderhoud Midden-Nederland", "techniek", "Meidoornkade 22", "3992 AE",
     "Houten", ("MU", "AM"), None, (("Yusuf Demir", "Servicemanager"),)),
    ("91000145", "Zorggroep De Heuvelrug", "zorg", "Laan van Vollenhove 3", "3706 AR", "Zeist",
     ("MU", "AM"), "200779801",
     (("Monique Peters", "Teammanager wonen"), ("Laura Verbeek", "Opleidingsadviseur"))),
    ("91000156", "Thuiszorg Eemland", "zorg", "Van Weedestraat 1", "3761 CA", "Soest", ("AM",),
     None, (("Fleur de Groot", "Coördinator wijkteam"),)),
    ("91000167", "Zorgcentrum Hilverzicht", "zorg", "Oosterengweg 44", "1212 CN", "Hilversum",
     ("GV",), "200880912", (("Ingrid Maas", "Praktijkbegeleider"),)),
    ("91000178", "Gehandicaptenzorg De Vallei", "zorg", "Bovenbuurtweg 27", "6717 XA", "Ede",
     ("FV",), None, (("Hatice Aydin", "Recruiter"),)),
    ("91000189", "Bakkerij Van den Brink", "agrifood", "Nijverheidsweg 6", "6702 DE",
     "Wageningen", ("FV",), None, (("Peter van den Brink", "Eigenaar"),)),
    ("91000191", "Kinderopvang Kwetternest", "onderwijs", "Amsterdamsestraatweg 300",
     "3551 CV", "Utrecht", ("MU",), None, (("Esther Mulder", "Locatiemanager"),)),
    ("91000202", "Hotel-Restaurant De Brink", "horeca", "Brink 8", "1251 KV", "Laren", ("GV",),
     None, (("Vincent Ruiter", "Bedrijfsleider"),)),
    # A double registration of Van der Wal (other KvK number, typed differently), for merging.
    ("91000213", "Transportbedr. v.d. Wal", "logistiek", "Ravenswade 54", "3439 LD",
     "Nieuwegein", ("MU",), None, (("H. van der Wal", "Directeur"),)),
)

#: Vacancy titles per sector: (title, hours per week).
TITLES: dict[str, tuple[tuple[str, int], ...]] = {
    "logistiek": (("Orderpicker", 38), ("Heftruckchauffeur", 40), ("Chauffeur C-rijbewijs", 40),
                  ("Medewerker expeditie", 32), ("Planner transport", 36)),
    "detailhandel": (("Verkoopmedewerker", 24), ("Vakkenvuller", 20),
                     ("Medewerker kassa en service", 28), ("Assistent-bedrijfsleider", 38)),
    "techniek": (("Monteur installatietechniek", 40), ("Servicemonteur", 40),
                 ("CNC-operator", 38), ("Elektromonteur", 40), ("Leerling-monteur", 32)),
    "zorg": (("Helpende zorg en welzijn", 24), ("Verzorgende IG", 28),
             ("Begeleider gehandicaptenzorg", 32), ("Medewerker huishoudelijke zorg", 20)),
    "agrifood": (("Productiemedewerker bakkerij", 38), ("Inpakker", 32)),
    "onderwijs": (("Pedagogisch medewerker", 28), ("Invalkracht kinderopvang", 16)),
    "horeca": (("Medewerker bediening", 24), ("Zelfstandig werkend kok", 38)),
}

SUMMARIES: dict[ContactKind, tuple[str, ...]] = {
    ContactKind.TELEFOON: (
        "Gebeld over openstaande vacatures; werkgever zoekt vooral mensen die snel kunnen "
        "starten.",
        "Telefonisch de stand van zaken van een geplaatste kandidaat besproken; tevreden.",
        "Nagebeld na de sollicitatiegesprekken; terugkoppeling volgt deze week.",
    ),
    ContactKind.BEZOEK: (
        "Kennismakingsbezoek: rondleiding door het bedrijf, functies en doorgroeimogelijkheden "
        "besproken.",
        "Werkplekbezoek om de functie-eisen scherp te krijgen; interesse in zij-instromers.",
        "Bezoek met de praktijkopleider over een leerwerktraject met praktijkverklaring.",
    ),
    ContactKind.EMAIL: (
        "Vacatureteksten ontvangen en afgesproken dat wij passende kandidaten voordragen.",
        "Informatie over scholingsvouchers en subsidiemogelijkheden gemaild.",
    ),
    ContactKind.BIJEENKOMST: (
        "Gesproken op de regionale werkgeversbijeenkomst over tekorten in de sector.",
        "Deelgenomen aan de banenmarkt; werkgever wil een meeloopdag organiseren.",
    ),
}
KIND_WEIGHTS = (40, 25, 20, 15)


@dataclass
class EmployerSeedSummary:
    employers: int = 0
    contact_moments: int = 0
    vacancies: int = 0
    proposals: int = 0
    placements: int = 0
    placed_cases: int = 0

    def text(self) -> str:
        return (f"{self.employers} werkgevers, {self.contact_moments} contactmomenten, "
                f"{self.vacancies} vacatures, {self.proposals} voordrachten, "
                f"{self.placements} plaatsingen ({self.placed_cases} trajecten naar geplaatst "
                "of nazorg)")


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email, User.active.is_(True)))


def _liaisons() -> dict[str, User]:
    found = {}
    for code in REGION_CODES:
        user = _user(f"liaison.{code.lower()}@{DEMO_DOMAIN}")
        if user is not None and code in user.region_codes:
            found[code] = user
    return found


def seed_employers(today: date | None = None,
                   rng: random.Random | None = None) -> EmployerSeedSummary:
    """Add the demo employers and their history where missing. Does not commit."""
    today = today or clock.today()
    rng = rng or random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - demo data
    summary = EmployerSeedSummary()
    _ensure_priorities()
    employers = _ensure_employers(summary)
    liaisons = _liaisons()
    if not liaisons or not employers:
        return summary
    demo_ids = [e.id for e in employers]
    has_history = db.session.scalar(sa.select(ContactMoment.id).where(
        ContactMoment.employer_id.in_(demo_ids)).limit(1)) is not None
    if has_history:
        return summary
    _exit_placements(rng, employers, summary)
    open_vacancies = _history(rng, today, employers, liaisons, summary)
    if not db.session.scalar(sa.select(Proposal.id).limit(1)):
        _proposals_and_placements(rng, today, open_vacancies, liaisons, summary)
    return summary


#: Prioritaire sectors per region of the demo (the monitor counts placements in them).
PRIORITIES: dict[str, tuple[str, ...]] = {
    "MU": ("techniek", "zorg", "onderwijs", "ict"),
    "AM": ("techniek", "zorg", "logistiek", "bouw"),
    "GV": ("zorg", "onderwijs", "techniek", "horeca"),
    "FV": ("agrifood", "techniek", "logistiek", "zorg"),
}


def _ensure_priorities() -> None:
    """Give every region its prioritaire sectors when no region has any yet."""
    if db.session.scalar(sa.select(sector_priority.c.sector_id).limit(1)) is not None:
        return
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    for sector in db.session.scalars(sa.select(Sector)):
        codes = [code for code, names in PRIORITIES.items() if sector.code in names]
        if codes:
            sector.priority_regions = [regions[c] for c in sorted(codes) if c in regions]
    db.session.flush()


def _ensure_employers(summary: EmployerSeedSummary) -> list[Employer]:
    sectors = {s.code: s for s in db.session.scalars(sa.select(Sector))}
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    result = []
    for kvk, name, sector, street, postcode, city, codes, sbb, people in EMPLOYERS:
        employer = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == kvk))
        if employer is None:
            employer = Employer(kvk_number=kvk, name=name,
                                sector=sectors.get(sector) or sectors["overheid"],
                                street_address=street, postcode=postcode, city=city,
                                sbb_number=sbb, regions=[regions[c] for c in codes])
            db.session.add(employer)
            domain = "".join(ch for ch in name.split()[-1].lower() if ch.isalnum())
            for number, (contact_name, role) in enumerate(people):
                local = ".".join(contact_name.lower().replace(".", "").split())
                employer.contacts.append(EmployerContact(
                    name=contact_name, role=role, email=f"{local}@{domain}.voorbeeld.nl",
                    phone=f"06{(int(kvk) * 37 + number * 7919) % 100_000_000:08d}"))
            summary.employers += 1
        if employer.merged_into_id is None:
            result.append(employer)
    db.session.flush()
    return result


def _history(rng: random.Random, today: date, employers: list[Employer],
             liaisons: dict[str, User], summary: EmployerSeedSummary) -> list[Vacancy]:
    """Contact moments over 18 months and vacancies, through the service, then backdated."""
    open_vacancies: list[Vacancy] = []
    for employer in employers:
        codes = [c for c in employer.region_codes if c in liaisons]
        if not codes:
            continue
        people = list(employer.contacts)
        days = sorted(today - timedelta(days=rng.randint(0, HISTORY_DAYS))
                      for _ in range(rng.randint(4, 10)))
        for index, day in enumerate(days):
            code = rng.choice(codes)
            liaison = liaisons[code]
            kind = rng.choices(list(SUMMARIES), weights=KIND_WEIGHTS)[0]
            follow_up = None
            if rng.random() < 0.5:
                follow_up = day + timedelta(days=rng.choice((7, 14, 21, 30)))
            if index == len(days) - 1 and day > today - timedelta(days=45):
                follow_up = today + timedelta(days=rng.randint(-10, 12))  # due or overdue now
                follow_up = max(follow_up, day)
            moment = contacts.record_contact_moment(liaison, employer, {
                "region_code": code, "contact_on": day, "kind": kind.value,
                "contact_id": rng.choice(people).id if people and rng.random() < 0.7 else None,
                "summary": rng.choice(SUMMARIES[kind]),
                "follow_up_on": follow_up, "follow_up_owner_id": liaison.id if follow_up else None,
            })
            moment.created_at = _at(day, 16, rng.randint(0, 59))
            if follow_up is not None and follow_up < today - timedelta(days=3):
                moment.follow_up_done_at = _at(follow_up, 11)
            summary.contact_moments += 1
        for number in range(rng.randint(1, 3)):
            code = rng.choice(codes)
            title, hours = rng.choice(TITLES.get(employer.sector.code, TITLES["logistiek"]))
            opened = today - timedelta(days=rng.randint(5, 400) if number else rng.randint(5, 90))
            vacancy = vacancies.create_vacancy(liaisons[code], employer, {
                "title": title, "sector_id": employer.sector_id, "hours_per_week": hours,
                "location": employer.city, "region_code": code, "opened_on": opened,
                "closes_on": opened + timedelta(days=60) if rng.random() < 0.4 else None,
                "description": f"{title} bij {employer.name} in {employer.city}, "
                               f"{hours} uur per week. Zij-instromers zijn welkom."})
            vacancy.created_at = _at(opened, 9)
            if opened < today - timedelta(days=120):
                vacancy.status = rng.choice((VacancyStatus.FILLED, VacancyStatus.CLOSED))
                vacancy.ended_on = opened + timedelta(days=rng.randint(20, 100))
            else:
                open_vacancies.append(vacancy)
            summary.vacancies += 1
    db.session.flush()
    return open_vacancies


def _exit_placements(rng: random.Random, employers: list[Employer],
                     summary: EmployerSeedSummary) -> None:
    """The placement every demo case closed with an exit to work names: with an employer of
    its region (for a zzp exit the opdrachtgever), starting the day it moved to geplaatst and
    still running when it was closed."""
    closed = db.session.scalars(
        sa.select(Case).join(Case.candidate)
        .where(Case.exit_reason.in_(cases_service.WORK_EXITS), Case.exit_placement_id.is_(None),
               Candidate.email.like(f"%@{DEMO_DOMAIN}"))
        .options(selectinload(Case.events))
        .order_by(Case.id)).all()
    for case in closed:
        placed = next((e for e in case.events if e.to_status is CaseState.GEPLAATST), None)
        nearby = [e for e in employers if case.region_code in e.region_codes]
        if placed is None or not nearby:
            continue
        employer = rng.choice(nearby)
        title, hours = rng.choice(TITLES.get(employer.sector.code, TITLES["logistiek"]))
        zzp = case.exit_reason is ExitReason.WERK_ZELFSTANDIG
        placement = Placement(
            case=case, employer=employer, job_title=title, hours_per_week=hours,
            contract_type=ContractType.ZZP_OPDRACHT if zzp else rng.choice(
                (ContractType.TIJDELIJK, ContractType.VAST, ContractType.UITZEND)),
            start_on=clock.local_date(placed.at), sector=employer.sector.sbi_section,
            created_by_id=placed.user_id, created_at=placed.at)
        db.session.add(placement)
        db.session.flush()
        case.exit_placement_id = placement.id
        summary.placements += 1


def _eligible_cases(region: str, today: date,
                    status: CaseState = CaseState.BEMIDDELING) -> list[Case]:
    """Demo cases in ``status`` whose candidate consented to share their profile (today)."""
    consent = sa.exists().where(
        Consent.candidate_id == Case.candidate_id,
        Consent.purpose == ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS,
        Consent.given_on <= today,
        sa.or_(Consent.revoked_on.is_(None), Consent.revoked_on > today))
    return list(db.session.scalars(
        sa.select(Case).where(Case.region_code == region,
                              Case.status == status, consent)
        .order_by(Case.status_since, Case.id)))


def _proposals_and_placements(rng: random.Random, today: date, open_vacancies: list[Vacancy],
                              liaisons: dict[str, User],
                              summary: EmployerSeedSummary) -> None:
    """Per region: one case placed months ago (in nazorg, with aftercare outcomes), one placed
    recently, one in gesprek, one refused, one proposed; all candidates with consent."""
    for code, liaison in liaisons.items():
        region_vacancies = [v for v in open_vacancies if v.region_code == code]
        if not region_vacancies:
            continue
        # The long-ago placement (with a six-month outcome) needs a case that has waited long
        # enough: in uitvoering for over 150 days (uitvoering -> geplaatst is an allowed skip).
        in_matching = _eligible_cases(code, today)
        waiting = [c for c in _eligible_cases(code, today, CaseState.UITVOERING)
                   if clock.local_date(c.status_since) <= today - timedelta(days=150)]
        chosen = ([waiting[0]] if waiting else in_matching[:1]) + in_matching[
            0 if waiting else 1:5]
        for index, case in enumerate(chosen):
            since = max(clock.local_date(case.status_since), _consent_date(case))
            if since > today - timedelta(days=21):
                continue
            if index == 0:
                # Long enough ago for the 6-month follow-up where the history allows it.
                opened = max(since, today - timedelta(days=250))
                template = region_vacancies[0]
                vacancy = vacancies.create_vacancy(liaison, template.employer, {
                    "title": template.title, "sector_id": template.sector_id,
                    "hours_per_week": template.hours_per_week, "location": template.location,
                    "region_code": code, "opened_on": opened,
                    "description": template.description})
                vacancy.created_at = _at(opened, 9)
                summary.vacancies += 1
            else:
                vacancy = region_vacancies[index % len(region_vacancies)]
                if vacancy.status != VacancyStatus.OPEN:
                    continue
                opened = vacancy.opened_on
            proposed_on = max(since, opened) + timedelta(days=rng.randint(1, 6))
            if proposed_on > today - timedelta(days=14):
                continue
            proposal = vacancies.propose(liaison, case, vacancy,
                                       note="Gemotiveerde kandidaat, kan op korte termijn starten.",
                                       proposed_on=proposed_on)
            _backdate_events(proposal, proposed_on)
            summary.proposals += 1
            if index in (0, 1):
                _place(rng, today, liaison, proposal, proposed_on, long_ago=index == 0,
                       summary=summary)
            elif index == 2:
                _step(liaison, proposal, ProposalStatus.GESPREK, proposed_on + timedelta(days=5))
            elif index == 3:
                _step(liaison, proposal, ProposalStatus.AFGEWEZEN,
                      proposed_on + timedelta(days=4),
                      note="Werkgever koos voor een kandidaat met meer ervaring.")
    db.session.flush()


def _consent_date(case: Case) -> date:
    dates = [c.given_on for c in case.candidate.consents
             if c.purpose == ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS and c.revoked_on is None]
    return max(dates) if dates else date.min


def _backdate_events(proposal: Proposal, day: date) -> None:
    db.session.flush()
    for event in proposal.events:
        event.at = _at(day, 11)
    proposal.created_at = proposal.status_since = _at(day, 11)


def _step(user: User, proposal: Proposal, to: ProposalStatus, day: date, note: str = "",
          placement: dict | None = None) -> None:
    vacancies.transition_proposal(user, proposal, to.value, note=note, placement=placement)
    proposal.events[-1].at = _at(day, 14)
    proposal.status_since = _at(day, 14)
    if proposal.decided_on is not None:
        proposal.decided_on = day


def _place(rng: random.Random, today: date, liaison: User, proposal: Proposal,
           proposed_on: date, *, long_ago: bool, summary: EmployerSeedSummary) -> None:
    """Gesprek and aangenomen; the case moves to geplaatst (and nazorg after a month)."""
    interview = proposed_on + timedelta(days=rng.randint(2, 4))
    accepted = interview + timedelta(days=rng.randint(1, 3))
    start = min(accepted + timedelta(days=rng.randint(3, 7)), today - timedelta(days=1))
    _step(liaison, proposal, ProposalStatus.GESPREK, interview)
    _step(liaison, proposal, ProposalStatus.AANGENOMEN, accepted, placement={
        "start_on": start, "contract_type": rng.choice(
            (ContractType.TIJDELIJK, ContractType.TIJDELIJK, ContractType.VAST,
             ContractType.UITZEND, ContractType.LEERWERKBAAN)).value})
    db.session.flush()
    placement = proposal.placement
    if placement is None:  # pragma: no cover - the service always records one
        return
    placement.created_at = _at(accepted, 15)
    if proposal.vacancy.ended_on is not None:
        proposal.vacancy.ended_on = accepted
    summary.placements += 1
    case = proposal.case
    coach = case.coach
    cases_service.transition(coach, case, CaseState.GEPLAATST.value, expected_version=None,
                             at=_at(start, 9))
    summary.placed_cases += 1
    one_month = common.add_months(start, 1)
    if long_ago and one_month < today:
        cases_service.transition(coach, case, CaseState.NAZORG.value, expected_version=None,
                                 at=_at(one_month, 10))
    for follow_up in placement.follow_ups:
        if follow_up.due_on <= today - timedelta(days=2):
            _record(rng, coach, follow_up)


def _record(rng: random.Random, coach: User, follow_up: FollowUp) -> None:
    employed = rng.random() < 0.85
    placements.record_follow_up(coach, follow_up, still_employed=employed,
                             reason="" if employed else "Contract niet verlengd na de proeftijd.")
    follow_up.recorded_on = follow_up.due_on
    if follow_up.task is not None:
        follow_up.task.done_at = _at(follow_up.due_on, 15)

