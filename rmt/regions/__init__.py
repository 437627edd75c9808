"""The four RMT regions: their codes in one place (the rows come from a data migration)."""

from __future__ import annotations

#: Midden-Utrecht, Regio Amersfoort, Gooi- en Vechtstreek, Foodvalley.
REGION_CODES: tuple[str, ...] = ("MU", "AM", "GV", "FV")
