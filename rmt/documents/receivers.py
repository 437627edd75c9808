"""How documents plug into the other features, once per app (nothing at import time).

- The owner types (case, voucher, praktijkverklaring, placement) are registered here, with the
  other features' MODELS only: how to find the region and the case, and which policy actions
  read and change them. rmt.documents imports no feature's service, view or form; the features
  do not import rmt.documents (cases is the core and imports no feature).
- A documents section on the case page (:func:`rmt.cases.extensions.add_section`) and on the
  voucher, praktijkverklaring and placement pages (:mod:`rmt.web.sections`).
- The subject-access section and the anonymiser of :mod:`rmt.privacy.registry`.
"""

from __future__ import annotations

from rmt.access import Action
from rmt.cases import extensions
from rmt.cases.models import Case
from rmt.documents import owners, privacy, service
from rmt.documents.models import Document
from rmt.employers.models import Placement
from rmt.praktijkverklaring.models import PvTrajectory
from rmt.privacy.registry import register_anonymiser, register_subject_access
from rmt.vouchers.models import Voucher
from rmt.web import sections

OWNER_TYPES = (
    owners.OwnerType("case", "traject", Case, lambda case: case, lambda case: case.id,
                     Action.VIEW_CASE, (Action.EDIT_CASE,), "cases.case_page", "case_id"),
    owners.OwnerType("voucher", "voucher", Voucher, lambda voucher: voucher,
                     lambda voucher: voucher.case_id, Action.VIEW_VOUCHER,
                     (Action.REQUEST_VOUCHER, Action.ADVANCE_VOUCHER, Action.SETTLE_VOUCHER),
                     "vouchers.detail", "voucher_id"),
    owners.OwnerType("praktijkverklaring", "praktijkverklaring", PvTrajectory,
                     lambda pv: pv.case, lambda pv: pv.case_id, Action.VIEW_CASE,
                     (Action.EDIT_CASE,), "praktijkverklaring.trajectory", "pv_id"),
    owners.OwnerType("placement", "plaatsing", Placement, lambda placement: placement.case,
                     lambda placement: placement.case_id, Action.VIEW_WORK_PROFILE,
                     (Action.MANAGE_PLACEMENTS,), "employers.placement", "placement_id"),
)


def case_section(user, case):
    known = None if extensions.has_rows(case, "documents") else []
    return service.section(user, "case", case, documents=known)


def _record_section(owner_name: str):
    def load(user, record):
        return service.section(user, owner_name, record)

    load.__qualname__ = f"{owner_name}_documents_section"
    return load


def connect() -> None:
    for owner in OWNER_TYPES:
        owners.register(owner)
    extensions.add_section("documents/_case_section.html", case_section, order=40)
    extensions.add_row_probe("documents", Document.owner_id, Document.owner_type == "case",
                             Document.deleted_at.is_(None))
    for owner_name in ("voucher", "praktijkverklaring", "placement"):
        sections.add(owner_name, "documents/_list.html", _record_section(owner_name))
    register_subject_access("documents", "Documenten", tables=privacy.TABLES)(
        privacy.subject_access)
    register_anonymiser(tables=privacy.TABLES)(privacy.anonymise)
