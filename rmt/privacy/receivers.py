"""Privacy's own plug-ins; :func:`connect` is called once by create_app (nothing at import).

The readable subject-access sections of the vouchers, praktijkverklaring and employers tables
(:mod:`rmt.privacy.sections`) and the vouchers' fiscal retention duty, which blocks erasure on
request.
"""

from __future__ import annotations

from rmt.privacy import register_erasure_blocker, sections, service


def connect() -> None:
    """Register the sections and the erasure blocker (idempotent)."""
    sections.register_sections()
    register_erasure_blocker(service.voucher_retention_duty)
