"""``/api/v1/stats/pipeline``: the same figures and the same suppression as the pages."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.factories import UserFactory
from tests.stats.test_pages import QUERY, cells_of

API = "/api/v1/stats/pipeline"
PARAMS = {"from": QUERY["van"], "to": QUERY["tot"]}


def assert_same_as_page(body: dict, html: str) -> int:
    """Every table of the API shows, row by row, what the page shows; returns the cells."""
    compared = 0
    keys = [t["key"] for t in body["tables"]]
    assert keys and len(keys) == len(set(keys))
    for table in body["tables"]:
        page = cells_of(html, table["key"])
        assert list(page) == [row["label"] for row in table["rows"]], table["key"]
        for row in table["rows"]:
            shown = [row["cells"][c["key"]]["display"] for c in table["columns"]]
            assert shown == page[row["label"]], (table["key"], row["label"])
            compared += len(shown)
    return compared


def test_own_scope_has_the_figures_of_the_page(client, login_as, bearer, module_history):
    user = login_as("coordinator", "MU", "AM")
    html = helpers.html(client.get("/cijfers/", query_string=QUERY))
    response = client.get(API, query_string=PARAMS, headers=bearer(user))
    assert response.status_code == 200, helpers.html(response)
    body = response.json
    assert body["period"] == {"from": "2026-01-01", "to": "2026-06-30", "on": "2026-06-30"}
    assert (body["scope"], body["regions"], body["suppressed"]) == ("own", ["MU", "AM"], False)
    assert assert_same_as_page(body, html) > 200
    tables = {t["key"]: t for t in body["tables"]}
    mu = tables["kerncijfers"]["rows"][0]
    assert mu["key"] == "MU" and {k: c["value"] for k, c in mu["cells"].items()} == {
        "instroom": 4, "uitstroom": 1, "geplaatst": 1, "plaatsingspercentage": 100.0,
        "lopend": 2}
    assert [c["unit"] for c in tables["kerncijfers"]["columns"]] == [
        "count", "count", "count", "percent", "count"]
    vouchers = {r["key"]: r for r in tables["vouchers"]["rows"]}
    assert vouchers["totaal"]["cells"]["vastgelegd"]["value"] == 4_600_00
    assert tables["vouchers"]["columns"][2]["unit"] == "euro_cents"
    medians = {r["key"]: r["cells"] for r in tables["doorlooptijd"]["rows"]}
    assert medians["intake"]["AM"]["value"] == 16.0 and medians["intake"]["verblijven"][
        "value"] == 6


def test_breakdown_and_filters(client, bearer, history):
    user = UserFactory(role="coordinator", regions=["MU", "AM"])
    body = client.get(API, query_string={**PARAMS, "breakdown": "target_group",
                                         "referral_partner": "uwv"},
                      headers=bearer(user)).json
    summary = {r["label"]: (r["cells"]["instroom"]["value"], r["cells"]["uitstroom"]["value"])
               for r in body["tables"][0]["rows"]}
    assert summary["Werkzoekenden"] == (3, 2) and summary["Totaal"] == (4, 3)


def test_comparison_scope_is_suppressed_like_the_page(client, login_as, bearer,
                                                       random_cases, module_history):
    random_cases(200, seed=7)
    user = login_as("coordinator", "GV")
    html = helpers.html(client.get("/cijfers/regios", query_string=QUERY))
    body = client.get(API, query_string={**PARAMS, "scope": "comparison"},
                      headers=bearer(user)).json
    assert (body["scope"], body["suppressed"]) == ("comparison", True)
    assert assert_same_as_page(body, html) > 200
    hidden = [cell for table in body["tables"] for row in table["rows"]
              for cell in row["cells"].values() if cell["hidden"]]
    assert len(hidden) > 20
    # A hidden cell carries no value at all: nothing to read from the JSON either.
    assert all(cell["value"] is None and cell["display"] in ("<5", "x") for cell in hidden)
    assert {cell["hidden"] for cell in hidden} <= {"klein", "aanvullend", "verborgen"}


def test_coach_gets_own_caseload_and_no_comparison(client, bearer, history):
    headers = bearer(history.c1)
    body = client.get(API, query_string=PARAMS, headers=headers).json
    total = next(r for r in body["tables"][0]["rows"] if r["key"] == "totaal")
    assert {k: c["value"] for k, c in total["cells"].items()} == {
        "instroom": 2, "uitstroom": 1, "geplaatst": 1, "plaatsingspercentage": 100.0,
        "lopend": 1}
    assert "overig" in {t["key"] for t in body["tables"]}
    # Asking for another coach's caseload changes nothing for a coach.
    other = client.get(API, query_string={**PARAMS, "coach": history.c2.id},
                       headers=headers).json
    assert other["tables"] == body["tables"]
    response = client.get(API, query_string={**PARAMS, "scope": "comparison"}, headers=headers)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", ["liaison", "admin"])
def test_roles_without_statistics_are_refused(client, bearer, role):
    response = client.get(API, headers=bearer(UserFactory(role=role, regions=["MU"])))
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_without_a_token_401(client, login_as):
    login_as("coordinator", "MU")  # a session cookie does not count
    response = client.get(API)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("params", "field"), [
    ({"from": "2026-06-01", "to": "2026-01-01"}, "to"),
    ({"from": "2000-01-01", "to": "2026-01-01"}, "to"),
    ({"from": "31-02-2026"}, "from"),
    ({"breakdown": "schoenmaat"}, "breakdown"),
    ({"scope": "alles"}, "scope"),
    ({"region": "XX"}, "region"),
    ({"coach": "abc"}, "coach"),
    ({"target_group": "x" * 300}, "target_group"),
])
def test_bad_arguments_are_422_with_the_field(client, bearer, params, field):
    response = client.get(API, query_string=params,
                          headers=bearer(UserFactory(role="coordinator", regions=["MU"])))
    assert response.status_code == 422, helpers.html(response)
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]) == [field]


def test_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/stats/pipeline"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"from", "to", "on", "scope", "region", "target_group", "referral_partner", "coach",
            "breakdown"} <= names
    assert "200" in operation["responses"]
