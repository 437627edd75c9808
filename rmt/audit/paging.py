"""Offset pagination for list pages (audit log, consent register); the links are drawn by
the ``pagination`` macro of ``templates/audit/_pagination.html``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rmt.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(value: str | None) -> int:
    """``?pagina=`` as a positive int; anything else is page 1 (never a 500)."""
    return int(value) if value and value.isdigit() and 0 < len(value) <= 6 else 1


def paginate(query: sa.Select, page: int, per_page: int = PER_PAGE) -> Page:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items, total, page, per_page)
