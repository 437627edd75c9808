"""CSV and XLSX downloads: one place that keeps spreadsheet formulas out of every cell.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (also after
leading spaces or a line break), and a leading tab or carriage return can hide such a start
(OWASP "CSV injection"). Every export goes through this module:

- CSV: :func:`safe_cell` puts an apostrophe in front of such text, so the spreadsheet shows it
  as text. Numbers (``int``, ``float``, ``Decimal``) are left alone; text is never trusted, not
  even ``-1`` (callers format their numbers before: a figure that can be negative should be
  passed as a number).
- XLSX: :func:`append_row` writes every text as a string cell (``data_type 's'``), never as a
  formula (openpyxl would make ``'f'`` of any text that starts with ``=``); numbers and dates
  stay typed.

Shared module: imports no feature.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

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


def csv_text(rows: Iterable[Iterable[Any]], *, delimiter: str = ";", bom: bool = True) -> str:
    """Rows (the header included) as CSV text, every cell through :func:`safe_cell`.

    ``bom``: a byte-order mark in front, so Excel recognises UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _download(body: Any, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def csv_response(rows: Iterable[Iterable[Any]] | str | bytes, filename: str, *,
                 delimiter: str = ";") -> Response:
    """A CSV download: rows (made safe here) or a body made by :func:`csv_text`."""
    body = rows if isinstance(rows, str | bytes) else csv_text(rows, delimiter=delimiter)
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
