"""Single sign-on in a real browser: the app (its own server, with an SSO provider configured)
and a real OpenID Connect provider (``oidc-provider`` on 127.0.0.1), end to end.

Every page of the app on the way is checked with axe (WCAG 2.1 AA, 0 violations); the test
provider's own pages are not the app's and are not checked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from collections.abc import Iterator

import pytest

from tests.auth.oidc_provider import OidcTestProvider, running_provider
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    ROOT,
    _flask,
    _free_port,
    _wait_until_up,
    fresh_totp_code,
)

SECRET = "e2e-client-secret-0123456789"
GROUPS = {"rmt-coach-mu": {"role": "coach", "regions": ["MU"]},
          "rmt-coordinator-mu": {"role": "coordinator", "regions": ["MU"]}}
ACCOUNTS = {
    "coach": {"email": "coach.mu@demo.rmt.test", "email_verified": True,
              "groups": ["rmt-coach-mu"]},
    "coordinator": {"email": "coordinator.mu@demo.rmt.test", "email_verified": True,
                    "groups": ["rmt-coordinator-mu"]},
    "outsider": {"email": "buiten@demo.rmt.test", "email_verified": True,
                 "groups": ["marketing"]},
}


@pytest.fixture(scope="module")
def sso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, OidcTestProvider]]:
    """A test provider and an app server that trusts it, on a fresh SQLite demo database."""
    workdir = tmp_path_factory.mktemp("e2e-sso")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    client = {"client_id": "rmt-e2e", "client_secret": SECRET,
              "redirect_uris": [f"{base_url}/inloggen/sso/test/terug"],
              "post_logout_redirect_uris": [f"{base_url}/uitgelogd"]}
    with running_provider(workdir, clients=[client], accounts=ACCOUNTS) as provider:
        env = {
            **os.environ,
            "RMT_ENV": "development",
            "RMT_DATABASE_URL": f"sqlite:///{workdir / 'sso.sqlite3'}",
            "RMT_SECRET_KEY": secrets.token_hex(32),
            "RMT_INSTANCE_PATH": str(workdir / "instance"),
            "RMT_DEMO_PASSWORD": DEMO_PASSWORD,
            "RMT_DEMO_TOTP_SECRET": DEMO_TOTP_SECRET,
            "RMT_RATELIMIT_STORAGE_URI": "memory://",
            "RMT_LOGIN_RATE_LIMIT": "1000 per minute",
            "RMT_TOTP_RATE_LIMIT": "1000 per minute",
            "RMT_SECURE_COOKIES": "0",
            "PYTHONUNBUFFERED": "1",
            "RMT_SSO_PROVIDERS": "test",
            "RMT_SSO_TEST_LABEL": "Testorganisatie",
            "RMT_SSO_TEST_ISSUER": provider.issuer,
            "RMT_SSO_TEST_CLIENT_ID": "rmt-e2e",
            "RMT_SSO_TEST_CLIENT_SECRET": SECRET,
            "RMT_SSO_TEST_SCOPES": "openid email profile groups",
            "RMT_SSO_TEST_GROUP_CLAIM": "groups",
            "RMT_SSO_TEST_GROUPS": json.dumps(GROUPS),
        }
        env.pop("RMT_TEST_DATABASE_URL", None)
        env.pop("FLASK_DEBUG", None)
        for command in (("db", "upgrade"), ("demo", "seed", "--cases", "5")):
            result = subprocess.run(_flask(*command), cwd=ROOT, env=env, capture_output=True,
                                    text=True, timeout=180, check=False)
            if result.returncode != 0:
                pytest.fail(f"`flask {' '.join(command)}` failed:\n{result.stdout}\n"
                            f"{result.stderr}")
        log = workdir / "server.log"
        with log.open("w") as log_file:
            proc = subprocess.Popen(
                _flask("run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"),
                cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(f"{base_url}/inloggen", proc, log)
            yield base_url, provider
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _context(browser, base_url: str, *, bypass_csp: bool):
    context = browser.new_context(base_url=base_url, bypass_csp=bypass_csp, locale="nl-NL")
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def sso_page(browser, sso_server) -> Iterator:
    """A page for axe: bypass_csp only so axe-core can be injected (as in conftest.page)."""
    context = _context(browser, sso_server[0], bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def strict_page(browser, sso_server) -> Iterator:
    """A page that enforces the app's Content-Security-Policy (no axe here): the SSO button and
    the sign-out are forms answered by a redirect to the provider, which ``form-action`` must
    allow."""
    context = _context(browser, sso_server[0], bypass_csp=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def _at_provider(page, login: str, *, mfa: bool = False) -> None:
    """Press the SSO button on the app's sign-in page and sign in at the provider."""
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen met Testorganisatie").click()
    assert "/interaction/" in page.url
    page.get_by_label("Gebruikersnaam").fill(login)
    if mfa:
        page.get_by_label("Tweede factor gebruikt").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden bij testprovider").click()


def test_sso_sign_in_and_sign_out_end_to_end(sso_page, sso_server, assert_accessible):
    base_url, _provider = sso_server
    page = sso_page
    page.goto("/inloggen")
    assert_accessible(page)
    _at_provider(page, "coach")
    page.wait_for_url(f"{base_url}/")
    assert page.locator(".rmt-user__who").inner_text().strip() != ""
    assert_accessible(page)

    # sign-out: the local session ends, then the provider's (RP-initiated logout)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Uitloggen")).first.click()
    assert page.url.startswith(_provider.issuer)
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, uitloggen").click()
    page.wait_for_url(f"{base_url}/inloggen")
    assert "U bent uitgelogd, ook bij uw organisatie." in page.content()
    assert_accessible(page)
    page.goto("/")
    assert page.url.startswith(f"{base_url}/inloggen")


def test_sso_refusal_page(sso_page, sso_server, assert_accessible):
    base_url, _provider = sso_server
    page = sso_page
    page.goto("/inloggen")
    _at_provider(page, "outsider")
    assert page.url.startswith(f"{base_url}/inloggen/sso/test/terug")
    assert page.get_by_role("heading", name="Niet ingelogd").is_visible()
    assert "geen lid van een groep die toegang geeft" in page.get_by_role("alert").inner_text()
    assert_accessible(page)


def test_sso_coordinator_without_provider_mfa_gives_the_code(sso_page, sso_server,
                                                            assert_accessible):
    base_url, _provider = sso_server
    page = sso_page
    page.goto("/inloggen")
    _at_provider(page, "coordinator")
    page.wait_for_url(f"{base_url}/inloggen/code")
    assert "die heeft geen tweede factor gevraagd" in page.content()
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill(fresh_totp_code("coordinator.mu@demo.rmt.test"))
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren").click()
    assert page.url == f"{base_url}/"


def test_sso_coordinator_with_provider_mfa_goes_straight_in(strict_page, sso_server):
    """With the app's CSP enforced: in through the provider and out through it again."""
    base_url, provider = sso_server
    page = strict_page
    page.goto("/inloggen")
    _at_provider(page, "coordinator", mfa=True)
    page.wait_for_url(f"{base_url}/")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Uitloggen")).first.click()
    assert page.url.startswith(provider.issuer)


def test_admin_sso_page_break_glass(sso_page, assert_accessible):
    """The admin signs in with password and code (break-glass) and requires SSO."""
    page = sso_page
    page.goto("/inloggen")
    page.get_by_label("E-mailadres", exact=True).fill("admin@demo.rmt.test")
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen", exact=True).click()
    page.get_by_label("Code", exact=True).fill(fresh_totp_code("admin@demo.rmt.test"))
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren").click()
    page.goto("/beheer/sso")
    assert page.get_by_role("heading", name="Inloggen via de organisatie (SSO)").is_visible()
    assert_accessible(page)
    page.get_by_label("Inloggen via de organisatie (SSO) verplicht").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    assert "De instelling is opgeslagen." in page.content()
    assert page.get_by_label("Inloggen via de organisatie (SSO) verplicht").is_checked()
    assert_accessible(page)
