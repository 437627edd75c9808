"""Reading files: every encoding, delimiter, date and boolean form; limits; broken files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest

from rmt.errors_domain import DomainError
from rmt.imports.files import FileRefused, read_table
from rmt.imports.kinds import parse_bool, parse_date
from tests.imports.conftest import make_csv, make_xlsx

LIMITS = {"max_rows": 50_000, "max_bytes": 20 * 1024 * 1024}


@pytest.mark.parametrize(("delimiter", "encoding", "bom"), [
    (";", "utf-8", False), (";", "utf-8", True), (",", "utf-8", False), (",", "cp1252", False),
    (";", "cp1252", False), ("\t", "utf-8", True)])
def test_csv_delimiters_and_encodings(delimiter, encoding, bom) -> None:
    data = make_csv([["Zoë", "Çelik", "1,5"], ["Anaïs", "Öztürk", "2"]],
                    headings=["Voornaam", "Achternaam", "Uren"], delimiter=delimiter,
                    encoding=encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    table = read_table("lijst.csv", data, **LIMITS)
    assert table.headings == ["Voornaam", "Achternaam", "Uren"]
    assert [cells for _n, cells in table.rows] == [["Zoë", "Çelik", "1,5"],
                                                    ["Anaïs", "Öztürk", "2"]]


def test_empty_rows_are_skipped_and_row_numbers_kept() -> None:
    data = b"\n;;\nVoornaam;Achternaam\nA;B\n;\n\nC;D\n"
    table = read_table("lijst.csv", data, **LIMITS)
    assert table.headings == ["Voornaam", "Achternaam"]
    assert [(n, cells) for n, cells in table.rows] == [(4, ["A", "B"]), (7, ["C", "D"])]


def test_xlsx_formula_without_cached_value_is_refused() -> None:
    def setup(sheet):
        sheet["B2"] = "=1+1"
    data = make_xlsx([["a", None]], headings=["Naam", "Formule"], setup=setup)
    with pytest.raises(FileRefused, match="formule zonder opgeslagen waarde"):
        read_table("lijst.xlsx", data, **LIMITS)  # openpyxl stores no cached value


def test_xlsx_formula_with_cached_value_is_read_not_evaluated(tmp_path) -> None:
    data = make_xlsx([["x", 5]], headings=["Naam", "Getal"])
    # Put a cached value next to a formula, as Excel does when it saves a workbook.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<c r="B2" t="n"><v>5</v></c>',
                                          b'<c r="B2"><f>2+2</f><v>7</v></c>')
                assert b"<f>2+2</f>" in content
            target.writestr(item, content)
    table = read_table("lijst.xlsx", out.getvalue(), **LIMITS)
    assert table.rows == [(2, ["x", 7])]  # the stored value, not 4


def test_xlsx_dates_in_every_form() -> None:
    data = make_xlsx([[datetime(1985, 3, 14), 31120, "14-03-1985", "1985-03-14"]],
                     headings=["a", "b", "c", "d"])
    table = read_table("lijst.xlsx", data, **LIMITS)
    assert [parse_date(v) for v in table.rows[0][1]] == [date(1985, 3, 14)] * 4


def test_merged_cells_do_not_break_reading() -> None:
    def setup(sheet):
        sheet.merge_cells("A2:B2")
    data = make_xlsx([["samen", None], ["a", "b"]], headings=["x", "y"], setup=setup)
    table = read_table("lijst.xlsx", data, **LIMITS)
    assert [cells for _n, cells in table.rows] == [["samen", None], ["a", "b"]]


@pytest.mark.parametrize("text", ["31-02-2026", "2026-13-01", "morgen", "32/01/2020"])
def test_impossible_dates_are_refused_in_dutch(text) -> None:
    with pytest.raises(DomainError, match="geldige datum"):
        parse_date(text)


@pytest.mark.parametrize(("text", "value"), [("ja", True), ("Nee", False), ("JA", True),
                                             ("nee", False), (1, True), (0, False)])
def test_booleans(text, value) -> None:
    assert parse_bool(text) is value


def test_boolean_refused() -> None:
    with pytest.raises(DomainError, match="ja of nee"):
        parse_bool("misschien")


def test_row_limit() -> None:
    data = make_csv([["a"]] * 11, headings=["x"])
    assert len(read_table("lijst.csv", data, max_rows=11, max_bytes=10**6).rows) == 11
    with pytest.raises(FileRefused, match="meer dan 10 rijen"):
        read_table("lijst.csv", data, max_rows=10, max_bytes=10**6)


def test_hundred_thousand_rows_refused() -> None:
    data = make_csv([["a", "b"]] * 100_000, headings=["x", "y"])
    with pytest.raises(FileRefused, match=r"meer dan 50\.000 rijen"):
        read_table("lijst.csv", data, **LIMITS)


def test_byte_limit() -> None:
    with pytest.raises(FileRefused, match="groter dan 1 MB"):
        read_table("lijst.csv", b"x;y\n" + b"a;b\n" * 300_000, max_rows=10**6,
                   max_bytes=1024 * 1024)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<a/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 200_000_000 + b"/>")
    return out.getvalue()


def broken_xml() -> bytes:
    good = make_xlsx([["a"]], headings=["x"])
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("lijst.pdf", b"%PDF-1.4 something", "Kies een Excel-bestand"),
    ("lijst.xlsx", b"PK\x03\x04 not really a zip", "beschadigd"),
    ("lijst.xlsx", b"just text pretending", "beschadigd"),
    ("lijst.csv", b"", "leeg"),
    ("lijst.csv", b"a;b\x00c\n", "geen tekstbestand"),
    ("lijst.csv", b"\n\n;;\n", "geen kopregel"),
])
def test_malformed_files_are_refused(name, data, message) -> None:
    with pytest.raises(FileRefused, match=message):
        read_table(name, data, **LIMITS)


def test_zip_bomb_refused() -> None:
    data = zip_bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(FileRefused, match="onredelijke omvang"):
        read_table("lijst.xlsx", data, **LIMITS)


def test_broken_xml_refused() -> None:
    with pytest.raises(FileRefused, match="beschadigd"):
        read_table("lijst.xlsx", broken_xml(), **LIMITS)
