"""The scholingsvoucher lifecycle (docs/decisions.md, Scholingsvouchers) as plain data.
No Flask, no database.

```
aangevraagd → toegekend | afgewezen;  toegekend → gestart | ingetrokken;
gestart → afgerond | afgebroken;      afgerond | afgebroken → gedeclareerd → betaald
```

Each move has a *kind* that decides who may make it (the service maps kinds to policy actions)
and what it needs (a note, an invoice number). Which statuses count towards a budget is defined
here too, so the budget arithmetic and the lifecycle cannot drift apart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rmt.enums import LabelledEnum


class VoucherStatus(LabelledEnum):
    __titles__ = {
        "aangevraagd": "Aangevraagd",
        "toegekend": "Toegekend",
        "afgewezen": "Afgewezen",
        "gestart": "Gestart",
        "ingetrokken": "Ingetrokken",
        "afgerond": "Afgerond",
        "afgebroken": "Afgebroken",
        "gedeclareerd": "Gedeclareerd",
        "betaald": "Betaald",
    }

    AANGEVRAAGD = "aangevraagd"
    TOEGEKEND = "toegekend"
    AFGEWEZEN = "afgewezen"
    GESTART = "gestart"
    INGETROKKEN = "ingetrokken"
    AFGEROND = "afgerond"
    AFGEBROKEN = "afgebroken"
    GEDECLAREERD = "gedeclareerd"
    BETAALD = "betaald"


class MoveKind(enum.StrEnum):
    """Who makes a move: the decision (coordinator, four eyes), progress of the training
    (coach or coordinator) or settlement of the invoice (coordinator)."""

    DECIDE = "decide"
    PROGRESS = "progress"
    SETTLE = "settle"


@dataclass(frozen=True)
class Move:
    source: VoucherStatus
    target: VoucherStatus
    kind: MoveKind
    label: str  # Dutch button text
    needs_note: bool = False
    needs_invoice: bool = False


_S = VoucherStatus
MOVES: tuple[Move, ...] = (
    Move(_S.AANGEVRAAGD, _S.TOEGEKEND, MoveKind.DECIDE, "Toekennen"),
    Move(_S.AANGEVRAAGD, _S.AFGEWEZEN, MoveKind.DECIDE, "Afwijzen", needs_note=True),
    Move(_S.TOEGEKEND, _S.GESTART, MoveKind.PROGRESS, "Opleiding is gestart"),
    Move(_S.TOEGEKEND, _S.INGETROKKEN, MoveKind.PROGRESS, "Voucher intrekken", needs_note=True),
    Move(_S.GESTART, _S.AFGEROND, MoveKind.PROGRESS, "Opleiding is afgerond"),
    Move(_S.GESTART, _S.AFGEBROKEN, MoveKind.PROGRESS, "Opleiding is afgebroken",
         needs_note=True),
    Move(_S.AFGEROND, _S.GEDECLAREERD, MoveKind.SETTLE, "Declaratie vastleggen",
         needs_invoice=True),
    Move(_S.AFGEBROKEN, _S.GEDECLAREERD, MoveKind.SETTLE, "Declaratie vastleggen",
         needs_invoice=True),
    Move(_S.GEDECLAREERD, _S.BETAALD, MoveKind.SETTLE, "Betaling vastleggen"),
)

#: Statuses whose amount is committed against the budget: from the approval up to and including
#: payment. A request that is still waiting, was refused or was withdrawn commits nothing.
#: A dropped-out training (afgebroken) stays committed: the provider may still invoice it.
COMMITTED: frozenset[VoucherStatus] = frozenset({
    _S.TOEGEKEND, _S.GESTART, _S.AFGEROND, _S.AFGEBROKEN, _S.GEDECLAREERD, _S.BETAALD,
})
PAID: frozenset[VoucherStatus] = frozenset({_S.BETAALD})
#: Closing a case (docs/decisions.md): refused while one of its vouchers is awarded or its
#: training runs; a request still waiting for a decision is withdrawn (a move no person makes,
#: so it is not in :data:`MOVES`); a finished training stays to be declared and paid.
BLOCKS_CASE_CLOSE: frozenset[VoucherStatus] = frozenset({_S.TOEGEKEND, _S.GESTART})
WITHDRAWN_ON_CASE_CLOSE: dict[VoucherStatus, VoucherStatus] = {_S.AANGEVRAAGD: _S.INGETROKKEN}
FINAL: frozenset[VoucherStatus] = frozenset({_S.AFGEWEZEN, _S.INGETROKKEN, _S.BETAALD})


def as_status(value: object) -> VoucherStatus | None:
    if isinstance(value, VoucherStatus):
        return value
    if isinstance(value, str):
        try:
            return VoucherStatus(value.strip())
        except ValueError:
            return None
    return None


def allowed_moves(status: VoucherStatus | str) -> list[Move]:
    """The moves out of ``status``, in the order of the table."""
    source = as_status(status)
    return [move for move in MOVES if move.source == source]


def find_move(source: VoucherStatus | str, target: VoucherStatus | str) -> Move | None:
    src, tgt = as_status(source), as_status(target)
    return next((m for m in MOVES if m.source == src and m.target == tgt), None)


def refusal(source: VoucherStatus | str, target: VoucherStatus | str) -> str | None:
    """Why ``source → target`` is not a move of the lifecycle (Dutch), or None when it is."""
    src, tgt = as_status(source), as_status(target)
    if tgt is None:
        return "Onbekende status. Kies een van: " + ", ".join(s.value for s in VoucherStatus) + "."
    if src is not None and find_move(src, tgt) is not None:
        return None
    allowed = [m.target.label.lower() for m in allowed_moves(src or "")]
    current = src.label.lower() if src else "onbekend"
    if not allowed:
        return f"Regel statusverloop: een voucher met status {current} verandert niet meer."
    return (f"Regel statusverloop: van {current} kan een voucher alleen naar "
            f"{' of '.join(allowed)}, niet naar {tgt.label.lower()}.")
