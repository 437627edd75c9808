"""Who may do what: one table, one function. Views, API and CLI all ask :func:`can`; a service
that refuses outright calls :func:`require`, which raises :class:`rmt.errors_domain.Forbidden`.

Two layers, both fail closed:
1. the role must be listed for the action in ``POLICY`` (unknown actions allow nobody);
2. when the object carries a region (``region_code``), the user must be a member of it.
"""

from __future__ import annotations

import enum
from typing import Any

from rmt.auth.models import Role
from rmt.errors_domain import Forbidden


class Action(enum.StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE_DATA = "manage_reference_data"
    VIEW_REFERENCE_DATA = "view_reference_data"
    VIEW_CASE = "view_case"
    EDIT_CASE = "edit_case"
    CREATE_CASE = "create_case"
    VIEW_NOTES = "view_notes"
    VIEW_WORK_PROFILE = "view_work_profile"
    VIEW_CASE_AUDIT = "view_case_audit"  # who saw one case (privacy page), own region
    READ_AUDIT_LOG = "read_audit_log"  # the audit log (/audit); the admin across all regions
    DECIDE_TRANSFER = "decide_transfer"
    REASSIGN_CASE = "reassign_case"
    REOPEN_CASE = "reopen_case"  # within 30 days of closing (rmt.cases.service.reopen)
    REASSIGN_CASELOAD = "reassign_caseload"  # a leaving coach's cases at once
    DECIDE_VOUCHER = "decide_voucher"
    REQUEST_VOUCHER = "request_voucher"
    VIEW_VOUCHER = "view_voucher"
    ADVANCE_VOUCHER = "advance_voucher"
    SETTLE_VOUCHER = "settle_voucher"
    VIEW_BUDGET = "view_budget"
    MANAGE_BUDGET = "manage_budget"
    VIEW_STATS = "view_stats"
    COMPARE_REGIONS = "compare_regions"
    VIEW_MONITOR = "view_monitor"  # the quarterly monitor of own regions (rmt.stats.monitor)
    MANAGE_EMPLOYERS = "manage_employers"
    HANDLE_PRIVACY_REQUEST = "handle_privacy_request"  # subject access and erasure
    RECORD_PRIVACY_REQUEST = "record_privacy_request"  # register a request received (rmt.privacy)
    VIEW_CONSENT_REGISTER = "view_consent_register"
    VIEW_EMPLOYERS = "view_employers"
    MERGE_EMPLOYERS = "merge_employers"
    PROPOSE_CANDIDATE = "propose_candidate"
    MANAGE_PLACEMENTS = "manage_placements"
    SET_SECTOR_PRIORITY = "set_sector_priority"  # own regions; the admin for all regions
    IMPORT_DATA = "import_data"  # own regions; the admin any region (rmt.imports)


C, L, K, A = Role.COACH, Role.LIAISON, Role.COORDINATOR, Role.ADMIN

POLICY: dict[Action, frozenset[Role]] = {
    Action.MANAGE_USERS: frozenset({A}),
    Action.MANAGE_REFERENCE_DATA: frozenset({A}),
    Action.VIEW_REFERENCE_DATA: frozenset({C, L, K, A}),
    Action.VIEW_CASE: frozenset({C, K}),
    Action.EDIT_CASE: frozenset({C}),
    Action.CREATE_CASE: frozenset({C}),
    Action.VIEW_NOTES: frozenset({C, K}),
    Action.VIEW_WORK_PROFILE: frozenset({C, K, L}),
    Action.VIEW_CASE_AUDIT: frozenset({K}),
    Action.READ_AUDIT_LOG: frozenset({K, A}),
    Action.DECIDE_TRANSFER: frozenset({K}),
    Action.REASSIGN_CASE: frozenset({C, K}),
    Action.REOPEN_CASE: frozenset({K}),
    Action.REASSIGN_CASELOAD: frozenset({K}),
    Action.DECIDE_VOUCHER: frozenset({K}),
    Action.REQUEST_VOUCHER: frozenset({C}),
    Action.VIEW_VOUCHER: frozenset({C, K}),
    Action.ADVANCE_VOUCHER: frozenset({C, K}),  # started, completed, dropped out, withdrawn
    Action.SETTLE_VOUCHER: frozenset({K}),  # invoice declared, paid
    Action.VIEW_BUDGET: frozenset({C, K}),
    Action.MANAGE_BUDGET: frozenset({K}),  # own region; the admin via MANAGE_REFERENCE_DATA
    Action.VIEW_STATS: frozenset({C, K}),
    Action.COMPARE_REGIONS: frozenset({K}),
    Action.VIEW_MONITOR: frozenset({K}),
    Action.MANAGE_EMPLOYERS: frozenset({L, K}),
    Action.HANDLE_PRIVACY_REQUEST: frozenset({K}),
    Action.RECORD_PRIVACY_REQUEST: frozenset({C, K}),  # whoever may see the case
    Action.VIEW_CONSENT_REGISTER: frozenset({K}),
    Action.VIEW_EMPLOYERS: frozenset({C, L, K}),
    Action.MERGE_EMPLOYERS: frozenset({K}),
    Action.PROPOSE_CANDIDATE: frozenset({C, L}),
    Action.MANAGE_PLACEMENTS: frozenset({C, L}),
    Action.SET_SECTOR_PRIORITY: frozenset({K, A}),
    Action.IMPORT_DATA: frozenset({C, L, K, A}),
}


#: Actions a role performs in every region, not only its own. The functioneel beheerder reads the
#: whole audit log (BIO: someone outside the teams being logged reviews it); the log holds no
#: case content, and the admin still cannot open a case (docs/security.md, Audit log).
EVERY_REGION: dict[Action, frozenset[Role]] = {
    Action.READ_AUDIT_LOG: frozenset({A}),
}


def every_region(user: Any, action: Action | str) -> bool:
    """True when ``user`` may do ``action`` in every region (see :data:`EVERY_REGION`)."""
    return can(user, action) and user.role in EVERY_REGION.get(Action(action), frozenset())


def object_region(obj: Any) -> str | None:
    """The region an object belongs to, or None for region-less objects."""
    return getattr(obj, "region_code", None)


def can(user: Any, action: Action | str, obj: Any = None) -> bool:
    """True when ``user`` may perform ``action`` (on ``obj``, if given)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        allowed_roles = POLICY[Action(action)]
    except ValueError:
        return False
    if user.role not in allowed_roles:
        return False
    if obj is not None:
        region = object_region(obj)
        if region is not None and region not in user.region_codes:
            return False
    return True


def allowed_regions(user: Any, action: Action | str) -> frozenset[str]:
    """The regions in which ``user`` may perform ``action``; empty when none."""
    if not can(user, action):
        return frozenset()
    return frozenset(user.region_codes)


def require(user: Any, action: Action | str | tuple[Action | str, ...], obj: Any = None,
            message: str | None = None) -> None:
    """Raise :class:`Forbidden` (403) unless ``user`` may perform ``action`` (on ``obj``).

    ``action`` may be a tuple: then any one of the actions suffices. The one policy call of the
    services, instead of repeating ``if not can(...): raise ...``.
    """
    actions = action if isinstance(action, tuple) else (action,)
    if not any(can(user, one, obj) for one in actions):
        raise Forbidden(message) if message else Forbidden()
