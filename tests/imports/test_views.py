"""The web flow: upload → mapping → dry run → import → result; templates; limits; scoping."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from rmt.auth.models import Role
from rmt.cases.models import Case
from rmt.extensions import db
from rmt.imports.models import ImportMapping, ImportRun
from tests.factories import UserFactory
from tests.helpers import count, html, text
from tests.imports.conftest import candidate_row, make_csv, make_xlsx
from tests.imports.test_files import zip_bomb

TOKEN_RE = re.compile(r"/importeren/([A-Za-z0-9_-]+)/koppeling")


def upload(client, data: bytes, name: str = "lijst.csv", kind: str = "candidates",
           region: str = "MU"):
    token = client.csrf_token("/importeren")
    return client.post("/importeren", data={"csrf_token": token, "kind": kind,
                                            "region": region,
                                            "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def mapping_form(client, token: str, **extra) -> dict:
    page = html(client.get(f"/importeren/{token}/koppeling"))
    fields = {}
    for select in re.finditer(r'<select[^>]*name="(kolom-[a-z_]+)"[^>]*>(.*?)</select>', page,
                              re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(2))
        fields[select.group(1)] = chosen.group(1) if chosen else ""
    fields["csrf_token"] = client.csrf_token(f"/importeren/{token}/koppeling")
    fields.update(extra)
    return fields


def test_whole_flow(client, login_as) -> None:
    coach = login_as("coach", "MU")
    assert "Importeren" in html(client.get("/"))
    data = make_xlsx([candidate_row(1, coach.email), candidate_row(2, coach.email)])
    response = upload(client, data, "lijst.xlsx")
    assert response.status_code == 302
    token = TOKEN_RE.search(response.headers["Location"]).group(1)
    page = client.get(f"/importeren/{token}/koppeling")
    assert page.status_code == 200 and 'for="kolom-first_name"' in html(page)
    checked = client.post(f"/importeren/{token}/koppeling",
                          data=mapping_form(client, token, bewaren="1"))
    assert checked.status_code == 200, text(checked)
    assert "Proefimport" in text(checked) and "Nieuw: 2" in text(checked)
    assert count(Case) == 0
    assert db.session.scalar(sa.select(ImportMapping.region_code)) == "MU"
    done = client.post(f"/importeren/{token}/uitvoeren",
                       data={"csrf_token": client.csrf_token("/importeren")})
    assert done.status_code == 302
    assert count(Case) == 2
    run = db.session.scalar(sa.select(ImportRun))
    result = client.get(done.headers["Location"])
    assert result.status_code == 200 and run.sha256 in html(result)
    assert "Import uitgevoerd" in text(result)


def test_errors_shown_with_downloadable_report(client, login_as) -> None:
    coach = login_as("coach", "MU")
    data = make_csv([candidate_row(1, coach.email, Geboortedatum="31-02-1990")])
    token = TOKEN_RE.search(upload(client, data).headers["Location"]).group(1)
    checked = client.post(f"/importeren/{token}/koppeling", data=mapping_form(client, token))
    assert checked.status_code == 422
    assert "Geboortedatum" in text(checked) and "Importeren</button>" not in html(checked)
    report = client.get(f"/importeren/{token}/fouten.csv")
    assert report.mimetype == "text/csv"
    assert "2;Geboortedatum;Vul een geldige datum in" in report.get_data(as_text=True)
    # importing anyway writes nothing
    refused = client.post(f"/importeren/{token}/uitvoeren",
                          data={"csrf_token": client.csrf_token("/importeren")})
    assert refused.status_code == 422 and count(Case) == 0


def test_upload_errors_at_their_fields(client, login_as) -> None:
    login_as("coach", "MU")
    response = upload(client, b"%PDF-1.4", "scan.pdf", kind="", region="AM")
    page = text(response)
    assert response.status_code == 400
    assert "Kies wat u wilt importeren" in page and "eigen regio" in page
    assert "Kies een Excel-bestand" in page
    assert upload(client, zip_bomb(), "bom.xlsx").status_code == 400


def test_large_upload_allowed_only_on_the_import_route(client, login_as, app) -> None:
    coach = login_as("coach", "MU")
    rows = [candidate_row(n, coach.email) for n in range(1, 2)]
    data = make_csv(rows) + b"\r\n" * (2 * 1024 * 1024)  # 2 MB: over the app's 1 MB
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    assert upload(client, data).status_code == 302
    token = client.csrf_token("/")
    elsewhere = client.post("/trajecten/nieuw", data={"csrf_token": token, "x": "y" * len(data)})
    assert elsewhere.status_code == 413


def test_over_the_import_limit_is_413(client, login_as, app) -> None:
    login_as("coach", "MU")
    old = app.config["RMT_IMPORT_MAX_BYTES"]
    app.config["RMT_IMPORT_MAX_BYTES"] = 1000
    try:
        # More than the limit plus the room for the multipart envelope (64 KiB).
        assert upload(client, b"x;y\n" + b"a;b\n" * 20_000).status_code == 413
    finally:
        app.config["RMT_IMPORT_MAX_BYTES"] = old


def test_templates_download(client, login_as) -> None:
    login_as("coordinator", "MU")
    csv_template = client.get("/importeren/sjabloon/candidates.csv")
    assert csv_template.get_data(as_text=True).startswith("\ufeffKenmerk;Voornaam;")
    xlsx = client.get("/importeren/sjabloon/employers.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("KvK-nummer", "Naam")
    assert client.get("/importeren/sjabloon/onbekend.csv").status_code == 404
    assert client.get("/importeren/sjabloon/candidates.pdf").status_code == 404


def test_someone_elses_upload_is_404(client, login_as) -> None:
    coach = login_as("coach", "MU")
    token = TOKEN_RE.search(upload(client, make_csv([candidate_row(1, coach.email)]))
                            .headers["Location"]).group(1)
    login_as("coach", "MU")
    assert client.get(f"/importeren/{token}/koppeling").status_code == 404
    assert client.get(f"/importeren/{token}/fouten.csv").status_code == 404
    assert client.get("/importeren/../../etc/koppeling").status_code == 404


def test_run_page_is_region_scoped(client, login_as) -> None:
    owner = UserFactory(role=Role.COACH, regions=["MU"])
    run = ImportRun(region_code="MU", kind="candidates", user_id=owner.id, filename="a.csv",
                    sha256="0" * 64, mapping={})
    db.session.add(run)
    db.session.flush()
    login_as("coordinator", "AM")
    assert client.get(f"/importeren/runs/{run.id}").status_code == 404
    login_as("coordinator", "MU")
    assert client.get(f"/importeren/runs/{run.id}").status_code == 200
    assert f"Import {run.id}" in html(client.get("/importeren"))
    login_as("coach", "MU")  # another coach of the region: not their import
    assert client.get(f"/importeren/runs/{run.id}").status_code == 404
    login_as("admin")
    assert client.get(f"/importeren/runs/{run.id}").status_code == 200
    assert client.get("/importeren/runs/999999").status_code == 404


def test_roles(client, login_as) -> None:
    assert client.get("/importeren").status_code == 302  # sign in first
    login_as("coach", "MU", active=True)
    assert client.get("/importeren").status_code == 200


def test_update_checkbox(client, login_as) -> None:
    coach = login_as("coach", "MU")
    token = TOKEN_RE.search(upload(client, make_csv([candidate_row(1, coach.email)]))
                            .headers["Location"]).group(1)
    client.post(f"/importeren/{token}/koppeling", data=mapping_form(client, token))
    client.post(f"/importeren/{token}/uitvoeren",
                data={"csrf_token": client.csrf_token("/importeren")})
    changed = make_csv([candidate_row(1, coach.email, Postcode="3512CD")])
    token = TOKEN_RE.search(upload(client, changed).headers["Location"]).group(1)
    assert 'id="bijwerken"' in html(client.get(f"/importeren/{token}/koppeling"))
    checked = client.post(f"/importeren/{token}/koppeling",
                          data=mapping_form(client, token, bijwerken="1"))
    assert "Bijgewerkt: 1" in text(checked)
    done = client.post(f"/importeren/{token}/uitvoeren",
                       data={"csrf_token": client.csrf_token("/importeren")})
    assert done.status_code == 302 and count(Case) == 1
