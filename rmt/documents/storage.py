"""Checking an upload: the type from the content, the size, the file name, the PDF's actions.

Pure functions on bytes and strings; they raise :class:`rmt.errors_domain.DomainError` with a
Dutch message at the field ``file``. The type is decided from the content (``filetype`` reads
the magic numbers) and then checked further: a PDF must not hold JavaScript or a launch action;
an office document must be a zip whose declared content type (DOCX, XLSX) or ``mimetype`` member
(ODT) is the right one. Everything else (HTML, SVG, text, executables, archives) is refused.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import filetype

from rmt.errors_domain import DomainError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

#: Allowed content types and the file extension that goes with each.
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", ODT: "odt"}
OTHER_EXTENSIONS = {JPEG: ("jpeg",)}
ALLOWED_TEXT = "PDF, PNG, JPEG, Word (DOCX), Excel (XLSX) of OpenDocument-tekst (ODT)"
EXECUTABLE_TYPES = {"application/x-msdownload", "application/x-executable",
                    "application/x-mach-binary", "application/wasm", "application/x-deb",
                    "application/x-rpm"}
MAX_FILENAME = 120

#: Names in a PDF that make it run something: JavaScript, or launching another program.
PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch"}
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_OOXML_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_DRIVE = re.compile(r"^[A-Za-z]:")  # C:... (the backslashes may be lost in the header)
_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Checked:
    """What an accepted upload is."""

    filename: str
    content_type: str


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="file")


def clean_filename(raw: str | None, content_type: str) -> str:
    """The name to store: refused with path parts or control characters; trimmed, shortened to
    :data:`MAX_FILENAME` characters, and given the extension of the detected type."""
    name = unicodedata.normalize("NFC", raw or "")
    if "/" in name or "\\" in name or name in (".", "..") or _DRIVE.match(name):
        raise _refuse("De bestandsnaam mag geen map of pad bevatten (geen / of \\). "
                      "Geef het bestand een gewone naam.")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in name):
        raise _refuse("De bestandsnaam bevat onzichtbare stuurtekens. "
                      "Geef het bestand een gewone naam.")
    name = name.strip().strip(".").strip()
    if not name:
        raise _refuse("Het bestand heeft geen naam.")
    extension = EXTENSIONS[content_type]
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in (extension, *OTHER_EXTENSIONS.get(content_type, ())):
        stem, ext = name, extension
    stem = stem[:MAX_FILENAME - len(ext) - 1].rstrip(". ") or "document"
    return f"{stem}.{ext}"


def _pdf_chunks(data: bytes):
    yield data
    for match in _PDF_STREAM.finditer(data):
        raw = match.group(1)
        try:
            yield zlib.decompressobj().decompress(raw, 4 * 1024 * 1024)
        except zlib.error:
            continue


def _pdf_name(raw: bytes) -> bytes:
    """A PDF name with its ``#xx`` escapes decoded (``/J#53`` is ``/JS``)."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that holds JavaScript (``/JavaScript``, ``/JS``, also in compressed streams
    and spelled with ``#xx`` escapes) or a ``/Launch`` action."""
    for chunk in _pdf_chunks(data):
        for match in _PDF_NAME.finditer(chunk):
            if _pdf_name(match.group(1)) in PDF_ACTIVE_NAMES:
                raise _refuse("Deze PDF bevat JavaScript of een actie die een programma start. "
                              "Zulke PDF's worden niet opgeslagen; sla het document opnieuw op "
                              "als gewone PDF (bijvoorbeeld via 'Afdrukken naar PDF').")


def _office_type(data: bytes) -> str | None:
    """DOCX, XLSX or ODT when the zip says so; None for any other zip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size <= 100 and archive.read(info).strip() == ODT.encode():
                return ODT
            return None
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return None
            declared = archive.read(info).decode("utf-8", "replace")
            for content_type, main in _OOXML_MAIN.items():
                if main in declared:
                    return content_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError,
            NotImplementedError, RuntimeError, EOFError, zlib.error):
        return None
    return None


def detect(data: bytes) -> str:
    """The allowed content type of ``data``, or a Dutch refusal."""
    if not data:
        raise _refuse("Het bestand is leeg. Kies een bestand met inhoud.")
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if mime in EXECUTABLE_TYPES or data[:2] == b"MZ" or data[:4] == b"\x7fELF":
        raise _refuse("Een programma (uitvoerbaar bestand) kan niet worden opgeslagen. "
                      f"Toegestaan zijn {ALLOWED_TEXT}.")
    if mime in (PDF, PNG, JPEG):
        if mime == PDF:
            check_pdf(data)
        return mime
    if mime in (DOCX, XLSX, ODT, "application/zip") or data[:4] == b"PK\x03\x04":
        office = _office_type(data)
        if office:
            return office
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<svg", b"<?xml")) or b"<script" in head:
        raise _refuse("Een webpagina of SVG-afbeelding (HTML, SVG of XML) kan niet worden "
                      f"opgeslagen, ook niet met een andere bestandsnaam. Toegestaan zijn "
                      f"{ALLOWED_TEXT}.")
    raise _refuse(f"Dit bestandstype is niet toegestaan. Toegestaan zijn {ALLOWED_TEXT}; "
                  "het type wordt bepaald uit de inhoud, niet uit de bestandsnaam.")


def check(data: bytes, filename: str | None, max_bytes: int) -> Checked:
    """Check an upload; the stored name and the content type, or a Dutch refusal."""
    if len(data) > max_bytes:
        raise _refuse(f"Het bestand is te groot: maximaal {megabytes(max_bytes)}.")
    content_type = detect(data)
    return Checked(clean_filename(filename, content_type), content_type)


def megabytes(size: int) -> str:
    """Dutch notation of a size limit: '10 MB', '0,5 MB'."""
    value = size / (1024 * 1024)
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} MB"
