"""A small known history: seven cases with pauses, a backward step, a transfer, skips and
cases still open, written as CaseEvent rows with explicit timestamps.

Period used by the tests: 1 January up to and including 30 June 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from rmt.cases.models import Case, CaseEvent
from rmt.extensions import db
from rmt.process import CaseState
from rmt.stats.service import Period
from tests.factories import CandidateFactory, UserFactory

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))


def at(day: str, hour: int = 12) -> datetime:
    """Noon UTC on an ISO date: the same calendar day in the Netherlands."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def write_case(coach, steps: list[tuple], *, target_group: str = "werkzoekenden",
               referral_partner: str = "uwv") -> Case:
    """``steps``: (iso day, to_status, region[, exit_reason]); the first is the registration."""
    candidate = CandidateFactory(target_group=target_group, referral_partner=referral_partner)
    first_day = steps[0][0]
    last = steps[-1]
    case = Case(candidate=candidate, region_code=last[2], coach=coach,
                status=CaseState(last[1]), opened_on=date.fromisoformat(first_day),
                closed_on=date.fromisoformat(last[0]) if last[1] == "afgesloten" else None,
                exit_reason=last[3] if len(last) > 3 else None)
    db.session.add(case)
    previous = None
    for step in steps:
        day, to, region = step[:3]
        db.session.add(CaseEvent(case=case, region_code=region, at=at(day), from_status=previous,
                                 to_status=to, exit_reason=step[3] if len(step) > 3 else None,
                                 user_id=coach.id))
        previous = to
    db.session.flush()
    return case


@dataclass
class History:
    c1: object
    c2: object
    c3: object
    cases: dict[str, Case]


@pytest.fixture
def history() -> History:
    c1 = UserFactory(role="coach", regions=["MU"], name="Anna Coach")
    c2 = UserFactory(role="coach", regions=["MU"], name="Bert Coach")
    c3 = UserFactory(role="coach", regions=["AM"], name="Carla Coach")
    cases = {}
    cases["A"] = write_case(c1, [
        ("2026-01-05", "aangemeld", "MU"), ("2026-01-10", "intake", "MU"),
        ("2026-01-20", "diagnose", "MU"), ("2026-02-01", "plan", "MU"),
        ("2026-02-11", "uitvoering", "MU"), ("2026-03-01", "bemiddeling", "MU"),
        ("2026-03-21", "geplaatst", "MU"), ("2026-04-01", "nazorg", "MU"),
        ("2026-05-01", "afgesloten", "MU", "werk_loondienst")])
    # A pause (resumed), a backward step, still open.
    cases["B"] = write_case(c1, [
        ("2026-01-15", "aangemeld", "MU"), ("2026-01-25", "intake", "MU"),
        ("2026-02-08", "gepauzeerd", "MU"), ("2026-02-14", "intake", "MU"),
        ("2026-02-24", "diagnose", "MU"), ("2026-03-06", "intake", "MU"),
        ("2026-03-16", "diagnose", "MU")], target_group="werkenden",
        referral_partner="gemeente")
    # Registered in MU, transferred to AM while in intake (a same-step event), closed in AM.
    cases["C"] = write_case(c3, [
        ("2026-02-01", "aangemeld", "MU"), ("2026-02-11", "intake", "MU"),
        ("2026-02-21", "intake", "AM"), ("2026-03-03", "diagnose", "AM"),
        ("2026-04-02", "afgesloten", "AM", "uitval_eigen_keuze")])
    # Registered before the period; skips uitvoering; placed but closed as doorverwezen.
    cases["D"] = write_case(c3, [
        ("2025-12-20", "aangemeld", "AM"), ("2026-01-09", "intake", "AM"),
        ("2026-01-21", "diagnose", "AM"), ("2026-01-29", "plan", "AM"),
        ("2026-02-08", "bemiddeling", "AM"), ("2026-02-18", "geplaatst", "AM"),
        ("2026-03-10", "afgesloten", "AM", "doorverwezen")], target_group="zzp",
        referral_partner="zelf")
    cases["E"] = write_case(c2, [("2026-06-20", "aangemeld", "MU")])
    # After the period: counts nowhere.
    cases["F"] = write_case(c1, [("2026-07-05", "aangemeld", "MU"),
                                 ("2026-07-06", "intake", "MU")])
    cases["G"] = write_case(c3, [
        ("2026-03-01", "aangemeld", "AM"),
        ("2026-03-05", "afgesloten", "AM", "uitval_onbereikbaar")], target_group="zzp")
    return History(c1, c2, c3, cases)


def write_walk(coach_of: dict, steps, candidate) -> Case:
    """Write one random walk (benchmarks.history.Step list) as a case with its events."""
    last = steps[-1]
    case = Case(candidate=candidate, region_code=last.region, coach=coach_of[last.region],
                status=CaseState(last.to_status), opened_on=steps[0].at.date(),
                closed_on=last.at.date() if last.to_status == "afgesloten" else None,
                exit_reason=last.exit_reason)
    db.session.add(case)
    for step in steps:
        db.session.add(CaseEvent(case=case, region_code=step.region, at=step.at,
                                 from_status=step.from_status, to_status=step.to_status,
                                 exit_reason=step.exit_reason))
    return case


@pytest.fixture
def random_cases():
    """``random_cases(n, seed)``: n random histories in the first half of 2026."""
    import random

    from benchmarks.history import REGIONS, walk

    def make(n: int, seed: int = 1, start: str = "2026-01-01", end: str = "2026-06-30"):
        rng = random.Random(seed)
        coach_of = {r: UserFactory(role="coach", regions=[r]) for r in REGIONS}
        first, last = at(start, 0), at(end, 23)
        candidates = [CandidateFactory.build() for _ in range(n)]
        cases = []
        for candidate in candidates:
            db.session.add(candidate)
            region = rng.choices(REGIONS, [40, 25, 20, 15])[0]
            began = first + (last - first) * rng.random() * 0.8
            cases.append(write_walk(coach_of, walk(rng, began, last, region), candidate))
        db.session.flush()
        return cases

    return make


@dataclass
class ModuleHistory:
    budgets: dict[str, object]


@pytest.fixture
def module_history(history) -> ModuleHistory:
    """Vouchers, praktijkverklaringen, employer work and six-month follow-ups around the known
    history (dates in the first half of 2026 unless said otherwise).

    - Budgets: MU 2026 (€ 10.000), AM 2026 (€ 5.000), MU 2025 (outside the period's years).
      Vouchers on MU 2026: A toegekend € 1.000, A betaald € 2.000 declared as € 1.800,
      B aangevraagd € 500 and B afgewezen € 700 (neither committed); on AM 2026: D gedeclareerd
      € 1.500, G betaald € 300; on MU 2025: B betaald € 400.
    - Praktijkverklaringen uitgereikt: MU on 10 Feb and 20 Jun, AM on 1 Mar; one MU on 5 Jul
      (after the period) and one in_leren (not issued).
    - Contact moments: MU 3 (one on 31 Dec 2025, outside), AM 1, GV 2. Vacancies filled: MU 1
      (and one filled in July), AM 1; one open and one closed (not filled) in MU.
    - Six-month follow-ups: A due 1 Jun (in MU then) still employed; D due 15 Apr (AM) not; C
      due 15 Feb (still in MU: transferred on 21 Feb) not yet recorded; E due 1 Aug (outside).
    """
    from rmt.employers.models import (
        SUSTAINABILITY_MONTHS,
        ContractType,
        FollowUp,
        Placement,
        VacancyStatus,
    )
    from rmt.praktijkverklaring.lifecycle import PvStatus
    from rmt.praktijkverklaring.models import PvTrajectory
    from rmt.vouchers.lifecycle import VoucherStatus
    from rmt.vouchers.models import Voucher
    from tests.factories import (
        BudgetFactory,
        ContactMomentFactory,
        EmployerFactory,
        FundingSourceFactory,
        TrainingProviderFactory,
        VacancyFactory,
    )
    from tests.praktijkverklaring.factories import MboSchoolFactory, QualificationFactory

    cases = history.cases
    rmt_budget = FundingSourceFactory(name="Testbudget RMT")
    budgets = {
        "MU": BudgetFactory(region_code="MU", year=2026, amount_cents=10_000_00,
                            funding_source=rmt_budget),
        "AM": BudgetFactory(region_code="AM", year=2026, amount_cents=5_000_00,
                            funding_source=rmt_budget),
        "MU2025": BudgetFactory(region_code="MU", year=2025, amount_cents=8_000_00,
                                funding_source=rmt_budget),
    }
    provider = TrainingProviderFactory()
    for case_key, budget, status, amount, declared in (
            ("A", "MU", VoucherStatus.TOEGEKEND, 1_000_00, None),
            ("A", "MU", VoucherStatus.BETAALD, 2_000_00, 1_800_00),
            ("B", "MU", VoucherStatus.AANGEVRAAGD, 500_00, None),
            ("B", "MU", VoucherStatus.AFGEWEZEN, 700_00, None),
            ("D", "AM", VoucherStatus.GEDECLAREERD, 1_500_00, None),
            ("G", "AM", VoucherStatus.BETAALD, 300_00, None),
            ("B", "MU2025", VoucherStatus.BETAALD, 400_00, None)):
        case = cases[case_key]
        db.session.add(Voucher(
            case=case, region_code=budgets[budget].region_code, budget=budgets[budget],
            provider=provider, course_name="Heftruck", start_on=date(2026, 2, 1),
            end_on=date(2026, 3, 1), amount_cents=amount, declared_amount_cents=declared,
            motivation="Nodig voor de vacature.", status=status,
            requested_by_id=case.coach_id))

    school, qualification = MboSchoolFactory(), QualificationFactory()
    seq = iter(range(1, 100))
    for case_key, region, issued, status in (
            ("A", "MU", date(2026, 2, 10), PvStatus.UITGEREIKT),
            ("B", "MU", date(2026, 6, 20), PvStatus.UITGEREIKT),
            ("D", "AM", date(2026, 3, 1), PvStatus.UITGEREIKT),
            ("E", "MU", date(2026, 7, 5), PvStatus.UITGEREIKT),
            ("C", None, None, PvStatus.IN_LEREN)):
        number = next(seq)
        db.session.add(PvTrajectory(
            case=cases[case_key], status=status, school_id=school.id,
            qualification_id=qualification.id, register_region_code=region,
            register_year=issued.year if issued else None,
            register_seq=number if issued else None,
            register_number=f"PV-{region}-{issued.year}-{number:04d}" if issued else None,
            issued_on=issued))

    employer = EmployerFactory(regions=["MU", "AM", "GV"])
    for region, day in (("MU", date(2026, 1, 12)), ("MU", date(2026, 4, 3)),
                        ("MU", date(2026, 6, 30)), ("MU", date(2025, 12, 31)),
                        ("AM", date(2026, 2, 2)), ("GV", date(2026, 3, 3)),
                        ("GV", date(2026, 5, 5))):
        ContactMomentFactory(employer=employer, region_code=region, contact_on=day)
    for region, status, ended in (("MU", VacancyStatus.FILLED, date(2026, 3, 21)),
                                  ("MU", VacancyStatus.FILLED, date(2026, 7, 2)),
                                  ("AM", VacancyStatus.FILLED, date(2026, 2, 18)),
                                  ("MU", VacancyStatus.OPEN, None),
                                  ("MU", VacancyStatus.CLOSED, date(2026, 4, 1))):
        VacancyFactory(employer=employer, region_code=region, status=status,
                       opened_on=date(2026, 1, 2), ended_on=ended)

    for case_key, due, outcome in (("A", date(2026, 6, 1), True),
                                   ("D", date(2026, 4, 15), False),
                                   ("C", date(2026, 2, 15), None),
                                   ("E", date(2026, 8, 1), True)):
        case = cases[case_key]
        placement = Placement(case=case, employer=employer, job_title="Orderpicker",
                              contract_type=ContractType.TIJDELIJK, hours_per_week=32,
                              start_on=date(2025, 12, 1), created_by_id=case.coach_id)
        db.session.add(placement)
        db.session.add(FollowUp(placement=placement, months=SUSTAINABILITY_MONTHS, due_on=due,
                                still_employed=outcome))
    db.session.flush()
    return ModuleHistory(budgets)
