"""Closing and reopening through the pages and the API: the confirmation step, one set of
rules, and another region's case a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rmt import clock
from rmt.cases.models import Task
from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers.lifecycle import VoucherStatus
from tests.cases.test_api import api_for
from tests.cases.test_closing import place, request_voucher
from tests.factories import CaseFactory, TaskFactory, UserFactory
from tests.helpers import html, post, text


@pytest.fixture
def coach():
    return UserFactory(role="coach", regions=["MU"], email="coach.sluiten@test.rmt.nl")


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach, region_code="MU", status=CaseState.PLAN,
                       candidate__last_name="Afsluitmans")


def test_the_case_page_links_to_the_confirmation_instead_of_closing_in_one_click(
        client, auth, coach, case):
    auth.login(coach.email)
    page = html(client.get(f"/trajecten/{case.id}"))
    assert f'href="/trajecten/{case.id}/afsluiten"' in page
    assert 'name="afsluiten-to"' not in page


def test_the_confirmation_lists_the_open_items_and_closes(client, auth, coach, case):
    request_voucher(case)
    TaskFactory(case=case, owner=coach, title="Cv nabespreken")
    auth.login(coach.email)
    page = text(client.get(f"/trajecten/{case.id}/afsluiten"))
    assert "Heftruckcertificaat" in page and "wordt ingetrokken" in page
    assert "Cv nabespreken" in page and "Wordt gesloten" in page
    response = post(client, f"/trajecten/{case.id}/afsluiten", {
        "exit_reason": "doorverwezen", "version": case.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == CaseState.AFGESLOTEN
    assert all(t.done_at is not None for t in db.session.query(Task).filter_by(case_id=case.id))


def test_a_blocking_voucher_shows_no_close_button(client, auth, coach, case):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    request_voucher(case, VoucherStatus.TOEGEKEND, coordinator)
    auth.login(coach.email)
    page = text(client.get(f"/trajecten/{case.id}/afsluiten"))
    assert "kan nog niet worden afgesloten" in page and "Ja, traject afsluiten" not in page
    response = post(client, f"/trajecten/{case.id}/afsluiten", {
        "exit_reason": "doorverwezen", "version": case.version})
    assert response.status_code == 409
    assert case.status == CaseState.PLAN


def test_an_exit_to_work_without_placement_is_refused_at_its_field(client, auth, coach, case):
    auth.login(coach.email)
    response = post(client, f"/trajecten/{case.id}/afsluiten", {
        "exit_reason": "werk_loondienst", "version": case.version})
    assert response.status_code == 400
    assert "leg eerst de plaatsing vast" in text(response)
    place(case)
    response = post(client, f"/trajecten/{case.id}/afsluiten", {
        "exit_reason": "werk_loondienst", "version": case.version})
    assert response.status_code == 302 and case.exit_placement_id is not None


def test_coordinator_reopens_from_the_case_page(client, auth, login_as, coach, case):
    post_close = {"exit_reason": "uitval_eigen_keuze", "version": case.version}
    auth.login(coach.email)
    post(client, f"/trajecten/{case.id}/afsluiten", post_close)
    auth.logout()
    login_as("coordinator", "MU")
    page = text(client.get(f"/trajecten/{case.id}"))
    assert "Traject heropenen" in page
    response = post(client, f"/trajecten/{case.id}/heropenen", {
        "heropenen-reason": "Per vergissing afgesloten", "heropenen-version": case.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == CaseState.PLAN


def test_the_api_applies_the_same_rules(app, client, coach, case):
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    voucher = request_voucher(case, VoucherStatus.TOEGEKEND, coordinator)
    api = api_for(app, client, coach)
    preview = api.get(f"/api/v1/cases/{case.id}/closing")
    assert preview.status_code == 200
    assert preview.json["can_close"] is False
    assert [i["kind"] for i in preview.json["open_items"]] == ["voucher"]
    refused = api.post(f"/api/v1/cases/{case.id}/transitions", {
        "to": "afgesloten", "exit_reason": "doorverwezen", "version": case.version})
    assert refused.status_code == 409 and refused.json["code"] == "open_items"
    voucher_service_withdraw(coach, voucher)
    no_placement = api.post(f"/api/v1/cases/{case.id}/transitions", {
        "to": "afgesloten", "exit_reason": "werk_loondienst", "version": case.version})
    assert no_placement.status_code == 422 and "placement_id" in no_placement.json["errors"]
    placement = place(case)
    closed = api.post(f"/api/v1/cases/{case.id}/transitions", {
        "to": "afgesloten", "exit_reason": "werk_loondienst", "placement_id": placement.id,
        "version": case.version})
    assert closed.status_code == 200 and closed.json["status"] == "afgesloten"
    assert closed.json["exit_placement_id"] == placement.id
    assert api.post(f"/api/v1/cases/{case.id}/reopen", {
        "reason": "vergissing", "version": case.version}).status_code == 403
    reopened = api_for(app, client, coordinator).post(f"/api/v1/cases/{case.id}/reopen", {
        "reason": "vergissing", "version": case.version})
    assert reopened.status_code == 200 and reopened.json["status"] == "geplaatst"


def voucher_service_withdraw(coach, voucher):
    from rmt.vouchers import service as voucher_service

    voucher_service.advance(coach, voucher, VoucherStatus.INGETROKKEN, note="Andere opleiding")


def test_another_regions_case_is_404_on_page_and_api(app, client, auth, case):
    outsider = UserFactory(role="coach", regions=["FV"], email="buiten@test.rmt.nl")
    coordinator = UserFactory(role="coordinator", regions=["FV"])
    auth.login(outsider.email)
    assert client.get(f"/trajecten/{case.id}/afsluiten").status_code == 404
    assert post(client, f"/trajecten/{case.id}/afsluiten", {
        "exit_reason": "doorverwezen", "version": case.version}).status_code == 404
    assert post(client, f"/trajecten/{case.id}/heropenen", {
        "heropenen-reason": "x", "heropenen-version": case.version}).status_code == 404
    assert api_for(app, client, outsider).get(
        f"/api/v1/cases/{case.id}/closing").status_code == 404
    assert api_for(app, client, coordinator).post(
        f"/api/v1/cases/{case.id}/reopen",
        {"reason": "x", "version": case.version}).status_code == 404
    assert case.status == CaseState.PLAN


def test_reopen_is_not_offered_after_thirty_days(client, login_as, coach, case):
    from rmt.cases import service

    service.close(coach, case, exit_reason="doorverwezen", expected_version=case.version)
    case.closed_on = clock.today() - timedelta(days=service.REOPEN_DAYS + 1)
    db.session.flush()
    login_as("coordinator", "MU")
    assert "Traject heropenen" not in text(client.get(f"/trajecten/{case.id}"))


@pytest.mark.parametrize("data", [
    {"exit_reason": "werk_loondienst", "placement_id": "abc"},
    {"exit_reason": "bestaat-niet"},
    {"exit_reason": "doorverwezen", "version": "x" * 20},
])
def test_malformed_close_input_is_refused_not_an_error(client, auth, coach, case, data):
    auth.login(coach.email)
    response = post(client, f"/trajecten/{case.id}/afsluiten", {"version": case.version, **data})
    assert response.status_code in (400, 409)
    assert case.status == CaseState.PLAN
