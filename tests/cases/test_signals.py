"""The cases service announces its changes with the named signals of rmt.signals, and other
features extend a case through the registry of rmt.cases.extensions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from blinker import Signal

from rmt import signals
from rmt.cases import extensions, service
from rmt.cases.extensions import TimelineItem
from rmt.cases.models import TransferStatus
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.process import CaseState, ExitReason
from tests.cases.test_service_flow import NEW_CANDIDATE
from tests.factories import CaseFactory, UserFactory


@contextmanager
def received(signal: Signal) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """What ``signal`` sent while the block ran: (sender, kwargs) pairs. Disconnected after."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        calls.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield calls


def test_registering_sends_case_created(coach):
    from tests.cases.test_api import municipality_id

    with received(signals.case_created) as calls:
        case = service.register(coach, candidate_data={
            **NEW_CANDIDATE, "municipality_id": municipality_id()}, region_code="MU")
    assert calls == [(case, {"user": coach})]


def test_every_step_change_is_sent_and_closing_too(coach):
    case = CaseFactory(coach=coach)
    with received(signals.case_step_changed) as steps, received(signals.case_closed) as closed:
        event = service.transition(coach, case, "intake", expected_version=case.version)
        assert closed == []
        service.transition(coach, case, "afgesloten", expected_version=case.version,
                           exit_reason="doorverwezen")
    assert [(sender, kwargs["event"].to_status) for sender, kwargs in steps] == [
        (case, CaseState.INTAKE), (case, CaseState.AFGESLOTEN)]
    assert steps[0][1] == {"user": coach, "event": event}
    assert closed == [(case, {"user": coach, "reason": ExitReason.DOORVERWEZEN})]


def test_reassigning_sends_the_previous_coach(coach):
    case = CaseFactory(coach=coach)
    other = UserFactory(role="coach", regions=["MU"])
    with received(signals.case_reassigned) as calls:
        service.reassign(coach, case, other, case.version)
    assert calls == [(case, {"user": coach, "previous_coach": coach})]


def test_transfer_request_decision_and_move_are_sent(coach):
    case = CaseFactory(coach=coach, region_code="MU")
    coordinator = UserFactory(role="coordinator", regions=["AM"])
    new_coach = UserFactory(role="coach", regions=["AM"])
    with received(signals.case_transfer_requested) as requested:
        transfer = service.request_transfer(coach, case, to_region_code="AM",
                                            reason="Verhuist", expected_version=case.version)
    assert requested == [(case, {"user": coach, "transfer": transfer})]
    db.session.flush()
    with received(signals.case_transfer_decided) as decided, \
            received(signals.case_transferred) as moved:
        service.decide_transfer(coordinator, transfer, accept=True, new_coach=new_coach)
    assert transfer.status == TransferStatus.ACCEPTED
    assert decided == [(case, {"user": coordinator, "transfer": transfer})]
    assert moved == [(case, {"user": coordinator, "transfer": transfer})]


def test_refused_and_withdrawn_transfers_are_decided_but_not_moved(coach):
    case = CaseFactory(coach=coach, region_code="MU")
    coordinator = UserFactory(role="coordinator", regions=["AM"])
    with received(signals.case_transfer_decided) as decided, \
            received(signals.case_transferred) as moved:
        refused = service.request_transfer(coach, case, to_region_code="AM", reason="Verhuist",
                                           expected_version=case.version)
        service.decide_transfer(coordinator, refused, accept=False, note="Geen plek")
        withdrawn = service.request_transfer(coach, case, to_region_code="AM",
                                             reason="Opnieuw", expected_version=case.version)
        service.withdraw_transfer(coach, case)
    assert [kwargs["transfer"] for _sender, kwargs in decided] == [refused, withdrawn]
    assert moved == []


def test_a_task_for_someone_else_is_sent_a_task_for_oneself_not(coach):
    case = CaseFactory(coach=coach)
    colleague = UserFactory(role="coordinator", regions=["MU"])
    due = date.today() + timedelta(days=3)
    with received(signals.task_assigned) as calls:
        service.add_task(coach, case, title="Zelf doen", due_on=due, owner=coach)
        task = service.add_task(coach, case, title="Bel werkgever", due_on=due, owner=colleague)
    assert calls == [(case, {"user": coach, "task": task})]


def test_nothing_is_sent_for_a_refused_change(coach):
    case = CaseFactory(coach=coach)
    with received(signals.case_step_changed) as calls, pytest.raises(DomainError):
        service.transition(coach, case, "diagnose", expected_version=case.version)
    assert calls == []


# ---------------------------------------------------------------------------------------------
# The registry other features extend cases with


@pytest.fixture
def clean_registries():
    saved = {name: list(hooks) for name, hooks in extensions._REGISTRIES.items()}
    yield
    for name, hooks in extensions._REGISTRIES.items():
        hooks[:] = saved[name]


def _always_placed(case) -> bool:
    return True


def _one_line(case) -> list[TimelineItem]:
    return [TimelineItem(date(2026, 1, 2), "extra", "Extra regel", "", "")]


def test_registering_twice_keeps_one_and_the_old_name_still_works(clean_registries, coach):
    case = CaseFactory(coach=coach)
    extensions.placement_checks[:] = []
    assert not service.has_active_placement(case)
    service.register_hook(service.PLACEMENT_CHECKS, _always_placed)
    extensions.add("placement_checks", _always_placed)
    assert extensions.placement_checks == [_always_placed]
    assert service.has_active_placement(case)

    extensions.add(extensions.timeline_sources, _one_line)
    titles = [item.title for item in service.timeline(case, include_notes=False)]
    assert "Extra regel" in titles
