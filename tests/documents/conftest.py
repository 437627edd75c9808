"""Fixtures of the documents tests: a case in MU with a voucher, a praktijkverklaring and a
placement (tests.privacy.support.module_records), and sample files of every allowed and
refused kind."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from rmt.process import CaseState
from tests.factories import CaseFactory
from tests.privacy.support import module_records


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main: str, part: str) -> bytes:
    types = (f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
             f'2006/content-types"><Override PartName="/{part}" ContentType="{main}"/></Types>')
    return _zip({"[Content_Types].xml": types.encode(), part: b"<x/>"})


PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + b"\0" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 40
DOCX = _ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
              "word/document.xml")
XLSX = _ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
              "xl/workbook.xml")
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})

GOOD = {
    "pdf": ("cv.pdf", PDF, "application/pdf"),
    "png": ("foto.png", PNG, "image/png"),
    "jpeg": ("scan.jpeg", JPEG, "image/jpeg"),
    "docx": ("brief.docx", DOCX, "application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document"),
    "xlsx": ("begroting.xlsx", XLSX, "application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet"),
    "odt": ("plan.odt", ODT, "application/vnd.oasis.opendocument.text"),
}

_JS_STREAM = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")

#: name, file name, content, a word of the Dutch message
BAD = [
    ("leeg", "cv.pdf", b"", "leeg"),
    ("html als pdf", "cv.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "webpagina"),
    ("svg als png", "foto.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                                b"<script>alert(1)</script></svg>", "SVG"),
    ("svg zonder xml-kop", "foto.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
    ("exe", "cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "programma"),
    ("elf", "cv.docx", b"\x7fELF\x02\x01\x01" + b"\0" * 200, "programma"),
    ("pdf met javascript", "cv.pdf",
     PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript "
                                    b"/JS (app.alert(1)) >>"), "JavaScript"),
    ("pdf met verstopte JS-naam", "cv.pdf",
     PDF.replace(b"/Type /Catalog", b"/Type /Catalog /AA << /O << /S /J#61vaScript >> >>"),
     "JavaScript"),
    ("pdf met JS in een gecomprimeerde stream", "cv.pdf",
     PDF.replace(b"trailer", b"3 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + _JS_STREAM
                 + b"\nendstream\nendobj\ntrailer"), "JavaScript"),
    ("pdf met launch", "cv.pdf",
     PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /Launch /F (x.exe) >>"),
     "programma start"),
    ("gewone zip", "brief.docx", _zip({"a.txt": b"hallo"}), "niet toegestaan"),
    ("tekst", "notities.txt", b"gewoon wat tekst", "niet toegestaan"),
    ("pad in naam", "../../etc/cv.pdf", PDF, "pad"),
    ("windows-pad in naam", "C:\\Users\\jan\\cv.pdf", PDF, "pad"),
    ("stuurteken in naam", "cv\x07.pdf", PDF, "stuurtekens"),
    ("richting-omkering in naam", "cv\u202efdp.exe", PDF, "stuurtekens"),
]


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach, region_code="MU", status=CaseState.UITVOERING)


@pytest.fixture
def records(case):
    """The voucher, praktijkverklaring (trajectory) and placement of ``case``."""
    return module_records(case)
