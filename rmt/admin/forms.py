from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)

from rmt.auth.models import Role
from rmt.auth.service import find_user_by_email, password_problems
from rmt.forms import email_address, max_length, required

ROLE_CHOICES = [SelectChoice(value, label) for value, label in Role.choices()]


class RegionCheckboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        valid = {choice.value for choice in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError("Kies alleen bestaande regio's.")


class UserEditForm(FlaskForm):
    name = StringField("Naam", validators=[required("Vul de naam in."), max_length(200)])
    role = SelectField("Rol", choices=ROLE_CHOICES, validate_choice=False)
    regions = RegionCheckboxes("Regio's", choices=[])
    active = BooleanField("Account actief", default=True)

    def set_region_choices(self, regions) -> None:
        self.regions.choices = [SelectChoice(r.code, r.name) for r in regions]

    def validate_role(self, field: SelectField) -> None:
        if field.data not in {r.value for r in Role}:
            raise ValidationError("Kies een geldige rol.")

    def validate_regions(self, field: SelectMultipleField) -> None:
        if self.role.data != Role.ADMIN and not field.data:
            raise ValidationError("Kies minstens één regio.")


class UserUpdateForm(UserEditForm):
    """Editing an existing user: deactivating someone with work asks for a confirmation."""

    confirm_deactivation = BooleanField(
        "Toch deactiveren: de coördinatoren wijzen de trajecten opnieuw toe")


class UserCreateForm(UserEditForm):
    email = StringField("E-mailadres", validators=[required("Vul het e-mailadres in."),
                                                   max_length(254), email_address()])
    password = PasswordField("Eerste wachtwoord",
                             description="Minstens 12 tekens; de gebruiker wijzigt het zelf.",
                             validators=[required("Vul een eerste wachtwoord in."),
                                         max_length(200)])

    def validate_email(self, field: StringField) -> None:
        if find_user_by_email(field.data or ""):
            raise ValidationError("Er bestaat al een gebruiker met dit e-mailadres.")

    def validate_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "", email=self.email.data or "",
                                     name=self.name.data or "")
        if problems:
            raise ValidationError(" ".join(problems))


class SsoSettingForm(FlaskForm):
    sso_required = BooleanField(
        "Inloggen via de organisatie (SSO) verplicht",
        description="Dan logt iedereen behalve de functioneel beheerders in met het account van "
                    "de eigen organisatie. Beheerders houden hun wachtwoord en tweede factor als "
                    "noodtoegang.")
