"""Forms for employers, contacts, contact moments, vacancies, proposals and placements.

Format checks reuse the service's normalisers, so a form and the API refuse the same input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
    widgets,
)

from rmt.employers import service
from rmt.employers.models import ContactKind, ContractType, choices
from rmt.errors_domain import DomainError
from rmt.forms import max_length, required

DATE_MESSAGE = "Vul een datum in als dd-mm-jjjj."


def _normaliser(func: Callable[[str], object]) -> Callable:
    """A WTForms validator from a service normaliser (its Dutch DomainError message)."""

    def validate(_form, field) -> None:
        if field.data:
            try:
                func(field.data)
            except DomainError as exc:
                raise ValidationError(exc.message) from None

    return validate


class DutchDateField(DateField):
    """Accepts 2026-03-14 (the browser's date input) and 14-03-2026; Dutch error message."""

    def __init__(self, label: str, validators_=None, **kwargs) -> None:
        super().__init__(label, validators_, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist) -> None:
        if valuelist and not "".join(valuelist).strip():
            self.data = None  # empty: whether that is allowed is up to the validators
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DATE_MESSAGE) from None
        if self.data is not None and not date(1900, 1, 1) <= self.data <= date(2199, 12, 31):
            self.data = None
            raise ValueError(DATE_MESSAGE)


class DutchIntegerField(IntegerField):
    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Vul een heel getal in.") from None
        if self.data is not None and not -(2**31) < self.data < 2**31:
            self.data = None
            raise ValueError("Vul een kleiner getal in.")


class CheckedSelect(SelectField):
    """A select whose value must be one of its choices (Dutch message)."""

    def __init__(self, label: str, validators_=None, message: str = "Kies een waarde uit de "
                 "lijst.", allow_empty: bool = False, **kwargs) -> None:
        super().__init__(label, validators_, validate_choice=False, **kwargs)
        self.choice_message = message
        self.allow_empty = allow_empty

    def pre_validate(self, form) -> None:
        valid = {str(c[0]) if isinstance(c, tuple) else str(c.value) for c in self.choices}
        if not self.allow_empty:
            valid.discard("")
        if (self.data or "") not in valid:
            raise ValidationError(self.choice_message)


class RegionCheckboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        valid = {c.value if isinstance(c, SelectChoice) else c[0] for c in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError("Kies alleen bestaande regio's.")


def opts(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms choices."""
    return [SelectChoice(str(value), text) for value, text in pairs]


def _int_or_none(value: str | None) -> int | None:
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


# ---------------------------------------------------------------------------------------------
# Employers


class VersionMixin:
    """The hidden version of the record being edited (optimistic locking)."""

    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        data = str(self.version.data or "")
        return int(data) if re.fullmatch(r"[0-9]{1,9}", data) else None


class EmployerForm(VersionMixin, FlaskForm):
    kvk_number = StringField(
        "KvK-nummer", description="8 cijfers, zoals 30123456.",
        validators=[required("Vul het KvK-nummer in."), max_length(20),
                    _normaliser(service.normalise_kvk)])
    name = StringField("Naam", validators=[required("Vul de naam van de werkgever in."),
                                           max_length(200)])
    sector_id = CheckedSelect("Sector", message="Kies een sector uit de lijst.")
    street_address = StringField("Straat en huisnummer", validators=[max_length(200)])
    postcode = StringField("Postcode", validators=[max_length(10),
                                                   _normaliser(service.normalise_postcode)])
    city = StringField("Plaats", validators=[max_length(100)])
    region_codes = RegionCheckboxes("Actief in regio's", choices=[])
    sbb_number = StringField(
        "SBB-erkenningsnummer (leerbedrijf)", description="Alleen als het bekend is.",
        validators=[max_length(20), _normaliser(service.normalise_sbb)])

    def set_choices(self, sectors, regions) -> None:
        self.sector_id.choices = opts([("", "Kies een sector")] + [(s.id, s.name) for s in sectors])
        self.region_codes.choices = [SelectChoice(r.code, r.name) for r in regions]

    def validate_region_codes(self, field) -> None:
        if not field.data:
            raise ValidationError("Kies minstens één regio waar de werkgever actief is.")

    def to_data(self) -> dict:
        return {"kvk_number": self.kvk_number.data, "name": self.name.data,
                "sector_id": _int_or_none(self.sector_id.data),
                "street_address": self.street_address.data, "postcode": self.postcode.data,
                "city": self.city.data, "region_codes": self.region_codes.data or [],
                "sbb_number": self.sbb_number.data}


class ContactForm(VersionMixin, FlaskForm):
    name = StringField("Naam", validators=[required("Vul de naam van de contactpersoon in."),
                                           max_length(200)])
    role = StringField("Functie", validators=[max_length(100)])
    phone = StringField("Telefoonnummer", validators=[max_length(30),
                                                      _normaliser(service.normalise_phone)])
    email = StringField("E-mailadres", validators=[max_length(254),
                                                   _normaliser(service.normalise_email)])

    def to_data(self) -> dict:
        return {"name": self.name.data, "role": self.role.data, "phone": self.phone.data,
                "email": self.email.data}


class ContactMomentForm(FlaskForm):
    region_code = CheckedSelect("Regio", message="Kies een van uw eigen regio's.")
    contact_on = DutchDateField("Datum van het contact",
                                [required("Vul de datum van het contact in.")])
    kind = CheckedSelect("Soort contact",
                         choices=opts([("", "Kies de soort"), *choices(ContactKind)]),
                         message="Kies een soort contact.")
    contact_id = CheckedSelect("Contactpersoon", message="Kies een contactpersoon uit de lijst.",
                               allow_empty=True)
    summary = TextAreaField("Samenvatting", validators=[required("Vat het contact kort samen."),
                                                        max_length(5000)])
    follow_up_on = DutchDateField("Datum vervolgafspraak", [validators.Optional()],
                                  description="Laat leeg als er geen vervolg nodig is.")
    follow_up_owner_id = CheckedSelect("Vervolg door", message="Kies een collega uit de lijst.",
                                       allow_empty=True)

    def set_choices(self, user, contacts, owners) -> None:
        self.region_code.choices = opts((r.code, r.name) for r in user.regions)
        self.contact_id.choices = opts([("", "Geen / onbekend")] + [
            (c.id, f"{c.name} ({c.role})" if c.role else c.name) for c in contacts])
        self.follow_up_owner_id.choices = opts([("", "Ikzelf")] + [
            (u.id, f"{u.name} ({u.role.label}, {', '.join(sorted(u.region_codes))})")
            for u in owners])

    def to_data(self) -> dict:
        return {"region_code": self.region_code.data, "contact_on": self.contact_on.data,
                "kind": self.kind.data, "contact_id": _int_or_none(self.contact_id.data),
                "summary": self.summary.data, "follow_up_on": self.follow_up_on.data,
                "follow_up_owner_id": _int_or_none(self.follow_up_owner_id.data)}


class PostForm(FlaskForm):
    """A bare form for buttons that only need a CSRF token."""


# ---------------------------------------------------------------------------------------------
# Vacancies


class VacancyForm(VersionMixin, FlaskForm):
    title = StringField("Functietitel", validators=[required("Vul de functietitel in."),
                                                    max_length(200)])
    sector_id = CheckedSelect("Sector", message="Kies een sector uit de lijst.")
    hours_per_week = DutchIntegerField(
        "Uren per week", [required("Vul het aantal uren per week in."),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    location = StringField("Werklocatie (plaats)", validators=[max_length(100)])
    region_code = CheckedSelect("Regio", message="Kies een van uw eigen regio's.")
    opened_on = DutchDateField("Open sinds", [required("Vul de datum in.")])
    closes_on = DutchDateField("Sluitingsdatum", [validators.Optional()],
                               description="Laat leeg als er geen sluitingsdatum is.")
    description = TextAreaField("Omschrijving", validators=[max_length(5000)])

    def set_choices(self, user, sectors) -> None:
        self.sector_id.choices = opts([("", "Kies een sector")] + [(s.id, s.name) for s in sectors])
        self.region_code.choices = opts((r.code, r.name) for r in user.regions)

    def to_data(self) -> dict:
        return {"title": self.title.data, "sector_id": _int_or_none(self.sector_id.data),
                "hours_per_week": self.hours_per_week.data, "location": self.location.data,
                "region_code": self.region_code.data, "opened_on": self.opened_on.data,
                "closes_on": self.closes_on.data, "description": self.description.data}


class VacancyStatusForm(FlaskForm):
    to = HiddenField()


# ---------------------------------------------------------------------------------------------
# Proposals and placements


class ProposeForm(FlaskForm):
    case_id = HiddenField()
    note = TextAreaField("Toelichting voor de werkgever (optioneel)",
                         validators=[max_length(1000)])


class PlacementFieldsMixin:
    start_on = DutchDateField("Startdatum")
    contract_type = CheckedSelect("Soort contract",
                                  choices=opts([("", "Kies het contract"), *choices(ContractType)]),
                                  message="Kies het soort contract.", allow_empty=True)
    hours_per_week = DutchIntegerField(
        "Uren per week", [validators.Optional(),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    job_title = StringField("Functie", validators=[max_length(200)])

    def placement_data(self) -> dict:
        return {"start_on": self.start_on.data, "contract_type": self.contract_type.data,
                "hours_per_week": self.hours_per_week.data, "job_title": self.job_title.data}


class ProposalStepForm(PlacementFieldsMixin, FlaskForm):
    current_status = HiddenField()
    to = CheckedSelect("Nieuwe status", message="Kies een van de mogelijke stappen.")
    note = TextAreaField("Toelichting", description="Verplicht bij afwijzen en intrekken.",
                         validators=[max_length(1000)])
    fill_vacancy = BooleanField("De vacature is hiermee vervuld", default=True)

    def validate_contract_type(self, field) -> None:
        if self.to.data == "aangenomen" and not field.data:
            raise ValidationError("Kies het soort contract.")

    def validate_start_on(self, field) -> None:
        if self.to.data == "aangenomen" and not field.data and not field.errors:
            raise ValidationError("Vul de startdatum in.")


class PlacementForm(PlacementFieldsMixin, FlaskForm):
    employer_id = CheckedSelect("Werkgever", message="Kies de werkgever uit de lijst.")
    start_on = DutchDateField("Startdatum", [required("Vul de startdatum in.")])
    hours_per_week = DutchIntegerField(
        "Uren per week", [required("Vul het aantal uren per week in."),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    job_title = StringField("Functie", validators=[required("Vul de functie in."),
                                                   max_length(200)])

    def validate_contract_type(self, field) -> None:
        if not field.data:
            raise ValidationError("Kies het soort contract.")


class EndPlacementForm(FlaskForm):
    end_on = DutchDateField("Einddatum", [required("Vul de einddatum in.")])
    end_reason = TextAreaField("Reden", validators=[required("Geef de reden van het einde."),
                                                    max_length(500)])


class FollowUpForm(FlaskForm):
    still_employed = CheckedSelect(
        "Nog in dienst?", choices=opts([("", "Kies"), ("ja", "Ja, nog in dienst"),
                                        ("nee", "Nee, niet meer in dienst")]),
        message="Geef aan of de kandidaat nog in dienst is.")
    reason = TextAreaField("Toelichting", description="Verplicht als de kandidaat niet meer "
                           "in dienst is.", validators=[max_length(500)])

    def validate_still_employed(self, field) -> None:
        if field.data not in ("ja", "nee"):
            raise ValidationError("Geef aan of de kandidaat nog in dienst is.")

    def validate_reason(self, field) -> None:
        if self.still_employed.data == "nee" and not (field.data or "").strip():
            raise ValidationError("Geef de reden dat de kandidaat niet meer in dienst is.")


class MergeForm(FlaskForm):
    duplicate_id = CheckedSelect("Dubbele registratie", message="Kies de dubbele werkgever.",
                                 description="Deze registratie wordt opgeheven; alle historie "
                                 "gaat over naar de werkgever op deze pagina.")
    confirm = BooleanField("Ik heb gecontroleerd dat dit dezelfde werkgever is")

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError("Bevestig dat het om dezelfde werkgever gaat.")


class SectorForm(VersionMixin, FlaskForm):
    """A sector of the reference list (the functioneel beheerder)."""

    name = StringField("Naam", validators=[required("Vul de naam van de sector in."),
                                           max_length(100)])
    active = BooleanField("Actief (te kiezen bij nieuwe werkgevers en vacatures)", default=True)

    def to_data(self) -> dict:
        return {"name": self.name.data or "", "active": bool(self.active.data)}
