"""CSV and XLSX downloads: one place that keeps spreadsheet formulas out of every cell and
writes CSV the way Dutch Excel reads it.

Every CSV download is for Dutch Excel (a double click must give columns, numbers and dates):
a semicolon between cells, a decimal comma, dates as dd-mm-jjjj (moments in Dutch time),
UTF-8 with a byte-order mark. Callers pass typed values (``int``, ``Decimal``, ``float``,
``date``, ``datetime``, ``bool``, ``None``); :func:`csv_cell` writes them in that notation.
XLSX keeps numbers and dates typed (the spreadsheet formats them).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (also after
leading spaces or a line break), and a leading tab or carriage return can hide such a start
(OWASP "CSV injection"). Every export goes through this module:

- CSV: :func:`safe_cell` puts an apostrophe in front of such text, so the spreadsheet shows it
  as text. Numbers (``int``, ``float``, ``Decimal``) are left alone; text is never trusted, not
  even ``-1`` (a figure that can be negative must be passed as a number, not formatted).
- XLSX: :func:`append_row` writes every text as a string cell (``data_type 's'``), never as a
  formula (openpyxl would make ``'f'`` of any text that starts with ``=``); numbers and dates
  stay typed.

Shared module: imports no feature.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response

from rmt import clock

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A spreadsheet treats text starting with one of these (after whitespace) as a formula.
FORMULA_START = ("=", "+", "-", "@")
#: ... and these at the very start can hide one.
HIDING_START = ("\t", "\r")


def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` (or part of it) as a formula."""
    return text.startswith(HIDING_START) or text.lstrip().startswith(FORMULA_START)


def safe_cell(value: Any) -> Any:
    """The value for a CSV cell: dangerous text gets a leading apostrophe; the rest unchanged."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


BOM = "\ufeff"
DELIMITER = ";"


def _decimal_comma(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def euros(cents: int) -> Decimal:
    """An amount in cents as euros with two decimals (``Decimal("1000.00")``, not ``1E+3``):
    the CSV shows ``1000,00``, XLSX a number."""
    return Decimal(cents).scaleb(-2)


def csv_cell(value: Any) -> Any:
    """A typed value in Dutch notation: ``12,5``, ``04-12-2026``, ``04-12-2026 09:30:00``
    (Dutch time), ``ja``/``nee``, ``""`` for None. Text comes back unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal):
        return _decimal_comma(value)
    if isinstance(value, float):
        return _decimal_comma(Decimal(repr(value)))
    if isinstance(value, datetime):
        moment = clock.local(value) if value.tzinfo is not None else value
        return moment.strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return value


def csv_text(rows: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    """Rows (the header included) as CSV text for Dutch Excel: ``;`` between cells, every
    cell through :func:`safe_cell` and :func:`csv_cell`.

    ``bom``: a byte-order mark in front, so Excel recognises UTF-8 (left out for the later
    chunks of a download written in parts, and for text printed by the CLI).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(safe_cell(value)) for value in row])
    return (BOM if bom else "") + buffer.getvalue()


def _download(body: Any, mimetype: str, filename: str) -> Response:
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_response(rows: Iterable[Iterable[Any]] | str | bytes, filename: str) -> Response:
    """A CSV download: rows (made safe here) or a body made by :func:`csv_text` (given a body
    without one, the byte-order mark is put in front)."""
    body = rows if isinstance(rows, str | bytes) else csv_text(rows)
    if isinstance(body, str) and not body.startswith(BOM):
        body = BOM + body
    elif isinstance(body, bytes) and not body.startswith(BOM.encode()):
        body = BOM.encode() + body
    return _download(body, CSV_MIMETYPE, filename)


def append_row(sheet: Any, values: Iterable[Any]) -> int:
    """Append a row to an openpyxl sheet with every text as a string cell; returns its number."""
    sheet.append(list(values))
    row = sheet.max_row
    for cell in sheet[row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, never a formula
    return row


def xlsx_bytes(workbook: Any) -> bytes:
    """The workbook as an .xlsx file; every text cell checked once more to be no formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(workbook: Any, filename: str) -> Response:
    """An XLSX download of the workbook (see :func:`xlsx_bytes`)."""
    return _download(xlsx_bytes(workbook), XLSX_MIMETYPE, filename)
