"""The demo seed of cases (rmt.cases.demo): legal histories, coverage, dates, idempotency."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from stdnum.nl import postcode as nl_postcode

from rmt.audit.models import AuditEntry
from rmt.auth.models import Role, User
from rmt.auth.service import verify_password
from rmt.cases import demo, service
from rmt.cases.models import (
    ActivityStatus,
    Candidate,
    Case,
    CaseTransfer,
    Consent,
    Note,
    TargetGroup,
    Task,
    TransferStatus,
)
from rmt.cli import DEMO_PASSWORD_DEFAULT
from rmt.extensions import db
from rmt.process import CaseState, ExitReason, TransitionKind, find_transition
from rmt.regions.models import Municipality
from tests.factories import UserFactory

COUNT = 80  # at least 8 steps x 4 regions, so every step occurs in every region
TODAY = date.today()
EIGHTEEN_MONTHS_AGO = TODAY - timedelta(days=547)
DEMO_EMAIL = f"%@{demo.DEMO_DOMAIN}"


def demo_cases() -> list[Case]:
    return list(db.session.scalars(
        sa.select(Case).join(Case.candidate).where(Candidate.email.like(DEMO_EMAIL))
        .options(selectinload(Case.events), selectinload(Case.intake),
                 selectinload(Case.activities), selectinload(Case.plan))
        .order_by(Case.id)))


@pytest.fixture
def seeded() -> list[Case]:
    assert demo.seed_cases(random.Random(7), TODAY, COUNT) == COUNT
    db.session.flush()
    return demo_cases()


def app_coach(region: str) -> User:
    return UserFactory(role="coach", regions=[region])


def replay(case: Case) -> tuple[CaseState, CaseState | None]:
    """Walk the events through rmt.process; returns the final state and paused_from."""
    events = case.events
    assert [e.id for e in events] == [e.id for e in sorted(events, key=lambda e: (e.at, e.id))]
    assert all(a.at < b.at for a, b in itertools.pairwise(events)), case.id
    assert (events[0].from_status, events[0].to_status) == (None, CaseState.AANGEMELD)
    state, paused_from = CaseState.AANGEMELD, None
    for event in events[1:]:
        assert event.from_status == state, (case.id, event.from_status, state)
        transition = find_transition(state, event.to_status, paused_from)
        assert transition is not None, (case.id, state, event.to_status)
        if transition.kind is TransitionKind.BACK:
            assert event.reason.strip()
        if transition.kind is TransitionKind.CLOSE:
            assert event.exit_reason is not None
        else:
            assert event.exit_reason is None
        if transition.kind in (TransitionKind.FORWARD, TransitionKind.SKIP):
            if state is CaseState.INTAKE:  # guard: leaving intake needs a completed intake
                assert case.intake and case.intake.completed_at
                assert case.intake.completed_at <= event.at
            if (state, event.to_status) == (CaseState.PLAN, CaseState.UITVOERING):
                assert case.activities, case.id
        if event.to_status is CaseState.GEPAUZEERD:
            paused_from = state
        elif state is CaseState.GEPAUZEERD or event.to_status is CaseState.AFGESLOTEN:
            paused_from = None
        state = event.to_status
        assert event.region_code == case.region_code
    return state, paused_from


def test_every_reachable_step_occurs_in_every_region(seeded):
    assert len(seeded) == COUNT
    by_region: dict[str, set[CaseState]] = {}
    for case in seeded:
        by_region.setdefault(case.region_code, set()).add(case.status)
    assert set(by_region) == {"MU", "AM", "GV", "FV"}
    for states in by_region.values():
        assert states == set(demo.REACHABLE_STATES)
    # geplaatst and nazorg need a placement: the employers seed adds those.
    assert not {CaseState.GEPLAATST, CaseState.NAZORG} & set(demo.REACHABLE_STATES)


def test_histories_are_legal_paths_ending_in_the_case_state(seeded):
    back_steps = pauses = 0
    for case in seeded:
        state, paused_from = replay(case)
        last = case.events[-1]
        assert state == case.status
        assert case.status_since == last.at
        assert case.paused_from == paused_from
        assert case.opened_on == case.events[0].at.date()
        if case.status is CaseState.AFGESLOTEN:
            assert case.closed_on == last.at.date()
            assert case.exit_reason == last.exit_reason
            assert (case.exit_reason is ExitReason.OVERIG) == bool(case.exit_reason_text)
        else:
            assert case.closed_on is None and case.exit_reason is None
        back_steps += sum(1 for e in case.events if e.reason and e.to_status is not
                          CaseState.GEPAUZEERD and e.from_status is not CaseState.GEPAUZEERD)
        pauses += sum(1 for e in case.events if e.to_status is CaseState.GEPAUZEERD)
    assert back_steps > 0 and pauses > 0


def test_intakes_and_plans_where_the_step_needs_them(seeded):
    for case in seeded:
        reached = {e.to_status for e in case.events}
        if reached & {CaseState.DIAGNOSE, CaseState.PLAN, CaseState.UITVOERING,
                      CaseState.BEMIDDELING}:
            assert case.intake and case.intake.completed_at and case.intake.motivation
        if CaseState.UITVOERING in reached:
            assert case.plan and case.plan.goal and case.activities
    statuses = {a.status for case in seeded for a in case.activities}
    assert {ActivityStatus.GEPLAND, ActivityStatus.AFGEROND} <= statuses


def test_closed_cases_have_varied_exit_reasons(seeded):
    reasons = {c.exit_reason for c in seeded if c.status is CaseState.AFGESLOTEN}
    assert len(reasons) >= 6


def test_dates_lie_within_the_last_18_months_and_not_in_the_future(seeded):
    now = datetime.now(UTC)
    case_ids = [c.id for c in seeded]
    for case in seeded:
        assert EIGHTEEN_MONTHS_AGO <= case.opened_on < TODAY
        for event in case.events:
            assert event.at.date() >= EIGHTEEN_MONTHS_AGO and event.at < now
    notes = db.session.scalars(sa.select(Note).where(Note.case_id.in_(case_ids))).all()
    assert notes
    for note in notes:
        assert note.case.opened_on <= note.contact_on < TODAY and note.created_at < now
    tasks = db.session.scalars(sa.select(Task).where(Task.case_id.in_(case_ids))).all()
    for task in tasks:
        assert task.created_at.date() >= EIGHTEEN_MONTHS_AGO and task.created_at < now
        assert task.done_at is None or task.done_at < now
        assert task.case.status is not CaseState.AFGESLOTEN or task.done_at is not None
    consents = db.session.scalars(sa.select(Consent)).all()
    for consent in consents:
        assert EIGHTEEN_MONTHS_AGO <= consent.given_on <= TODAY
        assert consent.revoked_on is None or consent.given_on < consent.revoked_on <= TODAY


def test_candidates_are_plausible(seeded):
    regions = dict(db.session.execute(sa.select(Municipality.id, Municipality.region_code)).all())
    emails = set()
    for case in seeded:
        person = case.candidate
        assert person.first_name and person.last_name and not person.last_name[0].islower()
        assert nl_postcode.validate(person.postcode) == person.postcode
        assert regions[person.municipality_id] == case.region_code
        assert person.phone.isdigit() and len(person.phone) == 10
        age = (case.opened_on - person.birth_date).days // 365
        assert 18 <= age <= 65
        if person.target_group is TargetGroup.ZONDER_STARTKWALIFICATIE:
            assert not person.has_startkwalificatie
        emails.add(person.email)
    assert len(emails) == len(seeded)
    assert len({c.candidate.target_group for c in seeded}) == 5
    assert len({c.candidate.referral_partner for c in seeded}) >= 6
    assert len({c.candidate.education_level for c in seeded}) >= 6
    assert len({c.candidate.benefit for c in seeded}) >= 3
    assert any(c.candidate.name_prefix for c in seeded)


def test_coaches_tasks_consents_and_transfers(seeded):
    emails = set(db.session.scalars(sa.select(User.email).where(User.role == Role.COACH)))
    for code in ("mu", "am", "gv", "fv"):
        assert {f"coach2.{code}@demo.rmt.test", f"coach3.{code}@demo.rmt.test"} <= emails
    assert len({c.coach_id for c in seeded}) >= 6
    assert all(c.coach.region_codes == {c.region_code} for c in seeded)

    tasks = [t for c in seeded for t in c.tasks]
    assert any(t.done_at is None and t.due_on < TODAY for t in tasks)  # overdue
    assert any(t.done_at is None and t.due_on >= TODAY for t in tasks)
    assert any(t.done_at is not None for t in tasks)

    consents = db.session.scalars(sa.select(Consent)).all()
    assert consents and any(c.revoked_on for c in consents)
    assert any(c.revoked_on is None for c in consents)

    transfers = db.session.scalars(sa.select(CaseTransfer)).all()
    assert len(transfers) >= 2
    for transfer in transfers:
        assert transfer.status is TransferStatus.REQUESTED
        assert transfer.from_region_code == transfer.case.region_code != transfer.to_region_code
        assert not transfer.case.is_closed
        assert transfer.requested_at >= transfer.case.status_since


def test_a_seeded_case_moves_on_through_the_service(seeded):
    case = next(c for c in seeded if c.status is CaseState.AANGEMELD)
    event = service.transition(case.coach, case, "intake", expected_version=case.version)
    db.session.flush()
    assert event.from_status is CaseState.AANGEMELD and case.status is CaseState.INTAKE
    assert event.at > case.events[0].at


def test_same_seed_gives_the_same_data(app):
    coaches = {"MU": [(app_coach("MU").id, 1)], "FV": [(app_coach("FV").id, 1)]}
    first = demo.insert_cases(random.Random(3), TODAY, 12, coaches)
    second = demo.insert_cases(random.Random(3), TODAY, 12, coaches)
    assert first == second
    rows = db.session.execute(
        sa.select(Candidate.first_name, Candidate.last_name, Candidate.postcode, Case.status,
                  Case.status_since)
        .join(Case.candidate).order_by(Case.id)).all()
    assert rows[-24:-12] == rows[-12:]


def test_seeding_uses_a_fixed_number_of_statements(app):
    coaches = {"MU": [(app_coach("MU").id, 1)], "GV": [(app_coach("GV").id, 1)]}
    statements: list[str] = []

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    counts = []
    connection = db.session.connection()
    for count in (20, 120):
        statements.clear()
        sa.event.listen(connection, "before_cursor_execute", count_statement)
        try:
            demo.insert_cases(random.Random(count), TODAY, count, coaches)
        finally:
            sa.event.remove(connection, "before_cursor_execute", count_statement)
        counts.append(len(statements))
    # 10 INSERTs, 5 look-ups, 2 of the service types and partners that code the activities,
    # 7 for the statistics summary of the new histories (set-based)
    assert counts[0] == counts[1] <= 24, counts


def test_cli_seed_is_idempotent_and_audited_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed", "--cases", "24"])
    assert first.exit_code == 0, first.output
    assert "Demotrajecten: 24 aangemaakt" in first.output
    counts = {model: db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for model in (Candidate, Case, Note, Task, Consent, CaseTransfer)}
    assert counts[Case] == 24

    second = runner.invoke(args=["demo", "seed", "--cases", "24"])
    assert second.exit_code == 0, second.output
    assert "Demotrajecten: 0 aangemaakt" in second.output
    assert counts == {model: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                      for model in counts}

    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("demo.seed") == 1
    # The bulk-inserted cases leave no per-record entries; only the placements that the employer
    # seed makes through the case service (and therefore through its rules) are audited there.
    bulk_actions = ("case.create", "case.note_add", "case.task_add", "case.intake", "case.plan",
                    "case.transfer_", "consent.")
    assert not [a for a in actions if a.startswith(bulk_actions)]
    summary = db.session.scalar(sa.select(AuditEntry.summary)
                                .where(AuditEntry.action == "demo.seed"))
    assert summary.startswith("24 trajecten")
    # The extra coaches sign in with the demo password, like the other demo accounts.
    coach = db.session.scalar(sa.select(User).where(User.email == "coach2.gv@demo.rmt.test"))
    assert verify_password(coach.password_hash, DEMO_PASSWORD_DEFAULT)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)
                             .where(Case.coach_id == coach.id))
