"""The voucher rules through the service: request, four eyes, budget limits, the lifecycle on
real rows, declarations, history and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers import service
from rmt.vouchers.demo import PATHS
from rmt.vouchers.lifecycle import COMMITTED, VoucherStatus
from rmt.vouchers.models import Voucher, VoucherEvent
from tests.factories import BudgetFactory, CaseFactory, FundingSourceFactory, UserFactory

S = VoucherStatus


def _request(case, budget, provider, **changes):
    data = dict(budget_id=budget.id, provider_id=provider.id, course_name="Heftruck",
                start_on=date.today() + timedelta(days=7),
                end_on=date.today() + timedelta(days=30), amount_cents=500_00,
                motivation="Werk in de logistiek.")
    data.update(changes)
    return service.request_voucher(case.coach, case, **data)


def _voucher_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Voucher))


# --- request ---------------------------------------------------------------------------------


def test_request_records_event_and_audit_under_the_case(case, budget, provider, coach):
    voucher = _request(case, budget, provider)
    assert voucher.status == S.AANGEVRAAGD
    assert voucher.region_code == "MU" and voucher.requested_by_id == coach.id
    assert [(e.from_status, e.to_status) for e in voucher.events] == [(None, S.AANGEVRAAGD)]
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "voucher.request").order_by(AuditEntry.id.desc()))
    assert entry.object_type == "case" and entry.object_id == str(case.id)
    assert entry.summary.startswith(f"voucher {voucher.id}: aangevraagd, € 500,00".replace(
        " 500", "\u00a0500"))
    assert entry.user_id == coach.id


def test_closed_case_gets_no_new_voucher(budget, provider, coach):
    closed = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)
    before = _voucher_count()
    with pytest.raises(Conflict) as excinfo:
        _request(closed, budget, provider)
    assert excinfo.value.code == "case_closed"
    assert "afgesloten" in excinfo.value.message
    assert _voucher_count() == before


def test_budget_of_another_region_is_refused(case, provider):
    other = BudgetFactory(region_code="AM")
    with pytest.raises(DomainError) as excinfo:
        _request(case, other, provider)
    assert excinfo.value.field == "budget_id" and excinfo.value.code == "unknown_budget"
    assert "regio van dit traject" in excinfo.value.message


@pytest.mark.parametrize("budget_id", [None, 0, -1, 2**31, 999_999, "12", True])
def test_unknown_budget_is_refused(case, provider, budget_id):
    with pytest.raises(DomainError) as excinfo:
        _request(case, type("B", (), {"id": budget_id})(), provider)
    assert excinfo.value.field == "budget_id"


def test_budget_of_last_year_is_refused(case, provider):
    old = BudgetFactory(region_code="MU", year=date.today().year - 1)
    with pytest.raises(DomainError) as excinfo:
        _request(case, old, provider)
    assert excinfo.value.code == "budget_year_closed"
    assert "Regel budgetjaar" in excinfo.value.message


def test_inactive_funding_source_is_refused(case, provider):
    budget = BudgetFactory(funding_source=FundingSourceFactory(active=False))
    with pytest.raises(DomainError) as excinfo:
        _request(case, budget, provider)
    assert excinfo.value.code == "funding_source_inactive"


@pytest.mark.parametrize(("amount", "field", "code"), [
    (0, "amount_cents", "invalid"), (-100, "amount_cents", "invalid"),
    (2_500_01, "amount_cents", "exceeds_max_per_voucher"),
    (10**15, "amount_cents", "exceeds_max_per_voucher"), ("100", "amount_cents", "invalid"),
    (12.5, "amount_cents", "invalid"), (None, "amount_cents", "invalid"),
])
def test_bad_amounts_are_refused(case, budget, provider, amount, field, code):
    before = _voucher_count()
    with pytest.raises(DomainError) as excinfo:
        _request(case, budget, provider, amount_cents=amount)
    assert (excinfo.value.field, excinfo.value.code) == (field, code)
    assert _voucher_count() == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"course_name": "  "}, "course_name"),
    ({"course_name": "x" * 201}, "course_name"),
    ({"motivation": ""}, "motivation"),
    ({"start_on": None}, "start_on"),
    ({"end_on": date.today()}, "end_on"),
    ({"start_on": date.today() - timedelta(days=400)}, "start_on"),
])
def test_bad_fields_are_refused(case, budget, provider, changes, field):
    with pytest.raises(DomainError) as excinfo:
        _request(case, budget, provider, **changes)
    assert excinfo.value.field == field


def test_inactive_or_unknown_provider_is_refused(case, budget, provider):
    provider.active = False
    with pytest.raises(DomainError) as excinfo:
        _request(case, budget, provider)
    assert excinfo.value.field == "provider_id"


@pytest.mark.parametrize("role", ["coordinator", "liaison", "admin"])
def test_only_a_coach_requests(case, budget, provider, role):
    user = UserFactory(role=role, regions=[] if role == "admin" else ["MU"])
    with pytest.raises(DomainError) as excinfo:
        service.request_voucher(user, case, budget_id=budget.id, provider_id=provider.id,
                                course_name="x", start_on=date.today(), end_on=date.today(),
                                amount_cents=100, motivation="x")
    assert excinfo.value.code == "forbidden"


def test_coach_of_another_region_cannot_request(case, budget, provider):
    outsider = UserFactory(role="coach", regions=["AM"])
    with pytest.raises(DomainError) as excinfo:
        service.request_voucher(outsider, case, budget_id=budget.id, provider_id=provider.id,
                                course_name="x", start_on=date.today(), end_on=date.today(),
                                amount_cents=100, motivation="x")
    assert excinfo.value.code == "forbidden"


# --- four eyes and the decision --------------------------------------------------------------


def test_four_eyes_requester_cannot_decide(case, budget, provider):
    # A coordinator who is also the requester (e.g. after a role change) may not decide.
    voucher = _request(case, budget, provider)
    requester = voucher.requested_by
    requester.role = "coordinator"
    db.session.flush()
    with pytest.raises(Conflict) as excinfo:
        service.decide(requester, voucher, approve=True)
    assert excinfo.value.code == "four_eyes"
    assert "Regel vier ogen" in excinfo.value.message
    assert voucher.status == S.AANGEVRAAGD
    assert service.available_moves(requester, voucher) == []


def test_four_eyes_also_for_refusal(case, budget, provider):
    voucher = _request(case, budget, provider)
    voucher.requested_by.role = "coordinator"
    db.session.flush()
    with pytest.raises(Conflict):
        service.decide(voucher.requested_by, voucher, approve=False, note="nee")


def test_coordinator_of_the_region_decides(make_voucher, coordinator):
    voucher = make_voucher()
    service.decide(coordinator, voucher, approve=True, note="Akkoord")
    assert voucher.status == S.TOEGEKEND
    assert voucher.decided_by_id == coordinator.id and voucher.decided_at is not None
    assert voucher.decision_note == "Akkoord"


@pytest.mark.parametrize(("role", "regions"), [("coordinator", ["AM"]), ("coach", ["MU"]),
                                               ("liaison", ["MU"]), ("admin", [])])
def test_others_cannot_decide(make_voucher, role, regions):
    voucher = make_voucher()
    with pytest.raises(DomainError) as excinfo:
        service.decide(UserFactory(role=role, regions=regions), voucher, approve=True)
    assert excinfo.value.code == "forbidden"
    assert voucher.status == S.AANGEVRAAGD


def test_refusal_needs_a_note(make_voucher, coordinator):
    voucher = make_voucher()
    with pytest.raises(DomainError) as excinfo:
        service.decide(coordinator, voucher, approve=False, note="  ")
    assert excinfo.value.field == "note"
    service.decide(coordinator, voucher, approve=False, note="Past niet bij het plan")
    assert voucher.status == S.AFGEWEZEN


def test_approval_may_not_exceed_remaining(make_voucher, coordinator, budget):
    first = make_voucher(S.TOEGEKEND, amount_cents=2_500_00)
    make_voucher(S.BETAALD, amount_cents=2_500_00)
    make_voucher(S.GESTART, amount_cents=2_500_00)
    assert first.status == S.TOEGEKEND
    assert service.budget_figures(budget).remaining == 2_500_00
    fits = make_voucher(amount_cents=2_000_00)
    too_much = make_voucher(amount_cents=1_000_00)
    service.decide(coordinator, fits, approve=True)
    assert service.budget_figures(budget).remaining == 500_00
    with pytest.raises(Conflict) as excinfo:
        service.decide(coordinator, too_much, approve=True)
    assert excinfo.value.code == "exceeds_remaining_budget"
    assert "Regel resterend budget" in excinfo.value.message
    assert excinfo.value.extra["remaining_cents"] == 500_00
    assert too_much.status == S.AANGEVRAAGD


def test_approval_may_not_exceed_max_per_voucher_lowered_after_request(make_voucher,
                                                                       coordinator, budget):
    voucher = make_voucher(amount_cents=2_000_00)
    budget.max_per_voucher_cents = 1_500_00
    db.session.flush()
    with pytest.raises(Conflict) as excinfo:
        service.decide(coordinator, voucher, approve=True)
    assert excinfo.value.code == "exceeds_max_per_voucher"
    assert "Regel maximum per voucher" in excinfo.value.message


def test_withdrawn_and_refused_free_the_money(make_voucher, coordinator, coach, budget):
    voucher = make_voucher(S.TOEGEKEND, amount_cents=2_000_00)
    assert service.budget_figures(budget).committed == 2_000_00
    service.advance(coach, voucher, S.INGETROKKEN, note="Werk gevonden")
    assert service.budget_figures(budget).committed == 0
    make_voucher(S.AFGEWEZEN, amount_cents=2_000_00)
    assert service.budget_figures(budget).committed == 0


def test_approval_on_closed_case_refused(make_voucher, coordinator, case):
    voucher = make_voucher()
    case.status = CaseState.AFGESLOTEN
    db.session.flush()
    with pytest.raises(Conflict) as excinfo:
        service.decide(coordinator, voucher, approve=True)
    assert excinfo.value.code == "case_closed"
    service.decide(coordinator, voucher, approve=False, note="Traject gesloten")
    assert voucher.status == S.AFGEWEZEN


def test_approval_needs_budget_year_still_current(make_voucher, coordinator, budget):
    voucher = make_voucher()
    budget.year = date.today().year - 1
    db.session.flush()
    with pytest.raises(Conflict) as excinfo:
        service.decide(coordinator, voucher, approve=True)
    assert excinfo.value.code == "budget_year_closed"


# --- the lifecycle on real rows ----------------------------------------------------------------


@pytest.mark.parametrize("status", list(S))
def test_every_status_is_reachable_with_history(make_voucher, status):
    voucher = make_voucher(status)
    assert voucher.status == status
    path = [S.AANGEVRAAGD, *PATHS[status]]
    assert [e.to_status for e in voucher.events] == path
    assert [e.from_status for e in voucher.events] == [None, *path[:-1]]


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_service_refuses_every_move_outside_the_table(make_voucher, coordinator, source,
                                                      target):
    from rmt.vouchers.lifecycle import find_move

    if find_move(source, target) is not None:
        return
    voucher = make_voucher(source)
    events = len(voucher.events)
    with pytest.raises(Conflict) as excinfo:
        service.advance(coordinator, voucher, target, note="x", invoice_number="F")
    assert excinfo.value.code == "not_allowed"
    assert voucher.status == source
    db.session.expire(voucher)
    assert len(voucher.events) == events


def test_unknown_target_is_422(make_voucher, coordinator):
    voucher = make_voucher()
    with pytest.raises(DomainError) as excinfo:
        service.advance(coordinator, voucher, "vernietigd")
    assert not isinstance(excinfo.value, Conflict) and excinfo.value.field == "to"


def test_coach_cannot_settle_and_coordinator_can(make_voucher, coach, coordinator):
    voucher = make_voucher(S.AFGEROND)
    with pytest.raises(DomainError) as excinfo:
        service.advance(coach, voucher, S.GEDECLAREERD, invoice_number="F-9")
    assert excinfo.value.code == "forbidden"
    service.advance(coordinator, voucher, S.GEDECLAREERD, invoice_number="F-9")
    service.advance(coordinator, voucher, S.BETAALD)
    assert voucher.paid_at is not None


def test_declaration_needs_invoice_and_at_most_the_approved_amount(make_voucher, coordinator,
                                                                   budget):
    voucher = make_voucher(S.AFGEBROKEN, amount_cents=2_000_00)
    with pytest.raises(DomainError) as excinfo:
        service.advance(coordinator, voucher, S.GEDECLAREERD, invoice_number=" ")
    assert excinfo.value.field == "invoice_number"
    with pytest.raises(DomainError) as excinfo:
        service.advance(coordinator, voucher, S.GEDECLAREERD, invoice_number="F-1",
                        declared_amount_cents=2_000_01)
    assert excinfo.value.code == "exceeds_voucher"
    service.advance(coordinator, voucher, S.GEDECLAREERD, invoice_number="F-1",
                    declared_amount_cents=800_00)
    figures = service.budget_figures(budget)
    assert figures.committed == 800_00 and figures.paid == 0
    service.advance(coordinator, voucher, S.BETAALD)
    figures = service.budget_figures(budget)
    assert (figures.committed, figures.paid, figures.remaining) == (800_00, 800_00, 9_200_00)


def test_every_change_is_audited_under_the_case(make_voucher, case):
    voucher = make_voucher(S.BETAALD)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "case", AuditEntry.object_id == str(case.id),
        AuditEntry.summary.like(f"voucher {voucher.id}:%")).order_by(AuditEntry.id)).all()
    assert actions == ["voucher.request", "voucher.toegekend", "voucher.gestart",
                       "voucher.afgerond", "voucher.gedeclareerd", "voucher.betaald"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoucherEvent).where(
        VoucherEvent.voucher_id == voucher.id)) == 6


def test_case_section_loads_vouchers_and_history(make_voucher, case, coach):
    make_voucher(S.GESTART)
    make_voucher()
    section = service.case_section(coach, case)
    assert len(section.vouchers) == 2 and section.can_request
    assert len(section.history) == 4
    outsider = UserFactory(role="coach", regions=["AM"])
    assert service.case_section(outsider, case).vouchers == []


# --- budgets ---------------------------------------------------------------------------------


def test_budget_amount_cannot_drop_below_committed(make_voucher, coordinator, budget):
    make_voucher(S.TOEGEKEND, amount_cents=2_000_00)
    with pytest.raises(Conflict) as excinfo:
        service.update_budget(coordinator, budget, amount_cents=1_999_99,
                              max_per_voucher_cents=1_000_00)
    assert excinfo.value.code == "below_committed"
    service.update_budget(coordinator, budget, amount_cents=2_000_00,
                          max_per_voucher_cents=1_000_00)
    assert service.budget_figures(budget).remaining == 0


def test_budget_rules(coordinator):
    source = FundingSourceFactory()
    this_year = date.today().year
    kwargs = dict(region_code="MU", funding_source_id=source.id, year=this_year,
                  amount_cents=100_000_00, max_per_voucher_cents=5_000_00)
    budget = service.create_budget(coordinator, **kwargs)
    assert budget.region_code == "MU"
    with pytest.raises(DomainError) as excinfo:
        service.create_budget(coordinator, **kwargs)
    assert excinfo.value.code == "budget_exists"
    for change, field in (({"region_code": "AM"}, "region_code"),
                          ({"year": 1999}, "year"), ({"amount_cents": 0}, "amount"),
                          ({"max_per_voucher_cents": 100_000_01}, "max_per_voucher"),
                          ({"funding_source_id": 10**6}, "funding_source_id")):
        with pytest.raises(DomainError) as excinfo:
            service.create_budget(coordinator, **{**kwargs, "year": this_year - 1, **change})
        assert excinfo.value.field == field


def test_admin_manages_budgets_of_every_region():
    admin = UserFactory(role="admin", regions=[])
    assert service.manageable_regions(admin) == ["AM", "FV", "GV", "MU"]
    coach = UserFactory(role="coach", regions=["MU"])
    assert service.manageable_regions(coach) == []
    assert service.manageable_regions(UserFactory(role="coordinator", regions=["GV"])) == ["GV"]


def test_committed_statuses_match_the_figures(make_voucher, budget):
    expected = 0
    for status in S:
        make_voucher(status, amount_cents=100_00)
        if status in COMMITTED:
            expected += 100_00
    figures = service.budget_figures(budget)
    assert figures.committed == expected == 6 * 100_00
    assert figures.paid == 100_00 and figures.requested == 100_00
    assert figures.committed + figures.remaining == figures.amount


def test_voucher_steps_appear_in_the_case_timeline(make_voucher, case):
    from rmt.cases.service import timeline

    voucher = make_voucher(S.AFGEWEZEN)
    items = [item for item in timeline(case, include_notes=False) if item.kind == "voucher"]
    assert {item.title for item in items} == {
        f"Voucher {voucher.id} (Lasser MIG/MAG): Aangevraagd → Afgewezen",
        f"Voucher {voucher.id} (Lasser MIG/MAG): aangevraagd"}
    assert {item.detail for item in items} == {"", "Toelichting"}
    assert all(item.user_name for item in items)


# --- reference data --------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("12345678", "12345678"), (" 1234 5678 ", "12345678"), ("12.34.56.78", "12345678"),
    ("1234-5678", "12345678"), ("01234567", "01234567"),
    ("１２３４５６７８", "12345678"),  # full-width digits: python-stdnum's clean() folds them
])
def test_kvk_number_is_cleaned(raw, expected):
    assert service.normalise_kvk(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "1234567", "123456789", "abcdefgh", "1234567a",
                                 "00000000", "12345678\n9", "1234 567"])
def test_bad_kvk_number_is_refused_at_the_field(raw):
    from stdnum.exceptions import ValidationError

    with pytest.raises(DomainError) as excinfo:
        service.normalise_kvk(raw)
    assert excinfo.value.field == "kvk_number"
    assert excinfo.value.message == "Vul een KvK-nummer van 8 cijfers in, zoals 12345678."
    with pytest.raises(ValidationError):
        service.validate_kvk(raw)


def test_provider_with_bad_kvk_is_not_saved():
    from rmt.vouchers.models import TrainingProvider

    admin = UserFactory(role="admin", regions=[])
    before = db.session.scalar(sa.select(sa.func.count()).select_from(TrainingProvider))
    with pytest.raises(DomainError):
        service.save_provider(admin, None, {"name": "Opleider", "kvk_number": "00000000"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingProvider)) == before
