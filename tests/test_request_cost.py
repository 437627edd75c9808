"""The fixed cost of a signed-in request (issue 14): the statements of the cheapest page are
few and fixed, whatever the user's regions."""

from __future__ import annotations

import pytest

from rmt.extensions import db
from rmt.notifications.models import Kind
from rmt.notifications.service import notify
from tests.querycount import count_statements


def _statements(client, path: str = "/account/wachtwoord") -> list[str]:
    with count_statements(cold=True) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return statements


@pytest.mark.parametrize("regions", [("MU",), ("MU", "AM", "GV", "FV")])
def test_change_password_page_statements(client, login_as, regions):
    login_as("coordinator", *regions)
    statements = _statements(client)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the user with their regions and the header's unread notifications: one statement
    assert len(selects) == 1, statements
    assert "region_membership" in selects[0] and "notification" in selects[0], selects


def test_the_header_counts_unread_notifications_from_the_users_statement(client, login_as):
    user = login_as("coordinator", "MU")
    for record_id in (1, 2):
        notify([user], Kind.VOUCHER_REQUESTED, "voucher", record_id, case_id=None)
    db.session.flush()
    body = client.get("/account/wachtwoord").get_data(as_text=True)
    assert '(2<span class="rmt-visually-hidden"> ongelezen</span>)' in body


def test_the_user_loader_reads_the_regions_in_the_same_statement(client, login_as):
    user = login_as("coach", "MU", "AM")
    names = [m.region.name for m in sorted(user.memberships, key=lambda m: m.region_code)]
    statements = _statements(client)
    loading = [s for s in statements if "FROM user_account" in s]
    assert len(loading) == 1, loading
    assert not [s for s in statements if s.lstrip().startswith("SELECT region_membership")]
    body = client.get("/account/wachtwoord").get_data(as_text=True)
    assert ", ".join(names) in body  # the header still names the user's regions


def test_an_api_list_reads_token_user_and_regions_in_one_statement_and_the_counted_page_in_another(
        client, login_as, bearer):
    user = login_as("coach", "MU", "AM")
    headers = bearer(user)
    client.get("/api/v1/cases", headers=headers)  # the token's first use is recorded once
    with count_statements(cold=True) as statements:
        response = client.get("/api/v1/cases", headers=headers)
    assert response.status_code == 200
    token = [s for s in statements if "FROM api_token" in s]
    assert len(token) == 1 and "region_membership" in token[0], token
    assert not [s for s in statements if s.lstrip().startswith("SELECT region_membership")]
    pages = [s for s in statements if "FROM case_file" in s]
    assert len(pages) == 1 and "count(" in pages[0], pages
    # The count is of the cases alone (a subquery without the candidate's join).
    counted = pages[0].split("count(", 1)[1].split("LIMIT", 1)[0]
    assert "candidate" not in counted, counted
