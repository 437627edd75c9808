"""Plausible random step histories of cases, for the benchmark and the statistics tests.

A walk follows the harmonised process: forward steps (with the two allowed skips), now and then
a step back, a pause and its resume, a transfer to another region (an event into the same step
in the receiving region), and a close with an exit reason. Rare exit reasons stay rare, so the
region comparison has small cells to suppress.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAIN = ("aangemeld", "intake", "diagnose", "plan", "uitvoering", "bemiddeling", "geplaatst",
        "nazorg")
REGIONS = ("MU", "AM", "GV", "FV")
REASONS = (  # (reason, weight): work is common, moving away rare
    ("werk_loondienst", 30), ("werk_zelfstandig", 6), ("behoud_werk", 12),
    ("scholing_regulier", 4), ("doorverwezen", 12), ("uitval_eigen_keuze", 14),
    ("uitval_onbereikbaar", 10), ("verhuisd_buiten_regio", 1), ("overig", 3),
)
TARGET_GROUPS = ("werkenden", "werkzoekenden", "zzp", "uitzendkrachten",
                 "zonder_startkwalificatie")
REFERRAL_PARTNERS = ("uwv", "gemeente", "spt", "leerwerkloket", "werkgever", "maakjestap",
                     "zelf", "overig")


@dataclass(frozen=True)
class Step:
    at: datetime
    from_status: str | None
    to_status: str
    region: str
    exit_reason: str | None = None


def walk(rng: random.Random, start: datetime, end: datetime, region: str,
         max_gap_days: int = 30, close_rate: float = 0.06, detours: float = 1.0
         ) -> list[Step]:
    """One case's events from registration at ``start`` until closed or past ``end``.

    Each step closes the case early (before nazorg) with chance ``close_rate``, pauses it with
    4 %, steps back with 3 % and transfers it with 2 %, times ``detours``.
    """
    steps = [Step(start, None, "aangemeld", region)]
    state, paused_from, at = "aangemeld", None, start
    while True:
        at = at + timedelta(days=rng.randint(1, max_gap_days), hours=rng.randint(0, 8))
        if at > end:
            return steps
        roll = rng.random()
        if state == "gepauzeerd":
            steps.append(Step(at, state, paused_from, region))
            state, paused_from = paused_from, None
            continue
        if roll < close_rate or (state == "nazorg" and roll < 0.9):
            weights = [w for _, w in REASONS]
            if MAIN.index(state) < 5:  # leaving early: mostly not to work
                weights = [w if r not in ("werk_loondienst", "werk_zelfstandig") else w // 4
                           for (r, _), w in zip(REASONS, weights, strict=True)]
            reason = rng.choices([r for r, _ in REASONS], weights)[0]
            steps.append(Step(at, state, "afgesloten", region, reason))
            return steps
        if roll < close_rate + 0.04 * detours:
            paused_from = state
            steps.append(Step(at, state, "gepauzeerd", region))
            state = "gepauzeerd"
            continue
        if roll < close_rate + 0.07 * detours and state != "aangemeld":
            back = MAIN[MAIN.index(state) - 1]
            steps.append(Step(at, state, back, region))
            state = back
            continue
        if roll < close_rate + 0.09 * detours:
            region = rng.choice([r for r in REGIONS if r != region])
            steps.append(Step(at, state, state, region))
            continue
        index = MAIN.index(state)
        target = MAIN[min(index + 1, len(MAIN) - 1)]
        if state == "plan" and rng.random() < 0.2:
            target = "bemiddeling"
        elif state == "uitvoering" and rng.random() < 0.2:
            target = "geplaatst"
        if target == state:
            continue
        steps.append(Step(at, state, target, region))
        state = target


def random_start(rng: random.Random, first: datetime, last: datetime) -> datetime:
    seconds = int((last - first).total_seconds())
    return (first + timedelta(seconds=rng.randint(0, seconds))).astimezone(UTC)
