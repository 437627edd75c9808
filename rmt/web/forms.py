"""Form fields, widgets and the form base shared by the HTML pages of every feature.

Forms parse and check the shape of input; rules are in the services. A service refusal
(``DomainError``) is shown at its field with :meth:`FormMixin.add_domain_error`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from babel import support
from flask import Flask, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, HiddenField, SelectChoice, SelectField, ValidationError
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, StopValidation
from wtforms.widgets import Select

from rmt.errors_domain import Conflict, DomainError
from rmt.web.fields import html_params

DATE_MESSAGE = "Vul een geldige datum in, zoals 31-12-2026."
CHOICE_MESSAGE = "Kies een waarde uit de lijst."
EMPTY_CHOICE = ("", "— kies —")
VERSION_MESSAGE = "Het formulier is onvolledig. Laad de pagina opnieuw en probeer het nog eens."
VERSION_MISSING = ("Het formulier mist de versie van de gegevens. Open het opnieuw en voer uw "
                   "wijziging nog eens in.")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")


def parse_date(text: str | None) -> date | None:
    """A date typed as yyyy-mm-dd or dd-mm-yyyy between 1900 and 2100, else None."""
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    return None


class DateInput(DateField):
    """An ``<input type="date">`` (yyyy-mm-dd); a hand-typed dd-mm-yyyy is accepted too."""

    def __init__(self, label: str | None = None, validators: list | None = None,
                 message: str = DATE_MESSAGE, **kwargs: Any) -> None:
        super().__init__(label, validators, format=list(DATE_FORMATS), **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[str]) -> None:
        text = (valuelist[0] if valuelist else "") or ""
        self.data = parse_date(text)
        if text.strip() and self.data is None:
            raise ValueError(self.message)


class Filled(DataRequired):
    """Required after stripping: whitespace alone is no answer. A value that could not be
    read (a malformed date) keeps its own message instead of "required"."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.process_errors:
            raise StopValidation()
        super().__call__(form, field)


def filled(message: str) -> Filled:
    return Filled(message=message)


def strip(value: Any) -> Any:
    """A field filter: surrounding whitespace removed."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value: Any) -> int | None:
    """Coerce for selects of ids: blank is None, anything else must be an integer."""
    if value is None or value == "":
        return None
    return int(value)


def opts(pairs: Iterable[tuple[Any, str] | SelectChoice]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options."""
    return [p if isinstance(p, SelectChoice) else SelectChoice(p[0], p[1]) for p in pairs]


class SelectWidget(Select):
    """WTForms' ``<select>`` with the same HTML, its plain options written in one pass.

    WTForms 3.3 inspects ``render_option``'s signature and builds the attribute list of every
    option on each render (about 15 µs an option; the case list's coach filter has 26 and
    the case page shows five selects). Options with ``render_kw`` go through WTForms. Every
    value is escaped here or by ``html_params``.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        groups = field.iter_groups() if field.has_groups() else [(None, field.iter_choices())]
        for group, choices in groups:
            if group is not None:
                html.append(f"<optgroup {html_params(label=group)}>")
            html.extend(self._option(choice) for choice in choices)
            if group is not None:
                html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 - escaped piece by piece above

    @classmethod
    def _option(cls, choice: Any) -> str:
        if choice.render_kw:
            return cls.render_option(choice)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = " selected" if choice.selected else ""
        return (f'<option{selected} value="{escape(value)}">'
                f"{escape(choice.label or choice.value)}</option>")


class Choice(SelectField):
    """A select whose every complaint is in Dutch (unknown values included)."""

    widget = SelectWidget()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # The options of a form class are made once, when the class is defined, not again for
        # every form on every page (three transition forms on the case page).
        if isinstance(kwargs.get("choices"), list):
            kwargs["choices"] = opts(kwargs["choices"])
        return super().__new__(cls, *args, **kwargs)

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


class FormMixin:
    """Showing service refusals on a WTForms form, and the optimistic-locking version.

    Mix into a ``FlaskForm``. ``field_aliases`` maps a service's field name to the form's.
    """

    field_aliases: dict[str, str] = {}

    def add_error(self, field_name: str | None, message: str) -> None:
        """Show a message at its field, or above the form (hidden or unknown fields)."""
        name = self.field_aliases.get(field_name or "", field_name or "")
        target = self._fields.get(name) if name else None  # type: ignore[attr-defined]
        if target is None or target.type in ("HiddenField", "CSRFTokenField"):
            self.form_errors.append(message)  # type: ignore[attr-defined]
        else:
            target.errors = [*target.errors, message]

    def add_domain_error(self, error: DomainError) -> int:
        """Show a service refusal; returns the HTTP status to answer with (409 or 400)."""
        problems = error.extra.get("problems") or ()
        for item in problems:
            self.add_error(item.field, item.message)
        if not problems:
            self.add_error(error.field, error.message)
        return 409 if isinstance(error, Conflict) else 400

    @property
    def version_number(self) -> int | None:
        """The version the editor saw (hidden field ``version``); None when missing or mangled."""
        field = self._fields.get("version")  # type: ignore[attr-defined]
        data = str(field.data or "") if field is not None else ""
        return int(data) if re.fullmatch(r"[0-9]{1,9}", data) else None

    def expected_version(self) -> int:
        """The version the editor saw. A form without it cannot prove it saw the latest data,
        so it is refused like a stale one."""
        version = self.version_number
        if version is None:
            raise Conflict(VERSION_MISSING, field="version", code="stale_version")
        return version


class PageForm(FormMixin, FlaskForm):
    """A form on a page that holds several: no CSRF field of its own (``CSRFProtect`` checks every
    POST and the templates add the token as a plain hidden input), errors of hidden fields shown
    above the form, and a version that cannot be read refused (the service would otherwise skip
    its optimistic-locking check)."""

    class Meta:
        csrf = False

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if field.type == "HiddenField" and field.errors:
                self.form_errors.extend(field.errors)
                field.errors = []
        return valid

    def validate_version(self, field: HiddenField) -> None:
        if field.data not in (None, "") and self.version_number is None:
            raise ValidationError(VERSION_MESSAGE)


def service_check(check: Callable[[Any], object], value: Any) -> None:
    """Run one of a service's field checks; its ``DomainError`` becomes the field's message."""
    try:
        check(value)
    except DomainError as exc:
        raise ValidationError(exc.message) from None


def by_service(check: Callable[[Any], object]) -> Callable[[Any, Any], None]:
    """A WTForms validator from a service's field check (filled-in values only)."""

    def validate(_form: Any, field: Any) -> None:
        if field.data:
            service_check(check, field.data)

    return validate


def keep_wtforms_translations(app: Flask) -> None:
    """Flask-WTF reads and parses WTForms' catalogue again in every request that builds a form
    (about 0.1 ms); it looks for one on ``request.wtforms_translations`` first, so each request
    is given the one read here. The application speaks Dutch only (docs/language.md): the
    catalogue of its one locale."""
    translations = support.Translations.load(
        messages_path(), [app.config.get("BABEL_DEFAULT_LOCALE", "nl")], domain="wtforms")

    @app.before_request
    def _give_wtforms_translations() -> None:
        request.wtforms_translations = translations
