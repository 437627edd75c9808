"""The registry of import kinds, and the cell parsers a kind's columns use.

A feature registers its kinds from its ``receivers.connect()`` (never at import time)::

    kinds.register(ImportKind(name="employers", title="Werkgevers", columns=(...),
                              apply_row=apply_employer_row, key="kvk"))

``apply_row(user, region_code, values)`` gets the parsed values of one row (by column name,
empty cells left out) and calls the feature's own service; it returns a :class:`RowOutcome`
or raises :class:`rmt.errors_domain.DomainError` (whose ``field`` names the column).

A kind whose rows come by the thousand may also offer ``batch`` (a :class:`RowBatch`): the
rows are then checked one by one against look-ups made once per file, and the accepted ones
written together at the end (the import's queries do not grow with every row). The rules are
the feature's own, shared with ``apply_row``.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from rmt.enums import LabelledEnum
from rmt.errors_domain import DomainError

CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"


@dataclass(frozen=True)
class RowOutcome:
    """What one row did: created (or updated, or skipped as existing) this record."""

    action: str
    object_type: str = ""
    object_id: int | None = None
    message: str = ""


Parser = Callable[[Any], Any]


class RowBatch(Protocol):
    """The rows of one file of a kind, checked one by one and written together.

    ``check`` applies every rule to one row (in file order, so a later row sees the earlier
    accepted ones, e.g. as duplicates) and returns what the row would do (object id None), or
    raises DomainError; it writes nothing. ``write`` writes every checked row and returns their
    outcomes in the order they were checked. A dry run never calls ``write``."""

    def check(self, values: dict[str, Any]) -> RowOutcome: ...

    def write(self) -> list[RowOutcome]: ...


class RowRefused(Exception):
    """Raised by :meth:`RowBatch.write` when a rule refused the row checked as ``position``
    (0-based) only when written; the import then writes nothing."""

    def __init__(self, position: int, error: DomainError) -> None:
        super().__init__(error.message)
        self.position, self.error = position, error


#: ``batch(user, region_code, rows)``: a :class:`RowBatch` for the parsed rows of a file
#: (``rows``: the values of every row without cell errors, for look-ups made up front).
BatchFactory = Callable[[Any, str, list[dict[str, Any]]], RowBatch]

_run_cache: ContextVar[dict[str, Any] | None] = ContextVar("import_run_cache", default=None)


@contextmanager
def run_cache() -> Iterator[None]:
    """Look-ups that parsers make (reference data) are made once for the file."""
    token = _run_cache.set({})
    try:
        yield
    finally:
        _run_cache.reset(token)


def cached(name: str, load: Callable[[], Any]) -> Any:
    """``load()`` once per import run (inside :func:`run_cache`), else every time."""
    cache = _run_cache.get()
    if cache is None:
        return load()
    if name not in cache:
        cache[name] = load()
    return cache[name]


@dataclass(frozen=True)
class Column:
    """One column of a kind: its name (the key in ``values``), Dutch heading and aliases."""

    name: str
    heading: str
    parse: Parser = field(default=lambda value: parse_text(value))
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""

    def heading_keys(self) -> set[str]:
        return {heading_key(text) for text in (self.heading, self.name, *self.aliases)}


@dataclass(frozen=True)
class ImportKind:
    name: str
    title: str
    columns: tuple[Column, ...]
    apply_row: Callable[[Any, str, dict[str, Any]], RowOutcome]
    #: The column whose value identifies a record across imports (kenmerk, KvK), if any.
    key: str | None = None
    description: str = ""
    #: ``update_row(user, region_code, values, object_id)``: bring a record imported before
    #: under the same key up to date (only when the person asks for it); None: not offered.
    update_row: Callable[[Any, str, dict[str, Any], int], RowOutcome] | None = None
    #: New records checked row by row and written together (:class:`RowBatch`); None: each
    #: row through ``apply_row``.
    batch: BatchFactory | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    """Add (or replace, on a second app in the same process) a kind."""
    _KINDS[kind.name] = kind


def get(name: str) -> ImportKind | None:
    return _KINDS.get(name)


def all_kinds() -> list[ImportKind]:
    return list(_KINDS.values())


# ---------------------------------------------------------------------------------------------
# Headings


def heading_key(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive form of a heading."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def auto_mapping(kind: ImportKind, headings: list[str]) -> dict[str, int]:
    """Column name → index of the file's heading that matches it (first match wins)."""
    mapping: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = heading_key(heading)
        if not key:
            continue
        for column in kind.columns:
            if column.name not in mapping and key in column.heading_keys():
                mapping[column.name] = index
                break
    return mapping


# ---------------------------------------------------------------------------------------------
# Cell parsers (Dutch messages; the framework adds the row and column)


def parse_text(value: Any, max_length: int = 500) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > max_length:
        raise DomainError(f"De tekst is te lang (meer dan {max_length} tekens).")
    return text


def text_of(max_length: int) -> Parser:
    return lambda value: parse_text(value, max_length)


EXCEL_EPOCH = date(1899, 12, 30)
DATE_MESSAGE = "Vul een geldige datum in als dd-mm-jjjj of jjjj-mm-dd."
_DATE = re.compile(r"(?P<d1>\d{1,2})-(?P<m1>\d{1,2})-(?P<y1>\d{4})"
                   r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})")


def parse_date(value: Any) -> date:
    """An Excel serial number, a date cell, or text dd-mm-jjjj or jjjj-mm-dd (also with /)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # up to 31-12-9999
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise DomainError("Dit is geen geldige datum.")
    text = str(value).strip().replace("/", "-").replace(".", "-")
    if text.isdigit() and len(text) <= 6:
        return parse_date(int(text))
    match = _DATE.fullmatch(text)  # the usual forms without strptime (thousands of rows)
    if match:
        day, month, year = match.group("d1", "m1", "y1") if match["d1"] else match.group(
            "d2", "m2", "y2")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise DomainError(DATE_MESSAGE) from None
    for form in ("%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise DomainError(DATE_MESSAGE)


TRUE_WORDS = {"ja", "j", "waar", "true", "1", "yes", "x"}
FALSE_WORDS = {"nee", "n", "onwaar", "false", "0", "no"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise DomainError("Vul ja of nee in.")


def choice_of(enum_cls: type[enum.Enum]) -> Parser:
    """A member of ``enum_cls`` by its code or Dutch label (case- and accent-insensitive):
    :meth:`LabelledEnum.from_label_or_value` first, then the same without accents and spaces
    (the process engine's ``CaseState`` has labels but not that method)."""
    keys = {}
    for member in enum_cls:
        keys[heading_key(member.value)] = member
        keys[heading_key(member.label)] = member

    exact = enum_cls.from_label_or_value if issubclass(enum_cls, LabelledEnum) else None

    def parse(value: Any) -> enum.Enum:
        member = (exact(str(value)) if exact else None) or keys.get(heading_key(value))
        if member is None:
            options = ", ".join(m.label for m in enum_cls)
            raise DomainError(f"Onbekende waarde; kies uit: {options}.")
        return member

    return parse


def parse_email(value: Any) -> str:
    text = parse_text(value, 254).lower()
    if "@" not in text or " " in text:
        raise DomainError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")
    return text
