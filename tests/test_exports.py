"""rmt.exports writes CSV for Dutch Excel: semicolons, decimal comma, dd-mm-jjjj, BOM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from rmt import exports


def test_typed_values_in_dutch_notation():
    assert exports.csv_cell(Decimal("1250.50")) == "1250,50"
    assert exports.csv_cell(exports.euros(100000)) == "1000,00"
    assert exports.csv_cell(exports.euros(-1999)) == "-19,99"
    assert exports.csv_cell(33.3) == "33,3"
    assert exports.csv_cell(1e-07) == "0,0000001"
    assert exports.csv_cell(12) == 12
    assert exports.csv_cell(date(2026, 3, 1)) == "01-03-2026"
    # a stored moment (UTC) in Dutch time: 23:30 UTC on 31 March is 1 April in summer time
    assert exports.csv_cell(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)) == "01-04-2026 01:30:00"
    assert exports.csv_cell(True) == "ja" and exports.csv_cell(False) == "nee"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell("1.5") == "1.5"  # text is never reinterpreted


def test_csv_text_is_for_dutch_excel():
    text = exports.csv_text([["naam", "bedrag", "datum"],
                             ["=1+1", exports.euros(250), date(2026, 12, 4)],
                             ["a;b", -3, None]])
    assert text == ("\ufeffnaam;bedrag;datum\r\n'=1+1;2,50;04-12-2026\r\n"
                    '"a;b";-3;\r\n')
    assert not exports.csv_text([["x"]], bom=False).startswith("\ufeff")


def test_csv_response_puts_a_bom_in_front_once(app):
    with app.test_request_context():
        assert exports.csv_response("a;b\r\n", "x.csv").get_data(as_text=True) == "\ufeffa;b\r\n"
        assert exports.csv_response("\ufeffa\r\n", "x.csv").get_data(as_text=True) == "\ufeffa\r\n"
        assert exports.csv_response(b"a\r\n", "x.csv").data == "\ufeffa\r\n".encode()
        response = exports.csv_response([["a", 1.5]], "x.csv")
        assert response.content_type == "text/csv; charset=utf-8"
        assert response.get_data(as_text=True) == "\ufeffa;1,5\r\n"
