"""Euro amounts typed by people become integer cents; cents are shown the Dutch way."""

from __future__ import annotations

import pytest

from rmt.vouchers.money import MAX_CENTS, MoneyError, format_euros, parse_euros


@pytest.mark.parametrize(("text", "cents"), [
    ("1.250,50", 125050), ("1250,50", 125050), ("1250.50", 125050), ("1,250.50", 125050),
    ("€ 1.250,50", 125050), ("€1250", 125000), ("1250", 125000), ("1.250", 125000),
    ("1,5", 150), ("0,01", 1), ("12.345.678,90", 1234567890), ("2500,-", 250000),
    (" 750 ", 75000), ("1 250,00", 125000), ("\u20ac\u00a0995,95", 99595),
])
def test_parse(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize(("text", "message"), [
    ("", "Vul een bedrag in."),
    ("abc", "Vul een bedrag in euro's in"),
    ("-5", "positief"),
    ("−5", "positief"),
    ("0", "groter zijn dan € 0,00"),
    ("0,00", "groter zijn dan € 0,00"),
    ("1.250,505", "twee cijfers"),
    ("1,2345", "Vul een bedrag in euro's in"),
    ("1.2.3", "Vul een bedrag in euro's in"),
    ("12,34.56", "Vul een bedrag in euro's in"),
    ("1e5", "Vul een bedrag in euro's in"),
    ("99999999999999999999", "te groot"),
    ("100.000.000,01", "te groot"),
    ("NaN", "Vul een bedrag in euro's in"),
])
def test_refused(text, message):
    with pytest.raises(MoneyError) as excinfo:
        parse_euros(text)
    assert message in str(excinfo.value)


def test_max_is_accepted():
    assert parse_euros("100.000.000,00") == MAX_CENTS


@pytest.mark.parametrize(("cents", "text"), [
    (125050, "€\u00a01.250,50"), (5, "€\u00a00,05"), (0, "€\u00a00,00"),
    (123456789, "€\u00a01.234.567,89"), (-1500, "-€\u00a015,00"), (None, ""),
])
def test_format(cents, text):
    assert format_euros(cents) == text


def test_format_without_symbol_round_trips():
    for cents in (1, 99, 100, 125050, 1234567890):
        assert parse_euros(format_euros(cents, symbol=False)) == cents
