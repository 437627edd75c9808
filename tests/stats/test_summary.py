"""The summary tables never drift from the step history.

Random operations (through the case service, and raw inserts, edits and deletes of events, also
out of order) are followed, after every flush, by a comparison with the summary recomputed here
from ``case_event`` in a deliberately different way.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from rmt.cases import service as cases
from rmt.cases.models import Case, CaseEvent, CaseTransfer
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.stats.models import StatCase, StatSpan, StatStayMonth
from rmt.stats.summary import rebuild
from tests.factories import CandidateFactory, UserFactory, coded

NL = ZoneInfo("Europe/Amsterdam")
RANKS = {s: i for i, s in enumerate(("aangemeld", "intake", "diagnose", "plan", "uitvoering",
                                     "bemiddeling", "geplaatst", "nazorg"))}


def _day(value: datetime) -> date:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(NL).date()


def expected_summary() -> tuple[dict, dict]:
    """(stat_case rows by case, stat_span rows by event) recomputed from case_event."""
    events = db.session.execute(sa.select(
        CaseEvent.id, CaseEvent.case_id, CaseEvent.at, CaseEvent.region_code,
        CaseEvent.to_status, CaseEvent.exit_reason)).all()
    per_case: dict[int, list] = {}
    for event in events:
        per_case.setdefault(event.case_id, []).append(event)
    stats, spans = {}, {}
    for case_id, rows in per_case.items():
        rows.sort(key=lambda e: (e.at, e.id))
        statuses = [str(e.to_status) for e in rows]
        days = [_day(e.at) for e in rows]
        for i, event in enumerate(rows):
            j = i
            while j > 0 and statuses[j - 1] == statuses[i]:
                j -= 1
            has_next = i + 1 < len(rows)
            leaves = has_next and statuses[i + 1] != statuses[i]
            spans[event.id] = (case_id, event.region_code, statuses[i], days[i],
                               days[i + 1] if has_next else None, days[j],
                               (days[i + 1] - days[j]).days if leaves else None)
        reached = {}
        for rank in range(1, 8):
            hits = [d for s, d in zip(statuses, days, strict=True) if RANKS.get(s, 0) >= rank]
            reached[rank] = min(hits) if hits else None
        closed = (None, None, None)
        if statuses[-1] == "afgesloten":
            k = len(rows) - 1
            while k > 0 and statuses[k - 1] == "afgesloten":
                k -= 1
            reason = rows[k].exit_reason and str(rows[k].exit_reason)
            closed = (days[k], rows[k].region_code, reason)
        stats[case_id] = (days[0], rows[0].region_code, *closed,
                          *[reached[r] for r in range(1, 8)])
    return stats, spans


def actual_summary() -> tuple[dict, dict]:
    t = StatCase.__table__
    stats = {r.case_id: (r.registered_on, r.registered_region, r.closed_on, r.closed_region,
                         r.exit_reason and str(r.exit_reason), r.reached_intake_on,
                         r.reached_diagnose_on, r.reached_plan_on, r.reached_uitvoering_on,
                         r.reached_bemiddeling_on, r.reached_geplaatst_on, r.reached_nazorg_on)
             for r in db.session.execute(sa.select(t))}
    s = StatSpan.__table__
    spans = {r.event_id: (r.case_id, r.region_code, str(r.step), r.started_on, r.ended_on,
                          r.stay_started_on, r.stay_days)
             for r in db.session.execute(sa.select(s))}
    return stats, spans


def expected_stay_months(spans: dict) -> dict:
    """stat_stay_month from the expected spans: stays per (month ended, region, step, days)."""
    counts: dict = {}
    for _case, region, step, _start, ended, _stay, days in spans.values():
        if days is not None:
            key = (ended.strftime("%Y-%m"), region, step, days)
            counts[key] = counts.get(key, 0) + 1
    return counts


def actual_stay_months() -> dict:
    t = StatStayMonth.__table__
    return {(r.month, r.region_code, str(r.step), r.stay_days): r.stays
            for r in db.session.execute(sa.select(t))}


def assert_in_sync() -> None:
    """The rows kept up to date step by step equal the history recomputed here and a
    ``rebuild`` from scratch."""
    db.session.flush()
    incremental = actual_summary(), actual_stay_months()
    expected = expected_summary()
    assert incremental == (expected, expected_stay_months(expected[1]))
    rebuild(db.session.connection())
    assert (actual_summary(), actual_stay_months()) == incremental


@pytest.fixture
def team():
    coaches = {r: UserFactory(role="coach", regions=[r]) for r in ("MU", "AM")}
    coordinators = {r: UserFactory(role="coordinator", regions=[r]) for r in ("MU", "AM")}
    return coaches, coordinators


def _satisfy_guards(coach, case) -> None:
    if not (case.intake and case.intake.completed_at):
        cases.save_intake(coach, case, {"motivation": "m", "work_history": "w"}, complete=True,
                          expected_version=None)
    if not case.activities:
        cases.add_activity(coach, case, description="Cursus", due_on=None, **coded(),
                           expected_version=None)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_service_operations_keep_the_summary_in_sync(team, seed):
    rng = random.Random(seed)
    coaches, coordinators = team
    clock = datetime(2026, 1, 1, 8, tzinfo=UTC)
    open_cases = []
    for _ in range(6):
        clock += timedelta(hours=rng.randint(1, 60))
        case = cases.register(coaches["MU"], existing_candidate=CandidateFactory(),
                              region_code="MU")
        # Registration at a known moment (the service stamps "now").
        case.events[0].at = clock
        open_cases.append(case)
    assert_in_sync()
    for _ in range(60):
        case = rng.choice(open_cases)
        coach = coaches[case.region_code]
        clock += timedelta(hours=rng.randint(1, 90))
        if rng.random() < 0.1 and not case.is_closed:
            other = "AM" if case.region_code == "MU" else "MU"
            transfer = cases.request_transfer(coach, case, to_region_code=other, reason="verhuis",
                                              expected_version=None)
            cases.decide_transfer(coordinators[other], transfer, accept=True,
                                  new_coach=coaches[other])
            db.session.flush()
            event = max(case.events, key=lambda e: e.id)
            event.at = clock
        else:
            moves = [t.target.value for t in cases.available_transitions(case)]
            if not moves:
                continue
            target = rng.choice(moves)
            _satisfy_guards(coach, case)
            try:
                cases.transition(coach, case, target, expected_version=None, reason="r",
                                 exit_reason="overig" if target == "afgesloten" else None,
                                 exit_reason_text="anders", at=clock)
            except DomainError:
                continue
        assert_in_sync()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTransfer)) >= 0


def test_raw_inserts_edits_and_deletes_out_of_order(team):
    rng = random.Random(11)
    coaches, _ = team
    statuses = ["aangemeld", "intake", "diagnose", "gepauzeerd", "plan", "afgesloten"]
    case_rows = []
    for _ in range(4):
        case = Case(candidate=CandidateFactory(), region_code="MU", coach=coaches["MU"],
                    status="aangemeld", opened_on=date(2026, 1, 1))
        db.session.add(case)
        case_rows.append(case)
    db.session.flush()
    events = []
    for _ in range(40):
        case = rng.choice(case_rows)
        # Any moment in the first half of 2026, also before events already written; some
        # around midnight in the Netherlands.
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
            minutes=rng.randint(0, 180 * 24 * 60))
        event = CaseEvent(case=case, region_code=rng.choice(["MU", "AM"]), at=moment,
                          from_status=None, to_status=rng.choice(statuses),
                          exit_reason=rng.choice([None, "overig", "werk_loondienst"]))
        db.session.add(event)
        events.append(event)
        if rng.random() < 0.5:
            assert_in_sync()
        if rng.random() < 0.15:
            victim = rng.choice(events)
            victim.at = victim.at - timedelta(days=rng.randint(1, 40))
            assert_in_sync()
        if rng.random() < 0.1:
            victim = events.pop(rng.randrange(len(events)))
            db.session.flush()
            db.session.delete(victim)
            assert_in_sync()
    assert_in_sync()


def test_rebuild_from_scratch_gives_the_same_rows(history):
    db.session.flush()
    before = actual_summary()
    cases_written, spans_written = rebuild(db.session.connection())
    assert (cases_written, spans_written) == (len(before[0]), len(before[1]))
    assert actual_summary() == before == expected_summary()


def test_deleting_a_case_removes_its_summary(history):
    case = history.cases["G"]
    for event in list(case.events):
        db.session.delete(event)
    db.session.flush()
    db.session.delete(case)
    db.session.flush()
    stats, spans = actual_summary()
    assert case.id not in stats and all(s[0] != case.id for s in spans.values())


def test_bulk_statements_through_the_session_keep_the_summary_in_sync(team):
    """The demo seed writes events with ``session.execute(insert(CaseEvent), rows)``: no flush,
    yet the summary follows; so do bulk UPDATE (by criteria and by primary key) and DELETE."""
    coaches, _ = team
    case_rows = []
    for _ in range(3):
        case = Case(candidate=CandidateFactory(), region_code="MU", coach=coaches["MU"],
                    status="aangemeld", opened_on=date(2026, 1, 1))
        db.session.add(case)
        case_rows.append(case)
    db.session.flush()
    ids = [c.id for c in case_rows]
    base = datetime(2026, 1, 5, 9, tzinfo=UTC)
    steps = ["aangemeld", "intake", "gepauzeerd", "intake", "diagnose", "afgesloten"]
    rows = [{"case_id": case_id, "region_code": "MU", "at": base + timedelta(days=7 * i + n),
             "from_status": None, "to_status": step, "reason": "",
             "exit_reason": "overig" if step == "afgesloten" else None}
            for n, case_id in enumerate(ids) for i, step in enumerate(steps)]
    db.session.execute(sa.insert(CaseEvent), rows)
    stats, _ = actual_summary()
    assert set(stats) == set(ids) and stats[ids[0]][4] == "overig"
    assert_in_sync()

    # A transfer and a later date, by criteria.
    db.session.execute(sa.update(CaseEvent).where(
        CaseEvent.case_id == ids[1], CaseEvent.to_status == "diagnose").values(region_code="AM"))
    assert_in_sync()
    assert actual_summary()[0][ids[1]][3] == "MU"  # closed in MU still (the close is in MU)
    first = db.session.scalar(sa.select(CaseEvent.id).where(CaseEvent.case_id == ids[2])
                              .order_by(CaseEvent.at).limit(1))
    db.session.execute(sa.update(CaseEvent), [{"id": first, "at": base - timedelta(days=30)}])
    assert_in_sync()
    assert actual_summary()[0][ids[2]][0] == (base - timedelta(days=30)).date()
    # Reopening by deleting the closing event.
    db.session.execute(sa.delete(CaseEvent).where(CaseEvent.case_id == ids[0],
                                                  CaseEvent.to_status == "afgesloten"))
    assert_in_sync()
    assert actual_summary()[0][ids[0]][2:5] == (None, None, None)
    # Retention blanks the free-text reason in bulk: nothing to recompute, still in sync.
    db.session.execute(sa.update(CaseEvent).where(CaseEvent.case_id.in_(ids)).values(reason=""))
    assert_in_sync()


def test_demo_seed_fills_the_summary():
    """``flask --app rmt demo seed`` bulk-inserts its histories; the statistics see them."""
    from rmt.cases import demo

    assert demo.seed_cases(random.Random(3), date.today(), 40) == 40
    db.session.flush()
    stats, spans = actual_summary()
    assert len(stats) == 40 and len(spans) == db.session.scalar(
        sa.select(sa.func.count()).select_from(CaseEvent))
    assert_in_sync()


def test_every_kind_of_step_change_keeps_incremental_equal_to_rebuild(team):
    from rmt.employers.models import ContractType, Placement
    from rmt.process import TransitionKind, find_transition
    from tests.factories import EmployerFactory

    coaches, coordinators = team
    clock = datetime(2026, 1, 5, 9, tzinfo=UTC)
    seen: set[str] = set()

    def place(case) -> None:
        db.session.add(Placement(case=case, employer=EmployerFactory(), job_title="Monteur",
                                 contract_type=ContractType.VAST, hours_per_week=36,
                                 start_on=date(2026, 1, 1), created_by_id=case.coach_id))

    def move(case, to: str, **extra) -> None:
        nonlocal clock
        clock += timedelta(days=3, hours=5)
        coach = coaches[case.region_code]
        _satisfy_guards(coach, case)
        seen.add(find_transition(case.status, to, case.paused_from).kind)
        cases.transition(coach, case, to, expected_version=None, reason="r", at=clock, **extra)
        assert_in_sync()

    first = cases.register(coaches["MU"], existing_candidate=CandidateFactory(),
                           region_code="MU")
    first.events[0].at = clock
    assert_in_sync()
    for to in ("intake", "diagnose", "intake", "diagnose", "plan", "gepauzeerd", "plan",
               "bemiddeling"):
        move(first, to)
    transfer = cases.request_transfer(coaches["MU"], first, to_region_code="AM",
                                      reason="verhuisd", expected_version=None)
    cases.decide_transfer(coordinators["AM"], transfer, accept=True, new_coach=coaches["AM"])
    db.session.flush()
    clock += timedelta(days=2)
    max(first.events, key=lambda e: e.id).at = clock  # the service stamps "now"
    seen.add("transfer")
    assert_in_sync()
    assert actual_summary()[0][first.id][1] == "MU"  # registered in MU, whatever came later
    place(first)
    for to in ("geplaatst", "nazorg"):
        move(first, to)
    move(first, "afgesloten", exit_reason="werk_loondienst")
    assert actual_summary()[0][first.id][2:5] == (clock.date(), "AM", "werk_loondienst")

    second = cases.register(coaches["MU"], existing_candidate=CandidateFactory(),
                            region_code="MU")
    second.events[0].at = clock
    for to in ("intake", "diagnose", "plan", "uitvoering"):
        move(second, to)
    place(second)
    move(second, "geplaatst")  # the other skip
    move(second, "gepauzeerd")
    move(second, "afgesloten", exit_reason="overig", exit_reason_text="Gestopt")
    assert seen == {*TransitionKind, "transfer"}


def test_the_backfill_migration_summarises_an_existing_history(history):
    """Histories written before the summary tables existed are summarised by the migration."""
    import importlib.util
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    db.session.flush()
    before = actual_summary()
    months = actual_stay_months()
    assert months == expected_stay_months(before[1]) and months
    connection = db.session.connection()
    connection.execute(StatSpan.__table__.delete())
    connection.execute(StatCase.__table__.delete())
    assert actual_summary() == ({}, {})
    path = next((Path(__file__).parents[2] / "migrations" / "versions").glob(
        "*_stats_backfill.py"))
    spec = importlib.util.spec_from_file_location("stats_backfill", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Operations.context(MigrationContext.configure(connection)):
        module.upgrade()
        module.upgrade()  # running it again changes nothing
    assert actual_summary() == before == expected_summary()


def test_rebuild_command_recomputes_in_batches(app, history):
    db.session.flush()
    before = actual_summary(), actual_stay_months()
    db.session.execute(sa.delete(StatStayMonth))  # drifted summary rows, as after a bulk load
    db.session.execute(sa.delete(StatSpan))
    db.session.execute(sa.update(StatCase).values(closed_on=None))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["stats", "rebuild", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"{len(before[0][0])} trajecten, {len(before[0][1])} perioden" in result.output
    db.session.expire_all()
    assert (actual_summary(), actual_stay_months()) == before
    assert before[0] == expected_summary()
