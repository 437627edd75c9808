"""Who hears of what: the signals of the other features, turned into notifications.

Every receiver runs inside the sender's unit of work, so the notification (and its e-mail in the
outbox) commits or rolls back with the change. :func:`connect` is called once by
:func:`rmt.create_app`; nothing connects at import time.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rmt import signals
from rmt.access import Action
from rmt.access.policy import POLICY
from rmt.auth.models import Role, User
from rmt.cases.models import RUNNING, Case, CaseTransfer, TransferStatus
from rmt.extensions import db
from rmt.notifications.models import Kind
from rmt.notifications.service import notify, region_staff
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.privacy import register_anonymiser
from rmt.vouchers.models import Voucher


def on_voucher_requested(voucher: Voucher, *, user: User, **_: Any) -> None:
    """The coordinators of the voucher's region, not the requester (four eyes)."""
    notify(region_staff(voucher.region_code, Role.COORDINATOR), Kind.VOUCHER_REQUESTED,
           "voucher", voucher.id, case_id=voucher.case_id, exclude=user)


def on_voucher_decided(voucher: Voucher, *, user: User, **_: Any) -> None:
    notify([voucher.requested_by], Kind.VOUCHER_DECIDED, "voucher", voucher.id,
           case_id=voucher.case_id, exclude=user)


def on_transfer_requested(case: Case, *, user: User, transfer: CaseTransfer, **_: Any) -> None:
    """The coordinators of the receiving region."""
    notify(region_staff(transfer.to_region_code, Role.COORDINATOR), Kind.TRANSFER_REQUESTED,
           "transfer", transfer.id, case_id=case.id, exclude=user)


def on_transfer_decided(case: Case, *, user: User, transfer: CaseTransfer, **_: Any) -> None:
    """The requesting coach learns the answer (not of a withdrawal: that was them)."""
    if transfer.status == TransferStatus.WITHDRAWN:
        return
    notify([transfer.requested_by], Kind.TRANSFER_DECIDED, "case", case.id, case_id=case.id,
           exclude=user)


def on_case_transferred(case: Case, *, user: User, transfer: CaseTransfer, **_: Any) -> None:
    """The new coach of an accepted transfer: the case and its open actions are theirs now."""
    notify([case.coach], Kind.CASE_REASSIGNED, "case", case.id, case_id=case.id, exclude=user)


def on_task_assigned(case: Case, *, user: User, task: Any, **_: Any) -> None:
    notify([task.owner], Kind.TASK_ASSIGNED, "case", case.id, case_id=case.id, exclude=user)


def on_case_reassigned(case: Case, *, user: User, **_: Any) -> None:
    notify([case.coach], Kind.CASE_REASSIGNED, "case", case.id, case_id=case.id, exclude=user)


def on_praktijkverklaring_changed(trajectory: PvTrajectory, *, user: User, event: Any,
                                  **_: Any) -> None:
    """Beoordeeld: ready for the school to vaststellen; the region's coordinators follow it."""
    if event.to_status != PvStatus.BEOORDEELD:
        return
    notify(region_staff(trajectory.case.region_code, Role.COORDINATOR), Kind.PV_READY, "pv",
           trajectory.id, case_id=trajectory.case_id, exclude=user)


def on_privacy_request_received(privacy_request: Any, *, user: User | None,
                                **_: Any) -> None:
    """Privacy request waiting: whoever handles privacy requests in its region (the role of
    :data:`rmt.access.Action.HANDLE_PRIVACY_REQUEST`), not the one who recorded it."""
    handlers = [person for role in sorted(POLICY[Action.HANDLE_PRIVACY_REQUEST])
                for person in region_staff(privacy_request.region_code, role)]
    notify(handlers, Kind.PRIVACY_REQUEST, "privacy_request", privacy_request.id,
           case_id=privacy_request.case_id, exclude=user)


def on_user_deactivated(deactivated: User, **_: Any) -> None:
    """Each open case of a deactivated coach: its region's coordinators must reassign it."""
    cases = db.session.scalars(
        sa.select(Case).where(Case.coach_id == deactivated.id,
                              RUNNING).order_by(Case.id))
    for case in cases:
        notify(region_staff(case.region_code, Role.COORDINATOR), Kind.INACTIVE_COACH_CASE,
               "case", case.id, case_id=case.id)


#: Linked to a case by its number only; they hold no personal data or free text.
NOTIFICATION_TABLES = ("notification", "outbound_mail")


def keep_notifications(_candidate: Any, _case_ids: list[int]) -> None:
    """Nothing to clear: a notification names a kind and numbers; a mail adds a user's address
    and a text made of those (docs/notifications.md)."""


def connect() -> None:
    register_anonymiser(tables=NOTIFICATION_TABLES)(keep_notifications)
    signals.voucher_requested.connect(on_voucher_requested)
    signals.voucher_decided.connect(on_voucher_decided)
    signals.case_transfer_requested.connect(on_transfer_requested)
    signals.case_transfer_decided.connect(on_transfer_decided)
    signals.task_assigned.connect(on_task_assigned)
    signals.case_reassigned.connect(on_case_reassigned)
    signals.case_transferred.connect(on_case_transferred)
    signals.praktijkverklaring_changed.connect(on_praktijkverklaring_changed)
    signals.user_deactivated.connect(on_user_deactivated)
    signals.privacy_request_received.connect(on_privacy_request_received)
