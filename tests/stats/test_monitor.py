"""The quarterly monitor (issue 20, items 5 and 6): exact figures of a small hand-built history
in 2026-Q2, their suppression, the quarter boundaries in Europe/Amsterdam, region scoping,
the page with its flow charts, the downloads and the API."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from rmt.cases.models import Intake, Plan, PlanActivity
from rmt.cases.sectors import SbiSection
from rmt.employers.models import ContractType, Placement
from rmt.errors_domain import DomainError, Forbidden, NotFound
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.stats import monitor
from rmt.stats.monitor import MonitorScope, Quarter
from rmt.stats.suppression import Status, is_protected
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Voucher, VoucherEvent
from tests import helpers
from tests.factories import (
    BudgetFactory,
    EmployerFactory,
    TrainingProviderFactory,
    UserFactory,
    coded,
    sector,
)
from tests.stats.conftest import write_case

Q2 = Quarter(2026, 2)
PROVINCE = MonitorScope(("MU", "AM", "GV", "FV"), True)
MU = MonitorScope(("MU",), False)


@pytest.fixture
def quarter_history():
    """2026-Q2 (1 April up to and including 30 June):

    - MU: six persons start (werkzoekenden). Five have origin H (vervoer) and target Q (zorg),
      an afgerond loopbaanadvies by a partner, a placement in the zorg (Q, prioritair in MU)
      on 15 May and close on 1 June with werk in loondienst; the sixth has no sector of origin
      yet, target Q and only a planned activity (not counted).
    - AM: two persons start (werkenden), origin G; one with target Q closes on 10 June
      (eigen keuze), the other has no target yet.
    - Outside: an MU case of March (closed in March) and an AM case starting 2 July.
    - Vouchers in MU granted at 00:30 on 1 April and 23:30 on 30 June (Dutch time: in Q2, one
      of them in Q1 by UTC) and at 00:10 on 1 July (Q3); one paid on 20 June.
    """
    mu_coach = UserFactory(role="coach", regions=["MU"])
    am_coach = UserFactory(role="coach", regions=["AM"])
    zorg = sector("zorg")
    zorg.priority_regions = [db.session.get(Region, "MU")]  # zorg (Q) is prioritair in MU
    employer = EmployerFactory(sector=zorg)
    ids = coded("loopbaanadvies")
    cases = []
    for n in range(6):
        steps = [(f"2026-04-0{n + 1}", "aangemeld", "MU"), (f"2026-04-1{n}", "intake", "MU")]
        if n < 5:
            steps.append(("2026-06-01", "afgesloten", "MU", "werk_loondienst"))
        case = write_case(mu_coach, steps)
        db.session.add(Intake(case=case, work_history="Chauffeur",
                              origin_sector=SbiSection.H if n < 5 else None))
        db.session.add(Plan(case=case, target_section=SbiSection.Q))
        db.session.add(PlanActivity(case=case, **ids,
                                    description="Loopbaangesprekken",
                                    status="afgerond" if n < 5 else "gepland"))
        if n < 5:
            db.session.add(Placement(case=case, employer=employer, job_title="Helpende",
                                     contract_type=ContractType.VAST, hours_per_week=24,
                                     start_on=date(2026, 5, 15), sector=SbiSection.Q,
                                     created_by_id=mu_coach.id))
        cases.append(case)
    for n, target in enumerate((SbiSection.Q, None)):
        steps = [("2026-05-01", "aangemeld", "AM")]
        if n == 0:
            steps.append(("2026-06-10", "afgesloten", "AM", "uitval_eigen_keuze"))
        case = write_case(am_coach, steps, target_group="werkenden")
        db.session.add(Intake(case=case, origin_sector=SbiSection.G))
        db.session.add(Plan(case=case, target_section=target))
        cases.append(case)
    outside = write_case(mu_coach, [("2026-03-01", "aangemeld", "MU"),
                                    ("2026-03-20", "afgesloten", "MU", "werk_loondienst")])
    db.session.add(Intake(case=outside, origin_sector=SbiSection.C))
    write_case(am_coach, [("2026-07-02", "aangemeld", "AM")], target_group="werkenden")

    budget = BudgetFactory(region_code="MU", year=2026, amount_cents=50_000_00,
                           max_per_voucher_cents=5_000_00)
    provider = TrainingProviderFactory()
    for index, (granted_at, status, paid_at) in enumerate((
            (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), VoucherStatus.BETAALD,
             datetime(2026, 6, 20, 10, 0, tzinfo=UTC)),
            (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), VoucherStatus.TOEGEKEND, None),
            (datetime(2026, 6, 30, 22, 10, tzinfo=UTC), VoucherStatus.TOEGEKEND, None))):
        voucher = Voucher(case=cases[index], region_code="MU", budget=budget, provider=provider,
                          course_name="Heftruck", start_on=date(2026, 5, 1),
                          end_on=date(2026, 6, 1), amount_cents=(index + 1) * 1_000_00,
                          motivation="Nodig.", status=status, paid_at=paid_at,
                          requested_by_id=mu_coach.id)
        db.session.add(voucher)
        db.session.add(VoucherEvent(voucher=voucher, at=granted_at,
                                    from_status=VoucherStatus.AANGEVRAAGD,
                                    to_status=VoucherStatus.TOEGEKEND))
    db.session.flush()
    return cases


# --- the quarter -------------------------------------------------------------------------------


def test_quarters_parse_and_bound_in_dutch_time():
    assert Quarter.parse("2026-q3") == Quarter(2026, 3)
    assert (Q2.start, Q2.end) == (date(2026, 4, 1), date(2026, 6, 30))
    assert Quarter(2026, 4).end == date(2026, 12, 31)
    start, end = Q2.moments()
    assert start == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # CEST: UTC+2
    assert end == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert Quarter(2026, 1).moments()[0] == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # CET
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    for wrong in ("2026-Q5", "2026Q3", "", "1999-Q1", "2026-Q3; drop table"):
        with pytest.raises(DomainError):
            Quarter.parse(wrong)


# --- exact figures -----------------------------------------------------------------------------


def _values(table, row):
    return {c.key: cell.value for c, cell in zip(
        table.columns, next(r for r in table.rows if r.key == row).cells, strict=True)}


def _shown(table, row):
    return {c.key: cell.display for c, cell in zip(
        table.columns, next(r for r in table.rows if r.key == row).cells, strict=True)}


def test_province_figures_are_exact(quarter_history):
    result = monitor.build(Q2, PROVINCE)
    t = result.tables
    assert _values(t["personen"], "tg:werkzoekenden") == {
        "MU": 6, "AM": 0, "GV": 0, "FV": 0, "totaal": 6}
    assert _values(t["personen"], "tg:werkenden") == {
        "MU": 0, "AM": 2, "GV": 0, "FV": 0, "totaal": 2}
    assert _values(t["personen"], "totaal")["totaal"] == 8
    assert _values(t["diensten_categorie"], "werkfitbehoud")["MU"] == 5
    assert _values(t["diensten_categorie"], "totaal")["totaal"] == 5
    assert [r.label for r in t["diensten_partner"].rows] == ["UWV", "Totaal"]
    assert _values(t["uitstroom"], "werk_loondienst") == {
        "MU": 5, "AM": 0, "GV": 0, "FV": 0, "totaal": 5}
    assert _values(t["uitstroom"], "uitval_eigen_keuze")["AM"] == 1
    assert _values(t["plaatsingen_sector"], "Q")["MU"] == 5
    assert _values(t["plaatsingen_sector"], "prioritair")["MU"] == 5
    assert result.flows["mobiliteit_doel"] and {
        (o, d): c.value for o, d, c in result.flows["mobiliteit_doel"]} == {
        ("G", "-"): 1, ("G", "Q"): 1, ("H", "Q"): 5, ("-", "Q"): 1}
    assert {(o, d): c.value for o, d, c in result.flows["mobiliteit_plaatsing"]} == {
        ("H", "Q"): 5}
    scholing = t["scholing"]
    # Granted at 00:30 on 1 April and 23:30 on 30 June Dutch time; not the one of 1 July.
    assert _values(scholing, "vouchers_toegekend")["MU"] == 2
    assert _values(scholing, "bedrag_toegekend")["MU"] == 3_000_00
    assert _values(scholing, "vouchers_betaald")["MU"] == 1
    assert _values(scholing, "praktijkverklaringen")["totaal"] == 0


def test_province_suppression_protects_every_small_count(quarter_history):
    result = monitor.build(Q2, PROVINCE)
    t = result.tables
    assert _shown(t["personen"], "tg:werkenden")["AM"] == "<5"
    assert _shown(t["uitstroom"], "uitval_eigen_keuze")["AM"] == "<5"
    assert _shown(t["scholing"], "vouchers_toegekend")["MU"] == "<5"
    # The amount behind a hidden count is hidden too.
    assert _shown(t["scholing"], "bedrag_toegekend")["MU"] == "x"
    for key, counts in result.protected.items():
        for entry, status in counts.status.items():
            if status == Status.SMALL:
                assert is_protected(counts, entry), (key, entry)
    # What is published is the real figure.
    assert _shown(t["uitstroom"], "werk_loondienst")["totaal"] in ("5", "x")
    flows = result.tables["mobiliteit_plaatsing"]
    assert _shown(flows, "H") == {"Q": "5", "totaal": "5"}


def test_region_view_is_exact_and_suppressed(quarter_history):
    result = monitor.build(Q2, MU)
    t = result.tables
    assert [c.key for c in t["personen"].columns] == ["MU"]
    assert _values(t["personen"], "tg:werkzoekenden") == {"MU": 6}
    assert _shown(t["personen"], "tg:werkenden") == {"MU": "<5"}
    # The total and the only large cell would give the zeros away: one of them is hidden.
    assert "x" in (_shown(t["personen"], "tg:werkzoekenden")["MU"],
                   _shown(t["personen"], "totaal")["MU"])
    assert {(o, d): c.value for o, d, c in result.flows["mobiliteit_doel"]} == {
        ("H", "Q"): 5, ("-", "Q"): 1}
    for counts in result.protected.values():
        for entry, status in counts.status.items():
            if status == Status.SMALL:
                assert is_protected(counts, entry)


def test_a_person_in_two_regions_counts_once_in_the_province(quarter_history):
    am_coach = UserFactory(role="coach", regions=["AM"])
    first = quarter_history[0]
    # The MU person returns in AM in the same quarter (after the first case closed).
    from rmt.cases.models import Case, CaseEvent
    from rmt.process import CaseState
    again = Case(candidate=first.candidate, region_code="AM", coach=am_coach,
                 status=CaseState.AANGEMELD, opened_on=date(2026, 6, 15))
    db.session.add(again)
    db.session.add(CaseEvent(case=again, region_code="AM",
                             at=datetime(2026, 6, 15, 10, tzinfo=UTC),
                             to_status=CaseState.AANGEMELD))
    db.session.flush()
    values = _values(monitor.build(Q2, PROVINCE).tables["personen"], "totaal")
    assert (values["MU"], values["AM"], values["totaal"]) == (6, 3, 8)


# --- who sees which monitor --------------------------------------------------------------------


def test_scope_follows_rmt_access():
    coordinator = UserFactory(role="coordinator", regions=["MU", "GV"])
    assert monitor.monitor_scope(coordinator, "mu").regions == ("MU",)
    province = monitor.monitor_scope(coordinator, None)
    assert province.province and province.known == ("MU", "GV")
    with pytest.raises(NotFound):
        monitor.monitor_scope(coordinator, "AM")
    with pytest.raises(NotFound):
        monitor.monitor_scope(coordinator, "XX")
    for role in ("coach", "liaison", "admin"):
        with pytest.raises(Forbidden):
            monitor.monitor_scope(UserFactory(role=role, regions=["MU"]), "MU")


# --- page, downloads, API ----------------------------------------------------------------------


def test_page_with_flow_charts_and_data_tables(client, login_as, quarter_history):
    login_as("coordinator", "MU")
    response = client.get("/cijfers/monitor", query_string={"kwartaal": "2026-Q2",
                                                             "regio": "provincie"})
    assert response.status_code == 200
    page = helpers.html(response)
    assert "Kwartaalmonitor 2e kwartaal 2026, provincie Utrecht" in helpers.text(response)
    assert page.count('role="img"') >= 2 and "<path d=" in page
    assert "H Vervoer en opslag naar Q Gezondheids- en welzijnszorg: 5" in page  # <desc>
    assert 'id="bijschrift-mobiliteit_doel"' in page
    # Hidden flows are not drawn (drawing them would tell they are not zero).
    assert "G Handel naar" not in page.split('id="bijschrift-mobiliteit_doel"')[0]
    own = client.get("/cijfers/monitor", query_string={"kwartaal": "2026-Q2", "regio": "MU"})
    assert own.status_code == 200 and (
        "Kwartaalmonitor 2e kwartaal 2026, Midden-Utrecht" in helpers.text(own))


def test_another_region_is_a_404_and_coaches_get_a_403(client, login_as):
    login_as("coordinator", "MU")
    assert client.get("/cijfers/monitor?kwartaal=2026-Q2&regio=AM").status_code == 404
    assert client.get("/cijfers/monitor/tabel/personen.csv?regio=AM").status_code == 404
    assert client.get("/cijfers/monitor/rapport.xlsx?regio=AM").status_code == 404
    assert client.get("/cijfers/monitor?kwartaal=2031-Q9&regio=MU").status_code == 400
    login_as("coach", "MU")
    assert client.get("/cijfers/monitor?regio=MU").status_code == 403


def test_downloads_carry_the_suppressed_figures(client, login_as, quarter_history):
    login_as("coordinator", "MU")
    query = {"kwartaal": "2026-Q2", "regio": "provincie"}
    csv = client.get("/cijfers/monitor/tabel/uitstroom.csv", query_string=query)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.data.decode("utf-8-sig")
    assert "Uitval: eigen keuze" in text or "eigen keuze" in text.lower()
    assert "<5" in text
    report = client.get("/cijfers/monitor/rapport.xlsx", query_string=query)
    assert report.status_code == 200
    workbook = load_workbook(io.BytesIO(report.data))
    assert {"personen", "mobiliteit_doel", "scholing", "Toelichting"} <= set(
        workbook.sheetnames)
    long = client.get("/cijfers/monitor/rapport.csv", query_string=query).data.decode(
        "utf-8-sig")
    assert "plaatsingen_sector;Q;" in long
    assert 'attachment; filename="monitor-provincie-2026-Q2.csv"' in client.get(
        "/cijfers/monitor/rapport.csv", query_string=query).headers["Content-Disposition"]


def test_api_matches_the_page(client, login_as, bearer, quarter_history):
    user = login_as("coordinator", "MU")
    response = client.get("/api/v1/stats/monitor?quarter=2026-Q2&region=MU",
                          headers=bearer(user))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["quarter"], body["region"], body["suppressed"]) == ("2026-Q2", "MU", True)
    assert body["period"] == {"from": "2026-04-01", "to": "2026-06-30"}
    tables = {t["key"]: t for t in body["tables"]}
    row = next(r for r in tables["uitstroom"]["rows"] if r["key"] == "uitval_eigen_keuze")
    assert row["cells"]["MU"] == {"value": None, "display": "<5", "hidden": "klein"}
    page = helpers.html(client.get("/cijfers/monitor?kwartaal=2026-Q2&regio=MU"))
    from tests.stats.test_api import assert_same_as_page
    assert assert_same_as_page(body, page) > 20
    assert client.get("/api/v1/stats/monitor?quarter=2026-Q2&region=AM",
                      headers=bearer(user)).status_code == 404
    wrong = client.get("/api/v1/stats/monitor?quarter=2026-Q7", headers=bearer(user))
    assert wrong.status_code == 422 and wrong.mimetype == "application/problem+json"
    coach = UserFactory(role="coach", regions=["MU"])
    assert client.get("/api/v1/stats/monitor?region=MU",
                      headers=bearer(coach)).status_code == 403
    spec = client.get("/api/v1/openapi.json").json
    assert "/stats/monitor" in spec["paths"] or "/api/v1/stats/monitor" in spec["paths"]


def test_a_fixed_number_of_statements_whatever_the_cases(quarter_history):
    from tests.querycount import count_statements
    with count_statements() as statements:
        monitor.build(Q2, PROVINCE)
    assert len(statements) == 12
