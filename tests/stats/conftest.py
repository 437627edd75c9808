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
