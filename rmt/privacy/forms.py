"""Forms of the privacy pages. Every message is Dutch."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from rmt.forms import max_length, required
from rmt.web.forms import DateInput, FormMixin


class ErasureForm(FormMixin, FlaskForm):
    requested_on = DateInput(
        "Datum van het verzoek", validators=[required("Vul de datum van het verzoek in.")],
        description="De dag waarop de persoon om wissen vroeg.",
    )
    confirm_name = StringField(
        "Typ ter bevestiging de volledige naam",
        validators=[required("Typ de volledige naam ter bevestiging."), max_length(250)],
        description="Wissen kan niet ongedaan worden gemaakt.",
    )
