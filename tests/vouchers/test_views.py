"""The voucher, budget and reference-data pages: forms, refusals, exports, navigation."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.process import CaseState
from rmt.vouchers import service
from rmt.vouchers.lifecycle import VoucherStatus
from rmt.vouchers.models import Budget, FundingSource, TrainingProvider, Voucher
from tests.factories import BudgetFactory, CaseFactory, TrainingProviderFactory, UserFactory
from tests.helpers import count, html, post, text
from tests.querycount import count_statements

S = VoucherStatus


def request_data(budget, provider, **changes) -> dict:
    data = {"budget_id": str(budget.id), "provider_id": str(provider.id),
            "course_name": "Allround loodgieter",
            "start_on": (date.today() + timedelta(days=10)).isoformat(),
            "end_on": (date.today() + timedelta(days=120)).isoformat(),
            "amount": "1.250,50", "motivation": "Tekort aan installateurs in de regio."}
    data.update(changes)
    return data


# --- requesting ------------------------------------------------------------------------------


def test_coach_requests_a_voucher(client, login_as, case, budget, provider):
    coach = case.coach
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
        session["_fresh"] = True
    url = f"/trajecten/{case.id}/vouchers/nieuw"
    page = client.get(url)
    assert page.status_code == 200
    assert "Voucher aanvragen" in text(page)
    assert f'<option value="{budget.id}">' in html(page)
    assert "nog € 10.000,00 vrij, hoogstens € 2.500,00 per voucher" in text(page)
    response = client.post_form(url, request_data(budget, provider))
    assert response.status_code == 302
    voucher = db.session.scalar(sa.select(Voucher).order_by(Voucher.id.desc()))
    assert response.headers["Location"] == f"/vouchers/{voucher.id}"
    assert voucher.amount_cents == 125050 and voucher.status == S.AANGEVRAAGD
    assert voucher.requested_by_id == coach.id
    detail = client.get(response.headers["Location"])
    assert "is aangevraagd" in text(detail)
    assert "€ 1.250,50" in text(detail)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"amount": "abc"}, "amount", "Vul een bedrag in euro's in, zoals 1.250,50."),
    ({"amount": "-5"}, "amount", "Vul een positief bedrag in."),
    ({"amount": "0"}, "amount", "Het bedrag moet groter zijn dan € 0,00."),
    ({"amount": "99999999999"}, "amount", "Het bedrag is te groot"),
    ({"amount": "2.500,01"}, "amount", "Regel maximum per voucher"),
    ({"amount": ""}, "amount", "Vul het bedrag in."),
    ({"budget_id": "999999"}, "budget_id", "Kies een budget van de regio van dit traject"),
    ({"budget_id": "abc"}, "budget_id", "Kies een budget van de regio van dit traject"),
    ({"budget_id": ""}, "budget_id", "Kies het budget."),
    ({"provider_id": "0"}, "provider_id", "Kies een opleider uit de lijst."),
    ({"start_on": "31-02-2026"}, "start_on", "Vul een geldige datum in"),
    ({"end_on": date.today().isoformat()}, "end_on", "De einddatum kan niet voor"),
    ({"course_name": " "}, "course_name", "Vul de naam van de opleiding in."),
    ({"motivation": ""}, "motivation", "Vul de motivatie in."),
])
def test_bad_input_is_refused_in_dutch_and_nothing_is_saved(client, login_as, case, budget,
                                                            provider, changes, field, message):
    coach = login_as("coach", "MU")
    case.coach = coach
    before = count(Voucher)
    response = post(client, f"/trajecten/{case.id}/vouchers/nieuw",
                    request_data(budget, provider, **changes))
    assert response.status_code == 400
    assert f'id="{field}-fout"' in html(response)
    assert message in text(response)
    assert "Het formulier is niet opgeslagen." in text(response)
    assert count(Voucher) == before


def test_budget_of_another_region_is_refused(client, login_as, case, budget, provider):
    login_as("coach", "MU")
    other = BudgetFactory(region_code="AM")
    before = count(Voucher)
    response = post(client, f"/trajecten/{case.id}/vouchers/nieuw",
                    request_data(other, provider))
    assert response.status_code == 400
    assert "Kies een budget van de regio van dit traject" in text(response)
    assert count(Voucher) == before


def test_closed_case_gets_no_voucher(client, login_as, budget, provider):
    coach = login_as("coach", "MU")
    closed = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)
    page = client.get(f"/trajecten/{closed.id}/vouchers/nieuw")
    assert "Dit traject is afgesloten" in text(page) and "<form method=\"post\" class" not in html(
        page)
    response = post(client, f"/trajecten/{closed.id}/vouchers/nieuw",
                    request_data(budget, provider))
    assert response.status_code == 409
    assert count(Voucher) == 0 or not db.session.scalar(
        sa.select(Voucher.id).where(Voucher.case_id == closed.id))


def test_request_page_refuses_other_roles_and_regions(client, login_as, case):
    login_as("coordinator", "MU")
    assert client.get(f"/trajecten/{case.id}/vouchers/nieuw").status_code == 403
    login_as("coach", "AM")
    assert client.get(f"/trajecten/{case.id}/vouchers/nieuw").status_code == 404


# --- deciding and later steps ----------------------------------------------------------------


def test_coordinator_approves_from_inbox(client, login_as, make_voucher, budget):
    voucher = make_voucher(amount_cents=2_000_00)
    BudgetFactory(region_code="AM")
    login_as("coordinator", "MU")
    inbox = client.get("/vouchers/te-beoordelen")
    assert inbox.status_code == 200
    assert f"/vouchers/{voucher.id}" in html(inbox)
    assert "€ 10.000,00" in text(inbox)  # remaining on the budget
    page = client.get(f"/vouchers/{voucher.id}")
    assert "Toekennen" in text(page) and "Afwijzen" in text(page)
    response = post(client, f"/vouchers/{voucher.id}/naar/toegekend",
                    {"toegekend-note": "Akkoord"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == S.TOEGEKEND
    assert f"/vouchers/{voucher.id}" not in html(client.get("/vouchers/te-beoordelen"))


def test_refusal_without_note_shows_error_at_the_field(client, login_as, make_voucher):
    voucher = make_voucher()
    login_as("coordinator", "MU")
    response = post(client, f"/vouchers/{voucher.id}/naar/afgewezen", {"afgewezen-note": ""})
    assert response.status_code == 400
    assert 'id="afgewezen-note-fout"' in html(response)
    assert "Geef een toelichting bij deze stap." in text(response)
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == S.AANGEVRAAGD


def test_approval_over_budget_is_409_naming_the_rule(client, login_as, make_voucher):
    for _ in range(4):
        make_voucher(S.TOEGEKEND, amount_cents=2_400_00)
    voucher = make_voucher(amount_cents=1_000_00)
    login_as("coordinator", "MU")
    response = post(client, f"/vouchers/{voucher.id}/naar/toegekend")
    assert response.status_code == 409
    assert "Regel resterend budget" in text(response)
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == S.AANGEVRAAGD


def test_requester_sees_four_eyes_note_and_no_decision(client, make_voucher, coordinator):
    voucher = make_voucher()
    voucher.requested_by.role = "coordinator"
    db.session.flush()
    with client.session_transaction() as session:
        session["_user_id"] = voucher.requested_by.get_id()
    page = client.get(f"/vouchers/{voucher.id}")
    assert "vier-ogenprincipe" in text(page)
    assert "/naar/toegekend" not in html(page)
    response = post(client, f"/vouchers/{voucher.id}/naar/toegekend")
    assert response.status_code == 409
    assert "Regel vier ogen" in text(response)


def test_coach_cannot_decide(client, login_as, make_voucher):
    voucher = make_voucher()
    login_as("coach", "MU")
    assert "/naar/toegekend" not in html(client.get(f"/vouchers/{voucher.id}"))
    assert post(client, f"/vouchers/{voucher.id}/naar/toegekend").status_code == 403


def test_invalid_step_is_409_and_unknown_status_404(client, login_as, make_voucher):
    voucher = make_voucher()
    login_as("coordinator", "MU")
    response = post(client, f"/vouchers/{voucher.id}/naar/betaald")
    assert response.status_code == 409
    assert "Regel statusverloop" in text(response)
    assert post(client, f"/vouchers/{voucher.id}/naar/vernietigd").status_code == 404


def test_declaration_and_payment_with_dutch_amount(client, login_as, make_voucher, budget):
    voucher = make_voucher(S.AFGEBROKEN, amount_cents=2_000_00)
    login_as("coordinator", "MU")
    response = post(client, f"/vouchers/{voucher.id}/naar/gedeclareerd",
                    {"gedeclareerd-invoice_number": "", "gedeclareerd-declared_amount": "x"})
    assert response.status_code == 400
    assert "Vul een bedrag in euro's in" in text(response)
    response = post(client, f"/vouchers/{voucher.id}/naar/gedeclareerd",
                    {"gedeclareerd-invoice_number": ""})
    assert response.status_code == 400
    assert "Vul het factuurnummer van de opleider in." in text(response)
    response = post(client, f"/vouchers/{voucher.id}/naar/gedeclareerd",
                    {"gedeclareerd-invoice_number": "OPL-2026-17",
                     "gedeclareerd-declared_amount": "1.250,50"})
    assert response.status_code == 302
    assert post(client, f"/vouchers/{voucher.id}/naar/betaald").status_code == 302
    figures = service.budget_figures(budget)
    assert (figures.committed, figures.paid) == (125050, 125050)


def test_voucher_page_is_audited_under_the_case(client, login_as, make_voucher, case):
    voucher = make_voucher()
    user = login_as("coach", "MU")
    assert client.get(f"/vouchers/{voucher.id}").status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "voucher.view").order_by(AuditEntry.id.desc()))
    assert (entry.object_type, entry.object_id, entry.user_id) == ("case", str(case.id), user.id)


def test_mine_lists_only_my_candidates(client, make_voucher, case, coach):
    mine = make_voucher()
    colleague_case = CaseFactory(region_code="MU", status=CaseState.PLAN)
    theirs = make_voucher(for_case=colleague_case)
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
    page = html(client.get("/vouchers/mijn"))
    assert f"/vouchers/{mine.id}\"" in page and f"/vouchers/{theirs.id}\"" not in page
    filtered = html(client.get("/vouchers/mijn?status=betaald"))
    assert f"/vouchers/{mine.id}\"" not in filtered
    assert client.get("/vouchers/mijn?status=onzin").status_code == 200


# --- case page section -----------------------------------------------------------------------


def test_case_page_shows_the_vouchers_section(client, make_voucher, case, coach):
    voucher = make_voucher(S.GESTART)
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
    page = client.get(f"/trajecten/{case.id}")
    if page.status_code == 404 and "cases.case_page" not in client.application.view_functions:
        pytest.skip("the case page is not there yet")
    assert page.status_code == 200
    body = text(page)
    assert "Scholingsvouchers" in body and "Voucher aanvragen" in body
    assert f"Voucher {voucher.id}" in body
    assert "Toegekend → Gestart" in body


def test_case_section_query_count_does_not_grow(app, make_voucher, case, coach):
    from flask import render_template_string
    from flask_login import login_user

    template = '{% include "vouchers/_case_section.html" %}'
    counts = []
    for _ in range(2):
        for status in (S.GESTART, S.BETAALD, S.AANGEVRAAGD):
            make_voucher(status)
        db.session.expire_all()
        with app.test_request_context("/"):
            login_user(coach)
            the_case = db.session.get(type(case), case.id)
            with count_statements() as statements:
                section = service.case_section(coach, the_case)
                rendered = render_template_string(template, case=the_case, section=section)
            counts.append(len(statements))
        assert "Scholingsvouchers" in rendered
    assert counts[0] == counts[1], counts
    print(f"\nstatements for the case section: {counts}")
    assert counts[0] <= 6, counts


# --- budgets ---------------------------------------------------------------------------------


def test_budget_page_shows_figures_and_vouchers_behind_them(client, login_as, make_voucher,
                                                            budget):
    paid = make_voucher(S.BETAALD, amount_cents=1_000_00)
    running = make_voucher(S.GESTART, amount_cents=2_000_00)
    waiting = make_voucher(amount_cents=500_00)
    refused = make_voucher(S.AFGEWEZEN, amount_cents=700_00)
    login_as("coordinator", "MU")
    page = client.get(f"/budgetten/{budget.id}")
    body = text(page)
    assert "Vastgelegd: € 3.000,00" in body and "Betaald: € 1.000,00" in body
    assert "Resterend € 7.000,00" in body
    sections = html(page).split('id="betaald"')
    assert f"Voucher {paid.id}<" in sections[0] and f"Voucher {running.id}<" in sections[0]
    assert f"Voucher {waiting.id}<" not in sections[0]
    assert f"Voucher {refused.id}<" in sections[1]


def test_admin_sees_figures_but_no_case_data(client, login_as, make_voucher, budget):
    make_voucher(S.TOEGEKEND)
    login_as("admin")
    page = client.get(f"/budgetten/{budget.id}")
    assert page.status_code == 200
    assert "Vastgelegd" in text(page) and "Lasser" not in text(page)
    assert client.get(f"/budgetten/{budget.id}/vouchers.csv").status_code == 403
    assert client.get("/budgetten").status_code == 200


def test_coordinator_creates_and_edits_a_budget(client, login_as):
    login_as("coordinator", "GV")
    source = db.session.scalar(sa.select(FundingSource).where(FundingSource.name == "ESF"))
    year = date.today().year
    form = {"region_code": "GV", "funding_source_id": str(source.id), "year": str(year),
            "amount": "50.000", "max_per_voucher": "2500,00"}
    response = post(client, "/budgetten/nieuw", {**form, "region_code": "MU"})
    assert response.status_code == 400
    assert "Kies een regio waarvoor u budgetten beheert." in text(response)
    response = post(client, "/budgetten/nieuw", {**form, "max_per_voucher": "60.000"})
    assert response.status_code == 400
    response = post(client, "/budgetten/nieuw", form)
    assert response.status_code == 302
    budget = db.session.scalar(sa.select(Budget).where(Budget.region_code == "GV"))
    assert (budget.amount_cents, budget.max_per_voucher_cents) == (50_000_00, 2_500_00)
    edit = client.get(f"/budgetten/{budget.id}/wijzigen")
    assert f'name="version" type="hidden" value="{budget.version}"' in html(edit)
    response = post(client, f"/budgetten/{budget.id}/wijzigen",
                    {"amount": "40.000,00", "max_per_voucher": "3.000",
                     "version": str(budget.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Budget, budget.id).amount_cents == 40_000_00
    assert db.session.get(Budget, budget.id).version == 2


def test_budget_edit_with_a_stale_version_saves_nothing(client, login_as, budget):
    """Two coordinators opened the form; the second to save gets a 409 and the new figures."""
    login_as("coordinator", "MU")
    opened = budget.version
    service.update_budget(UserFactory(role="coordinator", regions=["MU"]), budget,
                          amount_cents=12_000_00, max_per_voucher_cents=2_500_00,
                          expected_version=opened)
    db.session.flush()
    for version in (str(opened), "", "abc"):
        response = post(client, f"/budgetten/{budget.id}/wijzigen",
                        {"amount": "9.000", "max_per_voucher": "1.000", "version": version})
        assert response.status_code == 409, version
        assert "intussen gewijzigd" in text(response)
        assert 'value="12.000,00"' in html(response)  # the newest amount in the form
        assert f'name="version" type="hidden" value="{opened + 1}"' in html(response)
        db.session.expire_all()
        assert db.session.get(Budget, budget.id).amount_cents == 12_000_00


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"amount": "-5"}, "amount", "Vul een positief bedrag in."),
    ({"amount": "99999999999"}, "amount", "Het bedrag is te groot"),
    ({"amount": "abc"}, "amount", "Vul een bedrag in euro's in"),
    ({"max_per_voucher": "0"}, "max_per_voucher", "Het bedrag moet groter zijn dan € 0,00."),
    ({"max_per_voucher": "60.000"}, "max_per_voucher", "niet hoger zijn dan het budget zelf"),
    ({"funding_source_id": "999999"}, "funding_source_id", "Kies een actieve financier"),
    ({"funding_source_id": "x"}, "funding_source_id", "Kies een actieve financier"),
    ({"region_code": "AM"}, "region_code", "Kies een regio waarvoor u budgetten beheert."),
    ({"year": "1999"}, "year", "Kies een jaar van"),
])
def test_bad_budget_input_is_refused_in_dutch_and_nothing_saved(client, login_as, changes,
                                                                 field, message):
    login_as("coordinator", "GV")
    source = db.session.scalar(sa.select(FundingSource).where(FundingSource.name == "ESF"))
    form = {"region_code": "GV", "funding_source_id": str(source.id),
            "year": str(date.today().year), "amount": "50.000", "max_per_voucher": "2.500"}
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Budget))
    response = post(client, "/budgetten/nieuw", {**form, **changes})
    assert response.status_code == 400
    assert f'id="{field}-fout"' in html(response)
    assert message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Budget)) == before


def test_budget_edit_refuses_below_committed(client, login_as, make_voucher, budget):
    make_voucher(S.TOEGEKEND, amount_cents=2_000_00)
    login_as("coordinator", "MU")
    response = post(client, f"/budgetten/{budget.id}/wijzigen",
                    {"amount": "1.999,99", "max_per_voucher": "1.000",
                     "version": str(budget.version)})
    assert response.status_code == 409
    assert "Regel budget" in text(response)


def test_coach_cannot_create_or_edit_budgets(client, login_as, budget):
    login_as("coach", "MU")
    assert client.get("/budgetten/nieuw").status_code == 403
    assert client.get(f"/budgetten/{budget.id}/wijzigen").status_code == 403
    assert client.get(f"/budgetten/{budget.id}").status_code == 200


def test_csv_export(client, login_as, make_voucher, budget):
    voucher = make_voucher(S.BETAALD, amount_cents=1_250_50)
    make_voucher(amount_cents=100_00)
    login_as("coordinator", "MU")
    response = client.get(f"/budgetten/{budget.id}/vouchers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.get_data(as_text=True)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Voucher", "Traject", "Regio"]
    assert "Bedrag (€)" in rows[0] and "Betaald op" in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Voucher"] == str(voucher.id) and first["Bedrag (€)"] == "1250,50"
    assert first["Status"] == "Betaald" and first["Telt mee als vastgelegd"] == "ja"
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", first["Betaald op"])
    assert len(rows) == 3


def test_xlsx_export_has_number_and_date_cells(client, login_as, make_voucher, budget):
    voucher = make_voucher(S.GEDECLAREERD, amount_cents=1_250_50, declared_amount_cents=1_000_00)
    login_as("coordinator", "MU")
    response = client.get(f"/budgetten/{budget.id}/vouchers.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Vouchers"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, [cell for cell in sheet[2]], strict=True))
    assert row["Voucher"].value == voucher.id
    assert Decimal(str(row["Bedrag (€)"].value)) == Decimal("1250.50")
    assert row["Bedrag (€)"].number_format == "€ #,##0.00"
    assert Decimal(str(row["Gedeclareerd (€)"].value)) == Decimal("1000")
    assert isinstance(row["Startdatum"].value, datetime)
    assert row["Startdatum"].number_format == "DD-MM-YYYY"
    summary = {r[0].value: r[1].value for r in workbook["Budget"].iter_rows()}
    assert Decimal(str(summary["Vastgelegd (€)"])) == Decimal("1000")


@pytest.mark.parametrize("course", ['=HYPERLINK("http://x","klik")', "+31 SUM(A1)", "-2+3",
                                    "@SUM(A1:A2)", "  =1+1", "\t=1+1"])
def test_exports_neutralise_formulas(client, login_as, make_voucher, budget, course):
    voucher = make_voucher()
    voucher.course_name = course
    voucher.provider.name = "=cmd|' /C calc'!A0"
    db.session.flush()
    login_as("coordinator", "MU")
    content = client.get(f"/budgetten/{budget.id}/vouchers.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Opleiding"] == "'" + course
    assert row["Opleider"] == "'=cmd|' /C calc'!A0"
    assert row["Bedrag (€)"] == "1000,00"  # numbers stay numbers
    workbook = load_workbook(io.BytesIO(client.get(
        f"/budgetten/{budget.id}/vouchers.xlsx").get_data()))
    sheet = workbook["Vouchers"]
    headers = [cell.value for cell in sheet[1]]
    cells = dict(zip(headers, sheet[2], strict=True))
    for header, value in (("Opleiding", course), ("Opleider", "=cmd|' /C calc'!A0")):
        assert cells[header].data_type == "s" and cells[header].value == value
    assert cells["Bedrag (€)"].data_type == "n"
    assert isinstance(cells["Aangevraagd op"].value, datetime)


# --- reference data --------------------------------------------------------------------------


def test_admin_manages_providers(client, login_as):
    login_as("admin")
    assert client.get("/beheer/opleiders").status_code == 200
    data = {"name": "Vakschool Eemland", "kvk_number": "1234 5678",
            "contact_name": "Els", "contact_email": "els@vakschool.example",
            "contact_phone": "033 123 45 67", "active": "y"}
    response = post(client, "/beheer/opleiders/nieuw", data)
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(TrainingProvider).where(
        TrainingProvider.kvk_number == "12345678"))
    assert provider.contact_phone == "0331234567"
    response = post(client, "/beheer/opleiders/nieuw", {**data, "name": "Ander"})
    assert response.status_code == 400
    assert "Er is al een opleider met KvK-nummer 12345678" in text(response)
    for kvk in ("1234567", "123456789", "abcdefgh"):
        response = post(client, "/beheer/opleiders/nieuw", {**data, "kvk_number": kvk})
        assert response.status_code == 400
        assert "Vul een KvK-nummer van 8 cijfers in" in text(response)
    response = post(client, f"/beheer/opleiders/{provider.id}",
                    {**data, "active": "", "version": str(provider.version)})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(TrainingProvider, provider.id).active
    # A second editor who opened the form before that change is refused: nothing is saved.
    response = post(client, f"/beheer/opleiders/{provider.id}",
                    {**data, "name": "Te laat", "version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft deze opleider intussen gewijzigd" in text(response)
    db.session.expire_all()
    assert db.session.get(TrainingProvider, provider.id).name == "Vakschool Eemland"


def test_admin_manages_funding_sources(client, login_as):
    login_as("admin")
    page = client.get("/beheer/financiers")
    for name in ("RMT-budget", "Gemeente", "O&amp;O-fonds", "ESF"):
        assert name in html(page)
    assert post(client, "/beheer/financiers/nieuw", {"name": "Provincie Utrecht",
                                                     "active": "y"}).status_code == 302
    response = post(client, "/beheer/financiers/nieuw", {"name": "esf", "active": "y"})
    assert response.status_code == 400
    assert "Er is al een financier met deze naam." in text(response)
    source = db.session.scalar(sa.select(FundingSource).where(
        FundingSource.name == "Provincie Utrecht"))
    url = f"/beheer/financiers/{source.id}"
    assert f'name="version" type="hidden" value="{source.version}"' in html(client.get(url))
    assert post(client, url, {"name": "Provincie Utrecht (POP)", "active": "y",
                              "version": str(source.version)}).status_code == 302
    response = post(client, url, {"name": "Oud", "active": "y", "version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft deze financier intussen gewijzigd" in text(response)
    db.session.expire_all()
    assert db.session.get(FundingSource, source.id).name == "Provincie Utrecht (POP)"


@pytest.mark.parametrize("role", ["coach", "coordinator", "liaison"])
def test_reference_data_is_admin_only(client, login_as, role):
    login_as(role, "MU")
    for url in ("/beheer/opleiders", "/beheer/opleiders/nieuw", "/beheer/financiers"):
        assert client.get(url).status_code == 403


# --- navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "present", "absent"), [
    ("coach", ["Mijn vouchers"], ["Voucheraanvragen", "Budgetten", "Opleiders"]),
    ("coordinator", ["Voucheraanvragen", "Budgetten"], ["Mijn vouchers", "Opleiders"]),
    ("admin", ["Budgetten", "Opleiders", "Financiers"], ["Mijn vouchers", "Voucheraanvragen"]),
    ("liaison", [], ["Mijn vouchers", "Voucheraanvragen", "Budgetten", "Opleiders"]),
])
def test_navigation_per_role(client, login_as, role, present, absent):
    login_as(role, *([] if role == "admin" else ["MU"]))
    nav = html(client.get("/")).split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]
    for label in present:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav


def test_provider_factory_kvk_is_valid():
    assert re.fullmatch(r"\d{8}", TrainingProviderFactory().kvk_number)
    assert UserFactory(role="coach").role == "coach"
