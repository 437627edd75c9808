"""Subject access: everything about a candidate, as a readable page and as JSON."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from rmt import audit
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.privacy import generic, register_subject_access
from rmt.privacy.registry import (
    SUBJECT_ACCESS_SECTIONS,
    anonymised_tables,
    registered_tables,
)
from tests import helpers
from tests.factories import NoteFactory
from tests.privacy.support import module_records, rich_case
from tests.querycount import count_statements


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
    data = json.loads(helpers.html(response))
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
    assert [e["to"] for e in exported["events"]] == [
        "aangemeld", "intake", "diagnose", "plan", "uitvoering", "plan", "uitvoering"]
    assert exported["events"][5]["reason"] == "plan klopte niet, vader ziek"
    assert len(data["consents"]) == 2  # consents are the person's, whatever the region
    log = data["access_log"]
    assert any(e["action"] == "case.view" and e["user"] == case.coach.email for e in log)
    assert any(e["action_title"] == "Dossier bekeken" and e["object"] == f"Traject {case.id}"
               for e in log)
    assert not any(e["object"] == f"Traject {other.id}" for e in log)
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
    html = helpers.html(response)
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
    html = helpers.html(client.get(f"/privacy?q={case.id}"))
    assert f"/privacy/kandidaten/{case.candidate_id}" in html
    html = helpers.html(client.get("/privacy?q=jansen"))
    assert f"/privacy/kandidaten/{case.candidate_id}" in html
    assert f"/privacy/kandidaten/{hidden.candidate_id}" not in html
    assert helpers.html(client.get(f"/privacy?q={hidden.id}")).count(
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
        html = helpers.html(client.get(f"/privacy/kandidaten/{case.candidate_id}"))
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
    with count_statements(cold=True) as statements:
        assert client.get(url).status_code == 200
    # SAVEPOINTs come from the test's outer transaction, not from the page
    return len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))])


def test_export_query_count_does_not_grow_with_the_record(client, login_as):
    small = rich_case("MU")
    module_records(small)
    big = rich_case("MU")
    module_records(big)
    for _ in range(3):
        extra = rich_case("MU", closed_months_ago=30, candidate=big.candidate)
        module_records(extra)
        for _ in range(5):
            NoteFactory(case=extra)
    small_id, big_id = small.candidate_id, big.candidate_id
    login_as("coordinator", "MU")
    few = _count_queries(client, f"/privacy/kandidaten/{small_id}/inzage.json")
    many = _count_queries(client, f"/privacy/kandidaten/{big_id}/inzage.json")
    assert many == few, (few, many)
    # 51 on SQLite (its BEGIN; 45, plus the documents section, the generic walk's query of the
    # document table and its read of the linked notification rows, plus the privacy-requests
    # section and the generic walk's query of its table, the coded services, and the vouchers'
    # co-funding section); PostgreSQL as many (the audit chain's lock comes with its end)
    assert few <= 51, few


def test_vouchers_praktijkverklaringen_proposals_and_placements_are_exported(client, login_as):
    case = rich_case("MU", closed_months_ago=None)
    records = module_records(case)
    hidden = rich_case("AM", closed_months_ago=30, candidate=case.candidate)
    module_records(hidden)  # the AM case's rows stay out of MU's export
    coach = f"{case.coach.name} <{case.coach.email}>"
    login_as("coordinator", "MU")

    data = client.get(f"/privacy/kandidaten/{case.candidate_id}/inzage.json").get_json()
    sections = {key: section["rows"] for key, section in data["sections"].items()}
    assert sections["vouchers"] == [{
        "id": records["voucher"].id, "case": case.id, "course": "Heftruckcertificaat",
        "provider": f"Heftruckschool {case.id}", "funding_source":
            records["voucher"].budget.funding_source.name,
        "budget_year": case.opened_on.year, "amount": "€ 1.250,00",
        "start_on": case.opened_on.isoformat(), "end_on": records["voucher"].end_on.isoformat(),
        "status": "afgerond", "motivation": "Jan heeft schulden en wil snel aan het werk",
        "requested_at": records["voucher"].requested_at.isoformat(), "decided_at": None,
        "decision_note": "akkoord, gezien zijn situatie thuis", "invoice_number": "F-2023-77",
        "declared_amount": None, "declared_at": None, "paid_at": None,
        "requested_by": coach, "decided_by": coach}]
    assert [(e["voucher"], e["from"], e["to"], e["note"], e["by"])
            for e in sections["voucher_events"]] == [
        (records["voucher"].id, "gestart", "afgerond", "Jan belde huilend op, toch geslaagd",
         coach)]
    [pv] = sections["praktijkverklaringen"]
    assert (pv["case"], pv["school"], pv["qualification"], pv["employer"], pv["status"],
            pv["register_number"], pv["recorded_by"]) == (
        case.id, f"ROC {case.id}", "Logistiek medewerker", f"Leerbedrijf {case.id}",
        "uitgereikt", records["trajectory"].register_number, coach)
    assert [(w["praktijkverklaring"], w["code"]) for w in sections["pv_work_processes"]] == [
        (records["trajectory"].id, "B1-K1-W1")]
    assert [e["reason"] for e in sections["pv_events"]] == ["uitgereikt ondanks zijn ziekte"]
    [proposal] = sections["proposals"]
    assert (proposal["vacancy"], proposal["employer"], proposal["status"], proposal["note"],
            proposal["proposed_by"]) == (
        f"Heftruckchauffeur {case.id}", records["placement"].employer.name, "aangenomen",
        "Jan is nerveus voor gesprekken", coach)
    assert [e["note"] for e in sections["proposal_events"]] == ["werkgever vond hem sympathiek"]
    [placement] = sections["placements"]
    assert (placement["case"], placement["job_title"], placement["contract_type"],
            placement["hours_per_week"], placement["end_reason"]) == (
        case.id, "Heftruckchauffeur", "tijdelijk", 32, "ontslagen na ruzie met een collega")
    assert [(f["placement"], f["months"], f["still_employed"], f["outcome_reason"])
            for f in sections["follow_ups"]] == [
        (records["placement"].id, 6, True, "Jan zit goed op zijn plek")]
    # shown in readable sections, not again as raw table rows
    assert set(data["other_records"]) <= {"stat_case", "stat_span"}

    html = helpers.html(client.get(f"/privacy/kandidaten/{case.candidate_id}"))
    for text in ("Scholingsvouchers", f"Heftruckschool {case.id}", "€ 1.250,00", "Opleider",
                 "Praktijkverklaringen", records["trajectory"].register_number,
                 "Voordrachten bij werkgevers", f"Heftruckchauffeur {case.id}",
                 "Plaatsingen", "ontslagen na ruzie met een collega", "Nazorg na plaatsingen"):
        assert text in html, text
    assert f"Heftruckschool {hidden.id}" not in html


def test_every_table_with_candidate_data_is_exported_readably():
    """Every table that a foreign key chain links to a candidate or case is exported by the core
    export or by a registered section, or is derived data whose owner registered how it is
    anonymised. A new table fails here until it is registered (rmt/privacy/registry.py)."""
    metadata = db.Model.metadata
    reached = {"candidate", "case_file"}
    for table in metadata.sorted_tables:
        if table.name in generic.EXCLUDED:
            continue
        if any(fk.column.table.name in reached for fk in table.foreign_keys):
            reached.add(table.name)
    handled = generic.CORE_TABLES | registered_tables() | anonymised_tables()
    assert reached - handled == set()
    assert {"voucher", "voucher_event", "pv_trajectory", "pv_work_process", "pv_event",
            "proposal", "proposal_event", "placement", "follow_up"} <= registered_tables()
    # a column pointing at a candidate or case without a foreign key would escape the walk
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.name in ("candidate_id", "case_id"):
                assert column.foreign_keys, f"{table.name}.{column.name} has no foreign key"


def test_generic_fallback_finds_the_module_rows():
    case = rich_case("MU")
    module_records(case)
    linked = generic.linked_rows(case.candidate_id, [case.id])
    for table in ("voucher", "voucher_event", "pv_trajectory", "pv_work_process", "pv_event",
                  "proposal", "proposal_event", "placement", "follow_up"):
        assert len(linked.rows.get(table, [])) == 1, table
