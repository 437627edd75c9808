"""Privacy operations: retention (anonymisation), subject access, erasure, the consent register.

Other features plug in through :mod:`rmt.privacy.registry` (see docs/decisions.md).
"""

from rmt.privacy.registry import (
    register_anonymiser,
    register_erasure_blocker,
    register_subject_access,
)

__all__ = ["register_anonymiser", "register_erasure_blocker", "register_subject_access"]
