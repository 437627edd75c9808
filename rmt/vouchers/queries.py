"""Read-only SQL over vouchers shared by the budget figures (:mod:`rmt.vouchers.service`) and the
statistics (:mod:`rmt.stats`): what every voucher asks of each budget it is paid from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from rmt.vouchers.lifecycle import COMMITTED
from rmt.vouchers.models import Voucher, VoucherFunding


def funding_lines(budget_ids: list[int] | None = None) -> sa.Subquery:
    """What every voucher asks of each budget it is paid from (SQL), one line per (voucher,
    budget): ``voucher_id, case_id, budget_id, status, amount, declared``.

    The main budget's line is the voucher's amount minus its co-funding parts (and its
    declared amount minus their declared shares); each part is a line of its own budget.
    ``budget_ids`` limits the lines to those budgets (both halves use their index).
    """
    part = VoucherFunding
    co_amount = (sa.select(sa.func.coalesce(sa.func.sum(part.amount_cents), 0))
                 .where(part.voucher_id == Voucher.id).scalar_subquery())
    co_declared = (sa.select(sa.func.coalesce(sa.func.sum(part.declared_cents), 0))
                   .where(part.voucher_id == Voucher.id).scalar_subquery())
    main = sa.select(Voucher.id.label("voucher_id"), Voucher.case_id.label("case_id"),
                     Voucher.budget_id.label("budget_id"),
                     Voucher.status.label("status"),
                     (Voucher.amount_cents - co_amount).label("amount"),
                     (Voucher.declared_amount_cents - co_declared).label("declared"))
    parts = (sa.select(part.voucher_id, Voucher.case_id, part.budget_id, Voucher.status,
                       part.amount_cents, part.declared_cents)
             .join(Voucher, Voucher.id == part.voucher_id))
    if budget_ids is not None:
        main = main.where(Voucher.budget_id.in_(budget_ids))
        parts = parts.where(part.budget_id.in_(budget_ids))
    return sa.union_all(main, parts).subquery("funding_line")


def committed_amount_expr(line: Any) -> sa.ColumnElement[int]:
    """What one funding line takes from its budget (SQL): the declared share once known."""
    return sa.case(
        (line.c.status.in_(sorted(COMMITTED)), sa.func.coalesce(line.c.declared, line.c.amount)),
        else_=0)
