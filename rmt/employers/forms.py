"""Forms for employers, contacts, contact moments, vacancies, proposals and placements.

Format checks reuse the service's normalisers, so a form and the API refuse the same input.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
    widgets,
)

from rmt.cases.sectors import SbiSection
from rmt.employers import registry
from rmt.employers.models import ContactKind, ContractType
from rmt.errors_domain import DomainError
from rmt.forms import max_length, required
from rmt.validation import normalise_phone
from rmt.web.forms import Choice, DateInput, FormMixin, by_service, filled, opts

DATE_MESSAGE = "Vul een datum in als dd-mm-jjjj."


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


class RegionCheckboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        valid = {c.value if isinstance(c, SelectChoice) else c[0] for c in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError("Kies alleen bestaande regio's.")


def pick(label: str, message: str, *, optional: bool = False, **kwargs) -> Choice:
    """A select whose unknown value is refused with ``message``; so is a blank one, unless the
    field is ``optional``."""
    return Choice(label, [] if optional else [filled(message)], message=message, **kwargs)


def _int_or_none(value: str | None) -> int | None:
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


# ---------------------------------------------------------------------------------------------
# Employers


class EmployersForm(FormMixin, FlaskForm):
    """A form of this feature: shows service refusals at their fields (:class:`FormMixin`) and
    remembers the last one, so a page can tell a stale version from other refusals."""

    refusal: DomainError | None = None

    def add_domain_error(self, error: DomainError) -> int:
        self.refusal = error
        return super().add_domain_error(error)

    @property
    def is_stale(self) -> bool:
        """Whether the save was refused because someone else saved the record in between."""
        return self.refusal is not None and self.refusal.code == "stale_version"


class VersionMixin:
    """The hidden version of the record being edited (optimistic locking)."""

    version = HiddenField()


class EmployerForm(VersionMixin, EmployersForm):
    kvk_number = StringField(
        "KvK-nummer", description="8 cijfers, zoals 30123456.",
        validators=[required("Vul het KvK-nummer in."), max_length(20),
                    by_service(registry.normalise_kvk)])
    name = StringField("Naam", validators=[required("Vul de naam van de werkgever in."),
                                           max_length(200)])
    sector_id = pick("Sector", "Kies een sector uit de lijst.")
    street_address = StringField("Straat en huisnummer", validators=[max_length(200)])
    postcode = StringField("Postcode", validators=[max_length(10),
                                                   by_service(registry.normalise_postcode)])
    city = StringField("Plaats", validators=[max_length(100)])
    region_codes = RegionCheckboxes("Actief in regio's", choices=[])
    sbb_number = StringField(
        "SBB-erkenningsnummer (leerbedrijf)", description="Alleen als het bekend is.",
        validators=[max_length(20), by_service(registry.normalise_sbb)])

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


class ContactForm(VersionMixin, EmployersForm):
    name = StringField("Naam", validators=[required("Vul de naam van de contactpersoon in."),
                                           max_length(200)])
    role = StringField("Functie", validators=[max_length(100)])
    phone = StringField("Telefoonnummer", validators=[max_length(30),
                                                      by_service(normalise_phone)])
    email = StringField("E-mailadres", validators=[max_length(254),
                                                   by_service(registry.normalise_email)])

    def to_data(self) -> dict:
        return {"name": self.name.data, "role": self.role.data, "phone": self.phone.data,
                "email": self.email.data}


class ContactMomentForm(EmployersForm):
    region_code = pick("Regio", "Kies een van uw eigen regio's.")
    contact_on = DateInput("Datum van het contact", [required("Vul de datum van het contact in.")],
                           message=DATE_MESSAGE)
    kind = pick("Soort contact", "Kies een soort contact.",
                choices=[("", "Kies de soort"), *ContactKind.choices()])
    contact_id = pick("Contactpersoon", "Kies een contactpersoon uit de lijst.", optional=True)
    summary = TextAreaField("Samenvatting", validators=[required("Vat het contact kort samen."),
                                                        max_length(5000)])
    follow_up_on = DateInput("Datum vervolgafspraak", [validators.Optional()], message=DATE_MESSAGE,
                                  description="Laat leeg als er geen vervolg nodig is.")
    follow_up_owner_id = pick("Vervolg door", "Kies een collega uit de lijst.", optional=True)

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


class PostForm(EmployersForm):
    """A bare form for buttons that only need a CSRF token."""


# ---------------------------------------------------------------------------------------------
# Vacancies


class VacancyForm(VersionMixin, EmployersForm):
    title = StringField("Functietitel", validators=[required("Vul de functietitel in."),
                                                    max_length(200)])
    sector_id = pick("Sector", "Kies een sector uit de lijst.")
    hours_per_week = DutchIntegerField(
        "Uren per week", [required("Vul het aantal uren per week in."),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    location = StringField("Werklocatie (plaats)", validators=[max_length(100)])
    region_code = pick("Regio", "Kies een van uw eigen regio's.")
    opened_on = DateInput("Open sinds", [required("Vul de datum in.")], message=DATE_MESSAGE)
    closes_on = DateInput("Sluitingsdatum", [validators.Optional()], message=DATE_MESSAGE,
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


class VacancyStatusForm(EmployersForm):
    to = HiddenField()


# ---------------------------------------------------------------------------------------------
# Proposals and placements


class ProposeForm(EmployersForm):
    case_id = HiddenField()
    note = TextAreaField("Toelichting voor de werkgever (optioneel)",
                         validators=[max_length(1000)])


class PlacementFieldsMixin:
    start_on = DateInput("Startdatum", message=DATE_MESSAGE)
    contract_type = pick("Soort contract", "Kies het soort contract.", optional=True,
                         choices=[("", "Kies het contract"), *ContractType.choices()])
    hours_per_week = DutchIntegerField(
        "Uren per week", [validators.Optional(),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    job_title = StringField("Functie", validators=[max_length(200)])
    sector = pick("Sector van de baan", "Kies een sector uit de lijst.", optional=True,
                  choices=[("", "Zoals de sector van de werkgever"), *SbiSection.choices()])

    def placement_data(self) -> dict:
        return {"start_on": self.start_on.data, "contract_type": self.contract_type.data,
                "hours_per_week": self.hours_per_week.data, "job_title": self.job_title.data,
                "sector": self.sector.data or None}


class ProposalStepForm(PlacementFieldsMixin, EmployersForm):
    current_status = HiddenField()
    to = pick("Nieuwe status", "Kies een van de mogelijke stappen.")
    note = TextAreaField("Toelichting", description="Verplicht bij afwijzen en intrekken.",
                         validators=[max_length(1000)])
    fill_vacancy = BooleanField("De vacature is hiermee vervuld", default=True)

    def validate_contract_type(self, field) -> None:
        if self.to.data == "aangenomen" and not field.data:
            raise ValidationError("Kies het soort contract.")

    def validate_start_on(self, field) -> None:
        if self.to.data == "aangenomen" and not field.data and not field.errors:
            raise ValidationError("Vul de startdatum in.")


class PlacementForm(PlacementFieldsMixin, EmployersForm):
    employer_id = pick("Werkgever", "Kies de werkgever uit de lijst.")
    start_on = DateInput("Startdatum", [required("Vul de startdatum in.")], message=DATE_MESSAGE)
    hours_per_week = DutchIntegerField(
        "Uren per week", [required("Vul het aantal uren per week in."),
                          validators.NumberRange(1, 60, "Vul een aantal uren van 1 tot 60 in.")])
    job_title = StringField("Functie", validators=[required("Vul de functie in."),
                                                   max_length(200)])

    def validate_contract_type(self, field) -> None:
        if not field.data:
            raise ValidationError("Kies het soort contract.")


class EndPlacementForm(EmployersForm):
    end_on = DateInput("Einddatum", [required("Vul de einddatum in.")], message=DATE_MESSAGE)
    end_reason = TextAreaField("Reden", validators=[required("Geef de reden van het einde."),
                                                    max_length(500)])


class FollowUpForm(EmployersForm):
    still_employed = pick("Nog in dienst?", "Geef aan of de kandidaat nog in dienst is.",
                          choices=[("", "Kies"), ("ja", "Ja, nog in dienst"),
                                   ("nee", "Nee, niet meer in dienst")])
    reason = TextAreaField("Toelichting", description="Verplicht als de kandidaat niet meer "
                           "in dienst is.", validators=[max_length(500)])

    def validate_still_employed(self, field) -> None:
        if field.data not in ("ja", "nee"):
            raise ValidationError("Geef aan of de kandidaat nog in dienst is.")

    def validate_reason(self, field) -> None:
        if self.still_employed.data == "nee" and not (field.data or "").strip():
            raise ValidationError("Geef de reden dat de kandidaat niet meer in dienst is.")


class MergeForm(EmployersForm):
    duplicate_id = pick("Dubbele registratie", "Kies de dubbele werkgever.",
                        description="Deze registratie wordt opgeheven; alle historie gaat over "
                        "naar de werkgever op deze pagina.")
    confirm = BooleanField("Ik heb gecontroleerd dat dit dezelfde werkgever is")

    def validate_confirm(self, field) -> None:
        if not field.data:
            raise ValidationError("Bevestig dat het om dezelfde werkgever gaat.")


class SectorForm(VersionMixin, EmployersForm):
    """A sector of the reference list (the functioneel beheerder)."""

    name = StringField("Naam", validators=[required("Vul de naam van de sector in."),
                                           max_length(100)])
    sbi_section = pick("SBI-sectie (CBS)", "Kies een SBI-sectie uit de lijst.", optional=True,
                       choices=[("", "Nog niet gekozen"), *SbiSection.choices()],
                       description="De monitor telt plaatsingen en doelsectoren per SBI-sectie; "
                                   "een sectie is prioritair in een regio als een van haar "
                                   "sectoren het is.")
    active = BooleanField("Actief (te kiezen bij nieuwe werkgevers en vacatures)", default=True)

    def to_data(self) -> dict:
        return {"name": self.name.data or "", "active": bool(self.active.data),
                "sbi_section": self.sbi_section.data or None}
