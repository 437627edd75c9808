"""Every CSV and XLSX download keeps spreadsheet formulas out (rmt.exports).

The walk finds the export endpoints in ``app.url_map`` (a rule ending in .csv or .xlsx, or an
endpoint or path with "export"); a new one fails :func:`test_every_export_endpoint_is_walked`
until it is added to ``EXPORT_URLS``. The data behind the exports has a hostile text in every
text column a person can type: coach and candidate names, course, provider, funding source,
invoice number, school, qualification, leerbedrijf, audit summary.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook

from rmt import audit, clock
from rmt.exports import safe_cell
from rmt.praktijkverklaring import service as pv_service
from rmt.praktijkverklaring.lifecycle import PvStatus
from rmt.process import CaseState
from rmt.vouchers import service as voucher_service
from rmt.vouchers.demo import PATHS
from rmt.vouchers.lifecycle import VoucherStatus
from tests.factories import (
    BudgetFactory,
    CaseFactory,
    FundingSourceFactory,
    TrainingProviderFactory,
    UserFactory,
)
from tests.praktijkverklaring.conftest import walk
from tests.praktijkverklaring.factories import (
    MboSchoolFactory,
    QualificationFactory,
    make_employer,
)
from tests.stats.conftest import PERIOD, write_case

HOSTILE = ['=HYPERLINK("http://x")', " =1+1", "\t=1", "@SUM(1)", "-1+1", "+1", "\r=2",
           "\n=3"]
FORMULA = ("=", "+", "-", "@")
EXPORT_RULE = re.compile(r"(\.csv|\.xlsx|csv, xlsx\):fmt>)$|export")
STATS_QUERY = f"van={PERIOD.start.isoformat()}&tot={PERIOD.end.isoformat()}"


def dangerous(text: str) -> bool:
    return text.startswith(("\t", "\r")) or text.lstrip().startswith(FORMULA)


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_cell_neutralises_each_hostile_start(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Jansen") == "Jansen" and safe_cell(-1) == -1 and safe_cell(None) is None


@pytest.fixture
def hostile_world():
    """One region (MU) where every typed text column holds a hostile value."""
    names = itertools.cycle(HOSTILE)
    coach = UserFactory(role="coach", regions=["MU"], name=next(names))
    coordinator = UserFactory(role="coordinator", regions=["MU"], name=next(names))
    case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING,
                       candidate__first_name=next(names), candidate__last_name=next(names))
    # Statistics: the coach's name is a row label (breakdown by coach).
    write_case(coach, [("2026-01-05", "aangemeld", "MU"), ("2026-01-10", "intake", "MU"),
                       ("2026-02-01", "afgesloten", "MU", "werk_loondienst")])
    # Vouchers: course, provider, funding source and invoice number.
    budget = BudgetFactory(region_code="MU",
                           funding_source=FundingSourceFactory(name=next(names)))
    provider = TrainingProviderFactory(name=next(names), contact_name=next(names))
    voucher = voucher_service.request_voucher(
        coach, case, budget_id=budget.id, provider_id=provider.id, course_name=next(names),
        start_on=date.today() + timedelta(days=14), end_on=date.today() + timedelta(days=100),
        amount_cents=1_000_00, motivation=next(names))
    for target in PATHS[VoucherStatus.BETAALD]:
        who = coordinator if target in (VoucherStatus.TOEGEKEND, VoucherStatus.GEDECLAREERD,
                                        VoucherStatus.BETAALD) else coach
        voucher_service.advance(who, voucher, target, note=next(names),
                                invoice_number="-F1" if target == VoucherStatus.GEDECLAREERD
                                else "", declared_amount_cents=None)
    # Praktijkverklaring register: school, qualification, leerbedrijf, candidate.
    school = MboSchoolFactory(name=next(names))
    qualification = QualificationFactory(name=next(names), dossier_name=next(names))
    employer = make_employer(name=next(names))
    trajectory = pv_service.create(
        coach, case, school_id=school.id, qualification_id=qualification.id,
        employer_id=employer.id, praktijkopleider=next(names),
        work_process_ids=[wp.id for wp in qualification.work_processes])
    walk(coach, trajectory, PvStatus.UITGEREIKT)
    # Audit log: a summary as hostile as any (older entries may hold free text).
    audit.record("test.event", object_type="case", object_id=case.id, region_code="MU",
                 summary=next(names), user=coach)
    return {"budget": budget, "coordinator": coordinator}


def _stats_links(client, page: str) -> list[str]:
    html = client.get(page).get_data(as_text=True)
    return sorted({unescape(link) for link in re.findall(
        r'href="(/cijfers/(?:regios/)?tabel/[^"]+)"', html)})


def _monitor_links(client, kind: str) -> list[str]:
    html = client.get("/cijfers/monitor?regio=MU").get_data(as_text=True)
    return sorted({unescape(link) for link in re.findall(
        rf'href="(/cijfers/monitor/{kind}[^"]+)"', html)})


EXPORT_URLS = {
    "audit.export_csv": lambda world, client: ["/audit/export.csv"],
    "praktijkverklaring.register_csv": lambda world, client: [
        f"/praktijkverklaringen/register.csv?regio=MU&jaar={clock.today().year}"],
    "praktijkverklaring.register_xlsx": lambda world, client: [
        f"/praktijkverklaringen/register.xlsx?regio=MU&jaar={clock.today().year}"],
    "vouchers.budget_export_csv": lambda world, client: [
        f"/budgetten/{world['budget'].id}/vouchers.csv"],
    "vouchers.budget_export_xlsx": lambda world, client: [
        f"/budgetten/{world['budget'].id}/vouchers.xlsx"],
    "stats.download": lambda world, client: _stats_links(
        client, f"/cijfers/?{STATS_QUERY}&uitsplitsing=coach"),
    "stats.compare_download": lambda world, client: _stats_links(
        client, f"/cijfers/regios?{STATS_QUERY}"),
    "imports.error_report": lambda world, client: [_import_error_report(client)],
    "stats.monitor_download": lambda world, client: _monitor_links(client, "tabel/"),
    "stats.monitor_report": lambda world, client: _monitor_links(client, "rapport"),
}
#: Exports whose cells are the app's own words (region names, import error messages): the
#: cell check applies, but the hostile texts do not reach them.
OWN_WORDS = {"stats.compare_download", "imports.error_report", "stats.monitor_download",
             "stats.monitor_report"}


def _import_error_report(client) -> str:
    """Upload a candidates file and return its error report's address."""
    token = client.csrf_token("/importeren")
    response = client.post("/importeren", data={
        "csrf_token": token, "kind": "candidates", "region": "MU",
        "file": (io.BytesIO(b"Voornaam;Achternaam\r\n=1+1;@SUM(1)\r\n"), "lijst.csv")},
        content_type="multipart/form-data")
    upload = re.search(r"/importeren/([A-Za-z0-9_-]+)/koppeling", response.headers["Location"])
    return f"/importeren/{upload.group(1)}/fouten.csv"


def export_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if not rule.rule.startswith("/api/") and rule.endpoint != "static"
            and (EXPORT_RULE.search(rule.rule) or "export" in rule.endpoint)}


def test_every_export_endpoint_is_walked(app):
    found = export_endpoints(app)
    assert "stats.download" in found and "audit.export_csv" in found  # the pattern works
    assert found == set(EXPORT_URLS), "classify the new export in EXPORT_URLS"


#: What Dutch Excel would misread: a decimal point, an ISO date or moment.
ENGLISH_NOTATION = re.compile(r"^-?\d+\.\d+$|^\d{4}-\d{2}-\d{2}")


def _check_csv(url: str, body: str) -> int:
    """Also checks the file opens in Dutch Excel: BOM, semicolons, decimal comma, dd-mm-jjjj."""
    assert body.startswith("\ufeff"), (url, "no byte-order mark")
    neutralised = 0
    rows = list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))
    assert len(rows[0]) > 1, (url, "not separated by semicolons", rows[0])
    for row in rows:
        assert len(row) == len(rows[0]), (url, row)
        for cell in row:
            assert not dangerous(cell), (url, cell)
            assert not ENGLISH_NOTATION.match(cell), (url, cell)
            neutralised += cell.startswith("'")
    return neutralised


def _check_xlsx(url: str, body: bytes) -> tuple[int, int]:
    workbook = load_workbook(io.BytesIO(body))
    hostile = numbers = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (url, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and dangerous(cell.value):
                    assert cell.data_type == "s"
                    hostile += 1
                numbers += isinstance(cell.value, int | float) and cell.data_type == "n"
    return hostile, numbers


def test_every_export_neutralises_hostile_text(app, client, login_as, hostile_world):
    login_as("coordinator", "MU")
    walked = 0
    numbers_in, hostile_in = set(), set()
    for endpoint in sorted(export_endpoints(app)):
        urls = EXPORT_URLS[endpoint](hostile_world, client)
        assert urls, endpoint
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            walked += 1
            if response.mimetype == "text/csv":
                if _check_csv(url, response.get_data(as_text=True)):
                    hostile_in.add((endpoint, "csv"))
            else:
                hostile, numbers = _check_xlsx(url, response.data)
                if hostile:
                    hostile_in.add((endpoint, "xlsx"))
                if numbers:
                    numbers_in.add(endpoint)
    assert walked >= 10
    # The hostile texts reached every export (so the checks above had something to catch),
    # except those made of the app's own words.
    expected = {(e, f) for e in EXPORT_URLS if e not in OWN_WORDS
                for f in ("csv", "xlsx") if not e.endswith(("_csv", "_xlsx")) or e.endswith(f)}
    assert hostile_in == expected
    # Amounts and figures stay typed numbers (small counts are suppressed as text "<5").
    assert {"vouchers.budget_export_xlsx", "stats.download"} <= numbers_in
