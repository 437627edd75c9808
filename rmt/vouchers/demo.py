"""Demo training providers, budgets and vouchers for ``flask --app rmt demo seed``.

Runs after the cases seed: budgets for every region for this year and last year, and vouchers
in every status on open demo cases. Every voucher goes through :mod:`rmt.vouchers.service`
(requested by the case's coach, decided by the region's demo coordinator, four eyes), with
backdated moments, so the history, the audit trail and the budget figures are exactly what the
application itself would have written. Idempotent: providers and budgets are added when missing,
vouchers only when no demo case has one yet. Does not commit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from rmt import clock
from rmt.auth import service as auth_service
from rmt.auth.models import User
from rmt.cases.models import Candidate, Case
from rmt.extensions import db
from rmt.process import CaseState
from rmt.regions import REGION_CODES
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider, Voucher

DEMO_DOMAIN = "demo.rmt.test"
DEMO_RANDOM_SEED = 20261125

#: Fictitious providers; the KvK numbers start with 9 and are not meant to exist.
PROVIDERS: tuple[tuple[str, str, str, str], ...] = (
    ("Techniekacademie Midden-Nederland", "90000011", "Karin Bos", "030 2345678"),
    ("Zorgopleidingen Eemland", "90000022", "Ahmed Bakkali", "033 4567890"),
    ("Logistiek Leerhuis Foodvalley", "90000033", "Ingrid Wolters", "0318 567890"),
    ("Installatiewerk Opleidingen Gooi", "90000044", "Pieter Kramer", "035 6789012"),
    ("Digitaal Vakmanschap Utrecht", "90000055", "Mila Verhoeven", "030 3456789"),
    ("Kinderopvang Vakschool", "90000066", "Sara Hendriks", "033 5678901"),
    ("Bouw & Infra Scholing", "90000077", "Tom de Graaf", "0318 678901"),
    ("Taal en Werk Centrum", "90000088", "Lisa Ouali", "035 7890123"),
)

COURSES: tuple[tuple[str, int, int], ...] = (
    # course, typical amount in euros, duration in days
    ("Monteur elektrotechnische installaties (mbo 2)", 3800, 240),
    ("Helpende zorg en welzijn (mbo 2)", 2900, 300),
    ("Heftruckcertificaat en orderpicken", 650, 10),
    ("VCA basisveiligheid", 295, 2),
    ("Pedagogisch medewerker kinderopvang (mbo 3)", 4200, 330),
    ("Allround loodgieter", 3100, 180),
    ("Front-end developer (bootcamp)", 4500, 120),
    ("Vrachtwagenchauffeur rijbewijs C met code 95", 4400, 90),
    ("Nederlands op de werkvloer (B1)", 900, 60),
    ("Medewerker logistiek (mbo 2)", 2400, 200),
)

#: Budgets per region: (funding source, amount in euros this year, max per voucher in euros).
BUDGETS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "MU": (("RMT-budget", 250_000, 5_000), ("Gemeente", 80_000, 3_000), ("ESF", 120_000, 7_500)),
    "AM": (("RMT-budget", 150_000, 5_000), ("O&O-fonds", 60_000, 4_000)),
    "GV": (("RMT-budget", 120_000, 5_000), ("Gemeente", 40_000, 2_500)),
    "FV": (("RMT-budget", 180_000, 5_000), ("O&O-fonds", 90_000, 4_500), ("ESF", 60_000, 7_500)),
}

S = VoucherStatus
#: The path to reach each final status, after the request.
PATHS: dict[VoucherStatus, tuple[VoucherStatus, ...]] = {
    S.AANGEVRAAGD: (),
    S.AFGEWEZEN: (S.AFGEWEZEN,),
    S.TOEGEKEND: (S.TOEGEKEND,),
    S.INGETROKKEN: (S.TOEGEKEND, S.INGETROKKEN),
    S.GESTART: (S.TOEGEKEND, S.GESTART),
    S.AFGEROND: (S.TOEGEKEND, S.GESTART, S.AFGEROND),
    S.AFGEBROKEN: (S.TOEGEKEND, S.GESTART, S.AFGEBROKEN),
    S.GEDECLAREERD: (S.TOEGEKEND, S.GESTART, S.AFGEROND, S.GEDECLAREERD),
    S.BETAALD: (S.TOEGEKEND, S.GESTART, S.AFGEROND, S.GEDECLAREERD, S.BETAALD),
}
#: Final statuses of this year's and last year's demo vouchers, per region (every status occurs).
THIS_YEAR = (S.AANGEVRAAGD, S.AANGEVRAAGD, S.AANGEVRAAGD, S.TOEGEKEND, S.TOEGEKEND, S.AFGEWEZEN,
             S.GESTART, S.GESTART, S.INGETROKKEN, S.AFGEROND, S.AFGEBROKEN, S.GEDECLAREERD,
             S.BETAALD, S.BETAALD)
LAST_YEAR = (S.BETAALD, S.BETAALD, S.BETAALD, S.BETAALD, S.AFGEWEZEN, S.INGETROKKEN,
             S.GEDECLAREERD, S.AFGEBROKEN)
NOTES = {
    S.AFGEWEZEN: "Opleiding sluit niet aan op het trajectplan; eerst oriëntatie op de sector.",
    S.INGETROKKEN: "Kandidaat heeft zelf werk gevonden met opleiding via de werkgever.",
    S.AFGEBROKEN: "Kandidaat gestopt om gezondheidsredenen; opleider factureert naar rato.",
}


@dataclass
class VoucherSeedSummary:
    providers: int = 0
    budgets: int = 0
    vouchers: int = 0

    def text(self) -> str:
        return (f"{self.providers} opleiders, {self.budgets} budgetten, "
                f"{self.vouchers} vouchers aangemaakt")


def seed_vouchers(today: date | None = None, rng: random.Random | None = None
                  ) -> VoucherSeedSummary:
    """Add what is missing of the demo vouchers data; the caller commits."""
    today = today or clock.today()
    rng = rng or random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - demo data, not secrets
    summary = VoucherSeedSummary()
    admin = auth_service.find_user_by_email(f"admin@{DEMO_DOMAIN}")
    summary.providers = _ensure_providers(admin)
    summary.budgets = _ensure_budgets(today, admin)
    if not _demo_vouchers_exist():
        summary.vouchers = _insert_vouchers(rng, today)
    return summary


def _ensure_providers(admin: User | None) -> int:
    created = 0
    for name, kvk, contact, phone in PROVIDERS:
        if db.session.scalar(sa.select(TrainingProvider.id).where(
                TrainingProvider.kvk_number == kvk)) is not None:
            continue
        email = "info@" + "".join(c for c in name.lower() if c.isalnum())[:20] + ".example"
        provider = TrainingProvider(name=name, kvk_number=kvk, contact_name=contact,
                                    contact_email=email, contact_phone=phone.replace(" ", ""))
        db.session.add(provider)
        created += 1
    db.session.flush()
    return created


def _source(name: str) -> FundingSource:
    source = db.session.scalar(sa.select(FundingSource).where(FundingSource.name == name))
    if source is None:  # renamed or removed by the admin: add it back for the demo
        source = FundingSource(name=name, active=True)
        db.session.add(source)
        db.session.flush()
    return source


def _ensure_budgets(today: date, admin: User | None) -> int:
    created = 0
    for code in REGION_CODES:
        for source_name, amount, maximum in BUDGETS[code]:
            source = _source(source_name)
            for year, factor in ((today.year, 1.0), (today.year - 1, 0.8)):
                exists = db.session.scalar(sa.select(Budget.id).where(
                    Budget.region_code == code, Budget.funding_source_id == source.id,
                    Budget.year == year))
                if exists is not None:
                    continue
                db.session.add(Budget(
                    region_code=code, funding_source=source, year=year,
                    amount_cents=int(amount * factor) * 100, max_per_voucher_cents=maximum * 100,
                    created_by_id=admin.id if admin else None))
                created += 1
    db.session.flush()
    return created


def _demo_vouchers_exist() -> bool:
    return db.session.scalar(
        sa.select(Voucher.id).join(Case, Voucher.case_id == Case.id)
        .join(Candidate, Case.candidate_id == Candidate.id)
        .where(Candidate.email.like(f"%@{DEMO_DOMAIN}")).limit(1)) is not None


def _at(day: date, rng: random.Random, now: datetime) -> datetime:
    moment = datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=UTC)
    return min(moment, now)


def _insert_vouchers(rng: random.Random, today: date) -> int:
    now = clock.now()
    if today < clock.local_date(now):  # a fixed 'today' in the past (tests): stay before it
        now = datetime.combine(today, time(17, 0), tzinfo=UTC)
    providers = list(db.session.scalars(sa.select(TrainingProvider).where(
        TrainingProvider.kvk_number.in_([p[1] for p in PROVIDERS])).order_by(
        TrainingProvider.kvk_number)))
    created = 0
    for code in REGION_CODES:
        coordinator = auth_service.find_user_by_email(f"coordinator.{code.lower()}@{DEMO_DOMAIN}")
        if coordinator is None or not providers:
            continue
        # Open cases past the intake, and closed ones (a voucher from before the closing).
        cases = list(db.session.scalars(
            sa.select(Case).join(Candidate, Case.candidate_id == Candidate.id)
            .where(Case.region_code == code, Case.status.not_in([
                CaseState.AANGEMELD, CaseState.INTAKE, CaseState.DIAGNOSE]),
                Candidate.email.like(f"%@{DEMO_DOMAIN}"))
            .order_by(Case.opened_on, Case.id)))
        used: list[Case] = []
        # Only the demo's own budgets: a region's other budgets are real money.
        demo_sources = {name for name, _amount, _maximum in BUDGETS[code]}
        budgets = {(b.year, b.funding_source.name): b for b in db.session.scalars(
            sa.select(Budget).where(Budget.region_code == code))
            if b.funding_source.name in demo_sources}
        # This year's first: they need open cases, last year's may also go to closed ones.
        plan = [(today.year, status) for status in THIS_YEAR] + [
            (today.year - 1, status) for status in LAST_YEAR]
        for year, status in plan:
            start = date(year, 1, 10) if year < today.year else date(year, 1, 1)
            end = date(year, 9, 30) if year < today.year else today
            # This year's open vouchers go to open cases; a closed case gets a voucher that
            # was decided and finished well before the closing.
            def fits(c: Case, year: int = year, start: date = start, end: date = end,
                     status: VoucherStatus = status) -> bool:
                return c.opened_on <= end and c.coach.active and (
                    c.closed_on is None if year == today.year else
                    c.closed_on is None or c.closed_on > max(start, c.opened_on) + timedelta(
                        days=_days_needed(status, min(COURSES, key=lambda r: r[2])) + 10))

            # A case without a voucher yet; when a small region has none left, a second
            # voucher for a case that has one.
            eligible = [c for c in cases if fits(c)] or [c for c in used if fits(c)]
            if not eligible:
                continue
            case = eligible[rng.randrange(len(eligible))]
            if case in cases:
                cases.remove(case)
                used.append(case)
            sources = [name for (y, name) in budgets if y == year]
            budget = budgets[(year, rng.choice(sorted(sources)))]
            first = max(start, case.opened_on)
            last = min(end, case.closed_on - timedelta(days=10)) if case.closed_on else end
            course = _course_for(rng, status, first, last)
            latest = max(first, last - timedelta(days=_days_needed(status, course)))
            request_day = first + timedelta(days=rng.randint(0, (latest - first).days))
            # Every third voucher is co-funded by another budget of the year (medefinanciering).
            others = sorted((b for (y, _), b in budgets.items()
                             if y == year and b.id != budget.id), key=lambda b: b.id)
            co_budget = others[0] if others and created % 3 == 1 else None
            _one_voucher(rng, case, budget, providers, coordinator, status, course,
                         _at(request_day, rng, now), now, co_budget=co_budget)
            created += 1
    return created


def _days_needed(status: VoucherStatus, course: tuple[str, int, int]) -> int:
    """Days from request to the final status, so the history does not run into the future."""
    path = PATHS[status]
    days = 7
    if S.GESTART in path:
        days = 45
    if S.AFGEROND in path:
        days += course[2]
    elif S.AFGEBROKEN in path:
        days += course[2] // 3 + 1
    if S.GEDECLAREERD in path:
        days += 30
    if S.BETAALD in path:
        days += 30
    return days


def _course_for(rng: random.Random, status: VoucherStatus, first: date, last: date
                ) -> tuple[str, int, int]:
    """A random course that fits between ``first`` and ``last``; else the shortest."""
    room = (last - first).days
    fitting = [c for c in COURSES if _days_needed(status, c) <= room]
    if not fitting:
        return min(COURSES, key=lambda c: c[2])
    return fitting[rng.randrange(len(fitting))]


def _one_voucher(rng: random.Random, case: Case, budget: Budget,
                 providers: list[TrainingProvider], coordinator: User, status: VoucherStatus,
                 course_row: tuple[str, int, int], requested_at: datetime,
                 now: datetime, co_budget: Budget | None = None) -> Voucher:
    course, euros, days = course_row
    amount = min(budget.max_per_voucher_cents, round(euros * rng.uniform(0.85, 1.15) / 5) * 500)
    co_funding = []
    if co_budget is not None:  # 40% from the co-funder, in whole euros
        share = min(co_budget.max_per_voucher_cents, amount * 40 // 100 // 100 * 100)
        if 0 < share < amount:
            co_funding = [{"budget_id": co_budget.id, "amount_cents": share}]
    start_on = clock.local_date(requested_at) + timedelta(days=rng.randint(14, 45))
    end_on = start_on + timedelta(days=days)
    voucher = service.request_voucher(
        case.coach, case, budget_id=budget.id, provider_id=rng.choice(providers).id,
        course_name=course, start_on=start_on, end_on=end_on, amount_cents=amount,
        motivation="Past bij het trajectplan: de kandidaat wil overstappen naar een sector met "
                   "vraag naar personeel, en de opleiding leidt tot een erkend diploma of "
                   "certificaat.",
        co_funding=co_funding, at=requested_at)
    moment = requested_at
    for target in PATHS[status]:
        if target in (S.TOEGEKEND, S.AFGEWEZEN):
            moment = moment + timedelta(days=rng.randint(1, 6))
            # The decision stays in the budget year (the rule checks the year on that day).
            moment = min(moment, datetime(budget.year, 12, 31, 12, tzinfo=UTC), now)
            who = coordinator
        elif target == S.GESTART:
            moment = max(moment, datetime.combine(start_on, time(9), tzinfo=UTC))
            who = case.coach
        elif target in (S.AFGEROND, S.AFGEBROKEN):
            done = end_on if target == S.AFGEROND else start_on + timedelta(days=days // 3 + 1)
            moment = max(moment, datetime.combine(done, time(15), tzinfo=UTC))
            who = case.coach
        elif target == S.INGETROKKEN:
            moment = moment + timedelta(days=rng.randint(3, 20))
            who = case.coach
        else:  # gedeclareerd, betaald
            moment = moment + timedelta(days=rng.randint(7, 30))
            who = coordinator
        moment = min(moment, now)
        declared = None
        if target == S.GEDECLAREERD:
            declared = voucher.amount_cents if voucher.status == S.AFGEROND else max(
                100, voucher.amount_cents // 200 * 100)
        service.advance(who, voucher, target, note=NOTES.get(target, ""),
                        invoice_number=f"F{budget.year}-{voucher.id:05d}"
                        if target == S.GEDECLAREERD else "",
                        declared_amount_cents=declared, at=moment)
    return voucher
