"""Transfer of a case to another region through the pages: request, inbox, accept, refuse."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from rmt.cases.models import CaseTransfer, TransferStatus
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.views_helpers import fresh
from tests.conftest import Client
from tests.factories import CaseFactory, NoteFactory, UserFactory
from tests.helpers import html, post, sign_in_as, text


@pytest.fixture
def people():
    return {
        "coach_mu": UserFactory(role="coach", regions=["MU"], name="Sanne MU"),
        "coord_mu": UserFactory(role="coordinator", regions=["MU"], name="Fatima MU"),
        "coord_am": UserFactory(role="coordinator", regions=["AM"], name="Ayse AM"),
        "coach_am": UserFactory(role="coach", regions=["AM"], name="Lotte AM"),
        "coach_am2": UserFactory(role="coach", regions=["AM"], name="Bram AM"),
    }


@pytest.fixture
def case(people):
    case = CaseFactory(coach=people["coach_mu"], status=CaseState.DIAGNOSE,
                       candidate__first_name="Fatma", candidate__last_name="Yildiz")
    NoteFactory(case=case, text="Gesprek over verhuizing.")
    return case


def _request(client, case, **data):
    payload = {"overdracht-to_region_code": "AM", "overdracht-reason": "Verhuist naar Amersfoort",
               "overdracht-version": fresh(case).version}
    payload.update(data)
    return post(client, f"/trajecten/{case.id}/overdracht", payload)


def _decide(client, transfer_id: int, **data):
    return post(client, f"/overdrachten/{transfer_id}",
                {f"t{transfer_id}-{key}": value for key, value in data.items()})


def test_transfer_request_accept_and_history(client, people, case):
    sign_in_as(client, people["coach_mu"])
    response = _request(client, case)
    assert response.status_code == 302
    page = text(client.get(f"/trajecten/{case.id}"))
    assert "Overdracht aangevraagd naar Regio Amersfoort" in page
    assert "Overdrachtsverzoek intrekken" in page
    transfer = db.session.scalar(sa.select(CaseTransfer))

    # The receiving coordinator sees the request, not the case.
    sign_in_as(client, people["coord_am"])
    inbox = client.get("/overdrachten")
    assert inbox.status_code == 200
    assert "Fatma Yildiz, van Midden-Utrecht naar Regio Amersfoort" in text(inbox)
    assert "Verhuist naar Amersfoort" in text(inbox)
    select = re.search(rf'<select[^>]*id="t{transfer.id}-new_coach_id".*?</select>', html(inbox),
                       re.S).group(0)
    assert "Lotte AM" in select and "Bram AM" in select and "Sanne MU" not in select
    assert client.get(f"/trajecten/{case.id}").status_code == 404
    assert "Gesprek over verhuizing." not in html(inbox)

    # Accepting needs a coach of the receiving region.
    response = _decide(client, transfer.id, decision="accepteren")
    assert response.status_code == 400
    assert "Kies de nieuwe loopbaancoach." in text(response)
    response = _decide(client, transfer.id, decision="accepteren",
                       new_coach_id=people["coach_mu"].id)
    assert response.status_code == 400
    assert fresh(case).region_code == "MU"

    response = _decide(client, transfer.id, decision="accepteren",
                       new_coach_id=people["coach_am2"].id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/trajecten/{case.id}"
    moved = fresh(case)
    assert moved.region_code == "AM" and moved.coach_id == people["coach_am2"].id
    assert moved.status == CaseState.DIAGNOSE
    page = text(client.get(f"/trajecten/{case.id}"))
    assert "Gesprek over verhuizing." in page  # history travels with the case
    assert "Aangemeld in MU" in page and "Overdracht MU → AM: geaccepteerd" in page
    assert "Geaccepteerd" in text(client.get("/overdrachten"))

    # The old region no longer sees it.
    for old in ("coach_mu", "coord_mu"):
        sign_in_as(client, people[old])
        assert client.get(f"/trajecten/{case.id}").status_code == 404
    sign_in_as(client, people["coach_am2"])
    assert client.get(f"/trajecten/{case.id}").status_code == 200


def test_transfer_refused_with_note(client, people, case):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    transfer = db.session.scalar(sa.select(CaseTransfer))
    sign_in_as(client, people["coord_am"])
    response = _decide(client, transfer.id, decision="weigeren", decision_note="  ")
    assert response.status_code == 400
    assert "Geef een toelichting bij de weigering." in text(response)
    response = _decide(client, transfer.id, decision="weigeren",
                       decision_note="Adres ligt in Foodvalley")
    assert response.status_code == 302
    assert response.headers["Location"] == "/overdrachten"
    assert fresh(case).region_code == "MU"
    assert client.get(f"/trajecten/{case.id}").status_code == 404
    sign_in_as(client, people["coach_mu"])
    page = text(client.get(f"/trajecten/{case.id}"))
    assert "Geweigerd" in page and "Adres ligt in Foodvalley" in page
    assert "Overdragen aan een andere regio" in page  # a new request is possible again
    response = _decide(client, transfer.id, decision="accepteren",
                       new_coach_id=people["coach_am"].id)
    assert response.status_code == 404  # a coach cannot decide


def test_decided_request_cannot_be_decided_again(client, people, case):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    transfer = db.session.scalar(sa.select(CaseTransfer))
    sign_in_as(client, people["coord_am"])
    _decide(client, transfer.id, decision="weigeren", decision_note="Nee")
    response = _decide(client, transfer.id, decision="accepteren",
                       new_coach_id=people["coach_am"].id)
    assert response.status_code == 409
    assert "Over dit verzoek is al beslist." in text(response)


def test_withdraw_request(client, people, case):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    response = post(client, f"/trajecten/{case.id}/overdracht/intrekken")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(CaseTransfer.status)) == TransferStatus.WITHDRAWN
    response = post(client, f"/trajecten/{case.id}/overdracht/intrekken")
    assert response.status_code == 409
    assert "Er loopt geen overdrachtsverzoek." in text(response)


@pytest.mark.parametrize(("data", "message", "status"), [
    ({"overdracht-to_region_code": "MU"}, "Kies een andere regio uit de lijst.", 400),
    ({"overdracht-to_region_code": "XX"}, "Kies een andere regio uit de lijst.", 400),
    ({"overdracht-to_region_code": ""}, "Kies de regio.", 400),
    ({"overdracht-reason": ""}, "Geef de reden van de overdracht.", 400),
    ({"overdracht-reason": "x" * 501}, "Gebruik hoogstens 500 tekens.", 400),
])
def test_bad_transfer_requests(client, people, case, data, message, status):
    sign_in_as(client, people["coach_mu"])
    response = _request(client, case, **data)
    assert response.status_code == status
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count(CaseTransfer.id))) == 0


def test_second_request_while_one_is_pending(client, people, case):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    # The form is no longer offered; a forged second request is refused.
    assert "Overdracht aanvragen" not in text(client.get(f"/trajecten/{case.id}"))
    response = _request(client, case, **{"overdracht-to_region_code": "GV"})
    assert response.status_code == 409
    assert "loopt al een overdrachtsverzoek" in text(response)


@pytest.mark.parametrize("data", [
    {"decision": "misschien"}, {}, {"decision": "accepteren", "new_coach_id": "abc"},
    {"decision": "weigeren", "decision_note": "x" * 501},
])
def test_bad_decisions(client, people, case, data):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    transfer = db.session.scalar(sa.select(CaseTransfer))
    sign_in_as(client, people["coord_am"])
    response = _decide(client, transfer.id, **data)
    assert response.status_code == 400
    assert "Het formulier is niet opgeslagen." in text(response)
    db.session.expire_all()
    assert db.session.get(CaseTransfer, transfer.id).status == TransferStatus.REQUESTED


def test_inbox_of_other_regions_does_not_show_the_request(client, people, case):
    sign_in_as(client, people["coach_mu"])
    _request(client, case)
    transfer = db.session.scalar(sa.select(CaseTransfer))
    for role, region in (("coordinator", "FV"), ("coordinator", "MU")):
        user = UserFactory(role=role, regions=[region])
        sign_in_as(client, user)
        assert "Fatma Yildiz" not in html(client.get("/overdrachten"))
        response = _decide(client, transfer.id, decision="accepteren",
                           new_coach_id=people["coach_am"].id)
        assert response.status_code == 404


def test_inbox_is_for_coordinators(client, people):
    for key in ("coach_mu",):
        sign_in_as(client, people[key])
        assert client.get("/overdrachten").status_code == 403
    assert isinstance(client, Client)
