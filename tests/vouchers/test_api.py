"""``/api/v1/budgets``, ``/api/v1/vouchers``: list, create, read, decide, advance; 409 naming the
rule, 422 per field, 404 for another region, and the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Budget, Voucher
from tests.factories import BudgetFactory, CaseFactory, UserFactory
from tests.helpers import count

S = VoucherStatus


def body(case, budget, provider, **changes) -> dict:
    data = {"case_id": case.id, "budget_id": budget.id, "provider_id": provider.id,
            "course_name": "VCA basis", "start_on": (date.today() + timedelta(days=5)).isoformat(),
            "end_on": (date.today() + timedelta(days=6)).isoformat(), "amount_cents": 295_00,
            "motivation": "Verplicht voor werk in de bouw."}
    data.update(changes)
    return data


def test_create_read_decide_advance(client, bearer, case, budget, provider, coordinator):
    coach = case.coach
    response = client.post("/api/v1/vouchers", json=body(case, budget, provider),
                           headers=bearer(coach))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["status"] == "aangevraagd" and created["amount_cents"] == 295_00
    assert response.headers["Location"].endswith(f"/api/v1/vouchers/{created['id']}")
    read = client.get(f"/api/v1/vouchers/{created['id']}", headers=bearer(coach)).json
    assert read["events"][0]["to_status"] == "aangevraagd"
    decided = client.post(f"/api/v1/vouchers/{created['id']}/decision",
                          json={"decision": "toegekend", "note": "Prima"},
                          headers=bearer(coordinator))
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "toegekend" and decided.json["committed_cents"] == 295_00
    started = client.post(f"/api/v1/vouchers/{created['id']}/transitions",
                          json={"to": "gestart"}, headers=bearer(coach))
    assert started.json["status"] == "gestart"
    budget_json = client.get(f"/api/v1/budgets/{budget.id}", headers=bearer(coach)).json
    assert budget_json["committed_cents"] == 295_00
    assert budget_json["remaining_cents"] == 10_000_00 - 295_00
    assert budget_json["open_for_requests"] is True


def test_lists_are_region_scoped(client, bearer, make_voucher, budget):
    mine = make_voucher()
    other_case = CaseFactory(region_code="AM", status=CaseState.PLAN)
    other_budget = BudgetFactory(region_code="AM")
    other = make_voucher(for_case=other_case, on_budget=other_budget)
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    vouchers = client.get("/api/v1/vouchers", headers=bearer(coordinator)).json
    ids = [v["id"] for v in vouchers["items"]]
    assert mine.id in ids and other.id not in ids and vouchers["page"] == 1
    budgets = client.get("/api/v1/budgets", headers=bearer(coordinator)).json
    assert [b["id"] for b in budgets["items"]] == [budget.id]
    filtered = client.get("/api/v1/vouchers?status=betaald", headers=bearer(coordinator))
    assert filtered.json["total"] == 0
    bad = client.get("/api/v1/vouchers?status=onzin&per_page=1000",
                     headers=bearer(coordinator))
    assert bad.status_code == 422 and {"status", "per_page"} <= set(bad.json["errors"])


def test_admin_lists_every_budget_but_no_vouchers(client, bearer, budget):
    BudgetFactory(region_code="FV")
    admin = UserFactory(role="admin", regions=[])
    assert client.get("/api/v1/budgets", headers=bearer(admin)).json["total"] >= 2
    assert client.get(f"/api/v1/budgets/{budget.id}", headers=bearer(admin)).status_code == 200
    assert client.get("/api/v1/vouchers", headers=bearer(admin)).status_code == 403


def test_liaison_sees_no_budgets(client, bearer):
    liaison = UserFactory(role="liaison", regions=["MU"])
    assert client.get("/api/v1/budgets", headers=bearer(liaison)).status_code == 403


@pytest.mark.parametrize(("changes", "field"), [
    ({"amount_cents": -1}, "amount_cents"),
    ({"amount_cents": 0}, "amount_cents"),
    ({"amount_cents": 10**15}, "amount_cents"),
    ({"amount_cents": "abc"}, "amount_cents"),
    ({"amount_cents": 12.5}, "amount_cents"),
    ({"amount_cents": "1250"}, "amount_cents"),
    ({"budget_id": "x"}, "budget_id"),
    ({"budget_id": 999_999}, "budget_id"),
    ({"case_id": 999_999}, "case_id"),
    ({"start_on": "31-12-2026"}, "start_on"),
    ({"course_name": ""}, "course_name"),
    ({"motivation": "a\x00b"}, "motivation"),
    ({"extra": 1}, "extra"),
])
def test_bad_input_is_422_per_field_and_nothing_saved(client, bearer, case, budget, provider,
                                                      changes, field):
    before = count(Voucher)
    response = client.post("/api/v1/vouchers", json=body(case, budget, provider, **changes),
                           headers=bearer(case.coach))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert count(Voucher) == before


def test_missing_fields_are_listed(client, bearer, case):
    response = client.post("/api/v1/vouchers", json={}, headers=bearer(case.coach))
    assert response.status_code == 422
    assert {"case_id", "budget_id", "provider_id", "course_name", "start_on", "end_on",
            "amount_cents", "motivation"} <= set(response.json["errors"])
    assert response.json["errors"]["amount_cents"] == ["Dit veld is verplicht."]


def test_another_regions_budget_and_case_are_refused(client, bearer, case, provider):
    other_budget = BudgetFactory(region_code="AM")
    other_case = CaseFactory(region_code="AM")
    before = count(Voucher)
    response = client.post("/api/v1/vouchers", json=body(case, other_budget, provider),
                           headers=bearer(case.coach))
    assert response.status_code == 422
    assert response.json["errors"]["budget_id"] == [
        "Kies een budget van de regio van dit traject uit de lijst."]
    response = client.post("/api/v1/vouchers", json=body(other_case, other_budget, provider),
                           headers=bearer(case.coach))
    assert response.status_code == 422 and "case_id" in response.json["errors"]
    assert count(Voucher) == before


def test_rule_violations_are_409_naming_the_rule(client, bearer, make_voucher, case, budget,
                                                 provider, coordinator):
    closed = CaseFactory(coach=case.coach, status=CaseState.AFGESLOTEN)
    response = client.post("/api/v1/vouchers", json=body(closed, budget, provider),
                           headers=bearer(case.coach))
    assert response.status_code == 409
    assert response.json["code"] == "case_closed" and "Regel traject" in response.json["detail"]

    for _ in range(4):
        make_voucher(S.TOEGEKEND, amount_cents=2_400_00)
    voucher = make_voucher(amount_cents=1_000_00)
    response = client.post(f"/api/v1/vouchers/{voucher.id}/decision",
                           json={"decision": "toegekend"}, headers=bearer(coordinator))
    assert response.status_code == 409
    assert response.json["code"] == "exceeds_remaining_budget"
    assert response.json["detail"].startswith("Regel resterend budget")
    assert response.json["remaining_cents"] == 400_00

    response = client.post(f"/api/v1/vouchers/{voucher.id}/transitions", json={"to": "betaald"},
                           headers=bearer(coordinator))
    assert response.status_code == 409 and response.json["code"] == "not_allowed"
    assert response.json["allowed"] == ["toegekend", "afgewezen"]


def test_four_eyes_is_409(client, bearer, make_voucher):
    voucher = make_voucher()
    requester = voucher.requested_by
    requester.role = "coordinator"
    db.session.flush()
    response = client.post(f"/api/v1/vouchers/{voucher.id}/decision",
                           json={"decision": "toegekend"}, headers=bearer(requester))
    assert response.status_code == 409 and response.json["code"] == "four_eyes"
    assert "Regel vier ogen" in response.json["detail"]


def test_role_refusal_is_403(client, bearer, make_voucher, coach):
    voucher = make_voucher()
    response = client.post(f"/api/v1/vouchers/{voucher.id}/decision",
                           json={"decision": "toegekend"}, headers=bearer(coach))
    assert response.status_code == 403


def test_bad_decisions_and_transitions_are_422(client, bearer, make_voucher, coordinator):
    voucher = make_voucher()
    headers = bearer(coordinator)
    url = f"/api/v1/vouchers/{voucher.id}"
    assert client.post(url + "/decision", json={"decision": "ja"},
                       headers=headers).status_code == 422
    response = client.post(url + "/decision", json={"decision": "afgewezen"}, headers=headers)
    assert response.status_code == 422 and "note" in response.json["errors"]
    assert client.post(url + "/transitions", json={"to": "weg"},
                       headers=headers).status_code == 422
    assert client.post(url + "/transitions", data="to=gestart",
                       headers=headers).status_code == 415


def test_declaration_over_the_approved_amount_is_refused(client, bearer, make_voucher,
                                                         coordinator):
    voucher = make_voucher(S.AFGEROND, amount_cents=1_000_00)
    url = f"/api/v1/vouchers/{voucher.id}/transitions"
    response = client.post(url, json={"to": "gedeclareerd", "invoice_number": "F1",
                                      "declared_amount_cents": 1_000_01},
                           headers=bearer(coordinator))
    assert response.status_code == 422
    assert "declared_amount_cents" in response.json["errors"]
    response = client.post(url, json={"to": "gedeclareerd"}, headers=bearer(coordinator))
    assert response.status_code == 422 and "invoice_number" in response.json["errors"]
    response = client.post(url, json={"to": "gedeclareerd", "invoice_number": "F1"},
                           headers=bearer(coordinator))
    assert response.status_code == 200 and response.json["declared_amount_cents"] == 1_000_00


def test_read_is_audited(client, bearer, make_voucher, case):
    from rmt.audit.models import AuditEntry

    voucher = make_voucher()
    client.get(f"/api/v1/vouchers/{voucher.id}", headers=bearer(case.coach))
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.action == "voucher.view" and entry.object_id == str(case.id)


def test_training_providers(client, bearer, provider, case):
    response = client.get("/api/v1/training-providers", headers=bearer(case.coach))
    assert provider.id in [p["id"] for p in response.json["items"]]


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/budgets", "/api/v1/budgets/{budget_id}", "/api/v1/vouchers",
                 "/api/v1/vouchers/{voucher_id}", "/api/v1/vouchers/{voucher_id}/decision",
                 "/api/v1/vouchers/{voucher_id}/transitions"):
        assert path in spec["paths"], path
    post = spec["paths"]["/api/v1/vouchers"]["post"]
    assert {"201", "409", "422"} <= set(post["responses"])
    decision = spec["paths"]["/api/v1/vouchers/{voucher_id}/decision"]["post"]
    assert "409" in decision["responses"] and "404" in decision["responses"]


# --- creating budgets ------------------------------------------------------------------------


@pytest.fixture
def funding_source():
    from tests.factories import FundingSourceFactory

    return FundingSourceFactory()


def budget_body(source, **changes) -> dict:
    data = {"region": "MU", "funding_source_id": source.id, "year": date.today().year,
            "amount_cents": 50_000_00, "max_per_voucher_cents": 2_500_00}
    data.update(changes)
    return data


def test_coordinator_creates_a_budget_of_their_region(client, bearer, funding_source):
    from rmt.audit.models import AuditEntry

    coordinator = UserFactory(role="coordinator", regions=["MU"])
    response = client.post("/api/v1/budgets", json=budget_body(funding_source),
                           headers=bearer(coordinator))
    assert response.status_code == 201, response.json
    created = response.json
    assert (created["region"], created["amount_cents"], created["committed_cents"],
            created["remaining_cents"]) == ("MU", 50_000_00, 0, 50_000_00)
    assert created["funding_source"] == {"id": funding_source.id, "name": funding_source.name}
    assert response.headers["Location"].endswith(f"/api/v1/budgets/{created['id']}")
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "budget.create").order_by(AuditEntry.id.desc()))
    assert entry.object_id == str(created["id"]) and entry.user_id == coordinator.id
    again = client.post("/api/v1/budgets", json=budget_body(funding_source),
                        headers=bearer(coordinator))
    assert again.status_code == 422 and again.json["code"] == "budget_exists"
    assert "funding_source_id" in again.json["errors"]


def test_admin_creates_budgets_for_any_region(client, bearer, funding_source):
    admin = UserFactory(role="admin", regions=[])
    response = client.post("/api/v1/budgets", json=budget_body(funding_source, region="FV"),
                           headers=bearer(admin))
    assert response.status_code == 201 and response.json["region"] == "FV"


@pytest.mark.parametrize("role", ["coach", "liaison"])
def test_only_coordinators_and_admin_create_budgets(client, bearer, funding_source, role):
    before = count(Budget)
    response = client.post("/api/v1/budgets", json=budget_body(funding_source),
                           headers=bearer(UserFactory(role=role, regions=["MU"])))
    assert response.status_code == 403
    assert count(Budget) == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"region": "AM"}, "region"),  # another region's budget
    ({"region": "XX"}, "region"),
    ({"amount_cents": -1}, "amount_cents"),
    ({"amount_cents": 0}, "amount_cents"),
    ({"amount_cents": 10**15}, "amount_cents"),
    ({"amount_cents": 2**63}, "amount_cents"),
    ({"amount_cents": "50000"}, "amount_cents"),
    ({"max_per_voucher_cents": 50_000_01}, "max_per_voucher_cents"),
    ({"funding_source_id": 999_999}, "funding_source_id"),
    ({"funding_source_id": -3}, "funding_source_id"),
    ({"year": 1999}, "year"),
    ({"year": "2026"}, "year"),
])
def test_bad_budget_input_is_422_at_the_field(client, bearer, funding_source, changes, field):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    before = count(Budget)
    response = client.post("/api/v1/budgets", json=budget_body(funding_source, **changes),
                           headers=bearer(coordinator))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json
    assert all(isinstance(m, str) and m for m in response.json["errors"][field])
    assert count(Budget) == before


def test_openapi_documents_budget_creation(client):
    spec = client.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/budgets"]["post"]
    assert {"201", "403", "409", "422"} <= set(post["responses"])
    for path, method in (("/api/v1/vouchers", "get"), ("/api/v1/budgets", "get"),
                         ("/api/v1/vouchers/{voucher_id}/transitions", "post")):
        assert method in spec["paths"][path]
    transitions = spec["paths"]["/api/v1/vouchers/{voucher_id}/transitions"]["post"]
    assert "409" in transitions["responses"]
