"""Forms of the privacy pages. Every message is Dutch."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from rmt.forms import max_length, required
from rmt.privacy.models import RequestKind, RequestOutcome
from rmt.web.forms import Choice, DateInput, FormMixin


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


class RecordRequestForm(FormMixin, FlaskForm):
    """A privacy request received from the candidate."""

    kind = Choice("Soort verzoek", validators=[required("Kies het soort verzoek.")],
                  choices=[("", "Kies…"), *RequestKind.choices()])
    received_on = DateInput(
        "Ontvangen op", validators=[required("Vul de datum van ontvangst in.")],
        description="De termijn van één maand (AVG art. 12 lid 3) loopt vanaf deze dag.")
    note = TextAreaField(
        "Toelichting", validators=[max_length(500)],
        description="Hoe het verzoek binnenkwam en wat er gevraagd wordt. Geen persoonsgegevens "
                    "(geen namen, adressen, e-mailadressen, telefoonnummers of data).")


class CloseRequestForm(FormMixin, FlaskForm):
    """The handler closes a request with its outcome."""

    outcome = Choice("Uitkomst", validators=[required("Kies de uitkomst.")],
                     choices=[("", "Kies…"), *RequestOutcome.choices()])
    outcome_note = TextAreaField(
        "Motivering of toelichting", validators=[max_length(500)],
        description="Verplicht bij een (gedeeltelijke) afwijzing. Geen persoonsgegevens.")
    version = HiddenField()
