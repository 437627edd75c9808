"""Money is integer euro cents. Parse what people type, show it the Dutch way."""

from __future__ import annotations

import re

#: Largest amount accepted anywhere (budgets included): € 100.000.000,00.
MAX_CENTS = 100_000_000_00

_NUMBER = re.compile(r"^\d+([.,]\d+)*$")


class MoneyError(ValueError):
    """The text is not a usable amount; ``str(error)`` is a Dutch message."""


def parse_euros(text: str | None, *, max_cents: int = MAX_CENTS) -> int:
    """Euro text to cents: '1.250,50', '1250,50', '1250.50', '€ 1.250' and '1,250.50' all work.

    With both separators the last one is the decimal separator. A single kind of separator is a
    decimal separator when it occurs once and is followed by one or two digits; groups of exactly
    three digits are thousands. Zero, negative, more than two decimals and too large are refused.
    """
    raw = (text or "").strip().replace("€", "").replace("EUR", "").replace("\u00a0", "")
    raw = raw.replace(" ", "").replace("'", "")
    if not raw:
        raise MoneyError("Vul een bedrag in.")
    if raw.startswith("-") or raw.startswith("−"):
        raise MoneyError("Vul een positief bedrag in.")
    raw = raw.removeprefix("+")
    if raw.endswith((",-", ".-")):
        raw = raw[:-2]
    if not _NUMBER.match(raw):
        raise MoneyError("Vul een bedrag in euro's in, zoals 1.250,50.")
    integer, decimals = _split(raw)
    if len(decimals) > 2:
        raise MoneyError("Gebruik hoogstens twee cijfers achter de komma.")
    if len(integer) > 15:
        raise MoneyError(f"Het bedrag is te groot (hoogstens {format_euros(max_cents)}).")
    cents = int(integer or "0") * 100 + int((decimals + "00")[:2])
    if cents <= 0:
        raise MoneyError("Het bedrag moet groter zijn dan € 0,00.")
    if cents > max_cents:
        raise MoneyError(f"Het bedrag is te groot (hoogstens {format_euros(max_cents)}).")
    return cents


def _split(raw: str) -> tuple[str, str]:
    """(integer digits, decimal digits) of a number with '.' and/or ',' separators."""
    last_dot, last_comma = raw.rfind("."), raw.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
        thousands = "," if decimal_sep == "." else "."
        integer, _, decimals = raw.rpartition(decimal_sep)
        if decimal_sep in integer:
            raise MoneyError("Vul een bedrag in euro's in, zoals 1.250,50.")
        _check_groups(integer, thousands)
        return integer.replace(thousands, ""), decimals
    sep = "." if last_dot >= 0 else "," if last_comma >= 0 else ""
    if not sep:
        return raw, ""
    parts = raw.split(sep)
    if len(parts) == 2 and len(parts[1]) in (1, 2):
        return parts[0], parts[1]
    _check_groups(raw, sep)
    return raw.replace(sep, ""), ""


def _check_groups(integer: str, sep: str) -> None:
    parts = integer.split(sep)
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:])):
        raise MoneyError("Vul een bedrag in euro's in, zoals 1.250,50.")


def format_euros(cents: int | None, *, symbol: bool = True) -> str:
    """12345 -> '€ 123,45'; 125050 -> '€ 1.250,50' (non-breaking space after the sign)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    text = f"{euros:,}".replace(",", ".") + f",{rest:02d}"
    return f"{sign}€\u00a0{text}" if symbol else f"{sign}{text}"
