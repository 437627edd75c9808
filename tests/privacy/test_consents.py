"""The consent register, and revocation that takes effect at once and shows in the timeline."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.cases import service as case_service
from rmt.cases.models import Consent, ConsentPurpose
from rmt.extensions import db
from tests import helpers
from tests.factories import CandidateFactory, CaseFactory, UserFactory

PURPOSE = ConsentPurpose.SHARE_PROFILE_WITH_EMPLOYERS


def consent_for(region: str, *, first_name: str, revoked: bool = False, days_ago: int = 30):
    case = CaseFactory(region_code=region,
                       candidate=CandidateFactory(first_name=first_name, last_name="Register"))
    recorder = case.coach
    consent = Consent(candidate=case.candidate, purpose=PURPOSE,
                      given_on=date.today() - timedelta(days=days_ago),
                      recorded_by_id=recorder.id,
                      revoked_on=date.today() if revoked else None,
                      revoked_by_id=recorder.id if revoked else None)
    db.session.add(consent)
    db.session.flush()
    return case, consent


def test_register_lists_region_consents_with_dates_and_people(client, login_as):
    case, _ = consent_for("MU", first_name="Actief")
    consent_for("MU", first_name="Ingetrokken", revoked=True)
    consent_for("AM", first_name="Anderregio")
    login_as("coordinator", "MU")
    response = client.get("/privacy/toestemmingen")
    html = helpers.unescaped(response)  # coach names may hold an apostrophe (d'Heripon)
    assert response.status_code == 200
    assert "Actief Register" in html and "Ingetrokken Register" in html
    assert "Anderregio" not in html
    assert case.coach.name in html and "Werkprofiel delen met werkgevers" in html
    assert f"/privacy/kandidaten/{case.candidate_id}" in html
    assert "Ingetrokken op" in html  # the state in words, not colour alone
    assert "consent.register_view" in list(db.session.scalars(sa.select(AuditEntry.action)))


def test_register_filters_by_state_and_purpose(client, login_as):
    consent_for("MU", first_name="Actief")
    consent_for("MU", first_name="Ingetrokken", revoked=True)
    login_as("coordinator", "MU")
    active = helpers.html(client.get("/privacy/toestemmingen?status=actief"))
    assert "Actief Register" in active and "Ingetrokken Register" not in active
    revoked = helpers.html(client.get("/privacy/toestemmingen?status=ingetrokken"))
    assert "Ingetrokken Register" in revoked and "Actief Register" not in revoked
    purpose = helpers.html(client.get(f"/privacy/toestemmingen?doel={PURPOSE.value}"))
    assert "Actief Register" in purpose and "Ingetrokken Register" in purpose
    for junk in ("?status=%00", "?doel=bestaat-niet&status=x&pagina=-3", "?pagina=99999999999"):
        assert client.get("/privacy/toestemmingen" + junk).status_code in (200, 400), junk


def test_register_is_paginated(client, login_as):
    for i in range(53):
        consent_for("MU", first_name=f"Persoon{i:02d}", days_ago=i + 1)
    login_as("coordinator", "MU")
    first = helpers.html(client.get("/privacy/toestemmingen"))
    assert "Pagina 1 van 2" in first and "Persoon00" in first and "Persoon52" not in first
    second = helpers.html(client.get("/privacy/toestemmingen?pagina=2"))
    assert "Pagina 2 van 2" in second and "Persoon52" in second


def test_revocation_is_immediate_and_in_the_timeline():
    case = CaseFactory(region_code="MU")
    coach = case.coach
    consent = case_service.record_consent(coach, case, PURPOSE.value,
                                          date.today() - timedelta(days=10))
    assert case.candidate.has_consent(PURPOSE)
    case_service.revoke_consent(coach, case, consent.id)
    db.session.flush()
    assert not case.candidate.has_consent(PURPOSE)  # from today on
    assert consent.revoked_on == date.today() and consent.revoked_by_id == coach.id
    items = [i for i in case_service.timeline(case, include_notes=True) if i.kind == "consent"]
    assert items and f"ingetrokken {date.today():%d-%m-%Y}" in items[0].detail
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["consent.give", "consent.revoke"]


def test_coordinator_of_two_regions_sees_both(client, login_as):
    consent_for("MU", first_name="Midden")
    consent_for("GV", first_name="Gooi")
    UserFactory(role="coordinator", regions=["MU"])
    login_as("coordinator", "MU", "GV")
    html = helpers.html(client.get("/privacy/toestemmingen"))
    assert "Midden Register" in html and "Gooi Register" in html


def test_register_query_count_does_not_grow_with_rows(client, login_as):
    from tests.privacy.test_subject_access import _count_queries

    login_as("coordinator", "MU")
    client.get("/privacy/toestemmingen")  # warm-up
    counts = []
    for n in (2, 30):
        for i in range(n):
            consent_for("MU", first_name=f"P{n}x{i}", revoked=bool(i % 2))
        counts.append(_count_queries(client, "/privacy/toestemmingen"))
    assert counts[0] == counts[1] <= 12, counts
