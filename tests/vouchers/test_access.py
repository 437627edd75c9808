"""Cross-region access: every voucher and budget endpoint, HTML and API, answers 404 to a user of
another region, for every method. The endpoints are found by walking ``app.url_map``, so a new
route with an id is covered automatically."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher
from tests.factories import BudgetFactory, CaseFactory, UserFactory

BLUEPRINTS = ("vouchers.", "api_vouchers.")
#: Reference data is shared by the four regions (admin pages); no region to cross.
REGIONLESS = {"provider_id", "source_id"}
#: A valid body, so the answer is about the record, not about the input.
API_BODIES = {"api_vouchers.VoucherDecision": {"decision": "toegekend"},
              "api_vouchers.VoucherTransitions": {"to": "gestart"}}


def _rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(BLUEPRINTS) and rule.arguments
            and not (rule.arguments & REGIONLESS)]


@pytest.fixture
def other_region(make_voucher):
    """A voucher, its case and budget in AM (walked to toegekend)."""
    case = CaseFactory(region_code="AM", status=CaseState.UITVOERING)
    budget = BudgetFactory(region_code="AM")
    voucher = make_voucher(for_case=case, on_budget=budget)
    voucher.status = VoucherStatus.TOEGEKEND  # set directly: the MU fixtures cannot decide AM
    db.session.flush()
    return {"voucher_id": voucher.id, "budget_id": budget.id, "case_id": case.id,
            "to": "gestart"}


def test_the_walk_finds_the_routes(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    assert {"vouchers.detail", "vouchers.move", "vouchers.budget_detail",
            "vouchers.budget_edit", "vouchers.budget_export_csv", "vouchers.budget_export_xlsx",
            "vouchers.request_voucher", "api_vouchers.VoucherItem",
            "api_vouchers.VoucherDecision", "api_vouchers.VoucherTransitions",
            "api_vouchers.BudgetItem"} <= endpoints


@pytest.mark.parametrize("role", ["coach", "coordinator"])
def test_every_endpoint_is_404_for_another_region(app, client, login_as, bearer, other_region,
                                                  role):
    app.config["WTF_CSRF_ENABLED"] = False  # reach the view itself, not the CSRF check
    user = login_as(role, "MU")
    headers = bearer(user)
    checked = []
    try:
        for rule in _rules(app):
            url = rule.build({k: other_region[k] for k in rule.arguments},
                             append_unknown=False)[1]
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                if url.startswith("/api/"):
                    kwargs = {"headers": headers, "json": API_BODIES.get(rule.endpoint, {})}
                else:
                    kwargs = {"data": {"gestart-note": "x"}}
                response = client.open(url, method=method, **kwargs)
                assert response.status_code == 404, (rule.endpoint, method, role,
                                                     response.status_code)
                checked.append((rule.endpoint, method))
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert len(checked) >= 12
    db.session.expire_all()
    voucher = db.session.get(Voucher, other_region["voucher_id"])
    assert voucher.status == VoucherStatus.TOEGEKEND and len(voucher.events) == 1


@pytest.mark.parametrize("role", ["coach", "coordinator"])
def test_lists_show_nothing_of_another_region(client, login_as, other_region, role):
    login_as(role, "MU")
    marker = f"/vouchers/{other_region['voucher_id']}\""
    for url in ("/vouchers/mijn", "/vouchers/te-beoordelen", "/budgetten"):
        response = client.get(url)
        if response.status_code == 403:
            continue
        assert marker not in response.get_data(as_text=True), url
        assert f"/budgetten/{other_region['budget_id']}\"" not in response.get_data(
            as_text=True), url


def test_malformed_ids_are_404(client, login_as):
    login_as("coordinator", "MU")
    for url in ("/vouchers/0", "/vouchers/-1", "/vouchers/abc", "/vouchers/99999999999",
                "/budgetten/0", "/budgetten/2147483648", "/trajecten/0/vouchers/nieuw"):
        assert client.get(url).status_code == 404, url


def test_admin_reads_budgets_of_all_regions_but_no_vouchers(client, login_as, other_region):
    login_as("admin")
    assert client.get(f"/budgetten/{other_region['budget_id']}").status_code == 200
    assert client.get(f"/vouchers/{other_region['voucher_id']}").status_code == 404


def test_liaison_sees_nothing(client, login_as, other_region):
    login_as("liaison", "AM")
    assert client.get(f"/budgetten/{other_region['budget_id']}").status_code == 403
    assert client.get(f"/vouchers/{other_region['voucher_id']}").status_code == 404
    assert client.get("/budgetten").status_code == 403
    assert UserFactory(role="liaison").role == "liaison"
