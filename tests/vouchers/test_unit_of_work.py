"""One unit of work per request: the vouchers code never commits, and a refused decision
leaves nothing behind (no status change, no event, no audit entry of a change, no signal)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from rmt import clock, signals
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher, VoucherEvent
from tests.helpers import count, post

S = VoucherStatus
PACKAGE = Path(__file__).resolve().parents[2] / "rmt" / "vouchers"


def test_no_commit_in_the_vouchers_code():
    offenders = [f"{path.name}:{number}"
                 for path in sorted(PACKAGE.rglob("*.py"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if ".commit(" in line]
    assert offenders == []


def _snapshot(voucher_id: int) -> tuple:
    db.session.expire_all()
    changes = count(AuditEntry, AuditEntry.action.like("voucher.%"),
                    AuditEntry.action != "voucher.view")
    return (db.session.get(Voucher, voucher_id).status, count(VoucherEvent), changes,
            db.session.scalar(sa.select(Voucher.decided_by_id).where(Voucher.id == voucher_id)))


@pytest.fixture
def decisions():
    """The voucher_decided signals sent during the test."""
    sent: list = []

    def receiver(voucher, **kwargs) -> None:
        sent.append(voucher.id)

    signals.voucher_decided.connect(receiver)
    yield sent
    signals.voucher_decided.disconnect(receiver)


@pytest.fixture
def over_budget(make_voucher):
    """A request for more than the budget has left (409 on approval)."""
    for _ in range(4):
        make_voucher(S.TOEGEKEND, amount_cents=2_400_00)
    return make_voucher(amount_cents=1_000_00)


@pytest.mark.parametrize(("target", "note", "status"), [
    ("toegekend", "Akkoord", 409),  # the remaining budget is too small
    ("afgewezen", "", 400),  # refusing needs a note
])
def test_a_refused_decision_in_html_leaves_nothing(client, login_as, over_budget, decisions,
                                                  target, note, status):
    before = _snapshot(over_budget.id)
    login_as("coordinator", "MU")
    response = post(client, f"/vouchers/{over_budget.id}/naar/{target}", {f"{target}-note": note})
    assert response.status_code == status
    assert _snapshot(over_budget.id) == before
    assert before[0] == S.AANGEVRAAGD
    assert decisions == []


@pytest.mark.parametrize(("decision", "note", "status", "code"), [
    ("toegekend", "Akkoord", 409, "exceeds_remaining_budget"),
    ("afgewezen", "", 422, "note_required"),
])
def test_a_refused_decision_in_the_api_leaves_nothing(client, bearer, coordinator, over_budget,
                                                     decisions, decision, note, status, code):
    before = _snapshot(over_budget.id)
    response = client.post(f"/api/v1/vouchers/{over_budget.id}/decision",
                           json={"decision": decision, "note": note},
                           headers=bearer(coordinator))
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code
    assert _snapshot(over_budget.id) == before
    assert decisions == []


def test_a_decision_sends_the_signal(client, bearer, coordinator, make_voucher, decisions):
    voucher = make_voucher()
    response = client.post(f"/api/v1/vouchers/{voucher.id}/decision",
                           json={"decision": "afgewezen", "note": "Geen budget meer nodig"},
                           headers=bearer(coordinator))
    assert response.status_code == 200, response.json
    assert decisions == [voucher.id]


def test_a_request_sends_the_signal(case, budget, provider, coach):
    requested: list = []

    def receiver(voucher, **kwargs) -> None:
        requested.append((voucher.id, kwargs["user"].id))

    signals.voucher_requested.connect(receiver)
    try:
        voucher = service.request_voucher(
            coach, case, budget_id=budget.id, provider_id=provider.id, course_name="VCA",
            start_on=clock.today() + timedelta(days=5), end_on=clock.today() + timedelta(days=6),
            amount_cents=295_00, motivation="Verplicht voor werk in de bouw.")
    finally:
        signals.voucher_requested.disconnect(receiver)
    assert requested == [(voucher.id, coach.id)]
