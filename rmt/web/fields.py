"""The HTML of one form field: the ``field`` macro of ``_forms.html`` calls :func:`render_field`.

A ``<label>`` for every input, its description and error linked with ``aria-describedby``, the
Utrecht NL Design System classes. Written in Python rather than as a Jinja macro because every
form page renders it for each field: as a macro it cost 0.1–0.5 ms a field (the case list's
filter form took 2 ms, the case page's forms 5 ms). Every value is escaped where it goes in
(``Markup.format`` or ``escape``).

Inputs (date inputs among them), text areas and labels are written here too
(:func:`widget_html`), with the same HTML as WTForms 3.3: its ``html_params`` formats every
attribute through ``Markup.format`` (about 50 µs an input, a fifth of the change-password
page). Widgets of any other kind, and fields whose form's meta renders differently, still go
through WTForms.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Undefined
from markupsafe import Markup, escape
from wtforms.meta import DefaultMeta
from wtforms.widgets import Input, PasswordInput, TextArea
from wtforms.widgets.core import _DateTimeBaseInput, clean_key

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
CHECKBOX_INPUT = "utrecht-checkbox utrecht-checkbox--html-input"
CHECKBOX_LABEL = "utrecht-form-label utrecht-form-label--checkbox"


def _text_field(invalid: bool, label: Markup, required: bool, description: Markup,
                error: Markup, widget: Markup) -> Markup:
    """A text, select or text-area field's block; every part is markup already (escaped where
    it was made), so no ``Markup.format`` pass is needed."""
    return Markup(  # noqa: S704 - every part is Markup
        f'<div class="utrecht-form-field utrecht-form-field--text'
        f'{" utrecht-form-field--invalid" if invalid else ""}">\n'
        f'  <p class="utrecht-form-field__label">{label}{REQUIRED if required else ""}</p>\n'
        f"  {description}\n  {error}\n"
        f'  <p class="utrecht-form-field__input">\n'
        f"    {widget}\n  </p>\n</div>")


@lru_cache(maxsize=1024)
def _attribute_name(key: str) -> tuple[str, str]:
    """An attribute's name as WTForms writes it: bare (a ``True`` attribute) and escaped. The
    names come from the code (a few dozen), so they are kept."""
    name = clean_key(key)
    return name, str(escape(name))


def html_params(**kwargs: Any) -> str:
    """WTForms' ``html_params`` (sorted attributes, ``True`` bare, ``False`` left out, values
    escaped, ``class_``/``data_``/``aria_`` names), written without ``Markup.format``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_attribute_name(key)[0])
        elif value is not False:
            text = str(escape(value)).replace('"', "&quot;")
            params.append(f'{_attribute_name(key)[1]}="{text}"')
    return " ".join(params)


def _validation_attrs(widget: Any, field: Any, kwargs: dict[str, Any], call: bool) -> None:
    """The field's flags the widget writes as attributes (``required``, ``maxlength``, ...)."""
    flags = vars(field.flags)
    for key in widget.validation_attrs:
        if key in flags and key not in kwargs:
            value = flags[key]
            kwargs[key] = value() if call and callable(value) else value


def _date_bounds(f: Any, kwargs: dict[str, Any]) -> None:
    """A date or time input's ``min``/``max`` (given or a flag) in the field's format."""
    format_ = getattr(f, "format", None)
    if format_ is None:
        return
    format_ = format_[0] if isinstance(format_, list) else format_
    for attr in ("min", "max"):
        value = kwargs.get(attr, getattr(f.flags, attr, None))
        if callable(value):
            value = value()
        if hasattr(value, "strftime"):
            kwargs[attr] = value.strftime(format_)


def widget_html(f: Any, **kwargs: Any) -> Markup:
    """``f(**kwargs)``: the field's widget with its ``render_kw``, as WTForms writes it."""
    widget = f.widget
    kind = type(widget)
    plain = kind.__call__ in (Input.__call__, PasswordInput.__call__, TextArea.__call__,
                              _DateTimeBaseInput.__call__)
    if not plain or type(f.meta).render_field is not DefaultMeta.render_field:
        return f(**kwargs)
    if f.render_kw:
        kwargs = {**f.render_kw, **kwargs}
    if kind.__call__ is _DateTimeBaseInput.__call__:
        _date_bounds(f, kwargs)
    kwargs.setdefault("id", f.id)
    if kind.__call__ is TextArea.__call__:
        _validation_attrs(widget, f, kwargs, call=False)
        return Markup(  # noqa: S704 - html_params and escape escape every value
            f"<textarea {html_params(name=f.name, **kwargs)}>\r\n{escape(f._value())}</textarea>")
    if kind.__call__ is PasswordInput.__call__ and widget.hide_value:
        kwargs["value"] = ""
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = f._value()
    datalist = getattr(f, "_datalist", None)
    if datalist is not None and "list" not in kwargs:
        kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
    _validation_attrs(widget, f, kwargs, call=True)
    return Markup(f"<input {html_params(name=f.name, **kwargs)}>")  # noqa: S704 - escaped


def hidden_field(f: Any) -> Markup:
    """A hidden field (a form's CSRF token, a record's version) as ``{{ f }}`` writes it:
    WTForms' own writing was a third of the change-password form's HTML time. A form built
    with CSRF switched off (``WTF_CSRF_ENABLED``) has no token field: nothing, as ``{{ f }}``."""
    if isinstance(f, Undefined):
        return Markup()
    return widget_html(f)


def label_html(f: Any, class_: str) -> Markup:
    """``f.label(class_=class_)`` as WTForms writes it."""
    label = f.label
    return Markup(  # noqa: S704 - html_params and escape escape every value
        f"<label {html_params(class_=class_, **{'for': label.field_id})}>"
        f"{escape(label.text)}</label>")


def _error(f: Any) -> Markup:
    return ERROR.format(f.id, " ".join(str(e) for e in f.errors)) if f.errors else Markup()


def _described(f: Any) -> dict[str, str]:
    ids = [f"{f.id}-uitleg"] if f.description else []
    ids += [f"{f.id}-fout"] if f.errors else []
    return {"aria-describedby": " ".join(ids)} if ids else {}


def _checkbox(f: Any) -> Markup:
    return CHECKBOX.format(Markup(" utrecht-form-field--invalid") if f.errors else "",
                           widget_html(f, class_=CHECKBOX_INPUT, **_described(f)),
                           label_html(f, CHECKBOX_LABEL), _error(f))


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
    return _text_field(
        bool(f.errors), label_html(f, "utrecht-form-label"), bool(f.flags.required),
        DESCRIPTION.format(f.id, f.description) if f.description else Markup(),
        _error(f), widget_html(f, class_=_input_class(f, class_), **attrs))


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
