"""A voucher paid from several budgets (issue 20, item 4): each part is checked against its own
budget, counts in that budget's figures, shares the declared amount, and is offered on the
form and in the API. The race between approvals is in tests/concurrency/."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import VoucherFunding
from tests.factories import BudgetFactory, FundingSourceFactory, UserFactory
from tests.helpers import html, post, text

S = VoucherStatus


@pytest.fixture
def oo_budget():
    return BudgetFactory(region_code="MU", amount_cents=2_000_00, max_per_voucher_cents=1_500_00,
                         funding_source=FundingSourceFactory(name="O&O-fonds Zorg"))


def _request(case, budget, provider, co_funding, amount_cents=2_000_00):
    return service.request_voucher(
        case.coach, case, budget_id=budget.id, provider_id=provider.id,
        course_name="Verzorgende IG", start_on=date.today() + timedelta(days=7),
        end_on=date.today() + timedelta(days=200), amount_cents=amount_cents,
        motivation="Tekort in de zorg.", co_funding=co_funding)


def test_a_split_voucher_commits_each_part_to_its_own_budget(case, budget, oo_budget, provider,
                                                             coordinator):
    voucher = _request(case, budget, provider, [{"budget_id": oo_budget.id,
                                                 "amount_cents": 1_200_00}])
    assert voucher.main_amount_cents == 800_00
    assert [(b.id, c) for b, c, _ in voucher.funding()] == [(budget.id, 800_00),
                                                            (oo_budget.id, 1_200_00)]
    figures = service.figures_for([budget, oo_budget])
    assert (figures[budget.id].requested, figures[oo_budget.id].requested) == (800_00, 1_200_00)
    service.decide(coordinator, voucher, approve=True)
    figures = service.figures_for([budget, oo_budget])
    assert (figures[budget.id].committed, figures[oo_budget.id].committed) == (800_00, 1_200_00)
    assert figures[oo_budget.id].remaining == 800_00
    # The voucher shows on the page of each budget it is paid from.
    listed = db.session.scalars(service.voucher_query(coordinator, budget_id=oo_budget.id)).all()
    assert listed == [voucher]


def test_a_part_that_does_not_fit_its_budget_refuses_the_approval(case, budget, oo_budget,
                                                                  provider, coordinator,
                                                                  make_voucher):
    first = _request(case, budget, provider, [{"budget_id": oo_budget.id,
                                               "amount_cents": 1_500_00}])
    service.decide(coordinator, first, approve=True)
    other = make_voucher(S.AANGEVRAAGD, amount_cents=100_00)  # room enough on the main budget
    second = _request(other.case, budget, provider, [{"budget_id": oo_budget.id,
                                                      "amount_cents": 600_00}],
                      amount_cents=1_000_00)
    with pytest.raises(Conflict) as refused:
        service.decide(coordinator, second, approve=True)
    assert refused.value.code == "exceeds_remaining_budget"
    assert refused.value.extra == {"remaining_cents": 500_00, "budget_id": oo_budget.id}
    db.session.refresh(second)
    assert second.status == S.AANGEVRAAGD
    assert service.budget_figures(oo_budget).committed == 1_500_00


def test_the_declared_amount_is_shared_in_proportion(case, budget, oo_budget, provider,
                                                    coordinator):
    voucher = _request(case, budget, provider, [{"budget_id": oo_budget.id,
                                                 "amount_cents": 1_000_01}],
                       amount_cents=1_500_03)
    service.decide(coordinator, voucher, approve=True)
    service.advance(case.coach, voucher, S.GESTART)
    service.advance(case.coach, voucher, S.AFGEROND)
    service.advance(coordinator, voucher, S.GEDECLAREERD, invoice_number="F-9",
                    declared_amount_cents=1_000_00)
    part = voucher.parts[0]
    main_share = voucher.funding()[0][2]
    assert main_share + part.declared_cents == 1_000_00
    assert main_share <= voucher.main_amount_cents and part.declared_cents <= part.amount_cents
    assert (main_share, part.declared_cents) == (333_33, 666_67)
    figures = service.figures_for([budget, oo_budget])
    assert (figures[budget.id].committed, figures[oo_budget.id].committed) == (333_33, 666_67)


@pytest.mark.parametrize(("parts", "code"), [
    ([{"budget_id": "main", "amount_cents": 100_00}], "budget_twice"),
    ([{"budget_id": "oo", "amount_cents": 100_00}] * 2, "budget_twice"),
    ([{"budget_id": "oo", "amount_cents": 1_500_00}], "co_funding_too_high"),
    ([{"budget_id": "oo", "amount_cents": 1_600_00}], "exceeds_max_per_voucher"),
    ([{"budget_id": "oo", "amount_cents": 0}], "invalid"),
    ([{"budget_id": "oo"}], "invalid"),
    ([{"budget_id": "elders", "amount_cents": 100_00}], "unknown_budget"),
    ([{"budget_id": 2**40, "amount_cents": 100_00}], "unknown_budget"),
    (["rommel"], "unknown_budget"),
    ("rommel", "invalid"),
    ([{"budget_id": "oo", "amount_cents": 1}] * 4, "invalid"),
])
def test_bad_co_funding_is_refused_at_its_field(case, budget, oo_budget, provider, parts, code):
    other_region = BudgetFactory(region_code="AM")
    ids = {"main": budget.id, "oo": oo_budget.id, "elders": other_region.id}
    if isinstance(parts, list):
        parts = [{**p, "budget_id": ids.get(p.get("budget_id"), p.get("budget_id"))}
                 if isinstance(p, dict) else p for p in parts]
    amount = 1_500_00 if code == "co_funding_too_high" else 2_000_00
    with pytest.raises(DomainError) as refused:
        _request(case, budget, provider, parts, amount_cents=amount)
    assert (refused.value.field, refused.value.code) == ("co_funding", code)
    assert db.session.query(VoucherFunding).count() == 0


def test_the_main_part_is_checked_against_its_maximum(case, budget, oo_budget, provider):
    # The main budget allows 2.500,00 per voucher: a 3.000,00 training needs a co-funder.
    with pytest.raises(DomainError) as refused:
        _request(case, budget, provider, [], amount_cents=3_000_00)
    assert refused.value.code == "exceeds_max_per_voucher"
    voucher = _request(case, budget, provider, [{"budget_id": oo_budget.id,
                                                 "amount_cents": 1_000_00}],
                       amount_cents=3_000_00)
    assert voucher.main_amount_cents == 2_000_00


def test_the_form_records_a_split(client, case, budget, oo_budget, provider):
    with client.session_transaction() as session:
        session["_user_id"] = case.coach.get_id()
        session["_fresh"] = True
    url = f"/trajecten/{case.id}/vouchers/nieuw"
    page = html(client.get(url))
    assert 'name="co_budget_1"' in page and "Medefinanciering" in page
    response = post(client, url, {
        "budget_id": str(budget.id), "provider_id": str(provider.id), "course_name": "IG",
        "start_on": (date.today() + timedelta(days=7)).isoformat(),
        "end_on": (date.today() + timedelta(days=90)).isoformat(), "amount": "2.000,00",
        "motivation": "Zorg", "co_budget_1": str(oo_budget.id), "co_amount_1": "1.250,00"})
    assert response.status_code == 302, text(response)
    part = db.session.query(VoucherFunding).one()
    assert (part.budget_id, part.amount_cents) == (oo_budget.id, 1_250_00)
    location = response.headers["Location"]
    detail = text(client.get(location))
    assert "O&O-fonds" in detail and "hoofdbudget" in detail
    refused = post(client, url, {
        "budget_id": str(budget.id), "provider_id": str(provider.id), "course_name": "IG",
        "start_on": (date.today() + timedelta(days=7)).isoformat(),
        "end_on": (date.today() + timedelta(days=90)).isoformat(), "amount": "1.000,00",
        "motivation": "Zorg", "co_budget_1": str(oo_budget.id), "co_amount_1": "1.000,00"})
    assert refused.status_code == 400
    assert "hoofdbudget moet ook een deel betalen" in text(refused)
    # A coordinator deciding sees what is left on each budget of the split.
    with client.session_transaction() as session:
        session["_user_id"] = UserFactory(role="coordinator", regions=["MU"]).get_id()
        session["_fresh"] = True
    decide = text(client.get(location))
    assert "Elk deel moet passen in het eigen budget" in decide
    assert f"{oo_budget.title}: deel € 1.250,00; nog € 2.000,00 vrij" in decide
    csv = client.get(f"/budgetten/{oo_budget.id}/vouchers.csv")
    assert csv.status_code == 200 and str(part.voucher_id) in csv.data.decode("utf-8-sig")


def test_the_api_takes_and_shows_the_split(client, bearer, case, budget, oo_budget, provider,
                                           coordinator):
    body = {"case_id": case.id, "budget_id": budget.id, "provider_id": provider.id,
            "course_name": "IG", "start_on": (date.today() + timedelta(days=7)).isoformat(),
            "end_on": (date.today() + timedelta(days=90)).isoformat(),
            "amount_cents": 2_000_00, "motivation": "Zorg",
            "co_funding": [{"budget_id": oo_budget.id, "amount_cents": 500_00}]}
    response = client.post("/api/v1/vouchers", json=body, headers=bearer(case.coach))
    assert response.status_code == 201, response.json
    assert response.json["funding"] == [
        {"budget_id": budget.id, "budget": budget.title, "amount_cents": 1_500_00,
         "declared_cents": None, "main": True},
        {"budget_id": oo_budget.id, "budget": oo_budget.title, "amount_cents": 500_00,
         "declared_cents": None, "main": False}]
    elsewhere = BudgetFactory(region_code="AM")
    wrong = client.post("/api/v1/vouchers", json={
        **body, "co_funding": [{"budget_id": elsewhere.id, "amount_cents": 500_00}]},
        headers=bearer(case.coach))
    assert wrong.status_code == 422 and "co_funding" in wrong.json["errors"]
    bad = client.post("/api/v1/vouchers", json={**body, "co_funding": [{"budget_id": "x"}]},
                      headers=bearer(case.coach))
    assert bad.status_code == 422
    other = UserFactory(role="coordinator", regions=["AM"])
    voucher_id = response.json["id"]
    assert client.get(f"/api/v1/vouchers/{voucher_id}",
                      headers=bearer(other)).status_code == 404
