"""rmt.web.fields writes inputs, text areas, labels and attribute lists itself: the HTML must be
WTForms' own, for every kind of value, flag and attribute name."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import html_params as wtforms_html_params

from rmt.web.fields import hidden_field, html_params, label_html, widget_html
from rmt.web.forms import Choice

TRICKY = 'O\'Brien & "Zonen" <b>'


class AllKinds(Form):
    name = StringField("Naam <met> \"tekens\"", [DataRequired(), Length(min=2, max=40)])
    email = EmailField("E-mail", [Optional()], render_kw={"autocomplete": "email",
                                                          "data_rol": "x"})
    secret = PasswordField("Wachtwoord", [DataRequired(), Length(max=200)])
    shown_secret = PasswordField("Zichtbaar", widget=PasswordField.widget.__class__(False))
    text = TextAreaField("Tekst", [Length(max=4000)])
    day = DateField("Datum")
    bounded_day = DateField("Begrensd", render_kw={"min": date(2026, 1, 1),
                                                   "max": lambda: date(2026, 12, 31)})
    moment = DateTimeLocalField("Moment", [DataRequired()],
                                render_kw={"min": datetime(2026, 1, 1, 9, 30)})
    count = IntegerField("Aantal")
    query = SearchField("Zoeken", render_kw={"placeholder": TRICKY})
    hidden = HiddenField()
    agree = BooleanField("Akkoord")
    step = Choice("Stap", choices=[("a", "A & B"), ("b", TRICKY)])


@pytest.fixture(params=["empty", "filled"])
def form(request) -> AllKinds:
    if request.param == "empty":
        return AllKinds()
    data = MultiDict({"name": TRICKY, "email": "a@b.nl", "secret": "geheim\"1",
                      "shown_secret": "zie<mij>", "text": f"regel 1\n{TRICKY}",
                      "day": "2026-12-04", "bounded_day": "2026-02-03",
                      "moment": "2026-05-06T07:08", "count": "7", "query": TRICKY, "hidden": TRICKY,
                      "agree": "y", "step": "b"})
    built = AllKinds(data)
    built.validate()
    return built


EXTRA = [{}, {"class_": "utrecht-textbox"}, {"aria_describedby": "x-uitleg x-fout",
                                              "aria_invalid": "true", "autocomplete": "off"},
         {"type": "search", "value": TRICKY}, {"class_": Markup('a "b"'), "disabled": True,
                                               "readonly": False}]


@pytest.mark.parametrize("extra", EXTRA)
def test_every_field_is_written_as_wtforms_writes_it(form, extra):
    for field in form:
        assert widget_html(field, **extra) == field(**extra), field.name


def test_labels_are_written_as_wtforms_writes_them(form):
    for field in form:
        assert label_html(field, "utrecht-form-label") == field.label(
            class_="utrecht-form-label", text=field.label.text), field.name


@pytest.mark.parametrize("params", [
    {}, {"name": "q", "id": "q", "value": TRICKY}, {"checked": True, "readonly": False},
    {"class_": "a", "for_": "b", "data_x_y": 1, "aria_label": Markup('"al"')},
    {"value": 0, "min": None, "label": ""},
])
def test_attribute_lists_match_wtforms(params):
    assert html_params(**params) == wtforms_html_params(**params)


def test_a_csrf_field_is_written_as_flask_wtf_writes_it(app):
    from rmt.auth.forms import PasswordChangeForm

    with app.test_request_context("/", base_url="https://localhost"):
        for prefix in ("", "totp"):
            token = PasswordChangeForm(prefix=prefix).csrf_token
            assert hidden_field(token) == token() == str(token)
            assert 'type="hidden"' in hidden_field(token)
            assert token.current_token in hidden_field(token)
