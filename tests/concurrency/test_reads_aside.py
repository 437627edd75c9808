"""A read on a connection of its own during a writing request (the region names, read once per
process) does not wait for the request's own write lock on SQLite (on PostgreSQL, where
nothing waits, the same request is checked to answer as it should)."""

from __future__ import annotations

import time

from rmt.extensions import db
from rmt.regions import service as regions
from tests.concurrency.live import COOKIE_RE, CSRF_RE


def test_a_form_shown_again_reads_the_region_names_beside_its_write_lock(live):
    """The first page a process shows after a start can be a refused form: the header names the
    user's regions, read then on a connection of their own while the request's unit of work
    (BEGIN IMMEDIATE on SQLite) holds the write lock. Waiting for that lock took the busy
    timeout and ended in a 500."""
    server, data = live
    cookie = server.sign_in(data.coach_email)
    page = server.call("GET", "/account/wachtwoord", headers=cookie)
    token = CSRF_RE.search(page.body.decode())[1]
    kept = COOKIE_RE.search(page.headers.get("set-cookie", ""))  # the form's CSRF secret
    cookie = {"Cookie": f"rmt_session={kept[1]}"} if kept else cookie
    with server.app.app_context():
        regions._names_by_database.pop(db.engine, None)  # as in a process that just started
    started = time.monotonic()
    answer = server.call("POST", "/account/wachtwoord", headers=cookie, timeout=30, form={
        "csrf_token": token, "current_password": "niet-het-goede-wachtwoord",
        "new_password": "Een-Nieuw-Wachtwoord-2026",
        "new_password_repeat": "Een-Nieuw-Wachtwoord-2026"})
    assert answer.status == 400, answer.status
    assert "Het huidige wachtwoord klopt niet." in answer.body.decode()
    assert time.monotonic() - started < 10  # not the 15 s busy timeout
    with server.app.app_context():
        assert db.engine in regions._names_by_database
