"""Praktijkverklaringen that wait for the school's vaststelling: counted on the coordinator's
start page, listed on the register page per status (region-scoped)."""

from __future__ import annotations

from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.process import CaseState
from tests.factories import CaseFactory, UserFactory
from tests.helpers import html, text
from tests.praktijkverklaring.conftest import walk


def test_assessed_trajectories_wait_for_vaststelling(client, login_as, coach, case,
                                                     make_trajectory):
    waiting = walk(coach, make_trajectory(case, coach), PvStatus.BEOORDEELD)
    other_case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING,
                             candidate__last_name="Nog-Bezig")
    make_trajectory(other_case, coach)  # still aangevraagd: not waiting
    fv_coach = UserFactory(role="coach", regions=["FV"])
    fv_case = CaseFactory(region_code="FV", coach=fv_coach, status=CaseState.UITVOERING,
                          candidate__last_name="Elders-Beoordeeld")
    walk(fv_coach, make_trajectory(fv_case, fv_coach), PvStatus.BEOORDEELD)
    db.session.flush()

    coordinator = login_as("coordinator", "MU")
    assert service.count_awaiting_vaststelling(coordinator) == 1
    response = client.get("/")
    assert "Praktijkverklaringen die wachten op vaststelling door de school 1" in text(response)
    url = "/praktijkverklaringen?status=beoordeeld#in-status"
    assert f'href="{url}"' in html(response)

    listed = client.get(url)
    assert listed.status_code == 200
    section = html(listed).split('id="in-status"')[1]
    assert f'href="/praktijkverklaringen/{waiting.id}"' in section
    assert "Zwanenburg-Oudkerk" in section
    assert "Nog-Bezig" not in section and "Elders-Beoordeeld" not in section

    # another region's list is not reachable by changing the parameter
    assert client.get("/praktijkverklaringen?regio=FV&status=beoordeeld").status_code == 404


def test_unknown_status_lists_nothing(client, login_as):
    login_as("coordinator", "MU")
    for value in ("onzin", "", "x" * 300):
        response = client.get(f"/praktijkverklaringen?status={value}")
        assert response.status_code == 200
        assert 'id="in-status"' not in html(response)
