"""Forms of the privacy and audit pages. Every message is Dutch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DateField, StringField

from rmt.forms import max_length, required

DATE_MESSAGE = "Vul een geldige datum in, zoals 31-12-2026."


class DateInput(DateField):
    """``<input type="date">`` (yyyy-mm-dd); a typed dd-mm-yyyy works too; Dutch message."""

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.data = parse_date(text)
        if text.strip() and self.data is None:
            raise ValueError(DATE_MESSAGE)


def parse_date(text: str | None) -> date | None:
    """A date typed as yyyy-mm-dd or dd-mm-yyyy between 1900 and 2100, else None."""
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            parsed = datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    return None


class ErasureForm(FlaskForm):
    requested_on = DateInput(
        "Datum van het verzoek", validators=[required("Vul de datum van het verzoek in.")],
        description="De dag waarop de persoon om wissen vroeg.",
    )
    confirm_name = StringField(
        "Typ ter bevestiging de volledige naam",
        validators=[required("Typ de volledige naam ter bevestiging."), max_length(250)],
        description="Wissen kan niet ongedaan worden gemaakt.",
    )
