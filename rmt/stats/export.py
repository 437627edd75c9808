"""Downloads of every table (CSV, XLSX) and the anonymised SQLite export for Datasette.

CSV opens in Dutch Excel (:mod:`rmt.exports`: semicolons, a decimal comma, dd-mm-jjjj, UTF-8
with a byte-order mark); headers are the Dutch column names with the unit. XLSX keeps real
numbers, percentages and euro amounts with a number format, months and dates as dates. A hidden
cell is the text "<5" or "x" in both. Machines read the SQLite export (below) or the API.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from rmt import exports
from rmt.stats.tables import Cell, Table

UNITS = {"percent": " (%)", "days": " (dagen)", "money": " (€)"}
XLSX_FORMATS = {"percent": "0.0%", "days": "0.0", "money": '"€" #,##0.00', "month": "mmm yyyy",
                "date": "dd-mm-yyyy", "count": "#,##0"}
XLSX_MIMETYPE = exports.XLSX_MIMETYPE
CSV_MIMETYPE = exports.CSV_MIMETYPE


def _header(table: Table) -> list[str]:
    return [table.row_header] + [c.label + UNITS.get(c.kind, "") for c in table.columns]


def _csv_value(cell: Cell) -> Any:
    if cell.hidden:
        return cell.display
    value = cell.value
    if value is None:
        return ""
    if cell.kind == "money":
        return exports.euros(int(value))
    if cell.kind == "month":
        return value.strftime("%m-%Y")
    return value  # numbers and dates: rmt.exports writes them in Dutch notation


def to_csv(table: Table) -> bytes:
    """Labels (coach names, say) and values through :func:`rmt.exports.safe_cell`."""
    rows = [_header(table), *([row.label, *[_csv_value(c) for c in row.cells]]
                              for row in table.rows)]
    return exports.csv_text(rows).encode("utf-8")


def _xlsx_value(cell: Cell) -> Any:
    if cell.hidden:
        return cell.display
    value = cell.value
    if value is None:
        return None
    if cell.kind == "percent":
        return value / 100
    if cell.kind == "money":
        return value / 100
    if cell.kind in ("month", "date") and isinstance(value, date) and not isinstance(
            value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _write_sheet(sheet: Any, table: Table) -> None:
    sheet.title = table.key[:31]
    exports.append_row(sheet, _header(table))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        excel_row = exports.append_row(sheet, [row.label, *[_xlsx_value(c) for c in row.cells]])
        if row.total:
            sheet.cell(excel_row, 1).font = Font(bold=True)
        for index, cell in enumerate(row.cells, start=2):
            if not cell.hidden and cell.value is not None:
                sheet.cell(excel_row, index).number_format = XLSX_FORMATS.get(cell.kind,
                                                                              "General")
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = max(14, min(45, max(
        (len(r.label) for r in table.rows), default=10) + 2))
    for index in range(2, len(table.columns) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 16


def _write_notes(workbook: Workbook, tables: list[Table], subtitle: str) -> None:
    notes = workbook.create_sheet("Toelichting")
    if subtitle:
        exports.append_row(notes, ["Periode", subtitle])
    for table in tables:
        exports.append_row(notes, ["Tabel", table.title])
        if table.description:
            exports.append_row(notes, ["Toelichting", table.description])
    if any(t.suppressed for t in tables):
        exports.append_row(notes, ["<5", "Minder dan 5 (klein aantal, niet getoond)"])
        exports.append_row(notes, ["x", "Verborgen om een klein aantal elders in de tabel te "
                                        "beschermen, of een percentage of mediaan over minder "
                                        "dan 5"])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 90


def to_xlsx(table: Table, subtitle: str = "") -> bytes:
    workbook = Workbook()
    _write_sheet(workbook.active, table)
    _write_notes(workbook, [table], subtitle)
    return exports.xlsx_bytes(workbook)


def report_xlsx(tables: list[Table], subtitle: str = "") -> bytes:
    """Several tables in one workbook: a sheet per table, then the notes."""
    workbook = Workbook()
    for index, table in enumerate(tables):
        _write_sheet(workbook.active if index == 0 else workbook.create_sheet(), table)
    _write_notes(workbook, tables, subtitle)
    return exports.xlsx_bytes(workbook)


def report_csv(tables: list[Table]) -> bytes:
    """Several tables as one long CSV: a line per cell (table, row, column, value, shown)."""
    rows: list[list[Any]] = [["tabel", "rij", "rij_label", "kolom", "kolom_label", "eenheid",
                              "waarde", "weergave"]]
    for table in tables:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                value = "" if cell.hidden else _csv_value(cell)
                rows.append([table.key, row.key, row.label, column.key, column.label,
                             UNIT_NAMES.get(cell.kind, cell.kind), value, cell.display])
    return exports.csv_text(rows).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# SQLite for Datasette


UNIT_NAMES = {"count": "aantal", "percent": "procent", "days": "dagen", "money": "euro",
              "month": "maand", "date": "datum"}


def _db_value(cell: Cell) -> Any:
    if cell.hidden or cell.value is None:
        return None
    if cell.kind == "money":
        return round(cell.value / 100, 2)
    if isinstance(cell.value, date):
        return cell.value.isoformat()
    return cell.value


def write_sqlite(path: str | Path, tables: dict[str, Table], meta: dict[str, str]) -> None:
    """One long-format table per figure table: a row per (row, column) with the value, what
    the page shows and whether it is hidden; primary key (rij, kolom). Plus ``tabellen``
    (titles and descriptions) and ``meta`` (period, threshold, when)."""
    # Imported here: only `flask stats export` needs it, and it adds ~0.3 s to every app start.
    import sqlite_utils

    path = Path(path)
    if path.exists():
        path.unlink()
    database = sqlite_utils.Database(path)
    database["meta"].insert_all(
        [{"sleutel": k, "waarde": v} for k, v in meta.items()], pk="sleutel",
        columns={"sleutel": str, "waarde": str})
    database["tabellen"].insert_all(
        [{"tabel": t.key, "titel": t.title, "beschrijving": t.description,
          "rijen": t.row_header} for t in tables.values()],
        pk="tabel", columns={"tabel": str, "titel": str, "beschrijving": str, "rijen": str})
    for table in tables.values():
        integer = all(c.kind == "count" for r in table.rows for c in r.cells)
        columns = {"rij": str, "rij_label": str, "kolom": str, "kolom_label": str,
                   "eenheid": str, "waarde": int if integer else float, "weergave": str,
                   "verborgen": str}
        database[table.key].create(columns, pk=("rij", "kolom"),
                                   not_null={"rij", "kolom", "weergave"})
        rows = []
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                rows.append({
                    "rij": row.key, "rij_label": row.label, "kolom": column.key,
                    "kolom_label": column.label, "eenheid": UNIT_NAMES.get(cell.kind, cell.kind),
                    "waarde": _db_value(cell), "weergave": cell.display,
                    "verborgen": cell.status or None,
                })
        database[table.key].insert_all(rows)
    database.close()
