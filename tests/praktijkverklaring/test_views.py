"""The HTML pages: request to certificate, the register with exports, reference data, refusals."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import MboSchool, PvTrajectory, Qualification
from rmt.praktijkverklaring.views import pv_long_date
from rmt.process import CaseState
from tests.factories import CaseFactory
from tests.helpers import count, html, post
from tests.praktijkverklaring.conftest import walk
from tests.praktijkverklaring.factories import make_employer


def fresh(trajectory: PvTrajectory) -> PvTrajectory:
    db.session.expire_all()
    return db.session.get(PvTrajectory, trajectory.id)


@pytest.fixture
def signed_in_coach(client, coach):
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
        session["_fresh"] = True
    return coach


# --- the whole flow ----------------------------------------------------------------------------


def test_request_to_certificate(client, signed_in_coach, case, school, qualification,
                                leerbedrijf):
    new_url = f"/trajecten/{case.id}/praktijkverklaring/nieuw"
    page = client.get(new_url)
    assert page.status_code == 200
    assert leerbedrijf.name in html(page) and "25PZ" in html(page)

    response = post(client, new_url, {"school_id": school.id, "qualification_id": qualification.id,
                                      "employer_id": leerbedrijf.id,
                                      "praktijkopleider": "Karin Verhoef",
                                      "planned_start": "2026-01-05", "planned_end": "2026-06-30"})
    assert response.status_code == 302
    trajectory = db.session.scalar(sa.select(PvTrajectory).where(PvTrajectory.case_id == case.id))
    assert response.headers["Location"].endswith(f"/praktijkverklaringen/{trajectory.id}"
                                                 "/werkprocessen")
    base = f"/praktijkverklaringen/{trajectory.id}"
    ids = [wp.id for wp in qualification.work_processes]
    assert post(client, f"{base}/werkprocessen",
                {"work_processes": ids, "version": trajectory.version}).status_code == 302

    def step(to: str):
        current = fresh(trajectory)
        response = post(client, f"{base}/stap", {"stap-to": to, "stap-version": current.version})
        assert response.status_code == 302, html(response)
        return fresh(trajectory)

    for to in ("werkprocessen_vastgesteld", "overeenkomst_getekend", "in_leren"):
        step(to)
    page = html(client.get(base))
    assert "Beoordelen" in page and "Beoordeling afronden</strong> kan nog niet" in page
    for number, wp in enumerate(fresh(trajectory).work_processes):
        result = "aangetoond" if number < 2 else "nog_niet_aangetoond"
        response = post(client, f"{base}/werkprocessen/{wp.id}",
                        {"result": result, "assessed_on": "2026-03-02",
                         "assessor_name": "Karin Verhoef", "version": fresh(trajectory).version})
        assert response.status_code == 302, html(response)
    step("beoordeeld")
    step("vastgesteld")
    issued = step("uitgereikt")
    year = clock.today().year
    assert issued.register_number == f"PV-MU-{year}-0001"

    certificate = client.get(f"{base}/verklaring")
    text = html(certificate)
    assert certificate.status_code == 200
    assert "css/print-certificate.css" in text
    for expected in ("Praktijkverklaring", f"PV-MU-{year}-0001", case.candidate.full_name,
                     "ROC Midden Nederland", "BRIN 25PZ", "Logistiek medewerker", "crebo 25409",
                     "B1-K1-W1", "B1-K1-W2", leerbedrijf.name, "100200300", "Karin Verhoef"):
        assert expected in text, expected
    assert "B1-K1-W3" not in text  # not shown in practice: not on the certificate
    assert f"Datum van uitreiking</dt><dd>{pv_long_date(issued.issued_on)}</dd>" in text
    assert pv_long_date(date(2026, 3, 9)) == "9 maart 2026"  # written out, in Dutch
    assert 'class="rmt-no-print"' in text

    case_page = html(client.get(f"/trajecten/{case.id}"))
    assert f"PV-MU-{year}-0001" in case_page and "Praktijkverklaring" in case_page
    assert "Praktijkverklaring Logistiek medewerker: Vastgesteld door de school → Uitgereikt" \
        in case_page  # the case timeline


def test_invalid_request_form_is_400_and_saves_nothing(client, signed_in_coach, case, school,
                                                       qualification):
    url = f"/trajecten/{case.id}/praktijkverklaring/nieuw"
    for data in ({}, {"school_id": "abc", "qualification_id": qualification.id},
                 {"school_id": school.id, "qualification_id": "99999999999"},
                 {"school_id": school.id, "qualification_id": qualification.id,
                  "planned_start": "31-02-2026"},
                 {"school_id": school.id, "qualification_id": qualification.id,
                  "planned_start": "2026-05-01", "planned_end": "2026-04-01"},
                 {"school_id": school.id, "qualification_id": qualification.id,
                  "praktijkopleider": "x" * 5000}):
        response = post(client, url, data)
        assert response.status_code == 400, data
        assert "Het formulier is niet opgeslagen." in html(response)
    assert count(PvTrajectory) == 0


def test_employer_without_sbb_is_refused_at_the_field(client, signed_in_coach, case, school,
                                                      qualification):
    unrecognised = make_employer(sbb_number=None, name="Bakkerij Zonder Erkenning")
    url = f"/trajecten/{case.id}/praktijkverklaring/nieuw"
    assert "Bakkerij Zonder Erkenning" not in html(client.get(url))
    response = post(client, url, {"school_id": school.id, "qualification_id": qualification.id,
                                  "employer_id": unrecognised.id})
    assert response.status_code == 400
    assert count(PvTrajectory) == 0


def test_guard_refusal_and_stale_version(client, signed_in_coach, case, make_trajectory):
    trajectory = walk(signed_in_coach, make_trajectory(case, signed_in_coach), PvStatus.IN_LEREN)
    base = f"/praktijkverklaringen/{trajectory.id}"
    response = post(client, f"{base}/stap", {"stap-to": "beoordeeld",
                                             "stap-version": trajectory.version})
    assert response.status_code == 400
    assert "Beoordeel eerst alle gekozen werkprocessen." in html(response)
    response = post(client, f"{base}/stap", {"stap-to": "uitgereikt",
                                             "stap-version": trajectory.version})
    assert response.status_code == 409
    response = post(client, f"{base}/stap", {"stap-to": "in_leren", "stap-version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft dit traject intussen gewijzigd" in html(response)
    response = post(client, f"{base}/stap", {"afbreken-to": "afgebroken", "afbreken-reason": "",
                                             "afbreken-version": trajectory.version})
    assert response.status_code == 400
    assert "Geef een reden" in html(response)
    assert fresh(trajectory).status == PvStatus.IN_LEREN
    for bad in ({"stap-to": "onzin", "stap-version": "x"}, {}, {"stap-to": "uitgereikt"}):
        assert post(client, f"{base}/stap", bad).status_code == 400


def test_assessment_form_errors(client, signed_in_coach, case, make_trajectory):
    trajectory = walk(signed_in_coach, make_trajectory(case, signed_in_coach), PvStatus.IN_LEREN)
    wp = trajectory.work_processes[0]
    url = f"/praktijkverklaringen/{trajectory.id}/werkprocessen/{wp.id}"
    assert client.get(url).status_code == 200
    for data in ({"result": "", "assessed_on": "", "assessor_name": ""},
                 {"result": "misschien", "assessed_on": "2026-01-01", "assessor_name": "X"},
                 {"result": "aangetoond", "assessed_on": "2999-01-01", "assessor_name": "X"}):
        response = post(client, url, {**data, "version": trajectory.version})
        assert response.status_code == 400, data
    assert fresh(trajectory).work_processes[0].result is None
    other = walk(signed_in_coach, make_trajectory(
        CaseFactory(region_code="MU", coach=signed_in_coach, status=CaseState.PLAN),
        signed_in_coach), PvStatus.IN_LEREN)
    assert client.get(f"/praktijkverklaringen/{trajectory.id}/werkprocessen/"
                      f"{other.work_processes[0].id}").status_code == 404


def test_choosing_nothing_or_unknown_work_processes(client, signed_in_coach, case,
                                                     make_trajectory):
    trajectory = make_trajectory(case, signed_in_coach, choose=False)
    url = f"/praktijkverklaringen/{trajectory.id}/werkprocessen"
    assert client.get(url).status_code == 200
    for choice in ([], ["abc"], [999_999], ["-1"]):
        response = post(client, url, {"work_processes": choice, "version": trajectory.version})
        assert response.status_code == 400, choice
    assert fresh(trajectory).work_processes == []


def test_coordinator_reads_but_does_not_change(client, login_as, case, make_trajectory, coach):
    trajectory = make_trajectory(case, coach)
    login_as("coordinator", "MU")
    base = f"/praktijkverklaringen/{trajectory.id}"
    page = client.get(base)
    assert page.status_code == 200 and "Volgende stap" not in html(page)
    assert client.get(f"{base}/gegevens").status_code == 403
    assert client.get(f"/trajecten/{case.id}/praktijkverklaring/nieuw").status_code == 403
    assert post(client, f"{base}/stap", {"stap-to": "werkprocessen_vastgesteld",
                                         "stap-version": trajectory.version}).status_code == 403


def test_pages_are_audited_as_case_reads(client, signed_in_coach, case, make_trajectory):
    trajectory = walk(signed_in_coach, make_trajectory(case, signed_in_coach), PvStatus.UITGEREIKT)
    client.get(f"/praktijkverklaringen/{trajectory.id}")
    client.get(f"/praktijkverklaringen/{trajectory.id}/verklaring")
    summaries = db.session.scalars(
        sa.select(AuditEntry.summary).where(AuditEntry.action == "pv.view",
                                            AuditEntry.object_id == str(case.id))).all()
    assert len(summaries) == 2 and "verklaring PV-MU-" in summaries[1]


def test_certificate_only_when_issued(client, signed_in_coach, case, make_trajectory):
    trajectory = make_trajectory(case, signed_in_coach)
    assert client.get(f"/praktijkverklaringen/{trajectory.id}/verklaring").status_code == 404


# --- register and exports ----------------------------------------------------------------------


@pytest.fixture
def issued_two(coach, make_trajectory):
    first = walk(coach, make_trajectory(CaseFactory(region_code="MU", coach=coach,
                                                    status=CaseState.UITVOERING), coach),
                 PvStatus.UITGEREIKT, results=(AssessmentResult.AANGETOOND,))
    second_case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)
    second_case.candidate.first_name = "=HYPERLINK(\"http://x\")"
    second = walk(coach, make_trajectory(second_case, coach), PvStatus.UITGEREIKT)
    return first, second


def test_register_is_region_scoped(client, login_as, issued_two):
    login_as("coordinator", "MU")
    page = client.get("/praktijkverklaringen")
    text = html(page)
    year = clock.today().year
    assert page.status_code == 200
    assert f"PV-MU-{year}-0001" in text and f"PV-MU-{year}-0002" in text
    assert "Praktijkverklaringen per status" in text
    assert client.get("/praktijkverklaringen?regio=AM").status_code == 404
    assert client.get("/praktijkverklaringen/register.csv?regio=AM").status_code == 404
    assert client.get("/praktijkverklaringen?jaar=abc").status_code == 200


def test_register_of_another_region_is_empty_for_its_coordinator(client, login_as, issued_two):
    login_as("coordinator", "AM")
    text = html(client.get("/praktijkverklaringen"))
    assert "PV-MU-" not in text and "Nog geen praktijkverklaringen uitgereikt" in text
    assert client.get("/praktijkverklaringen?regio=MU").status_code == 404


def test_csv_export(client, login_as, issued_two):
    login_as("coordinator", "MU")
    response = client.get(f"/praktijkverklaringen/register.csv?regio=MU&jaar="
                          f"{clock.today().year}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(html(response).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Registernummer", "Datum uitreiking", "Kandidaat"]
    assert [r[0] for r in rows[1:]] == [f"PV-MU-{clock.today().year}-0001",
                                        f"PV-MU-{clock.today().year}-0002"]
    assert rows[2][2].startswith("'")  # a name that looks like a formula stays text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "pv.register_export")) == 1


def test_xlsx_export(client, login_as, issued_two):
    login_as("coach", "MU")
    response = client.get("/praktijkverklaringen/register.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Registernummer" and len(values) == 3
    assert isinstance(values[1][1], (date,)) or values[1][1].date()
    assert sheet.cell(row=3, column=3).data_type == "s"  # never a formula


@pytest.mark.parametrize("role", ["liaison", "admin"])
def test_register_is_not_for_liaisons_and_admins(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/praktijkverklaringen").status_code == 403


# --- reference data ----------------------------------------------------------------------------


def test_admin_manages_reference_data(client, login_as):
    login_as("admin")
    assert client.get("/beheer/mbo-scholen").status_code == 200
    response = post(client, "/beheer/mbo-scholen/nieuw", {"name": "MBO Amersfoort",
                                                          "brin": "25 LH 1"})
    assert response.status_code == 400 and "BRIN" in html(response)
    assert count(MboSchool) == 0
    assert post(client, "/beheer/mbo-scholen/nieuw", {"name": "MBO Amersfoort", "brin": "25lh",
                                                      "active": "y"}).status_code == 302
    school = db.session.scalar(sa.select(MboSchool))
    assert school.brin == "25LH"
    assert post(client, f"/beheer/mbo-scholen/{school.id}", {"name": "MBO Amersfoort",
                                                             "brin": "25LH"}).status_code == 302
    assert db.session.scalar(sa.select(MboSchool.active)) is False

    response = post(client, "/beheer/kwalificaties/nieuw", {"crebo": "2540", "name": "X",
                                                            "level": "2"})
    assert response.status_code == 400 and "vijf cijfers" in html(response)
    response = post(client, "/beheer/kwalificaties/nieuw", {"crebo": "25409", "level": "2",
                                                            "name": "Logistiek medewerker",
                                                            "dossier_name": "Logistiek",
                                                            "active": "y"})
    assert response.status_code == 302
    qualification = db.session.scalar(sa.select(Qualification))
    assert client.get(response.headers["Location"]).status_code == 200
    url = f"/beheer/kwalificaties/{qualification.id}/werkprocessen"
    assert post(client, url, {"werkproces-code": "B1K1W1", "werkproces-name": "X"}
                ).status_code == 400
    assert post(client, url, {"werkproces-code": "b1-k1-w1", "werkproces-name": "Ontvangt",
                              "werkproces-active": "y"}).status_code == 302
    wp = qualification.work_processes[0]
    assert wp.code == "B1-K1-W1"
    assert client.get(f"{url}/{wp.id}").status_code == 200
    assert post(client, f"{url}/{wp.id}", {"werkproces-code": "B1-K1-W1",
                                           "werkproces-name": "Neemt goederen in ontvangst"}
                ).status_code == 302
    assert client.get(f"/beheer/kwalificaties/{qualification.id + 1}").status_code == 404


@pytest.mark.parametrize("role", ["coach", "coordinator", "liaison"])
def test_reference_data_is_admin_only(client, login_as, role):
    login_as(role, "MU")
    for url in ("/beheer/mbo-scholen", "/beheer/kwalificaties", "/beheer/mbo-scholen/nieuw"):
        assert client.get(url).status_code == 403


# --- pages that cannot be used now (query counts: test_queries.py) -------------------------


def test_pages_that_cannot_be_used_now_send_back(client, signed_in_coach, case,
                                                 make_trajectory):
    trajectory = walk(signed_in_coach, make_trajectory(case, signed_in_coach), PvStatus.UITGEREIKT)
    base = f"/praktijkverklaringen/{trajectory.id}"
    for url in (f"{base}/gegevens", f"{base}/werkprocessen",
                f"{base}/werkprocessen/{trajectory.work_processes[0].id}"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == base, url
    response = post(client, f"{base}/gegevens", {"school_id": trajectory.school_id,
                                                 "qualification_id": trajectory.qualification_id,
                                                 "version": trajectory.version})
    assert response.status_code == 409


def test_form_pages_are_audited_as_case_reads(client, signed_in_coach, case, make_trajectory):
    requested = make_trajectory(case, signed_in_coach)
    base = f"/praktijkverklaringen/{requested.id}"
    assert client.get(f"{base}/gegevens").status_code == 200
    assert client.get(f"{base}/werkprocessen").status_code == 200
    walk(signed_in_coach, requested, PvStatus.IN_LEREN)
    db.session.commit()
    assert client.get(f"{base}/werkprocessen/{requested.work_processes[0].id}"
                      ).status_code == 200
    other_case = CaseFactory(region_code="MU", coach=signed_in_coach,
                             status=CaseState.UITVOERING)
    db.session.commit()
    assert client.get(f"/trajecten/{other_case.id}/praktijkverklaring/nieuw").status_code == 200
    rows = db.session.execute(sa.select(AuditEntry.object_id, AuditEntry.summary).where(
        AuditEntry.action == "pv.view").order_by(AuditEntry.id)).all()
    assert rows == [
        (str(case.id), f"praktijkverklaring {requested.id}: formulier gegevens geopend"),
        (str(case.id), f"praktijkverklaring {requested.id}: formulier werkprocessen kiezen "
                       "geopend"),
        (str(case.id), f"praktijkverklaring {requested.id}: formulier beoordeling B1-K1-W1 "
                       "geopend"),
        (str(other_case.id), "praktijkverklaring aanvragen: formulier geopend"),
    ]
