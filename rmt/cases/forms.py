"""Forms of the case pages (HTML only; the API validates with its own schemas).

The forms parse and check the shape of the input; the rules live in :mod:`rmt.cases.service`,
whose validators are reused here so a message appears at its field. Several forms share one
page, so these forms carry no CSRF field of their own: ``CSRFProtect`` checks every POST, and the
templates add the token as a plain hidden input. Forms on the case page get a ``prefix`` to keep
element ids unique.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import Optional

from rmt import clock
from rmt.auth.models import User
from rmt.cases import reference, service
from rmt.cases.models import (
    ActivityStatus,
    Benefit,
    ConsentPurpose,
    EducationLevel,
    NoteKind,
    PartnerKind,
    ReferralPartner,
    ServiceCategory,
    TargetGroup,
    WorkStatus,
)
from rmt.cases.sectors import SbiSection
from rmt.errors_domain import DomainError
from rmt.forms import email_address, max_length, required
from rmt.process import CaseState, ExitReason
from rmt.regions.models import Region
from rmt.regions.service import RegionName
from rmt.validation import normalise_phone, normalise_postcode
from rmt.web.forms import (
    EMPTY_CHOICE,
    VERSION_MESSAGE,
    Choice,
    DateInput,
    FormMixin,
    PageForm,
    filled,
    optional_int,
    opts,
    service_check,
)
from rmt.web.forms import strip as _strip

LONG_TEXT = 5000
# Utrecht's CSS marks an empty textarea with the HTML ``required`` attribute as invalid before
# anyone typed; "(verplicht)" in the label says it, and the server checks it.
NOT_MARKED_REQUIRED = {"required": False}


def _version_field() -> HiddenField:
    return HiddenField(validators=[required(VERSION_MESSAGE)])


class CaseForm(PageForm):
    """Base form of the case pages (see :class:`rmt.web.forms.PageForm`); service refusals are
    shown with :meth:`rmt.web.forms.FormMixin.add_domain_error`."""


# ---------------------------------------------------------------------------------------------
# Candidate and registration



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
                             choices=[EMPTY_CHOICE, *EducationLevel.choices()],
                             validators=[required("Kies de opleiding.")])
    has_startkwalificatie = BooleanField(
        "Heeft een startkwalificatie (diploma havo, vwo of mbo 2 of hoger)")
    banenafspraak = BooleanField(
        "Valt onder de banenafspraak (staat in het doelgroepregister van UWV)")
    work_status = Choice("Arbeidssituatie", choices=[EMPTY_CHOICE, *WorkStatus.choices()],
                         validators=[required("Kies de arbeidssituatie.")])
    benefit = Choice("Uitkering", choices=[EMPTY_CHOICE, *Benefit.choices()],
                     validators=[required("Kies de uitkering.")])
    target_group = Choice("Doelgroep", choices=[EMPTY_CHOICE, *TargetGroup.choices()],
                          validators=[required("Kies de doelgroep.")])
    referral_partner = Choice("Verwijzer", choices=[EMPTY_CHOICE, *ReferralPartner.choices()],
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
            service_check(service.validate_birth_date, field.data)

    def validate_postcode(self, field: StringField) -> None:
        if field.data:
            service_check(normalise_postcode, field.data)

    def validate_phone(self, field: StringField) -> None:
        if field.data:
            service_check(normalise_phone, field.data)

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
    origin_sector = Choice("Sector van herkomst",
                           choices=[("", "Sector nog kiezen"), *SbiSection.choices()],
                           description="De SBI-sectie van de huidige of laatste baan.")
    version = _version_field()

    def intake_data(self) -> dict[str, str]:
        return {name: self._fields[name].data or "" for name in service.INTAKE_FIELDS}


class PlanForm(CaseForm):
    goal = TextAreaField("Doel van het traject", validators=[max_length(LONG_TEXT)])
    target_section = Choice("Doelsector", choices=[("", "Sector nog kiezen"),
                                                   *SbiSection.choices()],
                            description="De SBI-sectie waarin de kandidaat werk zoekt.")
    target_sector = StringField("Toelichting op de sector", filters=[_strip],
                                validators=[max_length(200)])
    target_occupation = StringField("Beoogd beroep", filters=[_strip],
                                    validators=[max_length(200)])
    version = _version_field()


class ActivityForm(CaseForm):
    service_type_id = SelectField("Soort dienst", choices=[], validate_choice=False,
                                  validators=[required("Kies een soort dienst uit de lijst.")])
    partner_id = SelectField("Geleverd door", choices=[], validate_choice=False,
                             validators=[required("Kies de partner die de dienst levert.")])
    description = StringField("Activiteit", filters=[_strip],
                              validators=[filled("Beschrijf de activiteit."), max_length(500)],
                              description="Bijvoorbeeld: opleiding heftruckchauffeur.")
    due_on = DateInput("Gepland klaar op", validators=[Optional()])
    version = _version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_type_id.choices = [("", "Kies een soort dienst")] + [
            (str(t.id), f"{t.name} ({t.category.label})")
            for t in reference.service_types(active_only=True)]
        self.partner_id.choices = [("", "Kies een partner")] + [
            (str(p.id), f"{p.name} ({p.kind.label})")
            for p in reference.partners(active_only=True)]


class ReferenceForm(FormMixin, FlaskForm):
    """An edit form of reference data with the record's version; ``stale`` tells the view to
    show the newest data after a refusal because of the version."""

    version = HiddenField()
    stale = False

    def add_domain_error(self, error: DomainError) -> int:
        self.stale = error.code == "stale_version"
        return super().add_domain_error(error)

    def add_error(self, field_name: str | None, message: str) -> None:
        self.stale = self.stale or field_name == "version"
        super().add_error(field_name, message)


class ServiceTypeForm(ReferenceForm):
    name = StringField("Naam", filters=[_strip],
                       validators=[required("Vul de naam van het soort dienst in."),
                                   max_length(100)])
    category = Choice("Categorie in de regeling", choices=ServiceCategory.choices(),
                      validators=[required("Kies de categorie uit de regeling.")])
    active = BooleanField("Actief (kan worden gekozen bij een nieuwe activiteit)", default=True)


class PartnerForm(ReferenceForm):
    name = StringField("Naam", filters=[_strip],
                       validators=[required("Vul de naam van de partner in."), max_length(100)])
    kind = Choice("Soort partner", choices=PartnerKind.choices(),
                  validators=[required("Kies het soort partner.")])
    active = BooleanField("Actief (kan worden gekozen bij een nieuwe activiteit)", default=True)


class ActivityStatusForm(CaseForm):
    status = Choice("Status", choices=ActivityStatus.choices(),
                    validators=[required("Kies de status.")])
    version = _version_field()


# ---------------------------------------------------------------------------------------------
# Steps


EXIT_REASON_CHOICES = [EMPTY_CHOICE, *ExitReason.choices()]


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


class CloseForm(CaseForm):
    """Closing, on its confirmation page (``/trajecten/<id>/afsluiten``)."""

    exit_reason = Choice("Uitstroomreden", choices=EXIT_REASON_CHOICES,
                         validators=[required("Kies een uitstroomreden.")],
                         message="Kies een geldige uitstroomreden.")
    exit_reason_text = StringField("Toelichting bij overig", filters=[_strip],
                                   validators=[max_length(500)])
    placement_id = Choice("Plaatsing (bij uitstroom naar werk)", coerce=optional_int,
                          message="Kies een plaatsing van dit traject.",
                          description="Bij werk in loondienst of als zelfstandige: de plaatsing "
                                      "bij de werkgever of opdrachtgever.")
    reason = TextAreaField("Toelichting (niet verplicht)", filters=[_strip],
                           validators=[max_length(300)])
    version = _version_field()

    def set_placements(self, placements: Iterable[Any]) -> None:
        self.placement_id.choices = opts([EMPTY_CHOICE, *[(p.id, p.label) for p in placements]])


class ReopenForm(CaseForm):
    reason = TextAreaField("Reden van het heropenen", filters=[_strip],
                           render_kw=NOT_MARKED_REQUIRED,
                           validators=[filled("Geef de reden van het heropenen."),
                                       max_length(400)],
                           description="Bijvoorbeeld: per vergissing afgesloten.")
    version = _version_field()


# ---------------------------------------------------------------------------------------------
# Notes, tasks, consent


class NoteForm(CaseForm):
    contact_on = DateInput("Datum", validators=[filled("Vul de datum in.")],
                           default=clock.today)
    kind = Choice("Soort", choices=NoteKind.choices(), default=NoteKind.GESPREK.value,
                  validators=[required("Kies de soort.")])
    text = TextAreaField("Aantekening", filters=[_strip], render_kw=NOT_MARKED_REQUIRED,
                         validators=[filled("Vul de tekst van de aantekening in."),
                                     max_length(10000)])


def _in_a_week() -> date:
    return clock.today() + timedelta(days=7)


class TaskForm(CaseForm):
    title = StringField("Actie", filters=[_strip],
                        validators=[filled("Beschrijf de actie."), max_length(300)],
                        description="Bijvoorbeeld: cv nabespreken.")
    due_on = DateInput("Uiterlijk op", validators=[filled("Vul de datum in.")],
                       default=_in_a_week)
    owner_id = Choice("Eigenaar", coerce=optional_int,
                      validators=[required("Kies wie de actie uitvoert.")],
                      message="Kies een eigenaar uit het team van deze regio.")

    def set_owners(self, users: list[Any]) -> None:
        """Users or :class:`rmt.cases.queries.StaffMember` rows (id, name, role)."""
        self.owner_id.choices = opts((u.id, f"{u.name} ({u.role.label.lower()})") for u in users)


class ConsentForm(CaseForm):
    purpose = Choice("Doel van de toestemming", choices=ConsentPurpose.choices(),
                     default=ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS.value,
                     validators=[required("Kies het doel.")])
    given_on = DateInput("Gegeven op", validators=[filled("Vul de datum in.")],
                         default=clock.today)


# ---------------------------------------------------------------------------------------------
# Coach and region


def _coach_choices(coaches: list[Any]) -> list[tuple[int, str]]:
    return [c if isinstance(c, tuple) else (c.id, c.name) for c in coaches]


class ReassignForm(CaseForm):
    coach_id = Choice("Nieuwe loopbaancoach", coerce=optional_int,
                      validators=[required("Kies de nieuwe loopbaancoach.")],
                      message="Kies een loopbaancoach van deze regio.")
    version = _version_field()

    def set_coaches(self, coaches: list[User] | list[tuple[int, str]]) -> None:
        """The coaches to choose from: users, or (id, label) pairs (with their caseload)."""
        self.coach_id.choices = opts([EMPTY_CHOICE, *_coach_choices(coaches)])


class CaseloadForm(CaseForm):
    """Reassign (part of) a leaving coach's caseload (``/trajecten/overnemen``)."""

    case_ids = SelectMultipleField("Trajecten", coerce=int, validate_choice=False,
                                   widget=widgets.ListWidget(prefix_label=False),
                                   option_widget=widgets.CheckboxInput())
    new_coach_id = Choice("Nieuwe loopbaancoach", coerce=optional_int,
                          validators=[required("Kies de nieuwe loopbaancoach.")],
                          message="Kies een loopbaancoach uit de lijst.")

    def set_choices(self, cases: Iterable[Any], coaches: list[tuple[int, str]]) -> None:
        self.case_ids.choices = [
            (c.id, f"{c.candidate.full_name} (traject {c.id}, {c.region_code}, "
                   f"{c.status.label.lower()})") for c in cases]
        self.new_coach_id.choices = opts([EMPTY_CHOICE, *coaches])


class TransferRequestForm(CaseForm):
    to_region_code = Choice("Naar regio", validators=[required("Kies de regio.")],
                            message="Kies een andere regio uit de lijst.")
    reason = TextAreaField("Reden van de overdracht", filters=[_strip],
                           render_kw=NOT_MARKED_REQUIRED,
                           validators=[filled("Geef de reden van de overdracht."),
                                       max_length(500)],
                           description="Bijvoorbeeld: de kandidaat verhuist naar Amersfoort.")
    version = _version_field()

    def set_regions(self, regions: Sequence[RegionName], current: str) -> None:
        self.to_region_code.choices = opts([EMPTY_CHOICE, *[(r.code, r.name) for r in regions
                                                           if r.code != current]])


class TransferDecisionForm(CaseForm):
    decision = HiddenField(validators=[required("Kies accepteren of weigeren.")])
    new_coach_id = Choice("Nieuwe loopbaancoach", coerce=optional_int,
                          message="Kies een loopbaancoach van uw regio.",
                          description="Nodig bij accepteren.")
    decision_note = TextAreaField("Toelichting", filters=[_strip], validators=[max_length(500)],
                                  description="Nodig bij weigeren.")

    def set_coaches(self, coaches: list[User] | list[tuple[int, str]]) -> None:
        self.new_coach_id.choices = opts([EMPTY_CHOICE, *_coach_choices(coaches)])

    def validate_decision(self, field: HiddenField) -> None:
        if field.data and field.data not in ("accepteren", "weigeren"):
            raise ValidationError("Kies accepteren of weigeren.")


# ---------------------------------------------------------------------------------------------
# The case list


OPEN_FILTER = ""
ALL_FILTER = "alle"
#: Longest search text (the case list's and the header's).
MAX_QUERY = 100
STEP_FILTER_CHOICES = [
    (OPEN_FILTER, "Alle lopende trajecten"),
    *CaseState.choices(),
    (ALL_FILTER, "Alle trajecten, ook afgesloten"),
]


class CaseFilterForm(CaseForm):
    """GET filters of /trajecten. Invalid values are reported and then ignored."""

    stap = Choice("Stap", choices=STEP_FILTER_CHOICES, default=OPEN_FILTER)
    coach = Choice("Loopbaancoach", coerce=optional_int,
                   message="Kies een loopbaancoach uit de lijst.")
    doelgroep = Choice("Doelgroep", choices=[("", "Alle doelgroepen"), *TargetGroup.choices()])
    verwijzer = Choice("Verwijzer", choices=[("", "Alle verwijzers"), *ReferralPartner.choices()])
    van = DateInput("Aangemeld vanaf", validators=[Optional()])
    tot = DateInput("Aangemeld tot en met", validators=[Optional()])
    q = StringField("Zoeken", filters=[_strip], validators=[max_length(MAX_QUERY)],
                    description="Op naam, e-mailadres, telefoonnummer of trajectnummer.")

    def set_coaches(self, coaches: list[Any]) -> None:
        """Users or :class:`rmt.cases.queries.StaffMember` rows (id, name, active)."""
        self.coach.choices = opts([("", "Alle coaches"), *[
            (c.id, c.name if c.active else f"{c.name} (inactief)") for c in coaches]])

    def validate_tot(self, field: DateInput) -> None:
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError("De einddatum ligt voor de begindatum.")

    def value(self, name: str) -> Any:
        """The field's value, or None when it was invalid (an invalid filter is ignored)."""
        f = self._fields[name]
        return None if f.errors else (f.data or None)
