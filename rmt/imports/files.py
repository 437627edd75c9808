"""Reading an uploaded XLSX or CSV file into headings and rows, within limits.

Formula cells are read as the value Excel stored with them (``data_only``); a formula without a
stored value is refused, never evaluated. Every way a file can be broken ends in
:class:`FileRefused` with a Dutch message, never in an unhandled exception.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from rmt.errors_domain import DomainError

XLSX_MAGIC = b"PK\x03\x04"
#: An XLSX whose parts unpack to more than this many times the file's size is a zip bomb.
MAX_COMPRESSION_RATIO = 100


class FileRefused(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="file", code="file_refused")


@dataclass
class Table:
    headings: list[str]
    #: (row number as the person sees it in the file, cell values)
    rows: list[tuple[int, list[Any]]]


def read_table(filename: str, data: bytes, *, max_rows: int, max_bytes: int) -> Table:
    """The first non-empty row is the headings; empty rows are skipped."""
    if len(data) > max_bytes:
        raise FileRefused(f"Het bestand is groter dan {max_bytes // (1024 * 1024)} MB. "
                          "Splits het in kleinere bestanden.")
    if not data.strip():
        raise FileRefused("Het bestand is leeg.")
    name = (filename or "").lower()
    if data.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        rows = _xlsx_rows(data, max_bytes)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _csv_rows(data)
    else:
        raise FileRefused("Kies een Excel-bestand (.xlsx) of een CSV-bestand (.csv).")
    headings: list[str] | None = None
    table_rows: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if all(_empty(v) for v in values):
            continue
        if headings is None:
            headings = ["" if _empty(v) else str(v).strip() for v in values]
            continue
        if len(table_rows) >= max_rows:
            raise FileRefused(f"Het bestand heeft meer dan {max_rows:,} rijen. "
                              "Splits het in kleinere bestanden.".replace(",", "."))
        table_rows.append((number, list(values)))
    if not headings:
        raise FileRefused("Het bestand heeft geen kopregel met kolomnamen.")
    return Table(headings, table_rows)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------------
# CSV


def decode(data: bytes) -> str:
    """UTF-8 (with or without byte order mark), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileRefused("De tekens in het bestand zijn niet te lezen: sla het op als "
                          "CSV UTF-8.") from None


def detect_delimiter(text: str) -> str:
    """; or , (or a tab): what the sniffer sees in the first lines, else the most frequent."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(";,\t", key=first.count)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    if b"\x00" in data:
        raise FileRefused("Dit is geen tekstbestand: kies een Excel- of CSV-bestand.")
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        yield from ((reader.line_num, row) for row in reader)
    except csv.Error as error:
        raise FileRefused(f"Het CSV-bestand is niet goed gevormd (regel {reader.line_num}): "
                          f"{error}.") from None


# ---------------------------------------------------------------------------------------------
# XLSX


def _check_zip(data: bytes, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused("Het Excel-bestand is beschadigd of geen .xlsx-bestand.") from None
    if unpacked > max(max_bytes, len(data) * MAX_COMPRESSION_RATIO):
        raise FileRefused("Het Excel-bestand pakt uit tot een onredelijke omvang en is "
                          "geweigerd.")


def _xlsx_rows(data: bytes, max_bytes: int) -> Iterator[tuple[int, list[Any]]]:
    _check_zip(data, max_bytes)
    # openpyxl raises many kinds of exception for a broken workbook (KeyError for a missing
    # part, XML parse errors, ValueError, TypeError...): any of them means "cannot be read".
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formula_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values = values_book.worksheets[0]
        formulas = formula_book.worksheets[0]
        for number, (value_row, formula_row) in enumerate(
                zip(values.iter_rows(values_only=True), formulas.iter_rows(values_only=True),
                    strict=False), start=1):
            cells = list(value_row)
            for index, (value, raw) in enumerate(zip(cells, formula_row, strict=False)):
                if value is None and isinstance(raw, str) and raw.startswith("="):
                    raise FileRefused(
                        f"Rij {number}, kolom {index + 1}: een formule zonder opgeslagen "
                        "waarde. Open het bestand in Excel, sla het op en probeer opnieuw "
                        "(formules worden niet uitgerekend).")
            yield number, cells
        values_book.close()
        formula_book.close()
    except FileRefused:
        raise
    except Exception:
        raise FileRefused("Het Excel-bestand is beschadigd of kan niet worden gelezen.") from None
