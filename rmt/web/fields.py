"""The HTML of one form field: the ``field`` macro of ``_forms.html`` calls :func:`render_field`.

A ``<label>`` for every input, its description and error linked with ``aria-describedby``, the
Utrecht NL Design System classes. Written in Python rather than as a Jinja macro because every
form page renders it for each field: as a macro it cost 0.1–0.5 ms a field (the case list's
filter form took 2 ms, the case page's forms 5 ms). Every value goes in through
``Markup.format``, which escapes it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

CHOICE_LISTS = ("SelectMultipleField", "RegionCheckboxes")
ERROR = Markup('<p class="utrecht-form-field-error-message" id="{}-fout">{}</p>')
CHECKBOX = Markup(
    '<div class="utrecht-form-field utrecht-form-field--checkbox{}">\n'
    '  <p class="utrecht-form-field__label utrecht-form-field__label--checkbox">\n'
    "    {}\n    {}\n  </p>\n  {}\n</div>")
CHECKBOX_OPTION = Markup(
    '\n  <div class="utrecht-form-field utrecht-form-field--checkbox">\n'
    '    <p class="utrecht-form-field__label utrecht-form-field__label--checkbox">\n'
    "      {}\n      {}\n    </p>\n  </div>")
FIELDSET = Markup(
    '<fieldset class="utrecht-form-fieldset{}"{}>\n'
    '  <legend class="utrecht-form-fieldset__legend">{}</legend>\n'
    "  {}{}\n</fieldset>")
DESCRIBED_BY = Markup(' aria-describedby="{}"')
DESCRIPTION = Markup('<p class="utrecht-form-field-description" id="{}-uitleg">{}</p>')
REQUIRED = Markup(' <span class="rmt-required">(verplicht)</span>')
TEXT = Markup(
    '<div class="utrecht-form-field utrecht-form-field--text{}">\n'
    '  <p class="utrecht-form-field__label">{}{}</p>\n'
    "  {}\n  {}\n"
    '  <p class="utrecht-form-field__input">\n'
    "    {}\n  </p>\n</div>")
CHECKBOX_INPUT = "utrecht-checkbox utrecht-checkbox--html-input"
CHECKBOX_LABEL = "utrecht-form-label utrecht-form-label--checkbox"


def _error(f: Any) -> Markup:
    return ERROR.format(f.id, " ".join(str(e) for e in f.errors)) if f.errors else Markup()


def _described(f: Any) -> dict[str, str]:
    ids = [f"{f.id}-uitleg"] if f.description else []
    ids += [f"{f.id}-fout"] if f.errors else []
    return {"aria-describedby": " ".join(ids)} if ids else {}


def _checkbox(f: Any) -> Markup:
    return CHECKBOX.format(Markup(" utrecht-form-field--invalid") if f.errors else "",
                           f(class_=CHECKBOX_INPUT, **_described(f)),
                           f.label(class_=CHECKBOX_LABEL, text=f.label.text), _error(f))


def _checkbox_list(f: Any) -> Markup:
    described = _described(f)
    options = Markup("").join(
        CHECKBOX_OPTION.format(option(class_=CHECKBOX_INPUT),
                               option.label(class_=CHECKBOX_LABEL))
        for option in f)
    return FIELDSET.format(
        Markup(" utrecht-form-fieldset--invalid") if f.errors else "",
        DESCRIBED_BY.format(described["aria-describedby"]) if described else "",
        f.label.text, _error(f), options)


def _input_class(f: Any, class_: str) -> str:
    if f.type == "SelectField":
        return "utrecht-select utrecht-select--html-select" + (
            " utrecht-select--invalid" if f.errors else "")
    if f.type == "TextAreaField":
        return "utrecht-textarea utrecht-textarea--html-textarea" + (
            " utrecht-textarea--invalid" if f.errors else "")
    return class_ + " utrecht-textbox--html-input" + (
        " utrecht-textbox--invalid" if f.errors else "")


def _text(f: Any, input_type: str | None, autocomplete: str | None, class_: str) -> Markup:
    attrs: dict[str, Any] = {**_described(f)}
    if f.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if input_type:
        attrs["type"] = input_type
    if f.type == "TextAreaField":
        attrs["rows"] = 5
    return TEXT.format(
        Markup(" utrecht-form-field--invalid") if f.errors else "",
        f.label(class_="utrecht-form-label", text=f.label.text),
        REQUIRED if f.flags.required else "",
        DESCRIPTION.format(f.id, f.description) if f.description else "",
        _error(f),
        f(class_=_input_class(f, class_), **attrs))


def render_field(f: Any, input_type: str | None = None, autocomplete: str | None = None,
                 class_: str = "utrecht-textbox") -> Markup:
    """One WTForms field with its label, description, error and the design system's classes;
    ``input_type`` overrides the input's type (``search``, ``email``), ``class_`` the textbox
    class."""
    if f.type == "BooleanField":
        return _checkbox(f)
    if f.type in CHOICE_LISTS:
        return _checkbox_list(f)
    return _text(f, input_type, autocomplete, class_)
