"""Demo candidates and cases for ``flask --app rmt demo seed``, reusable by benchmarks.

Every step history is a legal path of :mod:`rmt.process`: each move is checked with
``find_transition`` and ``check`` against the facts built up so far (intake completed, plan
activities), and the case row (status, status_since, paused_from, closed_on, exit reason) is set
from its last event. Rows are written with bulk inserts and backdated timestamps over the last 18
months; the caller commits once. The same ``random.Random`` seed and ``today`` give the same data.

``geplaatst`` and ``nazorg`` need an active placement, which only the employers module records:
its demo seed moves running cases into those steps. A case closed with an exit to work passes
``geplaatst`` first (the rule of ``rmt.cases.service.close``); the employers seed records the
placement it names (``rmt.employers.demo``).
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from stdnum.nl import postcode as nl_postcode

from rmt import audit, clock
from rmt.auth import service as auth_service
from rmt.auth.models import Role, User
from rmt.cases import demo_data as data
from rmt.cases import search
from rmt.cases.models import (
    OTHER_SERVICE_CODE,
    ActivityStatus,
    Benefit,
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Consent,
    ConsentPurpose,
    DeliveryPartner,
    EducationLevel,
    Intake,
    Note,
    NoteKind,
    Plan,
    PlanActivity,
    ReferralPartner,
    ServiceType,
    TargetGroup,
    Task,
    TransferStatus,
    WorkStatus,
    sort_names,
)
from rmt.cases.sectors import section_from_text
from rmt.cases.service import WORK_EXITS
from rmt.extensions import db
from rmt.process import MAIN_LINE, CaseFacts, CaseState, ExitReason, check, find_transition
from rmt.regions import REGION_CODES
from rmt.regions.models import Municipality

if TYPE_CHECKING:
    from faker import Faker

DEMO_DOMAIN = "demo.rmt.test"
DEMO_RANDOM_SEED = 20261124
DEFAULT_CASE_COUNT = 300
#: Every demo date lies within this many days before today (18 months is at least 547 days).
HISTORY_DAYS = 535

S = CaseState
#: Steps a case reaches without a placement; the employers seed adds geplaatst and nazorg.
REACHABLE_STATES: tuple[CaseState, ...] = (
    S.AANGEMELD, S.INTAKE, S.DIAGNOSE, S.PLAN, S.UITVOERING, S.BEMIDDELING, S.GEPAUZEERD,
    S.AFGESLOTEN,
)
_FINAL_WEIGHTS = (6, 9, 10, 9, 16, 12, 6, 32)  # per REACHABLE_STATES
_REGION_WEIGHTS = {"MU": 38, "AM": 20, "GV": 17, "FV": 25}
_COACH_WEIGHTS = (55, 30, 15)  # coach.<r>, coach2.<r>, coach3.<r>

#: Exit reasons with their weight and the main-line steps (index) a case typically leaves from.
_EXITS: dict[ExitReason, tuple[int, tuple[int, ...]]] = {
    ExitReason.WERK_LOONDIENST: (30, (4, 5, 5, 5)),  # exits to work: then geplaatst
    ExitReason.WERK_ZELFSTANDIG: (5, (4, 5)),
    ExitReason.BEHOUD_WERK: (15, (2, 3, 4, 5)),
    ExitReason.SCHOLING_REGULIER: (8, (2, 3, 4)),
    ExitReason.DOORVERWEZEN: (12, (0, 1, 1, 2)),
    ExitReason.UITVAL_EIGEN_KEUZE: (10, (1, 2, 3, 4)),
    ExitReason.UITVAL_ONBEREIKBAAR: (10, (0, 0, 1, 4)),
    ExitReason.VERHUISD_BUITEN_REGIO: (4, (1, 2, 4)),
    ExitReason.OVERIG: (6, (1, 2, 3)),
}
#: Days a case typically stays in a step.
_DWELL: dict[CaseState, tuple[int, int]] = {
    S.AANGEMELD: (2, 14), S.INTAKE: (7, 28), S.DIAGNOSE: (10, 35), S.PLAN: (7, 28),
    S.UITVOERING: (30, 150), S.BEMIDDELING: (14, 90), S.GEPAUZEERD: (14, 75),
    S.GEPLAATST: (7, 45),
}
_TARGET_GROUPS = {
    TargetGroup.WERKENDEN: 30, TargetGroup.WERKZOEKENDEN: 35, TargetGroup.ZZP: 8,
    TargetGroup.UITZENDKRACHTEN: 10, TargetGroup.ZONDER_STARTKWALIFICATIE: 17,
}
_WITH_SK = (EducationLevel.MBO2, EducationLevel.MBO3, EducationLevel.MBO4, EducationLevel.HAVO,
            EducationLevel.VWO, EducationLevel.HBO, EducationLevel.WO)
_WITHOUT_SK = (EducationLevel.GEEN, EducationLevel.BASISONDERWIJS, EducationLevel.VMBO,
               EducationLevel.VMBO, EducationLevel.MBO1, EducationLevel.BUITENLANDS)
_REFERRERS: dict[TargetGroup, tuple[ReferralPartner, ...]] = {
    TargetGroup.WERKENDEN: (ReferralPartner.WERKGEVER, ReferralPartner.ZELF,
                            ReferralPartner.MAAKJESTAP, ReferralPartner.LEERWERKLOKET),
    TargetGroup.WERKZOEKENDEN: (ReferralPartner.UWV, ReferralPartner.UWV, ReferralPartner.GEMEENTE,
                                ReferralPartner.ZELF, ReferralPartner.SPT),
    TargetGroup.ZZP: (ReferralPartner.ZELF, ReferralPartner.GEMEENTE, ReferralPartner.OVERIG),
    TargetGroup.UITZENDKRACHTEN: (ReferralPartner.ZELF, ReferralPartner.WERKGEVER,
                                  ReferralPartner.SPT, ReferralPartner.MAAKJESTAP),
    TargetGroup.ZONDER_STARTKWALIFICATIE: (ReferralPartner.LEERWERKLOKET,
                                           ReferralPartner.WERKGEVER, ReferralPartner.GEMEENTE),
}
_PREFIX_WORDS = {"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "'t", "d'", "op",
                 "la", "le", "du", "von"}


class DemoSeedError(RuntimeError):
    """A generated history broke a rule of rmt.process: a bug in this module, never in data."""


@dataclass
class SeedSummary:
    """What one run inserted."""

    cases: int = 0
    events: int = 0
    notes: int = 0
    tasks: int = 0
    activities: int = 0
    consents: int = 0
    transfers: int = 0
    coaches: int = 0

    def text(self) -> str:
        return (f"{self.cases} trajecten, {self.events} stapwijzigingen, {self.notes} "
                f"aantekeningen, {self.tasks} acties, {self.activities} activiteiten, "
                f"{self.consents} toestemmingen, {self.transfers} overdrachtsverzoeken, "
                f"{self.coaches} extra coaches")


# ---------------------------------------------------------------------------------------------
# Entry points


def demo_cases_exist() -> bool:
    """Demo candidates are marked by their e-mail address on the demo domain."""
    return db.session.scalar(
        sa.select(Candidate.id).where(Candidate.email.like(f"%@{DEMO_DOMAIN}")).limit(1)
    ) is not None


def seed_cases(rng: random.Random, today: date, count: int = DEFAULT_CASE_COUNT, *,
               password: str | None = None) -> int:
    """Add ``count`` demo cases unless demo cases exist already; returns how many were added.

    Also creates the extra coaches ``coach2.<region>`` and ``coach3.<region>`` (with
    ``password``; without one they get an unknown random password). Writes one ``demo.seed``
    audit entry; does not commit.
    """
    created_coaches = ensure_demo_coaches(password)
    if count <= 0 or demo_cases_exist():
        return 0
    summary = insert_cases(rng, today, count, demo_coaches())
    summary.coaches = created_coaches
    audit.record("demo.seed", summary=summary.text())
    return summary.cases


def ensure_demo_coaches(password: str | None) -> int:
    """Create the missing extra demo coaches; returns how many were created."""
    created = 0
    for code, names in data.EXTRA_COACHES.items():
        for number, name in enumerate(names, start=2):
            email = f"coach{number}.{code.lower()}@{DEMO_DOMAIN}"
            if auth_service.find_user_by_email(email):
                continue
            auth_service.create_user(email=email, name=name, role=Role.COACH, regions={code},
                                     password=password or secrets.token_urlsafe(24))
            created += 1
    return created


def demo_coaches() -> dict[str, list[tuple[int, int]]]:
    """``{region: [(coach id, weight), ...]}`` for the active demo coaches of every region."""
    wanted = {f"coach{suffix}.{code.lower()}@{DEMO_DOMAIN}": (code, weight)
              for code in REGION_CODES
              for suffix, weight in zip(("", "2", "3"), _COACH_WEIGHTS, strict=True)}
    users = db.session.scalars(
        sa.select(User).where(User.email.in_(wanted), User.active.is_(True),
                              User.role == Role.COACH)).all()
    result: dict[str, list[tuple[int, int]]] = {}
    for user in sorted(users, key=lambda u: u.email):
        code, weight = wanted[user.email]
        if code in user.region_codes:
            result.setdefault(code, []).append((user.id, weight))
    return result


def insert_cases(rng: random.Random, today: date, count: int,
                 coaches: dict[str, list[tuple[int, int]]], *,
                 chunk_size: int = 2000) -> SeedSummary:
    """Generate and bulk-insert ``count`` cases with their history, in chunks; no audit, no commit.

    ``coaches`` maps a region to ``(coach id, weight)`` pairs; regions without coaches or
    municipalities get no cases. Benchmarks call this directly for large counts.
    """
    municipalities = _municipalities()
    regions = [code for code in REGION_CODES if coaches.get(code) and municipalities.get(code)]
    if not regions:
        raise DemoSeedError("Geen regio met demo-coaches en gemeenten gevonden.")
    from faker import Faker  # imported here: it is slow to import and only the seed needs it

    faker = Faker("nl_NL")
    faker.seed_instance(rng.getrandbits(64))
    context = _Context(rng=rng, faker=faker, today=today, regions=regions,
                       municipalities=municipalities, coaches=coaches)
    summary = SeedSummary()
    for start in range(0, count, chunk_size):
        seeds = [context.case(index) for index in range(start, min(count, start + chunk_size))]
        transfers = max(2, len(seeds) // 150) if start == 0 else len(seeds) // 150
        context.add_transfers(seeds, transfers)
        _insert(seeds, summary)
    return summary


# ---------------------------------------------------------------------------------------------
# A legal walk through the process


@dataclass(frozen=True)
class _Move:
    source: CaseState
    target: CaseState
    reason: str = ""
    exit_reason: ExitReason | None = None
    exit_reason_text: str = ""


class _Walk:
    """Builds a step history move by move; every move is checked by rmt.process."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.state = S.AANGEMELD
        self.paused_from: CaseState | None = None
        self.intake_completed = False
        self.activity_count = 0
        self.skipped = False
        self.moves: list[_Move] = []
        self.intake_left_at: int | None = None  # index of the move that first left intake
        self.visited = {S.AANGEMELD}

    @property
    def index(self) -> int:
        state = self.paused_from if self.state is S.GEPAUZEERD else self.state
        return MAIN_LINE.index(state)

    def move(self, to: CaseState, *, reason: str = "", exit_reason: ExitReason | None = None,
             exit_reason_text: str = "", placed: bool = False) -> None:
        """``placed``: the employers seed records the placement this move needs."""
        facts = CaseFacts(state=self.state, paused_from=self.paused_from,
                          intake_completed=self.intake_completed,
                          plan_activity_count=self.activity_count, has_active_placement=placed)
        transition = find_transition(self.state, to, self.paused_from)
        problems = check(facts, to, reason=reason, exit_reason=exit_reason,
                         exit_reason_text=exit_reason_text)
        if transition is None or problems:
            raise DemoSeedError(f"{self.state} → {to}: {[p.code for p in problems]}")
        self.moves.append(_Move(self.state, to, reason, exit_reason, exit_reason_text))
        if to is S.GEPAUZEERD:
            self.paused_from = self.state
        elif self.state is S.GEPAUZEERD or to is S.AFGESLOTEN:
            self.paused_from = None
        self.state = to
        self.visited.add(to)

    def forward(self, *, skip: bool = False) -> None:
        if self.state is S.INTAKE and not self.intake_completed:
            self.intake_completed = True
            self.intake_left_at = len(self.moves)
        if self.state is S.PLAN and skip and self.activity_count == 0:
            self.skipped = True
            self.move(S.BEMIDDELING)
            return
        if self.state is S.PLAN and self.activity_count == 0:
            self.activity_count = self.rng.randint(1, 3)
        self.move(MAIN_LINE[self.index + 1])

    def pause_and_resume(self) -> None:
        held = self.state
        self.move(S.GEPAUZEERD, reason=self.rng.choice(data.PAUSE_REASONS))
        self.move(held)

    def back_and_forth(self) -> None:
        previous = MAIN_LINE[self.index - 1]
        if self.skipped and previous is S.UITVOERING:
            return
        self.move(previous, reason=self.rng.choice(data.BACK_REASONS[previous]))
        self.forward()

    def walk_to(self, depth: int) -> None:
        """Move along the main line up to ``MAIN_LINE[depth]``, with the odd pause or back step."""
        skip_allowed = MAIN_LINE[depth] is S.BEMIDDELING  # plan -> bemiddeling: no training
        detours = 0
        while self.index < depth:
            chance = self.rng.random()
            if detours < 2 and chance < 0.05:
                self.pause_and_resume()
                detours += 1
            elif detours < 2 and chance < 0.13 and self.index >= 1:
                self.back_and_forth()
                detours += 1
            self.forward(skip=skip_allowed and self.rng.random() < 0.25)


# ---------------------------------------------------------------------------------------------
# Generating one case


@dataclass
class _CaseSeed:
    candidate: dict[str, Any]
    case: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    intake: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    activities: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    transfer: dict[str, Any] | None = None
    first_name: str = ""


@dataclass
class _Context:
    rng: random.Random
    faker: Faker
    today: date
    regions: list[str]
    municipalities: dict[str, list[tuple[int, str]]]
    coaches: dict[str, list[tuple[int, int]]]
    emails: set[str] = field(default_factory=set)
    closed: int = 0

    @property
    def last_day(self) -> date:
        """Everything happened before today, so no timestamp lies in the future."""
        return self.today - timedelta(days=1)

    def at(self, day: date, earliest: time = time(8, 30), latest: time = time(17, 0)) -> datetime:
        """A moment during office hours (Amsterdam time) on ``day``, in UTC."""
        start = earliest.hour * 60 + earliest.minute
        minute = self.rng.randint(start, latest.hour * 60 + latest.minute - 1)
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=clock.ZONE)
        return local.astimezone(UTC)

    # -- what this case becomes -----------------------------------------------------------------

    def case(self, index: int) -> _CaseSeed:
        rng = self.rng
        final, region = self._final_and_region(index)
        walk = _Walk(rng)
        exit_reason = None
        if final is S.AFGESLOTEN:
            exit_reason = self._exit_reason()
            walk.walk_to(rng.choice(_EXITS[exit_reason][1]))
            if exit_reason in WORK_EXITS:
                walk.move(S.GEPLAATST, placed=True)
            elif rng.random() < (0.25 if exit_reason.name.startswith("UITVAL") else 0.06):
                walk.move(S.GEPAUZEERD, reason=rng.choice(data.PAUSE_REASONS))
            text = rng.choice(data.OVERIG_TEXTS) if exit_reason is ExitReason.OVERIG else ""
            walk.move(S.AFGESLOTEN, exit_reason=exit_reason, exit_reason_text=text)
        elif final is S.GEPAUZEERD:
            walk.walk_to(rng.choice((1, 2, 3, 4, 4, 5)))
            walk.move(S.GEPAUZEERD, reason=rng.choice(data.PAUSE_REASONS))
        else:
            walk.walk_to(MAIN_LINE.index(final))
            if (final is S.BEMIDDELING and S.UITVOERING in walk.visited and not walk.skipped
                    and rng.random() < 0.15):
                walk.back_and_forth()
        return self._build(walk, region)

    def _final_and_region(self, index: int) -> tuple[CaseState, str]:
        """The first cases cover every step in every region; the rest follow the weights."""
        rng = self.rng
        states = len(REACHABLE_STATES)
        if index < states * len(self.regions):
            return REACHABLE_STATES[index % states], self.regions[index // states]
        final = rng.choices(REACHABLE_STATES, weights=_FINAL_WEIGHTS)[0]
        region = rng.choices(self.regions, weights=[_REGION_WEIGHTS[r] for r in self.regions])[0]
        return final, region

    def _exit_reason(self) -> ExitReason:
        """Every exit reason once, then by weight."""
        reasons = list(_EXITS)
        self.closed += 1
        if self.closed <= len(reasons):
            return reasons[self.closed - 1]
        return self.rng.choices(reasons, weights=[w for w, _ in _EXITS.values()])[0]

    # -- dates ------------------------------------------------------------------------------------

    def _days(self, walk: _Walk) -> list[date]:
        """The day of every event: the creation, then one per move, ending before today."""
        rng = self.rng
        gaps = []
        for move in walk.moves:
            low, high = _DWELL[move.source]
            gap = rng.randint(low, high)
            if _is_back(move):
                gap = max(1, gap // 2)
            gaps.append(gap)
        if walk.state is S.AFGESLOTEN:
            tail = rng.randint(1, max(1, HISTORY_DAYS - sum(gaps)))
        else:
            low, high = _DWELL[walk.state]
            tail = rng.randint(1, int(high * 1.4))
        total = sum(gaps) + tail
        if total > HISTORY_DAYS - 1:
            factor = (HISTORY_DAYS - 1) / total
            gaps = [max(1, int(gap * factor)) for gap in gaps]
            tail = max(1, min(int(tail * factor), HISTORY_DAYS - 1 - sum(gaps)))
        day = self.last_day - timedelta(days=sum(gaps) + tail - 1)
        days = [day]
        for gap in gaps:
            day += timedelta(days=gap)
            days.append(day)
        return days

    # -- rows -------------------------------------------------------------------------------------

    def _build(self, walk: _Walk, region: str) -> _CaseSeed:
        rng = self.rng
        coach_ids = [coach_id for coach_id, _ in self.coaches[region]]
        coach_id = rng.choices(coach_ids, weights=[w for _, w in self.coaches[region]])[0]
        days = self._days(walk)
        stamps = [self.at(day) for day in days]
        candidate, first_name = self._candidate(region, stamps[0])
        self._with_search_text(candidate)
        sector = rng.choice(list(data.SECTORS))
        if region == "FV" and rng.random() < 0.3:
            sector = "groen en voedsel"
        occupation = rng.choice(data.SECTORS[sector])
        words = {"first": first_name, "sector": sector, "occupation": occupation,
                 "referrer": data.REFERRER_PHRASES[candidate["referral_partner"].value]}

        events = [dict(region_code=region, at=stamps[0], user_id=coach_id, from_status=None,
                       to_status=S.AANGEMELD, reason="", exit_reason=None)]
        for move, stamp in zip(walk.moves, stamps[1:], strict=True):
            events.append(dict(region_code=region, at=stamp, user_id=coach_id,
                               from_status=move.source, to_status=move.target,
                               reason=move.reason, exit_reason=move.exit_reason))
        last = walk.moves[-1] if walk.moves else None
        closed = walk.state is S.AFGESLOTEN
        case = dict(
            region_code=region, coach_id=coach_id, status=walk.state,
            paused_from=walk.paused_from, opened_on=days[0],
            closed_on=days[-1] if closed else None,
            exit_reason=last.exit_reason if closed and last else None,
            exit_reason_text=last.exit_reason_text if closed and last else "",
            status_since=stamps[-1], created_at=stamps[0], updated_at=stamps[-1],
        )
        seed = _CaseSeed(candidate=candidate, case=case, events=events, first_name=first_name)
        self._intake(seed, walk, stamps, words)
        self._plan(seed, walk, days, stamps, words)
        self._notes(seed, walk, days, coach_id, words)
        self._tasks(seed, walk, days, coach_id)
        self._consent(seed, walk, days, coach_id)
        return seed

    def _candidate(self, region: str, created_at: datetime) -> tuple[dict[str, Any], str]:
        rng, faker = self.rng, self.faker
        municipality_id, municipality = rng.choices(
            self.municipalities[region],
            weights=[data.POSTCODE_AREAS.get(name, ((), 10))[1]
                     for _, name in self.municipalities[region]])[0]
        first_name = faker.first_name()
        prefix, last_name = _split_prefix(faker.last_name())
        group = rng.choices(list(_TARGET_GROUPS), weights=list(_TARGET_GROUPS.values()))[0]
        young = group is TargetGroup.ZONDER_STARTKWALIFICATIE
        age = rng.randint(18, 45) if young else rng.randint(21, 64)
        birth_date = clock.local_date(created_at) - timedelta(days=age * 365 + rng.randint(0, 364))
        if young:
            education, startkwalificatie = rng.choice(_WITHOUT_SK), False
        else:
            education = rng.choice((*_WITH_SK, *_WITHOUT_SK[:3]))
            startkwalificatie = education in _WITH_SK
        work_status, benefit = _work_and_benefit(rng, group)
        referrer = rng.choice(_REFERRERS[group])
        if benefit is Benefit.BIJSTAND and rng.random() < 0.6:
            referrer = ReferralPartner.GEMEENTE
        return dict(
            first_name=first_name, name_prefix=prefix, last_name=last_name,
            birth_date=birth_date, email=self._email(first_name, prefix, last_name, birth_date),
            phone=self._phone(region), postcode=self._postcode(region, municipality),
            municipality_id=municipality_id, education_level=education,
            has_startkwalificatie=startkwalificatie, work_status=work_status, benefit=benefit,
            # Wajong recipients are in the doelgroepregister (no draw: the sequence stays).
            banenafspraak=benefit is Benefit.WAJONG,
            target_group=group, referral_partner=referrer, created_at=created_at,
            anonymised_at=None,
        ), first_name

    @staticmethod
    def _with_search_text(candidate: dict[str, Any]) -> dict[str, Any]:
        candidate["search_text"] = search.search_text_of(
            candidate["first_name"], candidate["name_prefix"], candidate["last_name"],
            candidate["email"], candidate["phone"])
        return candidate

    def _email(self, first: str, prefix: str, last: str, birth_date: date) -> str:
        styles = (f"{first}.{prefix}{last}", f"{first[0]}{prefix}{last}",
                  f"{first}{birth_date:%y}", f"{first}.{last}{birth_date:%Y}")
        local = _ascii(self.rng.choice(styles))
        email = f"{local}@{DEMO_DOMAIN}"
        number = 2
        while email in self.emails:
            email = f"{local}{number}@{DEMO_DOMAIN}"
            number += 1
        self.emails.add(email)
        return email

    def _phone(self, region: str) -> str:
        if self.rng.random() < 0.1:
            area = data.REGION_AREA_CODES[region]
            return area + "".join(str(self.rng.randint(0, 9)) for _ in range(10 - len(area)))
        return "06" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def _postcode(self, region: str, municipality: str) -> str:
        areas = data.POSTCODE_AREAS.get(municipality, (data.REGION_POSTCODE_AREAS[region], 0))[0]
        while True:
            letters = "".join(self.rng.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
            code = f"{self.rng.choice(areas)}{letters}"
            if nl_postcode.is_valid(code):  # SA, SD and SS are never used
                return nl_postcode.validate(code)

    def _intake(self, seed: _CaseSeed, walk: _Walk, stamps: list[datetime],
                words: dict[str, str]) -> None:
        rng = self.rng
        if S.INTAKE not in walk.visited:
            return
        completed_at = None
        if walk.intake_left_at is not None:
            left = walk.intake_left_at + 1  # events[0] is the creation
            entered = max(i for i in range(left) if seed.events[i]["to_status"] is S.INTAKE)
            start, end = clock.local_date(stamps[entered]), clock.local_date(stamps[left])
            stamp = self.at(start + timedelta(days=rng.randint(0, (end - start).days)))
            completed_at = min(max(stamp, stamps[entered] + timedelta(minutes=30)),
                               stamps[left] - timedelta(minutes=30))
        elif rng.random() < 0.5:
            return  # still in intake, nothing written yet
        person = seed.candidate
        group = person["target_group"]
        age = (clock.local_date(stamps[0]) - person["birth_date"]).days // 365
        years = rng.randint(1, max(1, min(25, age - 18)))
        job, employer = rng.choice(data.FORMER_WORK)
        if group is TargetGroup.ZZP:
            history = f"{years} jaar zelfstandig {rng.choice(data.ZZP_TRADES)}."
        else:
            history = f"{years} jaar {job} bij {employer}."
        if years > 5 and rng.random() < 0.5:
            history += f" Daarvoor {rng.choice(data.FORMER_WORK)[0]}."
        seed.intake = dict(
            motivation=rng.choice(data.MOTIVATIONS[group.value]), wishes=rng.choice(data.WISHES),
            obstacles=rng.choice(data.OBSTACLES), work_history=history,
            preferred_sectors=words["sector"], completed_at=completed_at,
            # Coded from the last job as the data migration would; a zzp trade the keywords
            # do not know stays "sector nog kiezen".
            origin_sector=section_from_text(history.split(".")[0]),
            updated_at=completed_at or stamps[-1],
        )

    def _plan(self, seed: _CaseSeed, walk: _Walk, days: list[date], stamps: list[datetime],
              words: dict[str, str]) -> None:
        rng = self.rng
        if S.PLAN not in walk.visited:
            return
        entered = next(i for i, e in enumerate(seed.events) if e["to_status"] is S.PLAN)
        seed.plan = dict(goal=rng.choice(data.GOALS).format(**words),
                         target_sector=words["sector"], target_occupation=words["occupation"],
                         target_section=section_from_text(words["sector"]),
                         updated_at=stamps[entered] + timedelta(hours=1))
        count = walk.activity_count
        if count == 0 and walk.state is S.PLAN and rng.random() < 0.6:
            count = rng.randint(1, 2)  # being drawn up, not started yet
        last_step = _last_main_step(walk)
        # Activities done before the case left uitvoering are due before that day.
        left = next((days[i] for i, e in enumerate(seed.events)
                     if e["from_status"] is S.UITVOERING and e["to_status"] is S.BEMIDDELING),
                    None)
        for text, service_code, partner_name in rng.sample(data.ACTIVITIES, count):
            due = days[entered] + timedelta(days=rng.randint(20, 150))
            if S.UITVOERING not in walk.visited:
                status = ActivityStatus.GEPLAND
            elif last_step in (S.PLAN, S.UITVOERING):  # under way
                status = (rng.choice((ActivityStatus.AFGEROND, ActivityStatus.AFGEROND,
                                      ActivityStatus.BEZIG)) if due < self.today
                          else rng.choice((ActivityStatus.BEZIG, ActivityStatus.GEPLAND)))
            else:
                status = (ActivityStatus.GESTOPT if rng.random() < 0.1
                          else ActivityStatus.AFGEROND)
                if left is not None:
                    start = days[entered] + timedelta(days=1)
                    due = start + timedelta(days=rng.randint(0, max(0, (left - start).days)))
            seed.activities.append(dict(description=text.format(**words), status=status,
                                        due_on=due, service_code=service_code,
                                        partner_name=partner_name))

    def _notes(self, seed: _CaseSeed, walk: _Walk, days: list[date], coach_id: int,
               words: dict[str, str]) -> None:
        rng = self.rng
        end = days[-1] if walk.state is S.AFGESLOTEN else self.last_day
        span = (end - days[0]).days
        count = rng.randint(0, 1) if walk.state is S.AANGEMELD else rng.randint(
            1, min(8, 2 + len(walk.moves)))
        note_days = sorted(days[0] + timedelta(days=rng.randint(0, span)) for _ in range(count))
        used: set[str] = set()
        for day in note_days:
            options = data.NOTES[_state_on(seed.events, days, day)]
            kind, text = rng.choice([o for o in options if o[1] not in used] or options)
            used.add(text)
            seed.notes.append(self._note(coach_id, day, kind, text.format(**words)))
        if walk.state is S.AFGESLOTEN:
            reason = seed.case["exit_reason"]
            kind = rng.choice((NoteKind.GESPREK, NoteKind.TELEFOON, NoteKind.NOTITIE))
            seed.notes.append(self._note(coach_id, end, kind,
                                         data.CLOSING_NOTES[reason].format(**words)))

    def _note(self, author_id: int, day: date, kind: NoteKind, text: str) -> dict[str, Any]:
        return dict(author_id=author_id, contact_on=day, kind=kind, text=text,
                    created_at=self.at(day, time(9, 0), time(18, 0)))

    def _tasks(self, seed: _CaseSeed, walk: _Walk, days: list[date], coach_id: int) -> None:
        rng = self.rng
        since = days[-1]
        for _ in range(rng.randint(0, 2)):  # done earlier
            day = days[0] + timedelta(days=rng.randint(0, (since - days[0]).days))
            state = _state_on(seed.events, days, day)
            done = min(day + timedelta(days=rng.randint(0, 10)), self.last_day)
            seed.tasks.append(self._task(coach_id, rng.choice(data.TASKS[state]), day,
                                         created_on=max(days[0], day - timedelta(days=7)),
                                         done_on=done))
        if walk.state is S.AFGESLOTEN:
            return
        if walk.state is S.GEPAUZEERD:
            due = since + timedelta(days=rng.randint(21, 60))  # may well be overdue by now
        else:
            due = self.today + timedelta(days=rng.randint(-12, 21))
        created = max(days[0], min(due - timedelta(days=rng.randint(3, 14)), self.last_day))
        seed.tasks.append(self._task(coach_id, rng.choice(data.TASKS[walk.state]), due,
                                     created_on=created, done_on=None))

    def _task(self, owner_id: int, title: str, due: date, *, created_on: date,
              done_on: date | None) -> dict[str, Any]:
        return dict(owner_id=owner_id, title=title, due_on=due, created_by_id=owner_id,
                    created_at=self.at(created_on),
                    done_at=self.at(done_on, time(17, 0), time(19, 0)) if done_on else None)

    def _consent(self, seed: _CaseSeed, walk: _Walk, days: list[date], coach_id: int) -> None:
        rng = self.rng
        if S.DIAGNOSE not in walk.visited or rng.random() > 0.45:
            return
        entered = next(i for i, e in enumerate(seed.events) if e["to_status"] is S.DIAGNOSE)
        end = days[-1] if walk.state is S.AFGESLOTEN else self.last_day
        given = min(days[entered] + timedelta(days=rng.randint(0, 20)), end)
        revoked = None
        if walk.state is not S.AFGESLOTEN and rng.random() < 0.15 and (end - given).days > 7:
            revoked = given + timedelta(days=rng.randint(7, (end - given).days))
        seed.consents.append(dict(
            purpose=ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS, given_on=given,
            revoked_on=revoked, recorded_by_id=coach_id,
            revoked_by_id=coach_id if revoked else None, created_at=self.at(given)))

    def add_transfers(self, seeds: Sequence[_CaseSeed], count: int) -> None:
        """Pending transfer requests for ``count`` open cases (the person is moving)."""
        rng = self.rng
        open_seeds = [s for s in seeds if s.case["status"] not in (S.AFGESLOTEN, S.GEPAUZEERD)]
        for seed in rng.sample(open_seeds, min(count, len(open_seeds))):
            source = seed.case["region_code"]
            targets = [r for r in data.NEIGHBOUR_REGIONS[source] if r in self.municipalities]
            if not targets:
                continue
            target = rng.choice(targets)
            _, town = rng.choice(self.municipalities[target])
            day = max(clock.local_date(seed.case["status_since"]),
                      self.last_day - timedelta(days=10))
            seed.transfer = dict(
                from_region_code=source, to_region_code=target, status=TransferStatus.REQUESTED,
                reason=f"{seed.first_name} verhuist naar {town}; begeleiding daar voortzetten.",
                requested_by_id=seed.case["coach_id"],
                requested_at=max(seed.case["status_since"] + timedelta(minutes=5),
                                 self.at(day)),
                decided_by_id=None, decided_at=None, decision_note="", new_coach_id=None)


# ---------------------------------------------------------------------------------------------
# Helpers


def _municipalities() -> dict[str, list[tuple[int, str]]]:
    rows = db.session.execute(
        sa.select(Municipality.id, Municipality.name, Municipality.region_code)
        .order_by(Municipality.id)).all()
    result: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        result.setdefault(row.region_code, []).append((row.id, row.name))
    return result


def _split_prefix(last_name: str) -> tuple[str, str]:
    """'van der Berg' -> ('van der', 'Berg'): the tussenvoegsel goes in its own field."""
    words = last_name.split()
    prefix: list[str] = []
    while len(words) > 1 and words[0].lower() in _PREFIX_WORDS:
        prefix.append(words.pop(0))
    return " ".join(prefix), " ".join(words)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == ".")


def _work_and_benefit(rng: random.Random, group: TargetGroup) -> tuple[WorkStatus, Benefit]:
    if group is TargetGroup.WERKZOEKENDEN:
        benefit = rng.choices((Benefit.WW, Benefit.BIJSTAND, Benefit.GEEN, Benefit.WIA,
                               Benefit.WAJONG), weights=(50, 33, 10, 4, 3))[0]
        return WorkStatus.WERKZOEKEND, benefit
    if group is TargetGroup.ZZP:
        return WorkStatus.ZZP, rng.choices((Benefit.GEEN, Benefit.OVERIG),
                                           weights=(85, 15))[0]
    if group is TargetGroup.UITZENDKRACHTEN:
        return WorkStatus.UITZENDKRACHT, rng.choices((Benefit.GEEN, Benefit.WW),
                                                     weights=(85, 15))[0]
    status = rng.choices((WorkStatus.WERKEND, WorkStatus.WERK_BEDREIGD), weights=(55, 45))[0]
    return status, rng.choices((Benefit.GEEN, Benefit.WIA, Benefit.ANW), weights=(90, 6, 4))[0]


def _is_back(move: _Move) -> bool:
    return (move.source in MAIN_LINE and move.target in MAIN_LINE
            and MAIN_LINE.index(move.target) < MAIN_LINE.index(move.source))


def _last_main_step(walk: _Walk) -> CaseState:
    """The last main-line step the case was in (before a pause or the closing)."""
    if walk.state not in (S.GEPAUZEERD, S.AFGESLOTEN):
        return walk.state
    if walk.state is S.GEPAUZEERD and walk.paused_from is not None:
        return walk.paused_from
    sources = [m.source for m in walk.moves if m.source not in (S.GEPAUZEERD, S.AFGESLOTEN)]
    return sources[-1] if sources else S.AANGEMELD


def _state_on(events: list[dict[str, Any]], days: list[date], day: date) -> CaseState:
    """The step the case was in on ``day`` (the step before closing, on the closing day)."""
    state = S.AANGEMELD
    for event, event_day in zip(events, days, strict=True):
        if event_day > day:
            break
        state = event["to_status"] if event["to_status"] is not S.AFGESLOTEN else state
    return state


def _bulk_insert(model: type) -> sa.Insert:
    # render_nulls: otherwise the ORM groups rows by which values are None, one INSERT per group.
    return sa.insert(model).execution_options(render_nulls=True)


def _insert_and_read_ids(model: Any, rows: list[dict[str, Any]], key: str) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order, matched on ``key``."""
    session = db.session
    before = session.scalar(sa.select(sa.func.max(model.id))) or 0
    session.execute(_bulk_insert(model), rows)
    ids = dict(session.execute(
        sa.select(getattr(model, key), model.id).where(model.id > before)).all())
    return [ids[row[key]] for row in rows]


def _insert(seeds: list[_CaseSeed], summary: SeedSummary) -> None:
    """Bulk-insert one chunk: one multi-row INSERT per table, whatever the chunk size.

    The new ids are read back by their unique key within the chunk (candidate e-mail, case
    candidate) rather than with ``RETURNING ... sort_by_parameter_order``, which SQLite can only
    honour one row per statement.
    """
    if not seeds:
        return
    session = db.session
    candidate_ids = _insert_and_read_ids(Candidate, [seed.candidate for seed in seeds], "email")
    case_ids = _insert_and_read_ids(
        Case, [{**seed.case, **sort_names(seed.candidate), "candidate_id": cid}
               for seed, cid in zip(seeds, candidate_ids, strict=True)], "candidate_id")
    services = dict(session.execute(sa.select(ServiceType.code, ServiceType.id)).all())
    partners = dict(session.execute(sa.select(DeliveryPartner.name, DeliveryPartner.id)).all())
    rows: dict[type, list[dict[str, Any]]] = {
        CaseEvent: [], Intake: [], Plan: [], PlanActivity: [], Note: [], Task: [],
        Consent: [], CaseTransfer: []}
    for seed, case_id, candidate_id in zip(seeds, case_ids, candidate_ids, strict=True):
        rows[CaseEvent] += [{**row, "case_id": case_id} for row in seed.events]
        if seed.intake:
            rows[Intake].append({**seed.intake, "case_id": case_id})
        if seed.plan:
            rows[Plan].append({**seed.plan, "case_id": case_id})
        rows[PlanActivity] += [_coded(row, case_id, services, partners)
                               for row in seed.activities]
        rows[Note] += [{**row, "case_id": case_id} for row in seed.notes]
        rows[Task] += [{**row, "case_id": case_id} for row in seed.tasks]
        rows[Consent] += [{**row, "candidate_id": candidate_id} for row in seed.consents]
        if seed.transfer:
            rows[CaseTransfer].append({**seed.transfer, "case_id": case_id})
    for model, model_rows in rows.items():
        if model_rows:
            session.execute(_bulk_insert(model), model_rows)
    summary.cases += len(seeds)
    summary.events += len(rows[CaseEvent])
    summary.notes += len(rows[Note])
    summary.tasks += len(rows[Task])
    summary.activities += len(rows[PlanActivity])
    summary.consents += len(rows[Consent])
    summary.transfers += len(rows[CaseTransfer])


def _coded(row: dict[str, Any], case_id: int, services: dict[str, int],
           partners: dict[str, int]) -> dict[str, Any]:
    """A seeded activity with the ids of its service type and partner (found by code and name;
    a renamed partner leaves it empty, an unknown service type makes it "overig")."""
    values = {k: v for k, v in row.items() if k not in ("service_code", "partner_name")}
    return {**values, "case_id": case_id,
            "service_type_id": services.get(row["service_code"], services[OTHER_SERVICE_CODE]),
            "partner_id": partners.get(row["partner_name"])}
