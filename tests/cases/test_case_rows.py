"""extensions.has_rows: one statement answers every feature's "anything on this case?", the
case page then reads no feature table that has nothing for the case, and an answer never
hides a row written in the same request."""

from __future__ import annotations

from datetime import date, timedelta

from flask import g

from rmt.access import get_row_or_404
from rmt.cases import extensions, service
from rmt.cases.models import Case, Consent, ConsentPurpose
from rmt.extensions import db
from rmt.privacy.models import PrivacyRequest, RequestKind
from rmt.process import CaseState
from tests.factories import CaseFactory, TaskFactory, UserFactory, coded
from tests.querycount import count_statements

FEATURE_TABLES = ("voucher", "pv_trajectory", "pv_event", "proposal", "placement",
                  "privacy_request", "document", "import_record", "case_transfer",
                  # the case's own: a new case has no tasks, plan activities or consents
                  "task", "plan_activity", "consent")


def _reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements
            if s.lstrip().upper().startswith("SELECT") and "probe_0" not in s
            and f" {table}." in s]


def test_the_case_page_asks_every_feature_in_one_statement(client, login_as):
    coordinator = login_as("coordinator", "MU")  # sees every section, privacy requests included
    case_id = CaseFactory(coach=coordinator, status=CaseState.PLAN).id
    with count_statements(cold=True) as statements:
        response = client.get(f"/trajecten/{case_id}")
    assert response.status_code == 200
    probes = [s for s in statements if "probe_0" in s]
    assert len(probes) == 1
    assert "FROM case_file" in probes[0]  # asked with the case itself: no statement of its own
    assert set(extensions.row_probes) >= {"vouchers", "praktijkverklaring", "proposals",
                                          "placements", "privacy_requests", "documents",
                                          "imports", "transfers", "tasks", "activities",
                                          "consents"}
    for table in FEATURE_TABLES:
        assert _reads_of(statements, table) == [], table
    assert "Nog geen voordrachten." in response.text


def test_a_row_of_the_same_request_is_seen(app, login_as):
    with app.test_request_context():
        case = CaseFactory(status=CaseState.PLAN)
        assert not extensions.has_rows(case, "privacy_requests")
        db.session.add(PrivacyRequest(case_id=case.id, region_code=case.region_code,
                                      kind=RequestKind.INZAGE, received_on=date.today(),
                                      due_on=date.today() + timedelta(days=30)))
        # Pending, not yet flushed: asked again, the row counts (as a query's autoflush would).
        assert extensions.has_rows(case, "privacy_requests")
        db.session.rollback()


def test_answers_are_per_case(app):
    with app.test_request_context():
        first, second = CaseFactory(), CaseFactory()
        db.session.add(PrivacyRequest(case_id=second.id, region_code=second.region_code,
                                      kind=RequestKind.INZAGE, received_on=date.today(),
                                      due_on=date.today() + timedelta(days=30)))
        db.session.flush()
        assert not extensions.has_rows(first, "privacy_requests")
        assert extensions.has_rows(second, "privacy_requests")
        assert not extensions.has_rows(Case(), "privacy_requests")  # not saved: nothing yet
        db.session.rollback()


def test_the_answers_read_with_the_case_are_those_asked_alone(app, login_as):
    """probe_columns in the case's statement (the case page) and the probe statement of
    has_rows answer alike, for a case with rows of a feature and one without."""
    coordinator = login_as("coordinator", "MU")
    with app.test_request_context():
        coach = UserFactory(role="coach", regions=["MU"])
        with_request, without = CaseFactory(coach=coach), CaseFactory(coach=coach)
        db.session.add(PrivacyRequest(case_id=with_request.id, region_code="MU",
                                      kind=RequestKind.INZAGE, received_on=date.today(),
                                      due_on=date.today() + timedelta(days=30)))
        TaskFactory(case=with_request, owner=coordinator)
        service.add_activity(with_request.coach, with_request, description="Sollicitatietraining",
                             due_on=None, **coded(), expected_version=None)
        db.session.add(Consent(candidate_id=with_request.candidate_id,
                               purpose=next(iter(ConsentPurpose)), given_on=date.today(),
                               recorded_by_id=coordinator.id))
        db.session.flush()
        asked_alone = {}
        for case in (with_request, without):
            asked_alone[case.id] = {n for n in extensions.row_probes
                                    if extensions.has_rows(case, n)}
        g_rows = g.pop("rmt_case_rows")
        for case in (with_request, without):
            loaded, answers = get_row_or_404(Case, case.id, coordinator,
                                             columns=extensions.probe_columns(Case.id))
            extensions.keep_probe_answers(loaded, answers)
        assert g.rmt_case_rows == g_rows == asked_alone
        own = {"privacy_requests", "tasks", "activities", "consents"}
        assert own <= asked_alone[with_request.id]
        assert not own & asked_alone[without.id]
        db.session.rollback()
