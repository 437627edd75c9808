"""Forms of the praktijkverklaring pages and of its reference data (HTML only).

Built on :class:`PvForm`: no CSRF field of their own (``CSRFProtect`` checks every POST;
templates add the token), hidden-field errors shown above the form, and service refusals placed
at their field (:class:`rmt.web.forms.FormMixin`).
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import Optional

from rmt.errors_domain import DomainError, StaleVersion
from rmt.forms import max_length, required
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import MboSchool, Qualification
from rmt.web.forms import (
    EMPTY_CHOICE,
    VERSION_MESSAGE,
    Choice,
    DateInput,
    PageForm,
    optional_int,
    service_check,
    strip,
)


class PvForm(PageForm):
    """Base form: no own CSRF field; hidden-field errors are reported for the whole form.

    ``stale`` tells the view that a refusal was about the version, so the form should carry the
    current version when shown again.
    """

    stale = False

    def show_current_version(self, record: Any) -> None:
        """After a version conflict, carry the record's current version: the next try can
        succeed once the user has seen the newest data."""
        if self.stale and "version" in self._fields:
            self._fields["version"].data = str(record.version)

    def add_domain_error(self, error: DomainError) -> int:
        self.stale = isinstance(error, StaleVersion)
        return super().add_domain_error(error)

    def add_error(self, field_name: str | None, message: str) -> None:
        # A version conflict found at flush (rmt.web.handlers.submit) lands on "version".
        self.stale = self.stale or field_name == "version"
        super().add_error(field_name, message)


def _version_field() -> HiddenField:
    return HiddenField(validators=[required(VERSION_MESSAGE)])



# ---------------------------------------------------------------------------------------------
# Reference data


class SchoolForm(PvForm):
    name = StringField("Naam van de school", filters=[strip],
                       validators=[required("Vul de naam van de school in."), max_length(200)])
    brin = StringField("BRIN-code", filters=[strip],
                       validators=[required("Vul de BRIN-code in."), max_length(10)],
                       description="Twee cijfers en twee letters, zoals 25PZ.")
    active = BooleanField("Actief (te kiezen bij een nieuwe aanvraag)", default=True)

    def validate_brin(self, field: StringField) -> None:
        if field.data:
            service_check(service.normalise_brin, field.data)


LEVEL_CHOICES = [EMPTY_CHOICE, *[(str(n), f"Niveau {n}") for n in (1, 2, 3, 4)]]


class QualificationForm(PvForm):
    crebo = StringField("Crebonummer", filters=[strip],
                        validators=[required("Vul het crebonummer in."), max_length(10)],
                        description="Vijf cijfers, zoals 25409.")
    name = StringField("Naam van de kwalificatie", filters=[strip],
                       validators=[required("Vul de naam in."), max_length(200)])
    dossier_name = StringField("Kwalificatiedossier", filters=[strip],
                               validators=[max_length(200)],
                               description="Bijvoorbeeld: Logistiek.")
    level = Choice("Niveau", choices=LEVEL_CHOICES, validators=[required("Kies het niveau.")])
    active = BooleanField("Actief (te kiezen bij een nieuwe aanvraag)", default=True)

    def validate_crebo(self, field: StringField) -> None:
        if field.data:
            service_check(service.normalise_crebo, field.data)


class WorkProcessForm(PvForm):
    code = StringField("Code", filters=[strip],
                       validators=[required("Vul de code in."), max_length(20)],
                       description="Zoals B1-K1-W1 (basisdeel) of P1-K1-W1 (profieldeel).")
    name = StringField("Omschrijving", filters=[strip],
                       validators=[required("Vul de omschrijving in."), max_length(300)])
    active = BooleanField("Actief", default=True)

    def validate_code(self, field: StringField) -> None:
        if field.data:
            service_check(service.normalise_work_process_code, field.data)


# ---------------------------------------------------------------------------------------------
# Trajectory


class TrajectoryForm(PvForm):
    school_id = Choice("Mbo-school", coerce=optional_int,
                       validators=[required("Kies de mbo-school.")],
                       message="Kies een mbo-school uit de lijst.")
    qualification_id = Choice("Kwalificatie (crebo)", coerce=optional_int,
                              validators=[required("Kies de kwalificatie.")],
                              message="Kies een kwalificatie uit de lijst.")
    employer_id = Choice("Leerbedrijf", coerce=optional_int,
                         message="Kies een leerbedrijf uit de lijst.",
                         description="Alleen werkgevers met een SBB-erkenningsnummer staan in de "
                                     "lijst. Nodig voordat de praktijkovereenkomst wordt "
                                     "getekend.")
    praktijkopleider = StringField("Praktijkopleider", filters=[strip],
                                   validators=[max_length(200)],
                                   description="Naam van de begeleider bij het leerbedrijf.")
    planned_start = DateInput("Geplande start", validators=[Optional()])
    planned_end = DateInput("Gepland einde", validators=[Optional()])

    def setup(self, schools: list[MboSchool], qualifications: list[Qualification],
              employers: list) -> None:
        self.school_id.choices = [EMPTY_CHOICE, *[(s.id, f"{s.name} ({s.brin})")
                                                 for s in schools]]
        self.qualification_id.choices = [EMPTY_CHOICE, *[
            (q.id, f"{q.name}, niveau {q.level} (crebo {q.crebo})") for q in qualifications]]
        self.employer_id.choices = [("", "— nog niet bekend —"), *[
            (e.id, f"{e.name} (SBB {e.sbb_number})") for e in employers]]

    def validate_planned_end(self, field: DateInput) -> None:
        if field.data and self.planned_start.data and field.data < self.planned_start.data:
            raise ValidationError("Het geplande einde ligt vóór de start.")

    def details(self) -> dict[str, Any]:
        return {name: self._fields[name].data for name in (
            "school_id", "qualification_id", "employer_id", "praktijkopleider",
            "planned_start", "planned_end")}


class TrajectoryEditForm(TrajectoryForm):
    version = _version_field()


def _id_or_none(value: Any) -> int | None:
    """Coerce a checkbox value; anything but a plain number becomes None (refused below)."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 10 else None


class WorkProcessChoiceForm(PvForm):
    work_processes = SelectMultipleField(
        "Werkprocessen die de kandidaat in de praktijk laat zien", coerce=_id_or_none,
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
        validate_choice=False)
    version = _version_field()

    def set_work_processes(self, definitions: list) -> None:
        self.work_processes.choices = [(d.id, f"{d.code} {d.name}") for d in definitions]

    def validate_work_processes(self, field: SelectMultipleField) -> None:
        valid = {value for value, _label in field.choices}
        if any(value not in valid for value in field.data or []):
            raise ValidationError("Kies alleen werkprocessen uit de lijst.")
        if not field.data:
            raise ValidationError("Kies minstens één werkproces.")


RESULT_CHOICES = [EMPTY_CHOICE, *AssessmentResult.choices()]


class AssessmentForm(PvForm):
    result = Choice("Resultaat", choices=RESULT_CHOICES,
                    validators=[required("Kies het resultaat.")],
                    message="Kies 'aangetoond' of 'nog niet aangetoond'.")
    assessed_on = DateInput("Datum beoordeling",
                            validators=[required("Vul de datum van de beoordeling in.")])
    assessor_name = StringField("Beoordelaar", filters=[strip],
                                validators=[required("Vul de naam van de beoordelaar in."),
                                            max_length(200)],
                                description="Bijvoorbeeld de praktijkopleider of de "
                                            "examinator van de school.")
    version = _version_field()


class StepForm(PvForm):
    """One form per offered move; the prefix tells which (``stap`` or ``afbreken``)."""

    to = HiddenField(validators=[required("Kies een stap.")])
    reason = TextAreaField("Reden", filters=[strip], validators=[max_length(500)])
    version = _version_field()

    def validate_to(self, field: HiddenField) -> None:
        if field.data and field.data not in {status.value for status in PvStatus}:
            raise ValidationError("Kies een geldige stap.")
