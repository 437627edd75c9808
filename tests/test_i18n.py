"""Dutch only (docs/language.md): no language switch, every form message Dutch, plurals through
ngettext, dates and numbers in the nl locale."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template_string, request
from flask_babel import format_date, format_decimal, ngettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

import rmt
from tests import helpers

ROOT = Path(__file__).resolve().parent.parent
#: "voucher(s)", "fout(en)", "kandidaat/kandidaten", "mbo-school/scholen".
HAND_MADE = re.compile(r"[a-z]\((s|en|n)\)|\b(\w{3})\w*/\2\w*(?![\w.])")
#: "{{ '' if n == 1 else 's' }}", "{{ 'is' if n == 1 else 'zijn' }}".
CHOSEN_BY_HAND = re.compile(r"\{\{[^}]*\bif [^}]*[!=]= *1 else\b")
TEMPLATE_TAG = re.compile(r"\{%.*?%\}")
#: Words of an English message (WTForms' defaults, say) that no Dutch message contains.
ENGLISH = re.compile(r"\b(the|this field|must|invalid|not a valid|required|please|enter|"
                     r"choice|value|number|characters|only)\b", re.I)


# --- no English switch -----------------------------------------------------------------------


def test_the_shell_is_dutch_and_offers_no_other_language(client):
    html = helpers.html(client.get("/inloggen"))
    assert '<html lang="nl">' in html
    assert '<h1 class="utrecht-heading-1">Inloggen</h1>' in html
    assert "Naar de inhoud" in html
    assert "lang=" not in html.replace('<html lang="nl">', "")
    assert "English" not in html


def test_asking_for_english_changes_nothing(client):
    html = helpers.html(client.get("/inloggen?lang=en"))
    assert '<html lang="nl">' in html and "Inloggen" in html and "Sign in" not in html
    assert '<html lang="nl">' in helpers.html(client.get("/inloggen"))


def test_signed_in_pages_have_no_language_switch(client, login_as):
    login_as("coach", "MU")
    html = helpers.html(client.get("/?lang=en"))
    assert '<html lang="nl">' in html and "Loopbaancoach" in html and "Uitloggen" in html
    assert "lang=" not in html.replace('<html lang="nl">', "")


def test_not_found_page_in_dutch(client):
    html = helpers.html(client.get("/bestaat-niet?lang=en"))
    assert '<h1 class="utrecht-heading-1">Pagina niet gevonden</h1>' in html
    assert "Foutcode: 404" in html


# --- forms -----------------------------------------------------------------------------------


def test_required_fields_are_marked_in_dutch(client, login_as):
    login_as("coach", "MU")
    html = helpers.html(client.get("/trajecten/nieuw?lang=en"))
    assert re.search(r'>Voornaam</label> <span class="rmt-required">\(verplicht\)</span>', html)
    assert "(required)" not in html


def test_empty_sign_in_form_is_explained_in_dutch(client):
    response = client.post_form("/inloggen", {"email": "", "password": ""})
    html = helpers.html(response)
    assert response.status_code == 400
    assert "Verbeter de gemarkeerde velden:" in html
    assert 'href="#email">E-mailadres:' in html
    assert not ENGLISH.search(helpers.text(response))


def _form_classes() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(rmt.__path__, "rmt."):
        importlib.import_module(module.name)
    found: set[type[FlaskForm]] = set()
    pending = [FlaskForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("rmt.") and not inspect.isabstract(sub):
                found.add(sub)
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__name__}")


#: Forms whose view sets something up before validating.
SETUP = {"RegistrationForm": lambda form: form.set_municipalities([])}
NONSENSE = ("", " ", "x" * 5000, "-1", "abc", "31-02-2026", "0")


def test_every_form_message_is_dutch(app):
    """Every form of every feature, given nonsense in every field: WTForms' own messages
    (invalid integer, too long, not a valid choice) come in Dutch too."""
    forms = _form_classes()
    assert len(forms) >= 40
    messages: set[str] = set()
    with app.test_request_context("/", method="POST"):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            for form_class in forms:
                for value in NONSENSE:
                    form = form_class(formdata=MultiDict(
                        {name: value for name in form_class()._fields}))
                    SETUP.get(form_class.__name__, lambda _form: None)(form)
                    for field in form:
                        if getattr(field, "choices", ()) is None:
                            field.choices = []  # a view fills these
                    form.validate()
                    messages |= {str(message) for errors in form.errors.values()
                                 for message in (errors.values() if isinstance(errors, dict)
                                                 else errors)}
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
    assert len(messages) >= 30
    english = sorted(m for m in messages if ENGLISH.search(m))
    assert not english, english


def test_data_shown_in_form_errors_stays_escaped(app):
    """Form-level errors and labels are data: the template escapes them."""

    class FormWithError:
        errors = {None: ["<b>50%</b> & meer"]}
        form_errors = ["<b>50%</b> & meer"]

        def __iter__(self):
            return iter(())

    template = '{% from "_forms.html" import form_errors %}{{ form_errors(form) }}'
    with app.test_request_context("/"):
        html = render_template_string(template, form=FormWithError())
    assert "&lt;b&gt;50%&lt;/b&gt; &amp; meer" in html
    assert "<b>" not in html


# --- plurals, numbers and dates in nl ----------------------------------------------------------


def test_plurals_numbers_and_dates_are_dutch(app):
    with app.test_request_context("/"):
        assert ngettext("%(num)d voucher", "%(num)d vouchers", 1) == "1 voucher"
        assert ngettext("%(num)d voucher", "%(num)d vouchers", 12) == "12 vouchers"
        assert format_decimal(Decimal("1250.5")) == "1.250,5"
        assert format_date(date(2026, 3, 1), "d MMMM yyyy") == "1 maart 2026"


@pytest.mark.parametrize(("count", "expected"), [(0, "0 kandidaten"), (1, "1 kandidaat"),
                                                  (27, "27 kandidaten")])
def test_jinja_pluralize(app, count, expected):
    template = ("{% trans count=n %}{{ count }} kandidaat{% pluralize %}"
                "{{ count }} kandidaten{% endtrans %}")
    with app.test_request_context("/"):
        assert render_template_string(template, n=count) == expected


def test_no_hand_made_plurals_in_the_templates():
    """"voucher(s)", "kandidaat/kandidaten", "regel{{ 's' }}": use ngettext or
    {% trans count=... %}...{% pluralize %}...{% endtrans %} instead."""
    found = []
    for path in sorted((ROOT / "rmt" / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if HAND_MADE.search(TEMPLATE_TAG.sub("", line)) or CHOSEN_BY_HAND.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, "\n".join(found)


def test_no_hand_made_plurals_in_python_text():
    """The same for text in the code (flash messages, CLI output, audit summaries, mail);
    docstrings and comments may say "stay(s)"."""
    found = []
    for path in sorted((ROOT / "rmt").rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and HAND_MADE.search(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
            if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value == 1 for c in node.test.comparators
            ) and all(isinstance(b, ast.Constant) and isinstance(b.value, str)
                      for b in (node.body, node.orelse)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "\n".join(found)


def test_wtforms_catalogue_is_read_once_per_process(client):
    """Flask-WTF would read WTForms' catalogue again in every request with a form; each request
    is given the one read once (rmt.web.forms.keep_wtforms_translations), in Dutch."""
    given = []
    for _ in range(2):
        with client:
            assert client.get("/inloggen").status_code == 200
            given.append(request.wtforms_translations)
    assert given[0] is given[1]
    assert given[0].ugettext("Not a valid integer value.") == "Ongeldig getal."
