"""Forms of the case pages (HTML only; the API validates with its own schemas).

The forms parse and check the shape of the input; the rules live in :mod:`rmt.cases.service`,
whose validators are reused here so a message appears at its field. Several forms share one
page, so these forms carry no CSRF field of their own: ``CSRFProtect`` checks every POST, and the
templates add the token as a plain hidden input. Forms on the case page get a ``prefix`` to keep
element ids unique.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Optional, StopValidation

from rmt.auth.models import User
from rmt.cases import service
from rmt.cases.models import (
    ActivityStatus,
    Benefit,
    ConsentPurpose,
    EducationLevel,
    NoteKind,
    ReferralPartner,
    TargetGroup,
    WorkStatus,
    choices,
)
from rmt.errors_domain import DomainError
from rmt.forms import email_address, max_length, required
from rmt.process import EXIT_REASON_LABELS, STATE_LABELS, CaseState
from rmt.regions.models import Region

DATE_MESSAGE = "Vul een geldige datum in, zoals 31-12-2025."
CHOICE_MESSAGE = "Kies een waarde uit de lijst."
VERSION_MESSAGE = "Het formulier is onvolledig. Laad de pagina opnieuw en probeer het nog eens."
EMPTY_CHOICE = ("", "— kies —")
LONG_TEXT = 5000
# Utrecht's CSS marks an empty textarea with the HTML ``required`` attribute as invalid before
# anyone typed; "(verplicht)" in the label says it, and the server checks it.
NOT_MARKED_REQUIRED = {"required": False}


class Filled(DataRequired):
    """Required after stripping: whitespace alone is no answer. A value that could not be
    read (a malformed date) keeps its own message instead of "required"."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors:
            raise StopValidation()
        super().__call__(form, field)


def filled(message: str) -> Filled:
    return Filled(message=message)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    """Coerce for selects of ids: blank is None, anything else must be an integer."""
    if value is None or value == "":
        return None
    return int(value)


class DateInput(DateField):
    """An ``<input type="date">`` (yyyy-mm-dd); a hand-typed dd-mm-yyyy is accepted too."""

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in self.format:
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if 1900 <= parsed.year <= 2100:
                self.data = parsed
                return
        self.data = None
        raise ValueError(DATE_MESSAGE)


def opts(pairs: Iterable[tuple[Any, str] | SelectChoice]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options."""
    return [p if isinstance(p, SelectChoice) else SelectChoice(p[0], p[1]) for p in pairs]


class Choice(SelectField):
    """A select whose every complaint is in Dutch (unknown values included)."""

    def __init__(self, label: str | None = None, validators: list | None = None,
                 message: str = CHOICE_MESSAGE, **kwargs: Any) -> None:
        if isinstance(kwargs.get("choices"), list):
            kwargs["choices"] = opts(kwargs["choices"])
        kwargs.setdefault("invalid_value_message", message)
        kwargs.setdefault("invalid_choice_message", message)
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if not self.raw_data or self.raw_data[0] == "":
            return  # missing or blank: the field's required validator (if any) speaks
        super().pre_validate(form)


def choice_label(field: SelectField) -> str:
    """The label of the chosen option ("" when none)."""
    return next((c.label for c in field.iter_choices() if c.selected), "")


def _version_field() -> HiddenField:
    return HiddenField(validators=[required(VERSION_MESSAGE)])


class CaseForm(FlaskForm):
    """Base form: no own CSRF field; hidden-field errors are reported for the whole form."""

    class Meta:
        csrf = False

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        for f in self:
            if f.type == "HiddenField" and f.errors:
                self.form_errors.extend(f.errors)
                f.errors = []
        return valid

    def validate_version(self, field: HiddenField) -> None:
        if field.data is not None and not str(field.data).isdigit():
            raise ValidationError(VERSION_MESSAGE)

    @property
    def version_number(self) -> int | None:
        version = getattr(self, "version", None)
        data = version.data if version is not None else None
        return int(data) if data is not None and str(data).isdigit() else None

    def add_error(self, field_name: str | None, message: str) -> None:
        """Show a refusal of the service at its field, or above the form."""
        target = self._fields.get(field_name) if field_name else None
        if target is None or target.type == "HiddenField":
            self.form_errors.append(message)
        else:
            target.errors = [*target.errors, message]

    def add_domain_error(self, error: DomainError) -> None:
        self.add_error(error.field, error.message)


# ---------------------------------------------------------------------------------------------
# Candidate and registration


def _service_check(func, value: Any) -> None:
    try:
        func(value)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


class CandidateForm(CaseForm):
    first_name = StringField("Voornaam", filters=[_strip],
                             validators=[filled("Vul de voornaam in."), max_length(100)])
    name_prefix = StringField("Tussenvoegsel", filters=[_strip], validators=[max_length(20)],
                              description="Bijvoorbeeld: van, de, van der.")
    last_name = StringField("Achternaam", filters=[_strip],
                            validators=[filled("Vul de achternaam in."), max_length(100)])
    birth_date = DateInput("Geboortedatum", validators=[filled("Vul de geboortedatum in.")])
    email = StringField("E-mailadres", filters=[_strip],
                        validators=[Optional(), max_length(254), email_address()])
    phone = StringField("Telefoonnummer", filters=[_strip],
                        validators=[Optional(), max_length(20)],
                        description="Bijvoorbeeld 06 12345678.")
    postcode = StringField("Postcode", filters=[_strip],
                           validators=[filled("Vul de postcode in."), max_length(10)],
                           description="Bijvoorbeeld 3511 AB.")
    municipality_id = Choice("Gemeente", coerce=optional_int,
                             validators=[required("Kies de gemeente.")],
                             message="Kies een gemeente uit de lijst.")
    education_level = Choice("Hoogst afgeronde opleiding",
                             choices=[EMPTY_CHOICE, *choices(EducationLevel)],
                             validators=[required("Kies de opleiding.")])
    has_startkwalificatie = BooleanField(
        "Heeft een startkwalificatie (diploma havo, vwo of mbo 2 of hoger)")
    work_status = Choice("Arbeidssituatie", choices=[EMPTY_CHOICE, *choices(WorkStatus)],
                         validators=[required("Kies de arbeidssituatie.")])
    benefit = Choice("Uitkering", choices=[EMPTY_CHOICE, *choices(Benefit)],
                     validators=[required("Kies de uitkering.")])
    target_group = Choice("Doelgroep", choices=[EMPTY_CHOICE, *choices(TargetGroup)],
                          validators=[required("Kies de doelgroep.")])
    referral_partner = Choice("Verwijzer", choices=[EMPTY_CHOICE, *choices(ReferralPartner)],
                              validators=[required("Kies de verwijzer.")])

    _municipality_regions: dict[int, str]

    def set_municipalities(self, regions: Iterable[Region]) -> None:
        """Gemeenten of the given regions; with several regions, grouped per region."""
        regions = list(regions)
        self._municipality_regions = {m.id: r.code for r in regions for m in r.municipalities}
        grouped = len(regions) > 1
        self.municipality_id.choices = [SelectChoice(*EMPTY_CHOICE), *[
            SelectChoice(m.id, m.name, optgroup=r.name if grouped else None)
            for r in regions for m in r.municipalities]]

    def validate_birth_date(self, field: DateInput) -> None:
        if field.data:
            _service_check(service.validate_birth_date, field.data)

    def validate_postcode(self, field: StringField) -> None:
        if field.data:
            _service_check(service.normalise_postcode, field.data)

    def validate_phone(self, field: StringField) -> None:
        if field.data:
            _service_check(service.normalise_phone, field.data)

    def candidate_data(self) -> dict[str, Any]:
        return {name: self._fields[name].data for name in service.CANDIDATE_FIELDS
                if name in self._fields}


class CandidateEditForm(CandidateForm):
    version = _version_field()


class RegistrationForm(CandidateForm):
    region_code = Choice("Regio", validators=[required("Kies de regio.")],
                         message="Kies een van uw regio's.")
    coach_id = Choice("Loopbaancoach", coerce=optional_int, validators=[Optional()],
                      message="Kies een loopbaancoach van de regio.")

    def setup(self, regions: list[Region], coaches: list[User]) -> None:
        self.region_code.choices = opts((r.code, r.name) for r in regions)
        self.set_municipalities(regions)
        self.coach_id.choices = opts((c.id, f"{c.name} ({', '.join(sorted(c.region_codes))})")
                                     for c in coaches)

    def validate_municipality_id(self, field: Choice) -> None:
        region = self._municipality_regions.get(field.data)
        chosen = self.region_code.data
        if region is not None and chosen in self._municipality_regions.values() \
                and region != chosen:
            raise ValidationError("Deze gemeente hoort niet bij de gekozen regio.")


# ---------------------------------------------------------------------------------------------
# Intake and trajectplan


class IntakeForm(CaseForm):
    motivation = TextAreaField("Motivatie", validators=[max_length(LONG_TEXT)],
                               description="Waarom wil de kandidaat een stap zetten?")
    wishes = TextAreaField("Wensen", validators=[max_length(LONG_TEXT)])
    obstacles = TextAreaField("Belemmeringen", validators=[max_length(LONG_TEXT)],
                              description="Bijvoorbeeld taal, vervoer, zorgtaken of gezondheid.")
    work_history = TextAreaField("Werkervaring", validators=[max_length(LONG_TEXT)])
    preferred_sectors = StringField("Voorkeurssectoren", filters=[_strip],
                                    validators=[max_length(500)],
                                    description="Bijvoorbeeld: zorg, techniek, logistiek.")
    version = _version_field()

    def intake_data(self) -> dict[str, str]:
        return {name: self._fields[name].data or "" for name in service.INTAKE_FIELDS}


class PlanForm(CaseForm):
    goal = TextAreaField("Doel van het traject", validators=[max_length(LONG_TEXT)])
    target_sector = StringField("Beoogde sector", filters=[_strip], validators=[max_length(200)])
    target_occupation = StringField("Beoogd beroep", filters=[_strip],
                                    validators=[max_length(200)])
    version = _version_field()


class ActivityForm(CaseForm):
    description = StringField("Activiteit", filters=[_strip],
                              validators=[filled("Beschrijf de activiteit."), max_length(500)],
                              description="Bijvoorbeeld: opleiding heftruckchauffeur.")
    due_on = DateInput("Gepland klaar op", validators=[Optional()])
    version = _version_field()


class ActivityStatusForm(CaseForm):
    status = Choice("Status", choices=choices(ActivityStatus),
                    validators=[required("Kies de status.")])
    version = _version_field()


# ---------------------------------------------------------------------------------------------
# Steps


EXIT_REASON_CHOICES = [EMPTY_CHOICE, *[(r.value, text) for r, text in EXIT_REASON_LABELS.items()]]


class TransitionForm(CaseForm):
    """One form per offered move; the prefix tells which (``stap``, ``terug``, ``afsluiten``)."""

    to = HiddenField(validators=[required("Kies een stap.")])
    reason = TextAreaField("Reden", filters=[_strip], validators=[max_length(500)])
    exit_reason = Choice("Uitstroomreden", choices=EXIT_REASON_CHOICES,
                         message="Kies een geldige uitstroomreden.")
    exit_reason_text = StringField("Toelichting bij overig", filters=[_strip],
                                   validators=[max_length(500)])
    version = _version_field()

    def validate_to(self, field: HiddenField) -> None:
        if field.data and field.data not in {state.value for state in CaseState}:
            raise ValidationError("Kies een geldige stap.")


# ---------------------------------------------------------------------------------------------
# Notes, tasks, consent


class NoteForm(CaseForm):
    contact_on = DateInput("Datum", validators=[filled("Vul de datum in.")],
                           default=date.today)
    kind = Choice("Soort", choices=choices(NoteKind), default=NoteKind.GESPREK.value,
                  validators=[required("Kies de soort.")])
    text = TextAreaField("Aantekening", filters=[_strip], render_kw=NOT_MARKED_REQUIRED,
                         validators=[filled("Vul de tekst van de aantekening in."),
                                     max_length(10000)])


def _in_a_week() -> date:
    return date.today() + timedelta(days=7)


class TaskForm(CaseForm):
    title = StringField("Actie", filters=[_strip],
                        validators=[filled("Beschrijf de actie."), max_length(300)],
                        description="Bijvoorbeeld: cv nabespreken.")
    due_on = DateInput("Uiterlijk op", validators=[filled("Vul de datum in.")],
                       default=_in_a_week)
    owner_id = Choice("Eigenaar", coerce=optional_int,
                      validators=[required("Kies wie de actie uitvoert.")],
                      message="Kies een eigenaar uit het team van deze regio.")

    def set_owners(self, users: list[User]) -> None:
        self.owner_id.choices = opts((u.id, f"{u.name} ({u.role.label.lower()})") for u in users)


class ConsentForm(CaseForm):
    purpose = Choice("Doel van de toestemming", choices=choices(ConsentPurpose),
                     default=ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS.value,
                     validators=[required("Kies het doel.")])
    given_on = DateInput("Gegeven op", validators=[filled("Vul de datum in.")],
                         default=date.today)


# ---------------------------------------------------------------------------------------------
# Coach and region


class ReassignForm(CaseForm):
    coach_id = Choice("Nieuwe loopbaancoach", coerce=optional_int,
                      validators=[required("Kies de nieuwe loopbaancoach.")],
                      message="Kies een loopbaancoach van deze regio.")
    version = _version_field()

    def set_coaches(self, coaches: list[User]) -> None:
        self.coach_id.choices = opts([EMPTY_CHOICE, *[(c.id, c.name) for c in coaches]])


class TransferRequestForm(CaseForm):
    to_region_code = Choice("Naar regio", validators=[required("Kies de regio.")],
                            message="Kies een andere regio uit de lijst.")
    reason = TextAreaField("Reden van de overdracht", filters=[_strip],
                           render_kw=NOT_MARKED_REQUIRED,
                           validators=[filled("Geef de reden van de overdracht."),
                                       max_length(500)],
                           description="Bijvoorbeeld: de kandidaat verhuist naar Amersfoort.")
    version = _version_field()

    def set_regions(self, regions: list[Region], current: str) -> None:
        self.to_region_code.choices = opts([EMPTY_CHOICE, *[(r.code, r.name) for r in regions
                                                           if r.code != current]])


class TransferDecisionForm(CaseForm):
    decision = HiddenField(validators=[required("Kies accepteren of weigeren.")])
    new_coach_id = Choice("Nieuwe loopbaancoach", coerce=optional_int,
                          message="Kies een loopbaancoach van uw regio.",
                          description="Nodig bij accepteren.")
    decision_note = TextAreaField("Toelichting", filters=[_strip], validators=[max_length(500)],
                                  description="Nodig bij weigeren.")

    def set_coaches(self, coaches: list[User]) -> None:
        self.new_coach_id.choices = opts([EMPTY_CHOICE, *[(c.id, c.name) for c in coaches]])

    def validate_decision(self, field: HiddenField) -> None:
        if field.data and field.data not in ("accepteren", "weigeren"):
            raise ValidationError("Kies accepteren of weigeren.")


# ---------------------------------------------------------------------------------------------
# The case list


OPEN_FILTER = ""
ALL_FILTER = "alle"
STEP_FILTER_CHOICES = [
    (OPEN_FILTER, "Alle lopende trajecten"),
    *[(state.value, label) for state, label in STATE_LABELS.items()],
    (ALL_FILTER, "Alle trajecten, ook afgesloten"),
]


class CaseFilterForm(CaseForm):
    """GET filters of /trajecten. Invalid values are reported and then ignored."""

    stap = Choice("Stap", choices=STEP_FILTER_CHOICES, default=OPEN_FILTER)
    coach = Choice("Loopbaancoach", coerce=optional_int,
                   message="Kies een loopbaancoach uit de lijst.")
    doelgroep = Choice("Doelgroep", choices=[("", "Alle doelgroepen"), *choices(TargetGroup)])
    verwijzer = Choice("Verwijzer", choices=[("", "Alle verwijzers"), *choices(ReferralPartner)])
    van = DateInput("Aangemeld vanaf", validators=[Optional()])
    tot = DateInput("Aangemeld tot en met", validators=[Optional()])
    q = StringField("Zoeken", filters=[_strip], validators=[max_length(100)],
                    description="Op naam, e-mailadres of telefoonnummer.")

    def set_coaches(self, coaches: list[User]) -> None:
        self.coach.choices = opts([("", "Alle coaches"), *[
            (c.id, c.name if c.active else f"{c.name} (inactief)") for c in coaches]])

    def validate_tot(self, field: DateInput) -> None:
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError("De einddatum ligt voor de begindatum.")

    def value(self, name: str) -> Any:
        """The field's value, or None when it was invalid (an invalid filter is ignored)."""
        f = self._fields[name]
        return None if f.errors else (f.data or None)
