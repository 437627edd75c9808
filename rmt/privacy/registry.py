"""Where other features plug into the privacy operations, without rmt.privacy importing them.

A feature that stores data about a candidate (vouchers, proposals, placements,
praktijkverklaringen, ...) registers, in the ``connect()`` of its ``receivers`` module (called
once by create_app, never at import time):

- ``@register_subject_access("vouchers", "Scholingsvouchers", tables=("voucher", ...))``:
  ``(candidate, cases) -> list[dict] | dict`` — its rows for the subject-access export. ``cases``
  are the candidate's cases that the export covers (the coordinator's regions). Values must be
  JSON-friendly or date/datetime/enum (converted by the export). The tables named are then left
  out of the generic fallback.
- ``@register_anonymiser(tables=(...))``: ``(candidate, case_ids) -> None`` — clear its free text
  when a candidate is anonymised (retention or erasure). Must not delete rows that statistics use.
- ``@register_erasure_blocker``: ``(candidate) -> str | None`` — a Dutch reason why erasure on
  request is not allowed now (a legal retention duty), or None.

Tables linked to a case or candidate by a foreign key that no feature registered are still
exported (all columns) and anonymised by a conservative fallback (``rmt.privacy.generic``), so
nothing is silently left out while a feature has not registered yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SubjectAccessSection:
    key: str
    title: str
    collect: Callable[[Any, list[Any]], Any]
    tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Anonymiser:
    anonymise: Callable[[Any, list[int]], None]
    tables: tuple[str, ...] = ()


SUBJECT_ACCESS_SECTIONS: dict[str, SubjectAccessSection] = {}
ANONYMISERS: list[Anonymiser] = []
ERASURE_BLOCKERS: list[Callable[[Any], str | None]] = []


def register_subject_access(key: str, title: str, *, tables: Iterable[str] = ()) -> Callable:
    def decorator(func: Callable) -> Callable:
        SUBJECT_ACCESS_SECTIONS[key] = SubjectAccessSection(key, title, func, tuple(tables))
        return func

    return decorator


def register_anonymiser(*, tables: Iterable[str] = ()) -> Callable:
    def decorator(func: Callable) -> Callable:
        if all(a.anonymise is not func for a in ANONYMISERS):
            ANONYMISERS.append(Anonymiser(func, tuple(tables)))
        return func

    return decorator


def register_erasure_blocker(func: Callable[[Any], str | None]) -> Callable:
    if func not in ERASURE_BLOCKERS:
        ERASURE_BLOCKERS.append(func)
    return func


def registered_tables() -> set[str]:
    """Tables covered by a registered export section."""
    return {t for section in SUBJECT_ACCESS_SECTIONS.values() for t in section.tables}


def anonymised_tables() -> set[str]:
    return {t for anonymiser in ANONYMISERS for t in anonymiser.tables}
