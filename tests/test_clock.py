"""One clock: every "today", default date and period boundary is the Dutch calendar date, also
just after midnight (when UTC is still on the day before) and around the change to and from
summer time. The clock is stopped with :func:`rmt.clock.frozen`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from rmt import clock
from rmt.cases import service
from rmt.db_types import utcnow
from rmt.extensions import db
from rmt.process import CaseState
from rmt.stats.scope import Period
from tests.factories import CaseFactory, TaskFactory, UserFactory
from tests.helpers import html, text

#: (UTC moment, the Dutch date then, the Dutch time then)
MOMENTS = [
    # 00:30 on the first day of a month, winter time (UTC+1): UTC is still on the 28th.
    (datetime(2027, 2, 28, 23, 30, tzinfo=UTC), date(2027, 3, 1), "00:30"),
    # 00:30 on the first day of a month, summer time (UTC+2).
    (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), date(2026, 7, 1), "00:30"),
    # The night summer time starts (28 March 2027, 02:00 → 03:00): before and after.
    (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), date(2027, 3, 28), "00:30"),
    (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28), "03:30"),
    # The night summer time ends (25 October 2026, 03:00 → 02:00): 00:30 on both sides.
    (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), date(2026, 10, 25), "00:30"),
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 26), "00:30"),
]


@pytest.mark.parametrize(("moment", "day", "time"), MOMENTS)
def test_today_is_the_dutch_date(moment, day, time):
    with clock.frozen(moment):
        assert clock.now() == moment and utcnow() == moment
        assert clock.today() == day
        assert clock.local(clock.now()).strftime("%H:%M") == time
        assert clock.start_of_day(day) <= moment < clock.start_of_day(
            date.fromordinal(day.toordinal() + 1))
    assert clock.now() != moment  # the clock runs again


def test_days_around_the_clock_changes_have_their_own_length():
    spring, autumn = date(2027, 3, 28), date(2026, 10, 25)
    hours = [(clock.start_of_day(date.fromordinal(d.toordinal() + 1))
              - clock.start_of_day(d)).total_seconds() / 3600 for d in (spring, autumn)]
    assert hours == [23, 25]


def test_frozen_takes_a_naive_moment_as_dutch_time():
    with clock.frozen(datetime(2027, 3, 1, 0, 30)) as moment:
        assert moment == datetime(2027, 2, 28, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("moment", "day", "time"), MOMENTS)
def test_dates_and_times_shown_are_dutch(app, moment, day, time):
    with app.test_request_context():
        shown = render_template_string("{{ m|localdate }} {{ m|localdatetime }} {{ d|localdate }}",
                                       m=moment, d=day)
    expected_day = render_date(app, day)
    assert shown == f"{expected_day} {expected_day} {time} {expected_day}"


def render_date(app, day: date) -> str:
    with app.test_request_context():
        return render_template_string("{{ d|localdate }}", d=day)


def test_statistics_default_period_ends_today_just_after_midnight():
    with clock.frozen(datetime(2027, 2, 28, 23, 30, tzinfo=UTC)):
        period = Period.default()
    assert (period.start, period.end, period.on) == (date(2026, 4, 1), date(2027, 3, 1),
                                                     date(2027, 3, 1))


def test_the_case_page_at_half_past_midnight_on_the_first_of_the_month(app, client, auth):
    """The observed bug: "aangemeld op 3 dec" with "sinds 4 dec", notes defaulting to the day
    before and a follow-up of the day before labelled "Vandaag"."""
    coach = UserFactory(role="coach", regions=["MU"], email="middernacht@test.rmt.nl")
    with clock.frozen(datetime(2027, 2, 28, 23, 30, tzinfo=UTC)):
        case = service.register(coach, existing_candidate=CaseFactory(
            status=CaseState.AFGESLOTEN).candidate, region_code="MU")
        TaskFactory(case=case, owner=coach, title="Gisteren af", due_on=date(2027, 2, 28))
        TaskFactory(case=case, owner=coach, title="Vandaag af", due_on=date(2027, 3, 1))
        db.session.flush()
        assert case.opened_on == date(2027, 3, 1)
        auth.login(coach.email)
        response = client.get(f"/trajecten/{case.id}")
    page, plain = html(response), text(response)
    first = render_date(app, date(2027, 3, 1))
    assert f"aangemeld op {first}" in plain and f"sinds {first}" in plain
    assert 'name="aantekening-contact_on"' in page and 'value="2027-03-01"' in page
    rows = {title: status for title, status in (
        ("Gisteren af", plain.split("Gisteren af", 1)[1][:80]),
        ("Vandaag af", plain.split("Vandaag af", 1)[1][:80]))}
    assert "Te laat" in rows["Gisteren af"] and "Vandaag" in rows["Vandaag af"]
