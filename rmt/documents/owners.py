"""The registry of record types that can own documents.

rmt.documents imports no feature's service: each owner type says how to load its record, which
object carries its region (for :func:`rmt.access.can`), which case it belongs to and which
policy actions allow reading and changing its documents. They are registered when the app
starts (:func:`rmt.documents.receivers.connect`), never at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort

from rmt.access import Action, can
from rmt.errors_domain import Forbidden
from rmt.extensions import db


@dataclass(frozen=True)
class OwnerType:
    """One kind of record with documents."""

    name: str  # stored in document.owner_type
    label: str  # Dutch, "het traject"
    model: type
    #: the object whose ``region_code`` decides access (the record, or its case)
    scope_object: Callable[[Any], Any]
    case_id: Callable[[Any], int]
    read_action: Action
    change_actions: tuple[Action, ...]
    #: the HTML page of the record: endpoint and its argument name
    endpoint: str
    endpoint_arg: str


OWNER_TYPES: dict[str, OwnerType] = {}


def register(owner: OwnerType) -> None:
    """Register (or replace) an owner type."""
    OWNER_TYPES[owner.name] = owner


def owner_type(name: str) -> OwnerType:
    try:
        return OWNER_TYPES[name]
    except KeyError:
        abort(404)


def _valid_id(ident: Any) -> bool:
    try:
        value = int(str(ident))
    except ValueError:
        return False
    return 0 < value <= 2**31 - 1


def may_read(user: Any, owner: OwnerType, record: Any) -> bool:
    return can(user, owner.read_action, owner.scope_object(record))


def may_change(user: Any, owner: OwnerType, record: Any) -> bool:
    scope = owner.scope_object(record)
    return any(can(user, action, scope) for action in owner.change_actions)


def load(name: str, ident: Any, user: Any, *, change: bool = False) -> tuple[OwnerType, Any]:
    """The owner record, or 404 when it does not exist or the user may not read it (another
    region); with ``change``, a 403 when the user may read but not change it."""
    owner = owner_type(name)
    record = db.session.get(owner.model, int(ident)) if _valid_id(ident) else None
    if record is None or not may_read(user, owner, record):
        abort(404)
    if change and not may_change(user, owner, record):
        raise Forbidden("Uw rol staat niet toe hier documenten toe te voegen of te verwijderen.")
    return owner, record
