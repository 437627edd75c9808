"""The voucher lifecycle agreed with the coordinators (docs/decisions.md), as a table: every
pair of statuses, pure Python."""

from __future__ import annotations

import itertools

import pytest

from rmt.vouchers.lifecycle import (
    COMMITTED,
    FINAL,
    MOVES,
    PAID,
    MoveKind,
    VoucherStatus,
    allowed_moves,
    find_move,
    refusal,
)

S = VoucherStatus
#: Exactly the arrows of the agreed lifecycle (docs/decisions.md).
EXPECTED = {
    (S.AANGEVRAAGD, S.TOEGEKEND), (S.AANGEVRAAGD, S.AFGEWEZEN),
    (S.TOEGEKEND, S.GESTART), (S.TOEGEKEND, S.INGETROKKEN),
    (S.GESTART, S.AFGEROND), (S.GESTART, S.AFGEBROKEN),
    (S.AFGEROND, S.GEDECLAREERD), (S.AFGEBROKEN, S.GEDECLAREERD),
    (S.GEDECLAREERD, S.BETAALD),
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_every_pair_of_statuses(source, target):
    allowed = (source, target) in EXPECTED
    assert (find_move(source, target) is not None) is allowed
    assert (refusal(source, target) is None) is allowed
    assert (target in [m.target for m in allowed_moves(source)]) is allowed
    if not allowed:
        message = refusal(source, target)
        assert message.startswith("Regel statusverloop:")


def test_table_has_exactly_the_designed_moves():
    assert {(m.source, m.target) for m in MOVES} == EXPECTED
    assert len(MOVES) == len(EXPECTED)


def test_who_makes_which_move():
    kinds = {(m.source, m.target): m.kind for m in MOVES}
    assert kinds[(S.AANGEVRAAGD, S.TOEGEKEND)] == MoveKind.DECIDE
    assert kinds[(S.AANGEVRAAGD, S.AFGEWEZEN)] == MoveKind.DECIDE
    assert kinds[(S.GEDECLAREERD, S.BETAALD)] == MoveKind.SETTLE
    assert kinds[(S.AFGEROND, S.GEDECLAREERD)] == MoveKind.SETTLE
    assert kinds[(S.TOEGEKEND, S.GESTART)] == MoveKind.PROGRESS


def test_what_moves_need():
    needs_invoice = {(m.source, m.target) for m in MOVES if m.needs_invoice}
    assert needs_invoice == {(S.AFGEROND, S.GEDECLAREERD), (S.AFGEBROKEN, S.GEDECLAREERD)}
    needs_note = {m.target for m in MOVES if m.needs_note}
    assert needs_note == {S.AFGEWEZEN, S.INGETROKKEN, S.AFGEBROKEN}


def test_final_statuses_have_no_moves():
    assert {S.AFGEWEZEN, S.INGETROKKEN, S.BETAALD} == FINAL
    for status in S:
        assert (not allowed_moves(status)) is (status in FINAL)


def test_committed_is_toegekend_through_betaald():
    assert {S.TOEGEKEND, S.GESTART, S.AFGEROND, S.AFGEBROKEN, S.GEDECLAREERD,
                         S.BETAALD} == COMMITTED
    assert {S.BETAALD} == PAID and PAID <= COMMITTED
    assert S.AANGEVRAAGD not in COMMITTED
    assert S.AFGEWEZEN not in COMMITTED and S.INGETROKKEN not in COMMITTED


@pytest.mark.parametrize("bad", ["", "onzin", None, 5, "TOEGEKEND "])
def test_unknown_target_is_refused_with_the_choices(bad):
    message = refusal(S.AANGEVRAAGD, bad)
    if bad == "TOEGEKEND ":
        assert message is not None  # values are lower case
    else:
        assert message.startswith("Onbekende status")
