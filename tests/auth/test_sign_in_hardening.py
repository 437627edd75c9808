"""Sign-in that tells nothing (one argon2 verification and one answer per attempt, whatever the
account) and throttling that slows a guesser without locking anyone out (issue 16, items 2, 6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from rmt.auth import service
from rmt.auth.views import SIGN_IN_FAILED_MESSAGE
from rmt.db_types import utcnow
from rmt.extensions import db
from tests import helpers
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.security.support import code, signed_in_user_id, totp_user

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*>')
EMAIL = "doelwit@test.nl"


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts every argon2 ``verify`` and ``hash`` the app makes."""
    calls = {"verify": 0, "hash": 0}
    verify, hash_ = PasswordHasher.verify, PasswordHasher.hash

    def counting_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return verify(self, *args, **kwargs)

    def counting_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return hash_(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    return calls


def _attempt(auth, argon2_calls, password: str) -> tuple[int, str, dict[str, int]]:
    before = dict(argon2_calls)
    response = auth.login(EMAIL, password)
    used = {kind: argon2_calls[kind] - before[kind] for kind in before}
    return response.status_code, CSRF_INPUT.sub("", helpers.html(response)), used


def _waiting(user) -> None:
    user.failed_logins = 7
    user.locked_until = utcnow() + timedelta(minutes=5)
    db.session.flush()


def test_every_failure_costs_one_verification_and_reads_the_same(
        client, auth, argon2_calls, monkeypatch):
    monkeypatch.setattr(service, "_dummy_hashes", {})  # as in a fresh process
    answers = {"unknown address": _attempt(auth, argon2_calls, DEFAULT_PASSWORD)}
    user = UserFactory(email=EMAIL)
    answers["wrong password"] = _attempt(auth, argon2_calls, "verkeerd-wachtwoord")
    user.active = False
    db.session.flush()
    answers["inactive, right password"] = _attempt(auth, argon2_calls, DEFAULT_PASSWORD)
    user.active = True
    _waiting(user)
    answers["waiting, right password"] = _attempt(auth, argon2_calls, DEFAULT_PASSWORD)
    answers["waiting, wrong password"] = _attempt(auth, argon2_calls, "verkeerd-wachtwoord")

    for case, (status, _page, used) in answers.items():
        assert status == 200, case
        # one verification per attempt; the dummy hash is made once per process, not per attempt
        assert used["verify"] == 1, case
        assert used["hash"] == (1 if case == "unknown address" else 0), case
    pages = {page for _status, page, _used in answers.values()}
    assert len(pages) == 1  # the very same page, word for word
    assert SIGN_IN_FAILED_MESSAGE in pages.pop()
    assert "geblokkeerd" not in SIGN_IN_FAILED_MESSAGE


def test_a_successful_sign_in_also_costs_one_verification(client, auth, argon2_calls):
    UserFactory(email=EMAIL)
    status, _page, used = _attempt(auth, argon2_calls, DEFAULT_PASSWORD)
    assert status == 302 and used == {"verify": 1, "hash": 0}


def test_the_dummy_hash_uses_the_apps_argon2_parameters(app):
    dummy = service._dummy_hash()
    assert dummy is service._dummy_hash()  # computed once, then reused
    cfg = app.config
    assert (f"m={cfg['RMT_ARGON2_MEMORY_COST']},t={cfg['RMT_ARGON2_TIME_COST']},"
            f"p={cfg['RMT_ARGON2_PARALLELISM']}") in dummy


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (14, 512), (15, 900), (40, 900), (10_000, 900)],
)
def test_the_delay_doubles_after_the_free_attempts_and_is_capped(failures, seconds):
    assert service.failure_delay(failures) == timedelta(seconds=seconds)


def _client_from(app, address: str):
    """Another browser at ``address`` (tests using it take the ``client`` fixture, which sets
    the test client class)."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def _sign_in(client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post_form("/inloggen", {"email": email, "password": password})


def test_an_attacker_slows_but_cannot_lock_out_a_coordinator(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RMT_LOGIN_DELAY_SECONDS", 60)  # no race with the clock
    coordinator = totp_user("coordinator", "MU", email="coord@test.nl")
    attacker = _client_from(app, "203.0.113.9")
    free = app.config["RMT_MAX_FAILED_LOGINS"]
    for _ in range(free):
        assert _sign_in(attacker, "coord@test.nl", "raden-123").status_code == 200
    assert coordinator.failed_logins == free
    waits_until = coordinator.locked_until
    assert timedelta(seconds=59) < waits_until - utcnow() <= timedelta(seconds=60)
    # Attempts during the wait are not even checked, and do not make the wait longer.
    for _ in range(3):
        response = _sign_in(attacker, "coord@test.nl", DEFAULT_PASSWORD)
        assert SIGN_IN_FAILED_MESSAGE in helpers.html(response)
    assert coordinator.failed_logins == free and coordinator.locked_until == waits_until
    assert signed_in_user_id(attacker) is None

    # Once the wait is over, the coordinator signs in from their own address.
    coordinator.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    owner = _client_from(app, "198.51.100.20")
    response = _sign_in(owner, "coord@test.nl")
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen/code"
    response = owner.post_form("/inloggen/code", {"code": code()}, token_page="/inloggen")
    assert response.status_code == 302
    assert signed_in_user_id(owner) == coordinator.get_id()
    assert coordinator.failed_logins == 0 and coordinator.locked_until is None


def test_the_wait_never_exceeds_the_cap(app):
    user = UserFactory(email=EMAIL)
    user.failed_logins = 50
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    with app.test_request_context():
        service.authenticate(EMAIL, "fout-wachtwoord")
    cap = timedelta(seconds=app.config["RMT_LOGIN_DELAY_MAX_SECONDS"])
    assert user.failed_logins == 51
    assert user.locked_until - utcnow() <= cap


def test_the_per_ip_limit_stays_per_ip(app, client):
    limit = int(app.config["RMT_LOGIN_RATE_LIMIT"].split()[0])
    attacker = _client_from(app, "203.0.113.9")
    statuses = [_sign_in(attacker, f"x{i}@test.nl", "x").status_code for i in range(limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]
    UserFactory(email=EMAIL)
    assert _sign_in(_client_from(app, "198.51.100.20"), EMAIL).status_code == 302
