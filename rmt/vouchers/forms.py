"""Forms for reference data, budgets and vouchers. Dutch messages; rules live in the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

from rmt import clock
from rmt.errors_domain import Conflict, DomainError
from rmt.forms import max_length, required
from rmt.vouchers.money import MoneyError, format_euros, parse_euros
from rmt.web.forms import DateInput, FormMixin

#: A version that is missing or mangled cannot prove the editor saw the latest data.
STALE_MESSAGE = ("Iemand anders heeft dit gegeven intussen gewijzigd. Er is niets opgeslagen; "
                 "bekijk de huidige gegevens en voer uw wijziging zo nodig opnieuw in.")


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


class VersionedForm(FormMixin, FlaskForm):
    """An edit form with the record's version (optimistic locking). ``stale`` tells the view
    to show the newest data after a refusal because of the version."""

    version = HiddenField()
    stale = False

    def expected_version(self) -> int:
        version = self.version_number
        if version is None:
            raise Conflict(STALE_MESSAGE, field="version", code="stale_version")
        return version

    def add_domain_error(self, error: DomainError) -> int:
        self.stale = error.code == "stale_version"
        return super().add_domain_error(error)

    def add_error(self, field_name: str | None, message: str) -> None:
        # A version conflict found at flush (rmt.web.handlers.submit) lands on "version".
        self.stale = self.stale or field_name == "version"
        super().add_error(field_name, message)


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
        this_year = clock.today().year
        self.year.choices = [(str(y), str(y)) for y in range(this_year + 1, this_year - 6, -1)]
        if not self.year.data:
            self.year.data = str(this_year)


#: Co-funding rows on the request form (the service accepts up to MAX_CO_FUNDING).
CO_FUNDING_ROWS = 2


class VoucherRequestForm(FormMixin, FlaskForm):
    field_aliases = {"amount_cents": "amount", "co_funding": "co_budget_1"}

    budget_id = SelectField("Budget", choices=[], validate_choice=False,
                            validators=[required("Kies het budget.")])
    provider_id = SelectField("Opleider", choices=[], validate_choice=False,
                              validators=[required("Kies de opleider.")])
    course_name = StringField("Opleiding", validators=[
        required("Vul de naam van de opleiding in."), max_length(200)])
    start_on = DateInput("Startdatum", validators=[required("Vul de startdatum in.")])
    end_on = DateInput("Einddatum", validators=[required("Vul de einddatum in.")])
    amount = EuroField("Bedrag (€)", description="Het bedrag van de offerte, bijvoorbeeld "
                                                 "1.250,50.",
                       validators=[required("Vul het bedrag in.")])
    motivation = TextAreaField("Motivatie", description="Waarom deze opleiding, en hoe helpt "
                                                        "zij de kandidaat aan werk?",
                               validators=[required("Vul de motivatie in."),
                                           max_length(10_000)])
    co_budget_1 = SelectField("Medefinanciering 1: budget", choices=[], validate_choice=False,
                              description="Betaalt een ander budget (bijvoorbeeld een "
                                          "O&O-fonds) een deel? Het hoofdbudget betaalt de rest.")
    co_amount_1 = EuroField("Medefinanciering 1: bedrag (€)")
    co_budget_2 = SelectField("Medefinanciering 2: budget", choices=[], validate_choice=False)
    co_amount_2 = EuroField("Medefinanciering 2: bedrag (€)")

    def co_funding(self) -> list[dict]:
        """The filled co-funding rows as the service takes them (a row half filled too, so
        the service can say what is missing)."""
        rows = []
        for n in range(1, CO_FUNDING_ROWS + 1):
            budget, amount = self._fields[f"co_budget_{n}"].data, self._fields[
                f"co_amount_{n}"].data
            if budget or amount is not None:
                rows.append({"budget_id": id_choice(budget), "amount_cents": amount})
        return rows

    def set_choices(self, budgets: list[tuple[int, str]], providers: list[tuple[int, str]]):
        self.budget_id.choices = [("", "Kies een budget"),
                                  *[(str(i), label) for i, label in budgets]]
        for n in range(1, CO_FUNDING_ROWS + 1):
            self._fields[f"co_budget_{n}"].choices = [
                ("", "Geen medefinanciering"), *[(str(i), label) for i, label in budgets]]
        self.provider_id.choices = [("", "Kies een opleider"),
                                    *[(str(i), label) for i, label in providers]]


class MoveForm(FormMixin, FlaskForm):
    """One step of a voucher; the page shows one such form per allowed step (prefixed)."""

    field_aliases = {"declared_amount_cents": "declared_amount", "to": ""}

    note = TextAreaField("Toelichting", validators=[max_length(1000)])
    invoice_number = StringField("Factuurnummer", validators=[max_length(50)])
    declared_amount = EuroField("Gedeclareerd bedrag (€)",
                                description="Leeg laten als het gelijk is aan het toegekende "
                                            "bedrag.")
