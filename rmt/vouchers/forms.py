"""Forms for reference data, budgets and vouchers. Dutch messages; rules live in the service."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

from rmt.forms import max_length, required
from rmt.vouchers.money import MoneyError, format_euros, parse_euros


class EuroField(StringField):
    """An amount in euros typed the Dutch ('1.250,50') or English ('1250.50') way.

    ``data`` is integer cents, or None when left empty.
    """

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = None
        if not text.strip():
            return
        try:
            self.data = parse_euros(text)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_euros(self.data, symbol=False) if self.data else ""


class DutchDateField(DateField):
    """A date from ``<input type="date">`` (2026-03-31) or typed as 31-03-2026."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        for fmt in self.strptime_format:
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError("Vul een geldige datum in, zoals 31-12-2026.")


class VersionedForm(FlaskForm):
    """An edit form with the record's version (optimistic locking)."""

    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        text = (self.version.data or "").strip()
        return int(text) if text.isdigit() and len(text) < 10 else None


def id_choice(value: str | None) -> int | None:
    """A select's value as a positive id, or None (the service then names the field)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= 2**31 - 1 else None


class ProviderForm(VersionedForm):
    name = StringField("Naam", validators=[required("Vul de naam van de opleider in."),
                                           max_length(200)])
    kvk_number = StringField("KvK-nummer", description="8 cijfers, zoals 12345678.",
                             validators=[required("Vul het KvK-nummer in."), max_length(20)])
    contact_name = StringField("Contactpersoon", validators=[max_length(200)])
    contact_email = StringField("E-mailadres contactpersoon", validators=[max_length(254)])
    contact_phone = StringField("Telefoonnummer contactpersoon", validators=[max_length(30)])
    active = BooleanField("Actief (kan worden gekozen bij een nieuwe aanvraag)", default=True)


class FundingSourceForm(VersionedForm):
    name = StringField("Naam", validators=[required("Vul de naam van de financier in."),
                                           max_length(100)])
    active = BooleanField("Actief (nieuwe budgetten en vouchers mogelijk)", default=True)


class BudgetAmountsForm(VersionedForm):
    amount = EuroField("Bedrag van het budget (€)", description="Bijvoorbeeld 250.000,00.",
                       validators=[required("Vul het bedrag van het budget in.")])
    max_per_voucher = EuroField("Maximum per voucher (€)", description="Bijvoorbeeld 2.500,00.",
                                validators=[required("Vul het maximum per voucher in.")])


class BudgetCreateForm(BudgetAmountsForm):
    region_code = SelectField("Regio", choices=[], validate_choice=False,
                              validators=[required("Kies de regio.")])
    funding_source_id = SelectField("Financier", choices=[], validate_choice=False,
                                    validators=[required("Kies de financier.")])
    year = SelectField("Jaar", choices=[], validate_choice=False,
                       validators=[required("Kies het jaar.")])

    def set_choices(self, regions: list[tuple[str, str]], sources: list[tuple[int, str]]) -> None:
        self.region_code.choices = [("", "Kies een regio"), *regions]
        self.funding_source_id.choices = [("", "Kies een financier"),
                                          *[(str(i), name) for i, name in sources]]
        this_year = date.today().year
        self.year.choices = [(str(y), str(y)) for y in range(this_year + 1, this_year - 6, -1)]
        if not self.year.data:
            self.year.data = str(this_year)


class VoucherRequestForm(FlaskForm):
    budget_id = SelectField("Budget", choices=[], validate_choice=False,
                            validators=[required("Kies het budget.")])
    provider_id = SelectField("Opleider", choices=[], validate_choice=False,
                              validators=[required("Kies de opleider.")])
    course_name = StringField("Opleiding", validators=[
        required("Vul de naam van de opleiding in."), max_length(200)])
    start_on = DutchDateField("Startdatum", validators=[required("Vul de startdatum in.")])
    end_on = DutchDateField("Einddatum", validators=[required("Vul de einddatum in.")])
    amount = EuroField("Bedrag (€)", description="Het bedrag van de offerte, bijvoorbeeld "
                                                 "1.250,50.",
                       validators=[required("Vul het bedrag in.")])
    motivation = TextAreaField("Motivatie", description="Waarom deze opleiding, en hoe helpt "
                                                        "zij de kandidaat aan werk?",
                               validators=[required("Vul de motivatie in."),
                                           max_length(10_000)])

    def set_choices(self, budgets: list[tuple[int, str]], providers: list[tuple[int, str]]):
        self.budget_id.choices = [("", "Kies een budget"),
                                  *[(str(i), label) for i, label in budgets]]
        self.provider_id.choices = [("", "Kies een opleider"),
                                    *[(str(i), label) for i, label in providers]]


class MoveForm(FlaskForm):
    """One step of a voucher; the page shows one such form per allowed step (prefixed)."""

    note = TextAreaField("Toelichting", validators=[max_length(1000)])
    invoice_number = StringField("Factuurnummer", validators=[max_length(50)])
    declared_amount = EuroField("Gedeclareerd bedrag (€)",
                                description="Leeg laten als het gelijk is aan het toegekende "
                                            "bedrag.")
