"""PDFs made on the server with WeasyPrint: each is turned into PNG pages (pdftoppm) and its
text read (pdftotext); A4, page count and the key fields. Another region is 404."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from weasyprint.urls import URLFetcher

from rmt import pdf
from rmt.audit.models import AuditEntry
from rmt.extensions import db
from rmt.vouchers.lifecycle import VoucherStatus
from tests import helpers
from tests.factories import CaseFactory
from tests.privacy.support import module_records, rich_case

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                                reason="poppler-utils (pdftoppm, pdftotext) not installed")

A4_AT_72_DPI = (595, 842)


def _inspect(tmp_path, response) -> tuple[int, str]:
    """(number of pages, text) of a PDF answer; every page must be an A4 PNG."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF-")
    source = tmp_path / "out.pdf"
    source.write_bytes(response.data)
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(source), str(tmp_path / "page")],
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    for page in pages:
        header = page.read_bytes()[:24]
        size = (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big"))
        assert all(abs(a - b) <= 1 for a, b in zip(size, A4_AT_72_DPI, strict=True)), size
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout
    return len(pages), " ".join(text.split())


@pytest.fixture
def dossier():
    case = rich_case("MU", closed_months_ago=None)
    return case, module_records(case)


def test_trajectplan_for_signature(client, login_as, tmp_path, dossier):
    case, _ = dossier
    login_as("coach", "MU")
    pages, text = _inspect(tmp_path, client.get(f"/trajecten/{case.id}/trajectplan.pdf"))
    assert pages == 1
    assert "Trajectplan" in text and "Jan Jansen" in text
    assert "Heftruckcertificaat halen" in text and "Cursus heftruck bij ROC" in text
    assert "Datum en handtekening" in text and "Pagina 1 van 1" in text
    assert helpers.count(AuditEntry, AuditEntry.summary == "trajectplan als PDF") == 1


def test_praktijkverklaring_certificate(client, login_as, tmp_path, dossier):
    _, records = dossier
    trajectory = records["trajectory"]
    login_as("coach", "MU")
    page = helpers.html(client.get(f"/praktijkverklaringen/{trajectory.id}/verklaring"))
    assert f"/praktijkverklaringen/{trajectory.id}/verklaring.pdf" in page
    pages, text = _inspect(tmp_path,
                           client.get(f"/praktijkverklaringen/{trajectory.id}/verklaring.pdf"))
    assert pages == 1
    assert "Praktijkverklaring" in text and trajectory.register_number in text
    assert "Jan Jansen" in text and "Datum van uitreiking" in text


def test_voucher_decision_letter(client, login_as, tmp_path, dossier):
    _, records = dossier
    voucher = records["voucher"]
    coordinator = login_as("coordinator", "MU")
    voucher.decided_at = voucher.decided_at or voucher.requested_at
    voucher.decided_by_id = voucher.decided_by_id or coordinator.id
    db.session.flush()
    pages, text = _inspect(tmp_path, client.get(f"/vouchers/{voucher.id}/besluit.pdf"))
    assert pages == 1
    assert "Besluit op uw aanvraag" in text and "Jan Jansen" in text
    assert voucher.course_name in text
    expected = "afgewezen" if voucher.status == VoucherStatus.AFGEWEZEN else "toegekend"
    assert expected in text


def test_no_decision_letter_before_the_decision(client, login_as, dossier):
    _, records = dossier
    voucher = records["voucher"]
    voucher.status, voucher.decided_at = VoucherStatus.AANGEVRAAGD, None
    db.session.flush()
    login_as("coordinator", "MU")
    assert client.get(f"/vouchers/{voucher.id}/besluit.pdf").status_code == 404


def test_work_profile_only_with_consent(client, login_as, tmp_path, dossier):
    case, _ = dossier
    login_as("liaison", "MU")
    pages, text = _inspect(tmp_path, client.get(f"/kandidaten/{case.id}/werkprofiel.pdf"))
    assert pages == 1 and "Werkprofiel van Jan Jansen" in text
    assert "12 jaar magazijn bij Janssen BV" in text
    assert "jan@voorbeeld.nl" not in text and "0612345678" not in text
    without_consent = CaseFactory(region_code="MU")
    assert client.get(f"/kandidaten/{without_consent.id}/werkprofiel.pdf").status_code == 404


def test_pdfs_are_404_for_another_region(client, login_as, dossier):
    case, records = dossier
    login_as("coordinator", "AM")
    for url in (f"/trajecten/{case.id}/trajectplan.pdf",
                f"/praktijkverklaringen/{records['trajectory'].id}/verklaring.pdf",
                f"/vouchers/{records['voucher'].id}/besluit.pdf"):
        assert client.get(url).status_code == 404, url
    login_as("liaison", "AM")
    assert client.get(f"/kandidaten/{case.id}/werkprofiel.pdf").status_code == 404


def test_pdf_rendering_fetches_nothing(app, monkeypatch):
    fetched = []

    def fetch(self, url, headers=None):  # WeasyPrint's own fetcher: record, fetch nothing
        fetched.append(url)
        raise ValueError(url)

    monkeypatch.setattr(URLFetcher, "fetch", fetch)
    html = ('<img src="http://127.0.0.1:9/x.png" alt="">'
            '<link rel="stylesheet" href="file:///etc/passwd"><p>Tekst</p>')
    with app.test_request_context():
        data = pdf.render_html(html)
    assert data.startswith(b"%PDF-") and fetched == []
