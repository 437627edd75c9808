"""The preferences form: one choice per kind of notification."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from rmt.notifications.models import Delivery, Kind
from rmt.web.forms import CHOICE_MESSAGE, FormMixin, opts


class PreferencesForm(FormMixin, FlaskForm):
    """Fields named after the kinds (``voucher_requested``, ...), choices the deliveries."""


for _kind in Kind:
    setattr(PreferencesForm, _kind.value,
            SelectField(_kind.label, choices=opts(Delivery.choices()),
                        invalid_choice_message=CHOICE_MESSAGE,
                        default=Delivery.IMMEDIATELY.value))


class EmptyForm(FlaskForm):
    """Only the CSRF token (mark as read, retry)."""
