"""Who is notified of what: every event writes its notifications (and immediate e-mails) in the
unit of work of the change; a rolled-back change writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt import transaction
from rmt.auth import service as auth_service
from rmt.auth.models import Role
from rmt.cases import service as cases
from rmt.extensions import db
from rmt.notifications.models import Delivery, Kind, Notification, OutboundMail, Preference
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.vouchers import service as vouchers
from tests.factories import BudgetFactory, CaseFactory, TrainingProviderFactory, UserFactory
from tests.helpers import count
from tests.praktijkverklaring.conftest import walk


def recipients(kind: Kind) -> set[int]:
    return set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == kind)))


def request_voucher(case, user=None):
    budget = BudgetFactory(region_code=case.region_code)
    provider = TrainingProviderFactory()
    return vouchers.request_voucher(
        user or case.coach, case, budget_id=budget.id, provider_id=provider.id,
        course_name="Heftruckcertificaat", start_on=date.today() + timedelta(days=14),
        end_on=date.today() + timedelta(days=60), amount_cents=500_00,
        motivation="Vraag naar heftruckchauffeurs.")


def test_voucher_requested_notifies_the_regions_coordinators_not_the_requester(
        case, coach, coordinators, other_coordinator):
    voucher = request_voucher(case)
    assert recipients(Kind.VOUCHER_REQUESTED) == {c.id for c in coordinators}
    mails = db.session.scalars(sa.select(OutboundMail)).all()
    assert {m.to_address for m in mails} == {c.email for c in coordinators}
    assert all(f"voucher {voucher.id}" in m.subject for m in mails)


def test_voucher_decided_notifies_the_requester(case, coach, coordinators):
    voucher = request_voucher(case)
    vouchers.decide(coordinators[0], voucher, approve=False, note="Geen budget voor dit doel.")
    assert recipients(Kind.VOUCHER_DECIDED) == {coach.id}


def test_transfer_requested_and_decided(case, coach, coordinators, other_coordinator):
    transfer = cases.request_transfer(coach, case, to_region_code="AM", reason="Verhuisd",
                                      expected_version=None)
    assert recipients(Kind.TRANSFER_REQUESTED) == {other_coordinator.id}
    cases.decide_transfer(other_coordinator, transfer, accept=False, note="Geen plek")
    assert recipients(Kind.TRANSFER_DECIDED) == {coach.id}


def test_withdrawn_transfer_tells_nobody_of_a_decision(case, coach, other_coordinator):
    cases.request_transfer(coach, case, to_region_code="AM", reason="Verhuisd",
                           expected_version=None)
    cases.withdraw_transfer(coach, case)
    assert recipients(Kind.TRANSFER_DECIDED) == set()


def test_task_assigned_by_someone_else_notifies_the_owner(case, coach):
    colleague = UserFactory(role="coach", regions=["MU"])
    cases.add_task(coach, case, title="Bellen", due_on=date.today(), owner=colleague)
    cases.add_task(coach, case, title="Zelf doen", due_on=date.today(), owner=coach)
    assert recipients(Kind.TASK_ASSIGNED) == {colleague.id}


def test_case_reassigned_notifies_the_new_coach(case, coach):
    new_coach = UserFactory(role="coach", regions=["MU"])
    cases.reassign(coach, case, new_coach, None)
    assert recipients(Kind.CASE_REASSIGNED) == {new_coach.id}


def test_praktijkverklaring_beoordeeld_notifies_the_regions_coordinators(
        case, coach, coordinators, other_coordinator, make_trajectory):
    trajectory = make_trajectory(case, coach)
    walk(coach, trajectory, PvStatus.IN_LEREN)
    assert recipients(Kind.PV_READY) == set()
    walk(coach, trajectory, PvStatus.BEOORDEELD)
    assert recipients(Kind.PV_READY) == {c.id for c in coordinators}
    notification = db.session.scalars(sa.select(Notification)).first()
    assert (notification.record_type, notification.record_id) == ("pv", trajectory.id)


def test_deactivating_a_coach_asks_the_coordinators_to_reassign_open_cases(
        case, coach, coordinators):
    closed = CaseFactory(region_code="MU", coach=coach, status="afgesloten")
    admin = UserFactory(role="admin", regions=[])
    auth_service.update_user(coach, name=coach.name, role=Role.COACH, regions=["MU"],
                             active=False, by=admin)
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.kind == Kind.INACTIVE_COACH_CASE)).all()
    assert {(n.user_id, n.case_id) for n in rows} == {(c.id, case.id) for c in coordinators}
    assert closed.id not in {n.case_id for n in rows}


def test_a_rolled_back_change_writes_no_notification_and_no_mail(case, coordinators):
    with pytest.raises(RuntimeError), transaction.attempt():
        request_voucher(case)
        raise RuntimeError("de wijziging mislukt na het signaal")
    assert count(Notification) == 0
    assert count(OutboundMail) == 0


def test_inactive_users_are_not_notified(case, coordinators):
    coordinators[1].active = False
    request_voucher(case)
    assert recipients(Kind.VOUCHER_REQUESTED) == {coordinators[0].id}


@pytest.mark.parametrize("delivery", [Delivery.DIGEST, Delivery.APP])
def test_preference_digest_or_app_writes_no_immediate_mail(case, coordinators, delivery):
    for coordinator in coordinators:
        db.session.add(Preference(user_id=coordinator.id, kind=Kind.VOUCHER_REQUESTED,
                                  delivery=delivery))
    db.session.flush()
    request_voucher(case)
    assert recipients(Kind.VOUCHER_REQUESTED) == {c.id for c in coordinators}
    assert count(OutboundMail) == 0
