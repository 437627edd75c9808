"""Erasure on request: allowed without a retention duty, confirmed by the typed name, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.cases.models import Note
from rmt.extensions import db
from rmt.privacy import register_erasure_blocker
from rmt.privacy.registry import ERASURE_BLOCKERS
from rmt.vouchers.lifecycle import VoucherStatus
from tests import helpers
from tests.privacy.support import module_records, rich_case
from tests.security.support import audit_count


def _url(case) -> str:
    return f"/privacy/kandidaten/{case.candidate_id}/wissen"


def test_erasure_anonymises_after_confirmation(client, login_as):
    case = rich_case("MU", closed_months_ago=2)
    coordinator = login_as("coordinator", "MU")
    page = client.get(_url(case))
    html = helpers.html(page)
    assert page.status_code == 200 and "Jan Jansen" in html and "Definitief wissen" in html

    response = client.post_form(_url(case), {"requested_on": date.today().isoformat(),
                                             "confirm_name": "  jan   JANSEN "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/privacy/kandidaten/{case.candidate_id}"
    db.session.expire_all()
    candidate = case.candidate
    assert candidate.anonymised_at is not None and candidate.last_name == "Geanonimiseerd"
    assert candidate.email == candidate.phone == candidate.postcode == ""
    assert set(db.session.scalars(sa.select(Note.text).where(Note.case_id == case.id))) == {""}
    assert case.exit_reason is not None  # the statistical facts stay
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "privacy.erase")).one()
    assert (entry.user_id, entry.object_type, entry.object_id, entry.region_code) == (
        coordinator.id, "candidate", str(candidate.id), "MU")
    assert "Jan" not in entry.summary and f"{date.today():%d-%m-%Y}" in entry.summary
    # afterwards the page says so and erasure is no longer offered
    html = helpers.html(client.get(f"/privacy/kandidaten/{case.candidate_id}"))
    assert "Geanonimiseerd" in html and "Jan Jansen" not in html
    assert helpers.html(client.get(_url(case))).count("al geanonimiseerd") == 1


def test_wrong_name_changes_nothing(client, login_as):
    case = rich_case("MU", closed_months_ago=2)
    login_as("coordinator", "MU")
    before = audit_count()
    response = client.post_form(_url(case), {"requested_on": date.today().isoformat(),
                                             "confirm_name": "Piet Jansen"})
    assert response.status_code == 400
    assert "De naam komt niet overeen." in helpers.html(response)
    db.session.expire_all()
    assert case.candidate.last_name == "Jansen" and case.candidate.anonymised_at is None
    assert audit_count() == before


def test_invalid_input_is_refused_in_dutch(client, login_as):
    case = rich_case("MU", closed_months_ago=2)
    login_as("coordinator", "MU")
    for data, message in (
        ({"requested_on": "", "confirm_name": "Jan Jansen"}, "Vul de datum van het verzoek in."),
        ({"requested_on": "31-02-2026", "confirm_name": "Jan Jansen"},
         "Vul een geldige datum in"),
        ({"requested_on": (date.today() + timedelta(days=2)).isoformat(),
          "confirm_name": "Jan Jansen"}, "kan niet in de toekomst liggen"),
        ({"requested_on": date.today().isoformat(), "confirm_name": ""},
         "Typ de volledige naam ter bevestiging."),
        ({"requested_on": date.today().isoformat(), "confirm_name": "x" * 300},
         "Gebruik hoogstens 250 tekens."),
    ):
        response = client.post_form(_url(case), data)
        assert response.status_code == 400, data
        assert message in helpers.html(response), message
    db.session.expire_all()
    assert case.candidate.anonymised_at is None


def test_open_case_blocks_erasure(client, login_as):
    case = rich_case("MU", closed_months_ago=None)
    login_as("coordinator", "MU")
    html = helpers.html(client.get(_url(case)))
    assert "Er loopt nog een traject" in html and "Definitief wissen" not in html
    response = client.post_form(_url(case), {"requested_on": date.today().isoformat(),
                                             "confirm_name": "Jan Jansen"},
                                token_page=f"/privacy/kandidaten/{case.candidate_id}")
    assert response.status_code == 409
    db.session.expire_all()
    assert case.candidate.anonymised_at is None


def test_case_in_another_region_blocks_erasure(client, login_as):
    case = rich_case("MU", closed_months_ago=2)
    rich_case("GV", closed_months_ago=5, candidate=case.candidate)
    login_as("coordinator", "MU")
    html = helpers.html(client.get(_url(case)))
    assert "ook een traject in een andere regio" in html and "(GV)" in html


def test_registered_blocker_stops_erasure(client, login_as):
    case = rich_case("MU", closed_months_ago=2)

    @register_erasure_blocker
    def paid_voucher(candidate):
        return "Er is een voucher betaald (wettelijke bewaarplicht)."

    try:
        login_as("coordinator", "MU")
        response = client.post_form(_url(case), {"requested_on": date.today().isoformat(),
                                                 "confirm_name": "Jan Jansen"},
                                    token_page=f"/privacy/kandidaten/{case.candidate_id}")
    finally:
        ERASURE_BLOCKERS.remove(paid_voucher)
    assert response.status_code == 409
    assert "wettelijke bewaarplicht" in helpers.html(response)
    db.session.expire_all()
    assert case.candidate.anonymised_at is None


@pytest.mark.parametrize(("status", "blocked"), [("afgerond", False), ("gedeclareerd", True),
                                                 ("betaald", True)])
def test_declared_or_paid_voucher_is_a_legal_retention_duty(client, login_as, status, blocked):
    case = rich_case("MU", closed_months_ago=2)
    module_records(case, voucher_status=VoucherStatus(status))
    login_as("coordinator", "MU")
    html = helpers.html(client.get(_url(case)))
    assert ("wettelijke bewaarplicht" in html) is blocked
    assert ("Definitief wissen" in html) is not blocked
    response = client.post_form(_url(case), {"requested_on": date.today().isoformat(),
                                             "confirm_name": "Jan Jansen"},
                                token_page=f"/privacy/kandidaten/{case.candidate_id}")
    assert response.status_code == (409 if blocked else 302)
    db.session.expire_all()
    assert (case.candidate.anonymised_at is None) is blocked
