"""Subject access: everything about a candidate, as a readable page and as JSON."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from rmt import audit
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.privacy import generic, register_subject_access
from rmt.privacy.registry import SUBJECT_ACCESS_SECTIONS
from tests.factories import NoteFactory
from tests.privacy.support import rich_case


def _coach_read(case) -> None:
    audit.record("case.view", object_type="case", object_id=case.id,
                 region_code=case.region_code, user=case.coach)


def test_coordinator_reads_everything_as_json(client, login_as):
    case = rich_case("MU", closed_months_ago=None)
    other = rich_case("AM", closed_months_ago=30, candidate=case.candidate)
    _coach_read(case)
    coordinator = login_as("coordinator", "MU")

    response = client.get(f"/privacy/kandidaten/{case.candidate_id}/inzage.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["candidate"]["last_name"] == "Jansen"
    assert data["candidate"]["email"] == "jan@voorbeeld.nl"
    assert data["export"]["regions"] == ["MU"]
    assert [c["id"] for c in data["cases"]] == [case.id]  # the AM case is not in MU's export
    assert data["other_regions"] == ["AM"]
    exported = data["cases"][0]
    assert {n["text"] for n in exported["notes"]} == {"Gesprek over schulden en de scheiding",
                                                      "Belde over sollicitatie"}
    assert exported["intake"]["motivation"] == "Wil na burn-out weer aan het werk"
    assert exported["plan"]["goal"] == "Heftruckcertificaat halen"
    assert exported["activities"][0]["description"] == "Cursus heftruck bij ROC"
    assert exported["tasks"][0]["title"] == "Bel Jan terug over zijn schuldhulp"
    assert exported["transfers"][0]["reason"].startswith("verhuist naar Ede")
    assert [e["to"] for e in exported["events"]][:2] == ["aangemeld", "uitvoering"]
    assert len(data["consents"]) == 2  # consents are the person's, whatever the region
    log = data["access_log"]
    assert any(e["action"] == "case.view" and e["user"] == case.coach.email for e in log)
    assert not any(e["object"] == f"case {other.id}" for e in log)
    # the export itself is audited
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.object_type, entry.object_id, entry.user_id,
            entry.region_code) == ("privacy.subject_access", "candidate",
                                   str(case.candidate_id), coordinator.id, "MU")


def test_readable_page_shows_the_same_data(client, login_as):
    case = rich_case("MU", closed_months_ago=None)
    _coach_read(case)
    login_as("coordinator", "MU")
    response = client.get(f"/privacy/kandidaten/{case.candidate_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Inzage: Jan Jansen", "jan@voorbeeld.nl", "Gesprek over schulden",
                 "Wil na burn-out weer aan het werk", "Heftruckcertificaat halen",
                 "Werkprofiel delen met werkgevers", "Wie heeft dit dossier bekeken",
                 case.coach.email, "Traject " + str(case.id), "<caption"):
        assert text in html, text
    assert "<script" not in html and 'style="' not in html
    assert "privacy.subject_access" in list(db.session.scalars(sa.select(AuditEntry.action)))


@pytest.mark.parametrize("path", ["", "/inzage.json", "/wissen"])
def test_other_region_unknown_and_malformed_ids_are_404(client, login_as, path):
    case = rich_case("AM")
    login_as("coordinator", "MU")
    assert client.get(f"/privacy/kandidaten/{case.candidate_id}{path}").status_code == 404
    assert client.get(f"/privacy/kandidaten/999999{path}").status_code == 404
    assert client.get(f"/privacy/kandidaten/0{path}").status_code == 404
    assert client.get(f"/privacy/kandidaten/abc{path}").status_code == 404


@pytest.mark.parametrize("role", ["coach", "liaison", "admin"])
def test_only_coordinators_handle_privacy_requests(client, login_as, role):
    case = rich_case("MU")
    login_as(role, "MU")
    for url in ("/privacy", f"/privacy/kandidaten/{case.candidate_id}",
                f"/privacy/kandidaten/{case.candidate_id}/inzage.json", "/privacy/toestemmingen"):
        assert client.get(url).status_code == 403, url


def test_search_by_case_number_and_name(client, login_as):
    case = rich_case("MU")
    hidden = rich_case("AM")
    login_as("coordinator", "MU")
    html = client.get(f"/privacy?q={case.id}").get_data(as_text=True)
    assert f"/privacy/kandidaten/{case.candidate_id}" in html
    html = client.get("/privacy?q=jansen").get_data(as_text=True)
    assert f"/privacy/kandidaten/{case.candidate_id}" in html
    assert f"/privacy/kandidaten/{hidden.candidate_id}" not in html
    assert client.get(f"/privacy?q={hidden.id}").get_data(as_text=True).count(
        "/privacy/kandidaten/") == 0
    assert client.get("/privacy?q=%25%5F'").status_code == 200


def test_registered_sections_are_included(client, login_as):
    case = rich_case("MU")

    @register_subject_access("test_vouchers", "Testvouchers", tables=("nothing",))
    def vouchers(candidate, cases):
        return [{"case": c.id, "amount_cents": 12345, "on": c.opened_on} for c in cases]

    try:
        login_as("coordinator", "MU")
        data = client.get(f"/privacy/kandidaten/{case.candidate_id}/inzage.json").get_json()
        html = client.get(f"/privacy/kandidaten/{case.candidate_id}").get_data(as_text=True)
    finally:
        SUBJECT_ACCESS_SECTIONS.pop("test_vouchers")
    section = data["sections"]["test_vouchers"]
    assert section["title"] == "Testvouchers"
    assert section["rows"] == [{"case": case.id, "amount_cents": 12345,
                                "on": case.opened_on.isoformat()}]
    assert "Testvouchers" in html and "12345" in html


def test_generic_fallback_finds_every_linked_row():
    case = rich_case("MU")
    linked = generic.linked_rows(case.candidate_id, [case.id])
    for table in ("candidate", "case_file", "case_event", "note", "task", "intake", "plan",
                  "plan_activity", "consent", "case_transfer"):
        assert linked.rows.get(table), table
    assert "audit_entry" not in linked.rows and "user_account" not in linked.rows


def _count_queries(client, url: str) -> int:
    statements = []
    engine_connection = db.session.connection()

    def count(*_args):
        statements.append(1)

    sa.event.listen(engine_connection, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine_connection, "before_cursor_execute", count)
    return len(statements)


def test_export_query_count_does_not_grow_with_the_record(client, login_as):
    small = rich_case("MU")
    big = rich_case("MU")
    for _ in range(3):
        extra = rich_case("MU", closed_months_ago=30, candidate=big.candidate)
        for _ in range(5):
            NoteFactory(case=extra)
    login_as("coordinator", "MU")
    few = _count_queries(client, f"/privacy/kandidaten/{small.candidate_id}/inzage.json")
    many = _count_queries(client, f"/privacy/kandidaten/{big.candidate_id}/inzage.json")
    assert many == few, (few, many)
    assert few <= 40, few
