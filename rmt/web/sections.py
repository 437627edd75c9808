"""Sections that one feature adds to another feature's record page, registered when the app
starts (never at import time), so neither imports the other.

The page's view calls ``load("voucher", user, voucher)`` and passes the result as
``record_sections``; the template includes ``_record_sections.html``. A feature registers from
its ``receivers.connect()``::

    sections.add("voucher", "documents/_list.html", load_documents)

``load(user, record)`` returns the data the template gets as ``section`` (falsy: not shown).
The case page has its own registry, :mod:`rmt.cases.extensions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordSection:
    template: str
    load: Callable[[Any, Any], Any]
    order: int = 100


#: record type ("voucher", "praktijkverklaring", "placement") -> its sections, in order
SECTIONS: dict[str, list[RecordSection]] = {}


def add(record_type: str, template: str, load: Callable[[Any, Any], Any],
        order: int = 100) -> None:
    """Show ``template`` on the pages of ``record_type``; once per template."""
    found = [s for s in SECTIONS.get(record_type, []) if s.template != template]
    found.append(RecordSection(template, load, order))
    SECTIONS[record_type] = sorted(found, key=lambda section: section.order)


def load(record_type: str, user: Any, record: Any) -> list[tuple[str, Any]]:
    """(template, data) of every section registered for ``record_type``."""
    return [(s.template, s.load(user, record)) for s in SECTIONS.get(record_type, [])]
