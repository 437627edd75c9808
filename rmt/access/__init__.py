"""Fail-closed access control: the policy table and region-scoped loaders."""

from rmt.access.policy import Action, allowed_regions, can, every_region, require
from rmt.access.scope import (
    get_or_404,
    get_row_or_404,
    in_scope,
    region_column,
    role_required,
    scope_params,
    scoped,
)

__all__ = [
    "Action",
    "allowed_regions",
    "can",
    "every_region",
    "get_or_404",
    "get_row_or_404",
    "in_scope",
    "region_column",
    "require",
    "role_required",
    "scope_params",
    "scoped",
]
