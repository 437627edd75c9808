"""The statistics are set-based: the number of SQL statements of a page does not grow with the
number of cases, events, coaches or regions (no N+1, no Python loop over cases)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.querycount import count_statements
from tests.stats.test_api import API, PARAMS
from tests.stats.test_pages import QUERY

#: Statements per request: the session and user, one query per figure (see service.pipeline and
#: modules.collect), the region names and the coach list of the form.
MAX_STATEMENTS = 25


def statements(client, url: str, query: dict, headers: dict | None = None) -> int:
    with count_statements(cold=True) as sent:
        response = client.get(url, query_string=query, headers=headers or {})
    assert response.status_code == 200
    return len([s for s in sent if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))])


@pytest.mark.parametrize(("url", "query"), [
    ("/cijfers/", QUERY),
    ("/cijfers/", {**QUERY, "uitsplitsing": "coach"}),
    ("/cijfers/", {**QUERY, "uitsplitsing": "doelgroep", "verwijzer": "uwv"}),
    ("/cijfers/regios", QUERY),
    ("/cijfers/tabel/caseload.xlsx", QUERY),
    ("/cijfers/regios/tabel/uitstroom.csv", QUERY),
])
def test_pages_send_a_constant_number_of_statements(client, login_as, history, random_cases,
                                                    module_history, url, query):
    user = login_as("coordinator", "MU", "AM", "GV", "FV")
    user_id = user.get_id()
    small = statements(client, url, query)
    random_cases(120, seed=3)  # more cases, events, coaches and regions
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    large = statements(client, url, query)
    assert small == large <= MAX_STATEMENTS, (small, large)


def test_api_sends_a_constant_number_of_statements(client, bearer, history, random_cases,
                                                   module_history):
    headers = bearer(UserFactory(role="coordinator", regions=["MU", "AM", "GV", "FV"]))
    # Warm the token: its first use records last_used_at (at most once a minute).
    assert client.get(API, query_string=PARAMS, headers=headers).status_code == 200
    counts = []
    for seed in (None, 4):
        if seed:
            random_cases(120, seed=seed)
        counts.append((statements(client, API, PARAMS, headers),
                       statements(client, API, {**PARAMS, "scope": "comparison"}, headers)))
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= MAX_STATEMENTS
