"""The period and breakdown of the statistics pages (a GET form: nothing is changed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms.validators import Optional, ValidationError

from rmt import clock
from rmt.cases.models import ReferralPartner, TargetGroup
from rmt.stats.scope import Dimension, Period
from rmt.web.forms import Choice, DateInput, opts

MAX_PERIOD_DAYS = 5 * 366


class PeriodForm(FlaskForm):
    """Period, reference date and filters. Invalid values are reported and the defaults used."""

    class Meta:
        csrf = False

    van = DateInput("Van", validators=[Optional()])
    tot = DateInput("Tot en met", validators=[Optional()])
    peildatum = DateInput("Peildatum lopende trajecten", validators=[Optional()],
                          description="Standaard de einddatum van de periode.")

    def validate_tot(self, field: DateInput) -> None:
        if field.data and self.van.data:
            if field.data < self.van.data:
                raise ValidationError("De einddatum ligt voor de begindatum.")
            if (field.data - self.van.data).days > MAX_PERIOD_DAYS:
                raise ValidationError("Kies een periode van hoogstens vijf jaar.")

    def period(self, today: date | None = None) -> Period:
        """The chosen period; defaults (the last 12 months) for what is missing or invalid."""
        default = Period.default(today)
        start = self._value("van") or default.start
        end = self._value("tot") or (default.end if start <= default.end else start)
        if end < start or (end - start).days > MAX_PERIOD_DAYS:
            start, end = default.start, default.end
        on = self._value("peildatum") or min(end, today or clock.today())
        return Period(start, end, on)

    def _value(self, name: str) -> Any:
        field = self._fields[name]
        return None if field.errors else field.data


class StatsForm(PeriodForm):
    """The statistics page: period plus breakdown and filters within the reader's scope."""

    regio = Choice("Regio")
    uitsplitsing = Choice("Uitsplitsen naar", choices=Dimension.choices(),
                          default=Dimension.REGION.value)
    doelgroep = Choice("Doelgroep", choices=[("", "Alle doelgroepen"), *TargetGroup.choices()])
    verwijzer = Choice("Verwijzer", choices=[("", "Alle verwijzers"), *ReferralPartner.choices()])
    coach = Choice("Loopbaancoach", message="Kies een loopbaancoach uit de lijst.")

    def set_regions(self, regions: list[tuple[str, str]]) -> None:
        self.regio.choices = opts([("", "Alle regio's"), *regions])

    def set_coaches(self, coaches: list[tuple[int, str]]) -> None:
        self.coach.choices = opts([("", "Alle coaches"), *[(str(i), n) for i, n in coaches]])

    def dimension(self) -> Dimension:
        value = self._value("uitsplitsing")
        return Dimension(value) if value in {d.value for d in Dimension} else Dimension.REGION

    def text(self, name: str) -> str | None:
        return self._value(name) or None


#: The first quarter offered by the monitor (the RMTs started in 2021).
FIRST_MONITOR_YEAR = 2021


class MonitorForm(FlaskForm):
    """Quarter and region of the quarterly monitor (a GET form)."""

    class Meta:
        csrf = False

    kwartaal = Choice("Kwartaal", message="Kies een kwartaal uit de lijst.")
    regio = Choice("Regio of provincie", message="Kies een regio uit de lijst.")

    def set_choices(self, quarters: list[tuple[str, str]], regions: list[tuple[str, str]]
                    ) -> None:
        self.kwartaal.choices = opts(quarters)
        self.regio.choices = opts(regions)

    def value(self, name: str) -> str | None:
        field = self._fields[name]
        return None if field.errors else (field.data or None)
