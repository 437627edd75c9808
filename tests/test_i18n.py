"""The shell in English: ?lang=en switches and sticks, and the catalog is complete and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string

from rmt.auth.forms import LoginForm
from rmt.auth.models import Role
from rmt.auth.views import SIGN_IN_FAILED_MESSAGE, SSO_REQUIRED_MESSAGE
from rmt.errors import EXPLANATIONS, TITLES
from tests import helpers

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "rmt" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO_PATH = PO_PATH.with_suffix(".mo")


def _catalog():
    with PO_PATH.open("rb") as fh:
        return read_po(fh)


def _translations() -> dict[str, str]:
    return {m.id: m.string for m in _catalog() if m.id}


def _header_text(html: str) -> str:
    match = re.search(r'<p class="rmt-user__who">(.*?)</p>', html, re.S)
    assert match, "no signed-in header"
    return " ".join(match.group(1).split())


# --- the language switch -------------------------------------------------------------------


def test_dutch_is_the_default(client):
    html = helpers.html(client.get("/inloggen"))
    assert '<html lang="nl">' in html
    assert '<h1 class="utrecht-heading-1">Inloggen</h1>' in html
    assert "Naar de inhoud" in html
    assert 'href="?lang=en"' in html


def test_sign_in_page_in_english(client):
    response = client.get("/inloggen?lang=en")
    html = helpers.html(response)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<title>Sign in · RMT Case Registration</title>" in html
    assert '<h1 class="utrecht-heading-1">Sign in</h1>' in html
    assert "Sign in with the email address and password of your RMT account." in html
    assert ">Email address</label>" in html and ">Password</label>" in html
    assert "(required)" in html
    assert "Skip to content" in html
    assert "Regional Mobility Teams, Province of Utrecht" in html
    assert 'href="?lang=nl"' in html
    assert "Inloggen" not in html


def test_language_choice_sticks_until_changed(client):
    client.get("/inloggen?lang=en")
    assert '<html lang="en">' in helpers.html(client.get("/inloggen"))
    client.get("/inloggen?lang=nl")
    html = helpers.html(client.get("/inloggen"))
    assert '<html lang="nl">' in html
    assert "Inloggen" in html


def test_unsupported_language_falls_back_to_dutch(client):
    assert '<html lang="nl">' in helpers.html(client.get("/inloggen?lang=de"))


# --- pages and messages in English ---------------------------------------------------------


def test_not_found_page_in_english(client):
    response = client.get("/bestaat-niet?lang=en")
    html = helpers.html(response)
    assert response.status_code == 404
    assert '<html lang="en">' in html
    assert '<h1 class="utrecht-heading-1">Page not found</h1>' in html
    assert "The page does not exist or you do not have access to it." in html
    assert "Error code: 404" in html
    assert "Go to the home page" in html


def test_not_found_page_in_dutch(client):
    html = helpers.html(client.get("/bestaat-niet"))
    assert '<h1 class="utrecht-heading-1">Pagina niet gevonden</h1>' in html
    assert "Foutcode: 404" in html


def test_expired_form_explained_in_english(client):
    client.get("/inloggen?lang=en")
    response = client.post("/inloggen", data={"email": "a@b.nl", "password": "x"})
    html = helpers.html(response)
    assert response.status_code == 400
    assert "Request could not be processed" in html
    assert "The form has expired or is invalid." in html


def test_coach_header_in_english(client, login_as):
    login_as("coach", "MU")
    html = helpers.html(client.get("/?lang=en"))
    header = _header_text(html)
    assert "Career coach" in header
    assert "Loopbaancoach" not in header
    assert ">Sign out</button>" in html
    assert 'aria-label="Main menu"' in html
    assert ">Change password</a>" in html


def test_coach_header_in_dutch(client, login_as):
    login_as("coach", "MU")
    assert "Loopbaancoach" in _header_text(helpers.html(client.get("/")))


def test_wrong_credentials_in_english(client, auth):
    client.get("/inloggen?lang=en")
    html = helpers.html(auth.login("niemand@test.nl", "verkeerd-wachtwoord"))
    assert "The email address or the password is incorrect." in html
    assert "The form was not saved." in html


def test_empty_sign_in_form_in_english(client):
    client.get("/inloggen?lang=en")
    response = client.post_form("/inloggen", {"email": "", "password": ""})
    html = helpers.html(response)
    assert response.status_code == 400
    assert "Please correct the marked fields:" in html
    assert 'href="#email">Email address:' in html
    assert "(required)" in html


def test_sign_in_prompt_in_english(client):
    client.get("/inloggen?lang=en")
    response = client.get("/", follow_redirects=True)
    assert "Please sign in to view this page." in helpers.html(response)


class _FormWithError:
    """Just enough of a WTForms form for the form_errors macro: one form-level error."""

    def __init__(self, message: str) -> None:
        self.errors = {None: [message]}
        self.form_errors = [message]

    def __iter__(self):
        return iter(())


def test_data_shown_through_a_translation_stays_escaped(app):
    """Form errors and flashes go through gettext, which marks its result safe: escape first."""
    template = '{% from "_forms.html" import form_errors %}{{ form_errors(form) }}'
    with app.test_request_context("/?lang=en"):
        html = render_template_string(template, form=_FormWithError("<b>50%</b> & meer"))
    assert "&lt;b&gt;50%&lt;/b&gt; &amp; meer" in html
    assert "<b>" not in html


# --- the catalog -----------------------------------------------------------------------------


def test_every_msgid_has_a_translation():
    empty = [m.id for m in _catalog() if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]
    assert not empty, f"untranslated in {PO_PATH.name}: {empty}"


def test_no_fuzzy_translations():
    fuzzy = [m.id for m in _catalog() if m.id and m.fuzzy]
    assert not fuzzy, f"review these and drop the fuzzy flag: {fuzzy}"


def test_catalog_is_up_to_date_with_the_source():
    """Every _('...') in the templates and every N_() in extra_messages.py has an entry."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename="babel.cfg")
    extracted = {message for _file, _line, message, *_rest
                 in extract_from_dir(str(ROOT), method_map, options_map)}
    extracted = {m if isinstance(m, str) else m[0] for m in extracted}
    missing = sorted(extracted - set(_translations()))
    assert not missing, f"run pybabel extract + update (see {PO_PATH.name}): {missing}"


@pytest.mark.parametrize(
    "dutch",
    [
        *TITLES.values(),
        "Fout",
        *EXPLANATIONS.values(),
        *(role.label for role in Role),
        LoginForm.email.args[0],
        LoginForm.password.args[0],
        SIGN_IN_FAILED_MESSAGE,
        SSO_REQUIRED_MESSAGE,
    ],
)
def test_text_kept_in_code_is_in_the_catalog(dutch):
    """These reach the templates as data; rmt/translations/extra_messages.py must list them."""
    assert _translations().get(dutch), f"add {dutch!r} to rmt/translations/extra_messages.py"


def test_compiled_catalog_matches_the_po():
    assert MO_PATH.exists(), "run: make translations"
    with MO_PATH.open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    assert compiled == _translations(), "stale messages.mo; run: make translations"
