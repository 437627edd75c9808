"""Enums that carry their own Dutch titles (as Indico's ``RichEnum`` does).

    class Colour(LabelledEnum):
        __titles__ = {"red": "Rood", "blue": "Blauw"}
        RED = "red"
        BLUE = "blue"

    Colour.RED.label  -> "Rood"
    Colour.choices()  -> [("red", "Rood"), ("blue", "Blauw")]

``label`` rather than ``title``: these are string enums, and ``str.title`` already exists.
"""

from __future__ import annotations

import enum
import functools
from typing import Any, ClassVar, Self


class LabelledEnum(enum.StrEnum):
    """A string enum whose members know their Dutch label (``__titles__``, by value)."""

    __titles__: ClassVar[dict[str, str]] = {}

    @property
    def label(self) -> str:
        return type(self).__titles__.get(self.value, self.value)

    @classmethod
    def choices(cls, members: Any = None) -> list[tuple[str, str]]:
        """(value, label) pairs for a select, in definition order (or of ``members``)."""
        return [(member.value, member.label) for member in (members or cls)]

    @classmethod
    def from_label_or_value(cls, text: str) -> Self | None:
        """The member whose value or label equals ``text`` (case-insensitive), else None."""
        return _lookup(cls).get((text or "").strip().casefold())


@functools.cache
def _lookup(cls: type[LabelledEnum]) -> dict[str, LabelledEnum]:
    """Casefolded value and label → member (the first member wins, as in definition order)."""
    found: dict[str, LabelledEnum] = {}
    for member in reversed(list(cls)):
        found[member.label.casefold()] = member
        found[member.value.casefold()] = member
    return found


def label_of(value: Any) -> str:
    """The Dutch label of any enum member that has one; other values as text ("" for None)."""
    if value is None:
        return ""
    label = getattr(value, "label", None)
    if isinstance(value, enum.Enum) and isinstance(label, str):
        return label
    return str(value.value if isinstance(value, enum.Enum) else value)
