"""A real OpenID Connect provider for the tests: ``oidc-provider`` (npm, pinned in package.json)
run by the machine's Node.js on 127.0.0.1 through ``server.mjs`` next to this file.

The test owns the provider's signing key: it generates it, hands it to the provider (which
serves it at its ``jwks_uri`` and signs every real ID token with it) and keeps it to sign the
tokens a real provider would never issue (another audience, expired). Those reach the app
through the provider's own token endpoint (``next_id_token``), so the app's validation of a
token from its provider is what is tested; Authlib is never mocked.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SERVER = HERE / "server.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"
START_TIMEOUT = 30.0
KEY_ID = "rmt-test-provider-key"


@dataclass
class OidcTestProvider:
    issuer: str
    key: RSAKey
    log: Path

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        """An ID token signed with this provider's key (or ``key``), as the test wants it."""
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key or self.key)

    def next_id_token(self, token: str) -> None:
        """The next token response of the provider carries ``token`` as its ID token."""
        response = requests.post(f"{self.issuer}/__test__/next-id-token",
                                 data=json.dumps({"id_token": token}), timeout=5)
        assert response.status_code == 204

    def last_id_token(self) -> str:
        return requests.get(f"{self.issuer}/__test__/last-id-token", timeout=5).json()["id_token"]

    def sign_in(self, authorize_url: str, login: str, *, mfa: bool = False,
                app_prefix: str = "http://localhost/") -> str:
        """Sign in at the provider like a person would (a fresh browser: no provider session);
        returns the URL the provider sends the browser back to (the app's callback)."""
        browser = requests.Session()
        page = browser.get(authorize_url, timeout=10)
        assert page.status_code == 200, page.text
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action, page.text
        response = browser.post(urljoin(page.url, action.group(1)),
                                data={"login": login, **({"mfa": "1"} if mfa else {})},
                                allow_redirects=False, timeout=10)
        for _ in range(10):
            assert response.status_code in (302, 303), response.text
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(app_prefix):
                return location
            response = browser.get(location, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never sent the browser back")


def authorize_params(authorize_url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(authorize_url).query).items()}


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("The SSO tests need Node.js (`node`) to run the test OpenID provider.",
                    pytrace=False)
    if not PACKAGE.exists():
        pytest.fail(f"{PACKAGE} is missing; run `npm ci` first.", pytrace=False)
    return node


@contextmanager
def running_provider(workdir: Path, *, clients: list[dict], accounts: dict[str, dict]
                     ) -> Iterator[OidcTestProvider]:
    """Start the provider with these clients and accounts; stop it afterwards."""
    key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
    config = workdir / "oidc-provider.json"
    config.write_text(json.dumps({"port": 0, "jwks": {"keys": [key.as_dict(private=True)]},
                                  "clients": clients, "accounts": accounts}))
    log = workdir / "oidc-provider.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen([_node(), str(SERVER), str(config)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=log_file, text=True)
    issuer: list[str] = []

    def read_first_line() -> None:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.startswith("listening "):
            issuer.append(line.split(" ", 1)[1].strip())

    reader = threading.Thread(target=read_first_line, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    try:
        if not issuer:
            proc.kill()
            pytest.fail(f"The test OpenID provider did not start:\n{log.read_text()}")
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if requests.get(issuer[0] + "/.well-known/openid-configuration",
                                timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield OidcTestProvider(issuer=issuer[0], key=key, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
