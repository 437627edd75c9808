"""Normalisers and checks shared by the services of every feature (HTML, API, CLI and import).

Each raises :class:`rmt.errors_domain.DomainError` naming the field, so the message appears at the
field in a form and per field in a problem+json answer.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import postcode as nl_postcode

from rmt.errors_domain import DomainError

POSTCODE_MESSAGE = "Vul een geldige postcode in, zoals 3511 AB."


def clean_text(value: Any) -> str:
    """Text with surrounding whitespace removed; None becomes ""."""
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def required_text(value: Any, field: str, message: str, max_len: int) -> str:
    """Stripped text that must be present and at most ``max_len`` characters long."""
    text = clean_text(value)
    if not text:
        raise DomainError(message, field=field)
    return limited_text(text, field, max_len)


def limited_text(value: Any, field: str, max_len: int) -> str:
    """Stripped optional text of at most ``max_len`` characters."""
    text = clean_text(value)
    if len(text) > max_len:
        raise DomainError(f"Gebruik hoogstens {max_len} tekens.", field=field)
    return text


#: python-stdnum's check, remembered (its clean-up of the text is slow for an import of
#: thousands of rows; a refused postcode raises and is not remembered).
_valid_postcode = functools.lru_cache(maxsize=8192)(nl_postcode.validate)


def normalise_postcode(value: str | None, *, required: bool = True,
                       field: str = "postcode") -> str:
    """'3511ab' -> '3511 AB' (python-stdnum). An empty optional postcode stays empty."""
    if not required and not clean_text(value):
        return ""
    try:
        return _valid_postcode(value or "")
    except StdnumError as exc:
        raise DomainError(POSTCODE_MESSAGE, field=field) from exc


def normalise_phone(value: str | None, *, field: str = "phone",
                    example: str = "06 12345678") -> str:
    """Digits (and a leading +) of a phone number of 9 to 15 digits; empty stays empty."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits and not re.fullmatch(r"\+?\d{9,15}", digits):
        raise DomainError(f"Vul een geldig telefoonnummer in, zoals {example}.", field=field)
    return digits
