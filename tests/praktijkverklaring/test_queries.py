"""Query counts (no N+1): the register, the trajectory page, the certificate, the case page and
the API list send the same number of statements whatever the number of records they show.

Measured cold (``count_statements(cold=True)``: an empty identity map, as in a real request), so
an object loaded earlier in the test cannot hide a lazy load."""

from __future__ import annotations

import pytest

from rmt.auth.models import User
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.process import CaseState
from tests.factories import CaseFactory
from tests.praktijkverklaring.api_helpers import api_for
from tests.praktijkverklaring.conftest import walk
from tests.praktijkverklaring.factories import (
    MboSchoolFactory,
    QualificationFactory,
    make_employer,
)
from tests.querycount import count_statements


@pytest.fixture
def signed_in_coach(client, coach):
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
        session["_fresh"] = True
    return coach


def _trajectory(coach_id: int, *, work_processes: int = 3, target: PvStatus = PvStatus.UITGEREIKT,
                case=None):
    """A trajectory on a new (or the given) case, with ``work_processes`` chosen, at ``target``."""
    coach = db.session.get(User, coach_id)
    qualification = QualificationFactory(work_process_count=work_processes)
    case = case or CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)
    trajectory = service.create(
        coach, case, school_id=MboSchoolFactory().id, qualification_id=qualification.id,
        employer_id=make_employer().id, praktijkopleider="Karin Verhoef",
        work_process_ids=[wp.id for wp in qualification.work_processes])
    return walk(coach, trajectory, target,
                results=(AssessmentResult.AANGETOOND, AssessmentResult.NOG_NIET_AANGETOOND))


def _get(client, url: str) -> int:
    db.session.commit()
    with count_statements(cold=True) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_register_page_and_exports(client, login_as, coach):
    coach_id = coach.id
    login_as("coordinator", "MU")
    counts = {}
    for total, work_processes in ((1, 2), (8, 6)):
        while len(service.register_entries("MU")) < total:
            _trajectory(coach_id, work_processes=work_processes)
        counts[total] = [_get(client, url) for url in (
            "/praktijkverklaringen", "/praktijkverklaringen/register.csv",
            "/praktijkverklaringen/register.xlsx")]
    assert counts[1] == counts[8], counts
    print(f"register page, csv, xlsx: {counts[8]} statements")


def test_trajectory_and_certificate_pages(client, signed_in_coach):
    coach_id = signed_in_coach.id
    small = _trajectory(coach_id, work_processes=2).id
    big = _trajectory(coach_id, work_processes=9).id
    urls = ("/praktijkverklaringen/{}", "/praktijkverklaringen/{}/verklaring")
    small_counts = [_get(client, url.format(small)) for url in urls]
    big_counts = [_get(client, url.format(big)) for url in urls]
    assert small_counts == big_counts, (small_counts, big_counts)
    print(f"trajectory page, certificate: {big_counts} statements")


def test_case_page_with_more_praktijkverklaringen(client, signed_in_coach):
    coach_id = signed_in_coach.id

    def case_with(closed: int):
        case = CaseFactory(region_code="MU", coach=db.session.get(User, coach_id),
                           status=CaseState.UITVOERING)
        for number in range(closed):
            _trajectory(coach_id, case=case, work_processes=2 + number,
                        target=PvStatus.UITGEREIKT)
        _trajectory(coach_id, case=case, target=PvStatus.IN_LEREN)
        return case.id

    one, four = case_with(0), case_with(3)
    counts = _get(client, f"/trajecten/{one}"), _get(client, f"/trajecten/{four}")
    assert counts[0] == counts[1], counts
    print(f"case page: {counts[1]} statements")


def test_api_list_and_read(app, client, coach):
    coach_id = coach.id
    api = api_for(app, client, coach)

    def measure(url: str) -> int:
        db.session.commit()
        with count_statements(cold=True) as statements:
            assert api.client.get(url, headers=api.headers).status_code == 200
        return len(statements)

    first = _trajectory(coach_id, work_processes=2).id
    # The token's last_used_at is written on its first use: warm it before counting.
    assert api.client.get("/api/v1/praktijkverklaringen", headers=api.headers).status_code == 200
    list_one, read_small = measure("/api/v1/praktijkverklaringen"), measure(
        f"/api/v1/praktijkverklaringen/{first}")
    for _ in range(5):
        big = _trajectory(coach_id, work_processes=7).id
    list_six, read_big = measure("/api/v1/praktijkverklaringen"), measure(
        f"/api/v1/praktijkverklaringen/{big}")
    assert (list_one, read_small) == (list_six, read_big)
    print(f"API list: {list_six}, read: {read_big} statements")
