"""Another region's record and a missing id take the same path (issue 16, item 10):
``get_or_404`` loads with the region filter in its one query, so both run the identical
statement, find no row and answer the identical 404."""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import NotFound

from rmt.access import Action, get_or_404
from rmt.auth.models import User
from rmt.cases.models import Case
from rmt.employers.models import ContactMoment
from rmt.extensions import db
from rmt.vouchers.models import Budget
from tests.factories import BudgetFactory, CaseFactory, ContactMomentFactory, UserFactory
from tests.querycount import count_statements

MISSING = 2_000_000_000
CSRF_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')


def _same_answer(client, foreign_url: str, missing_url: str, **kwargs) -> None:
    answers = []
    for url in (foreign_url, missing_url):
        with count_statements(cold=True) as statements:
            response = client.get(url, **kwargs)
        # The CSRF token of the sign-out form is signed with the second it was made in: two
        # requests either side of a second differ there and nowhere else.
        body = CSRF_TOKEN.sub(b'name="csrf_token" value=""', response.get_data())
        answers.append((response.status_code, body, len(statements)))
    (foreign_status, foreign_body, foreign_count), (missing_status, missing_body,
                                                    missing_count) = answers
    assert foreign_status == missing_status == 404
    assert foreign_body == missing_body  # the very same body
    assert foreign_count == missing_count  # the same number of statements


def test_case_page_of_another_region_looks_missing(client, login_as):
    login_as("coach", "MU")
    foreign_id = CaseFactory(region_code="AM").id
    _same_answer(client, f"/trajecten/{foreign_id}", f"/trajecten/{MISSING}")


def test_case_api_of_another_region_looks_missing(client, bearer):
    headers = bearer(UserFactory(role="coach", regions=["MU"]))
    foreign_id = CaseFactory(region_code="AM").id
    _same_answer(client, f"/api/v1/cases/{foreign_id}", f"/api/v1/cases/{MISSING}",
                 headers=headers)


@pytest.mark.parametrize(
    ("model", "make", "action", "role"),
    [
        (Case, CaseFactory, Action.VIEW_CASE, "coach"),
        (Budget, BudgetFactory, Action.VIEW_BUDGET, "coordinator"),
        (ContactMoment, ContactMomentFactory, Action.MANAGE_EMPLOYERS, "liaison"),
    ],
)
def test_get_or_404_runs_one_identical_statement(app, model, make, action, role):
    foreign_id = make(region_code="AM").id
    own_id = make(region_code="MU").id
    user_id = UserFactory(role=role, regions=["MU"]).id
    runs = []
    for ident in (foreign_id, MISSING):
        with count_statements(cold=True) as statements:
            user = db.session.get(User, user_id)
            assert user.region_codes == {"MU"}  # memberships loaded before the counted part
            statements.clear()
            with app.test_request_context(), pytest.raises(NotFound):
                get_or_404(model, ident, user, action)
        runs.append(statements)
    foreign_run, missing_run = runs
    assert len(foreign_run) == 1
    assert foreign_run == missing_run  # the same SQL text; only the bound id differs
    with app.test_request_context():
        assert get_or_404(model, own_id, user, action).id == own_id
