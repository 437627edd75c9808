from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, ValidationError

from rmt.auth.service import password_problems
from rmt.forms import max_length, required


class LoginForm(FlaskForm):
    email = StringField("E-mailadres", validators=[required("Vul uw e-mailadres in."),
                                                   max_length(254)])
    password = PasswordField("Wachtwoord", validators=[required("Vul uw wachtwoord in."),
                                                       max_length(200)])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Huidig wachtwoord", validators=[required(), max_length(200)])
    new_password = PasswordField("Nieuw wachtwoord", validators=[required(), max_length(200)])
    new_password_repeat = PasswordField("Herhaal nieuw wachtwoord",
                                        validators=[required(), max_length(200)])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def validate_new_password(self, field: PasswordField) -> None:
        problems = password_problems(
            field.data or "", email=self._user.email if self._user else "",
            name=self._user.name if self._user else "",
        )
        if problems:
            raise ValidationError(" ".join(problems))

    def validate_new_password_repeat(self, field: PasswordField) -> None:
        if field.data != self.new_password.data:
            raise ValidationError("De twee nieuwe wachtwoorden zijn niet gelijk.")


class SecondFactorForm(FlaskForm):
    """The code step of the sign-in: a code from the app or a recovery code."""

    code = StringField(
        "Code",
        description="De zes cijfers uit uw authenticator-app, of een van uw herstelcodes.",
        validators=[required("Vul de code in."), max_length(20)],
    )


class TotpConfirmForm(FlaskForm):
    """Proof of possession: a current code from the app (enrolment, switching off, new codes)."""

    code = StringField(
        "Code uit de app",
        description="De zes cijfers die uw authenticator-app nu toont.",
        validators=[required("Vul de code uit de app in."), max_length(20)],
    )
