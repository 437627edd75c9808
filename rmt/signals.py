"""Named signals for reactions across features (blinker, as Flask and Indico use it).

A feature that changes something sends the signal; features that react connect a receiver in
their ``connect_signals()``, which :func:`rmt.create_app` calls once. Nothing connects at import
time. Receivers run inside the sender's unit of work: what they write commits or rolls back with
the change that caused it. The sender is the object concerned; keyword arguments name the rest.

    from rmt import signals
    signals.case_closed.send(case, user=user, reason=reason)
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Cases (the core)
case_created = _signals.signal("case-created", doc="A case was registered. kwargs: user")
case_step_changed = _signals.signal(
    "case-step-changed", doc="A case moved to another step. kwargs: user, event")
case_closed = _signals.signal(
    "case-closed", doc="A case was closed (afgesloten). kwargs: user, reason")
case_reassigned = _signals.signal(
    "case-reassigned", doc="A case got another coach. kwargs: user, previous_coach")
case_transfer_requested = _signals.signal(
    "case-transfer-requested", doc="A transfer to another region was asked. kwargs: user, transfer")
case_transferred = _signals.signal(
    "case-transferred", doc="A transfer was accepted; the case is in its new region. "
    "kwargs: user, transfer")
case_transfer_decided = _signals.signal(
    "case-transfer-decided", doc="A transfer was accepted, refused or withdrawn. "
    "kwargs: user, transfer")
task_assigned = _signals.signal("task-assigned", doc="A task got an owner. kwargs: user, task")
candidate_erased = _signals.signal(
    "candidate-erased", doc="A candidate's personal data was erased or anonymised. kwargs: user")

# Privacy
privacy_request_received = _signals.signal(
    "privacy-request-received", doc="A candidate's privacy request was registered and waits "
    "for the region's privacy handler. kwargs: user")

# Vouchers
voucher_requested = _signals.signal("voucher-requested", doc="kwargs: user")
voucher_decided = _signals.signal("voucher-decided", doc="Approved or refused. kwargs: user")

# Praktijkverklaring
praktijkverklaring_changed = _signals.signal(
    "praktijkverklaring-changed", doc="A praktijkverklaring changed status. kwargs: user, event")
praktijkverklaring_issued = _signals.signal(
    "praktijkverklaring-issued", doc="A praktijkverklaring got its number. kwargs: user")

# Employers
placement_recorded = _signals.signal(
    "placement-recorded", doc="A candidate was placed with an employer. kwargs: user, case")
employers_merged = _signals.signal(
    "employers-merged", doc="A duplicate employer was merged into the sender. kwargs: user, "
    "duplicate_id")

# Users
user_deactivated = _signals.signal("user-deactivated", doc="kwargs: by (the admin)")
user_role_changed = _signals.signal("user-role-changed", doc="kwargs: by, previous_role")
user_regions_changed = _signals.signal(
    "user-regions-changed", doc="A user's region memberships changed. kwargs: by, previous_regions")
