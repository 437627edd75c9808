"""Every case figure of the statistics, asserted exactly on the known history of conftest."""

from __future__ import annotations

from datetime import date

import pytest

from rmt.stats import service
from rmt.stats.service import TOTAL, Dimension, Period, Scope
from tests.stats.conftest import PERIOD

BOTH = Scope(("MU", "AM", "GV", "FV"))


def by_group(figure: dict, group) -> dict:
    return {row: value for (row, g), value in figure.items() if g == group and value}


def test_instroom_and_funnel_per_region(history):
    funnel = service.intake_and_funnel(BOTH, PERIOD)
    # Cohort: A, B, C, E registered in MU; G in AM (D was registered in 2025, F in July).
    assert by_group(funnel, "MU") == {"aangemeld": 4, "intake": 3, "diagnose": 3, "plan": 1,
                                      "uitvoering": 1, "bemiddeling": 1, "geplaatst": 1,
                                      "nazorg": 1}
    assert by_group(funnel, "AM") == {"aangemeld": 1}
    assert funnel[("aangemeld", TOTAL)] == 5
    assert funnel[("intake", TOTAL)] == 3


def test_funnel_counts_only_steps_reached_before_the_end_of_the_period(history):
    march = Period(date(2026, 1, 1), date(2026, 3, 15), date(2026, 3, 15))
    funnel = service.intake_and_funnel(BOTH, march)
    # A reached bemiddeling on 1 March, geplaatst only on 21 March.
    assert by_group(funnel, "MU") == {"aangemeld": 3, "intake": 3, "diagnose": 3, "plan": 1,
                                      "uitvoering": 1, "bemiddeling": 1}


def test_funnel_is_monotone_through_skips(history):
    # D skipped uitvoering (plan -> bemiddeling) yet counts as having reached it.
    cohort = Period(date(2025, 12, 1), date(2026, 6, 30), date(2026, 6, 30))
    funnel = service.intake_and_funnel(Scope(("AM",)), cohort)
    assert by_group(funnel, "AM") == {"aangemeld": 2, "intake": 1, "diagnose": 1, "plan": 1,
                                      "uitvoering": 1, "bemiddeling": 1, "geplaatst": 1}


def test_uitstroom_by_reason_in_the_region_of_closing_and_placements(history):
    by_reason, placements = service.exits(BOTH, PERIOD)
    assert by_group(by_reason, "MU") == {"werk_loondienst": 1}
    # C was registered in MU but closed in AM.
    assert by_group(by_reason, "AM") == {"uitval_eigen_keuze": 1, "doorverwezen": 1,
                                         "uitval_onbereikbaar": 1}
    # A closed with work; D reached geplaatst before it was closed as doorverwezen.
    assert placements == {"MU": 1, "AM": 1, TOTAL: 2}
    assert service.rate(placements["AM"], 3) == 33.3


@pytest.mark.parametrize(("on", "expected"), [
    (date(2026, 6, 30), {("aangemeld", "MU"): 1, ("diagnose", "MU"): 1}),
    # On 21 February C was transferred: at the end of that day it stands in AM.
    (date(2026, 2, 21), {("uitvoering", "MU"): 1, ("intake", "MU"): 1, ("intake", "AM"): 1,
                         ("geplaatst", "AM"): 1}),
    (date(2026, 2, 20), {("uitvoering", "MU"): 1, ("intake", "MU"): 2, ("geplaatst", "AM"): 1}),
    # A pause is a step of its own in the stock.
    (date(2026, 2, 10), {("plan", "MU"): 1, ("gepauzeerd", "MU"): 1, ("aangemeld", "MU"): 1,
                         ("bemiddeling", "AM"): 1}),
    # Closed cases are out of the stock; cases not yet registered too.
    (date(2025, 12, 31), {("aangemeld", "AM"): 1}),
])
def test_stock_per_step_on_a_date(history, on, expected):
    stock = service.stock(BOTH, on)
    assert {k: v for k, v in stock.items() if k[1] != TOTAL} == {
        k: v for k, v in expected.items() if v}
    assert sum(v for k, v in stock.items() if k[1] == TOTAL) == sum(expected.values())


def test_median_days_per_step_from_the_stays(history):
    medians = service.median_days(BOTH, PERIOD)
    expected = {
        # aangemeld: MU A 5, B 10, C 10 | AM D 20 (ended 9 Jan), G 4
        ("aangemeld", "MU"): (10.0, 3), ("aangemeld", "AM"): (12.0, 2),
        ("aangemeld", TOTAL): (10.0, 5),
        # intake: MU A 10, B 14 (ended by the pause), B 10, B 10 | AM C 20 (across the
        # transfer), D 12
        ("intake", "MU"): (10.0, 4), ("intake", "AM"): (16.0, 2), ("intake", TOTAL): (11.0, 6),
        # diagnose: MU A 12, B 10 (left backwards) | AM C 30, D 8
        ("diagnose", "MU"): (11.0, 2), ("diagnose", "AM"): (19.0, 2),
        ("diagnose", TOTAL): (11.0, 4),
        ("plan", "MU"): (10.0, 1), ("plan", "AM"): (10.0, 1), ("plan", TOTAL): (10.0, 2),
        ("uitvoering", "MU"): (18.0, 1), ("uitvoering", TOTAL): (18.0, 1),
        ("bemiddeling", "MU"): (20.0, 1), ("bemiddeling", "AM"): (10.0, 1),
        ("bemiddeling", TOTAL): (15.0, 2),
        ("geplaatst", "MU"): (11.0, 1), ("geplaatst", "AM"): (20.0, 1),
        ("geplaatst", TOTAL): (15.5, 2),
        ("nazorg", "MU"): (30.0, 1), ("nazorg", TOTAL): (30.0, 1),
        ("gepauzeerd", "MU"): (6.0, 1), ("gepauzeerd", TOTAL): (6.0, 1),
    }
    assert medians == expected


def test_monthly_trend(history):
    trend = service.monthly_trend(BOTH, PERIOD)
    assert [(m.month, i, o) for m, i, o in trend] == [
        (1, 2, 0), (2, 1, 0), (3, 1, 2), (4, 0, 1), (5, 0, 1), (6, 1, 0)]


def test_breakdown_by_target_group_and_referral_partner(history):
    funnel = service.intake_and_funnel(BOTH, PERIOD, Dimension.TARGET_GROUP)
    assert {g: v for (s, g), v in funnel.items() if s == "aangemeld"} == {
        "werkzoekenden": 3, "werkenden": 1, "zzp": 1, TOTAL: 5}
    by_reason, _ = service.exits(BOTH, PERIOD, Dimension.REFERRAL_PARTNER)
    assert by_group(by_reason, "zelf") == {"doorverwezen": 1}
    assert by_group(by_reason, "uwv") == {"werk_loondienst": 1, "uitval_eigen_keuze": 1,
                                          "uitval_onbereikbaar": 1}


def test_filters_narrow_every_figure(history):
    zzp = BOTH.narrowed(target_group="zzp")
    assert service.intake_and_funnel(zzp, PERIOD)[("aangemeld", TOTAL)] == 1  # G
    assert service.exits(zzp, PERIOD)[1] == {"AM": 1, TOTAL: 1}  # D placed
    assert service.median_days(zzp, PERIOD)[("geplaatst", TOTAL)] == (20.0, 1)


def test_caseload_per_coach_and_a_coachs_own_scope(history):
    caseload = service.stock(BOTH, date(2026, 2, 25), Dimension.COACH)
    c1, c3 = history.c1.id, history.c3.id
    # On 25 Feb: A uitvoering and B diagnose (c1); C intake and D geplaatst (now c3).
    assert {k: v for k, v in caseload.items() if k[1] != TOTAL} == {
        ("uitvoering", c1): 1, ("diagnose", c1): 1, ("intake", c3): 1, ("geplaatst", c3): 1}
    own = service.scope_for(history.c1)
    assert own.own_caseload and own.coach_id == c1 and own.regions == ("MU",)
    figures = service.pipeline(own, PERIOD)
    assert figures.instroom() == 2 and figures.uitstroom() == 1
    assert figures.running() == 1  # B


def test_scope_for_coordinator_is_limited_to_own_regions(history):
    from tests.factories import UserFactory

    coordinator = UserFactory(role="coordinator", regions=["AM"])
    scope = service.scope_for(coordinator)
    assert scope.regions == ("AM",) and scope.coach_id is None
    assert service.scope_for(coordinator, ["MU"]).regions == ()
    figures = service.pipeline(scope, PERIOD)
    assert figures.instroom() == 1 and figures.uitstroom() == 3
    liaison = UserFactory(role="liaison", regions=["AM"])
    assert service.scope_for(liaison).regions == ()
    assert service.pipeline(service.scope_for(liaison), PERIOD).instroom() == 0


def test_dates_are_dutch_calendar_days(history):
    from datetime import UTC, datetime

    from rmt.cases.models import CaseEvent
    from rmt.extensions import db

    # 31 March 22:30 UTC is 1 April 00:30 in the Netherlands (summer time).
    case = history.cases["E"]
    db.session.add(CaseEvent(case=case, region_code="MU", from_status="aangemeld",
                             to_status="afgesloten", exit_reason="overig",
                             at=datetime(2026, 6, 29, 22, 30, tzinfo=UTC)))
    db.session.flush()
    by_reason, _ = service.exits(BOTH, Period(date(2026, 6, 30), date(2026, 6, 30),
                                              date(2026, 6, 30)))
    assert by_group(by_reason, "MU") == {"overig": 1}


@pytest.mark.parametrize(("start", "end"), [
    (date(2026, 1, 1), date(2026, 6, 30)),  # whole months: read from the month counts
    (date(2026, 1, 15), date(2026, 5, 10)),  # whole months and both edges
    (date(2026, 2, 3), date(2026, 2, 20)),  # no whole month: from the spans only
    (date(2026, 3, 1), date(2026, 3, 31)),
])
def test_median_days_agree_with_a_plain_median_of_every_stay(random_cases, start, end):
    """On a random population, per region and in total, with and without the month counts."""
    import statistics

    import sqlalchemy as sa

    from rmt.extensions import db
    from rmt.stats.models import StatSpan

    random_cases(150, seed=5)
    stays: dict = {}
    for region, step, days in db.session.execute(
            sa.select(StatSpan.region_code, StatSpan.step, StatSpan.stay_days).where(
                StatSpan.stay_days.is_not(None), StatSpan.ended_on.between(start, end))):
        for group in (region, TOTAL):
            stays.setdefault((str(step), group), []).append(days)
    expected = {key: (round(float(statistics.median(values)), 1), len(values))
                for key, values in stays.items()}
    period = Period(start, end, end)
    assert len(expected) > 15
    assert service.median_days(BOTH, period) == expected
    # The same through the spans (a filter that keeps every case forces that path).
    by_coach = service.median_days(BOTH, period, Dimension.COACH)
    assert {k: v for k, v in by_coach.items() if k[1] == TOTAL} == {
        k: v for k, v in expected.items() if k[1] == TOTAL}
    mu = service.median_days(Scope(("MU",)), period)
    assert mu == {k: v for k, v in expected.items() if k[1] == "MU"} | {
        (s, TOTAL): v for (s, g), v in expected.items() if g == "MU"}
