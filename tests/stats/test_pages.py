"""The statistics page, the region comparison and their downloads through the web client."""

from __future__ import annotations

import io
import re
from datetime import datetime
from html import unescape

import pytest
from openpyxl import load_workbook

from rmt import clock
from tests import helpers
from tests.stats.conftest import PERIOD

QUERY = {"van": PERIOD.start.isoformat(), "tot": PERIOD.end.isoformat()}


def cells_of(html: str, table_key: str) -> dict[str, list[str]]:
    """Row label -> displayed cells of one table on a page."""
    start = html.index(f'id="tabel-{table_key}"')
    body = html[start:html.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr class=\"utrecht-table__row[^\"]*\">(.*?)</tr>", body, re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if not header:
            continue
        values = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows[unescape(header.group(1).strip())] = [
            unescape(re.sub(r"<span.*?</span>", "", v).strip()) for v in values]
    return rows


def test_coordinator_sees_own_region_figures(client, login_as, history):
    login_as("coordinator", "MU")
    response = client.get("/cijfers/", query_string=QUERY)
    assert response.status_code == 200
    html = helpers.html(response)
    assert "Cijfers van Midden-Utrecht" in html
    summary = cells_of(html, "kerncijfers")
    # instroom, uitstroom, naar werk, plaatsingspercentage, lopend
    assert summary["Midden-Utrecht"] == ["4", "1", "1", "100,0%", "2"]
    funnel = cells_of(html, "funnel")
    assert funnel["Aangemeld"] == ["4", "100,0%", "–"]
    assert funnel["Intake"] == ["3", "75,0%", "75,0%"]
    assert funnel["Trajectplan"] == ["1", "25,0%", "33,3%"]
    medians = cells_of(html, "doorlooptijd")
    assert medians["Intake"] == ["10,0", "10,0", "4"]
    caseload = cells_of(html, "caseload")
    assert caseload["Anna Coach"][-1] == "1" and caseload["Bert Coach"][-1] == "1"
    # Charts: inline SVG with a text alternative, next to their tables.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "style=" not in html


def test_breakdown_and_filters(client, login_as, history):
    login_as("coordinator", "MU", "AM")
    html = helpers.html(client.get("/cijfers/", query_string={**QUERY, "uitsplitsing": "doelgroep",
                                                 "verwijzer": "uwv"}))
    summary = cells_of(html, "kerncijfers")
    assert summary["Werkzoekenden"][:2] == ["3", "2"]  # A, C, E in; A, C out (all via UWV)
    assert summary["Zzp'ers"][:2] == ["1", "1"]  # G (zzp, via UWV); D came by itself
    assert summary["Totaal"][:2] == ["4", "3"]


def test_coach_sees_own_caseload_read_only(client, login_as, history):
    from rmt.extensions import db

    with client.session_transaction() as session:
        session["_user_id"] = history.c1.get_id()
        session["_fresh"] = True
    db.session.flush()
    html = helpers.html(client.get("/cijfers/", query_string=QUERY))
    assert "Cijfers van mijn trajecten" in html
    assert cells_of(html, "kerncijfers")["Totaal"] == ["2", "1", "1", "100,0%", "1"]
    assert 'name="coach"' not in html
    assert "<form method=\"post\"" not in html.split('id="inhoud"')[1]


@pytest.mark.parametrize("role", ["liaison", "admin"])
def test_other_roles_are_refused(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/cijfers/").status_code == 403
    assert client.get("/cijfers/regios").status_code == 403


def test_coach_cannot_compare_regions(client, login_as):
    login_as("coach", "MU")
    assert client.get("/cijfers/regios").status_code == 403


@pytest.mark.parametrize("query", [
    {"van": "31-02-2026"}, {"van": "2026-06-01", "tot": "2026-01-01"},
    {"van": "2000-01-01", "tot": "2026-01-01"}, {"uitsplitsing": "schoenmaat"},
    {"doelgroep": "x" * 300}, {"regio": "GV"}, {"coach": "abc"}, {"peildatum": "gisteren"},
])
def test_invalid_filters_are_reported_in_dutch_never_a_500(client, login_as, query):
    login_as("coordinator", "MU")
    response = client.get("/cijfers/", query_string=query)
    assert response.status_code == 400
    html = helpers.html(response)
    assert "utrecht-form-field-error-message" in html
    assert client.get("/cijfers/tabel/kerncijfers.csv", query_string=query).status_code == 200


def test_csv_download_opens_in_dutch_excel(client, login_as, history):
    login_as("coordinator", "MU")
    response = client.get("/cijfers/tabel/kerncijfers.csv", query_string=QUERY)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = helpers.csv_rows(response)
    assert rows[0] == ["Regio", "Instroom", "Uitstroom", "Uitstroom naar werk (plaatsing)",
                       "Plaatsingspercentage (%)", "Lopend op 30-06-2026"]
    assert rows[1] == ["Midden-Utrecht", "4", "1", "1", "100,0", "2"]
    trend = helpers.html(client.get("/cijfers/tabel/trend.csv", query_string=QUERY))
    assert "Januari" not in trend and "\r\njan 2026;01-2026;2;0\r\n" in trend


def test_xlsx_download_keeps_numbers_and_dates(client, login_as, history):
    login_as("coordinator", "MU")
    response = client.get("/cijfers/tabel/trend.xlsx", query_string=QUERY)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == ["Maand", "Maand", "Instroom", "Uitstroom"]
    assert sheet["B2"].value == datetime(2026, 1, 1) and sheet["B2"].number_format == "mmm yyyy"
    assert sheet["C2"].value == 2 and isinstance(sheet["C2"].value, int)
    summary = load_workbook(io.BytesIO(client.get(
        "/cijfers/tabel/kerncijfers.xlsx", query_string=QUERY).data)).active
    assert summary["E2"].value == 1.0 and summary["E2"].number_format == "0.0%"


def test_unknown_table_is_404(client, login_as):
    login_as("coordinator", "MU")
    assert client.get("/cijfers/tabel/bestaatniet.csv").status_code == 404
    assert client.get("/cijfers/tabel/kerncijfers.pdf").status_code == 404
    assert client.get("/cijfers/regios/tabel/bestaatniet.xlsx").status_code == 404


def test_navigation_shows_statistics_per_role(client, login_as):
    login_as("coordinator", "MU")
    html = helpers.html(client.get("/"))
    assert 'href="/cijfers/"' in html and 'href="/cijfers/regios"' in html


def test_default_period_is_the_last_twelve_months(client, login_as):
    login_as("coordinator", "MU")
    html = helpers.html(client.get("/cijfers/"))
    today = clock.today()  # the Dutch calendar date, whatever the server's time zone
    assert f"tot en met {today:%d-%m-%Y}" in html
