"""Fixtures for the import tests: files built in the test (CSV in any encoding, XLSX with
openpyxl) and a coach of MU."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from rmt.auth.models import Role, User
from rmt.extensions import db
from tests.factories import UserFactory

HEADINGS = ["Kenmerk", "Voornaam", "Tussenvoegsel", "Achternaam", "Geboortedatum", "E-mail",
            "Telefoon", "Postcode", "Gemeente", "Regio", "Loopbaancoach", "Stap", "Aangemeld op",
            "Opleidingsniveau", "Startkwalificatie", "Arbeidssituatie", "Uitkering",
            "Doelgroep", "Verwijzer"]


def candidate_row(n: int, coach_email: str, **changes: Any) -> list[Any]:
    row = {"Kenmerk": f"REF-{n}", "Voornaam": f"Voornaam{n}", "Tussenvoegsel": "",
           "Achternaam": f"Achternaam{n}", "Geboortedatum": "14-03-1985",
           "E-mail": f"persoon{n}@example.nl", "Telefoon": f"06{n:08d}",
           "Postcode": "3511AB", "Gemeente": "Utrecht", "Regio": "MU",
           "Loopbaancoach": coach_email, "Stap": "Aangemeld", "Aangemeld op": "2026-01-15",
           "Opleidingsniveau": "Mbo niveau 2", "Startkwalificatie": "ja",
           "Arbeidssituatie": "werkzoekend", "Uitkering": "WW", "Doelgroep": "Werkzoekenden",
           "Verwijzer": "uwv"}
    row.update(changes)
    return [row[h] for h in HEADINGS]


def make_csv(rows: list[list[Any]], *, headings: list[str] = HEADINGS, delimiter: str = ";",
             encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def make_xlsx(rows: list[list[Any]], *, headings: list[str] = HEADINGS,
              setup: Any = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def coach_mu() -> User:
    user = UserFactory(role=Role.COACH, regions=["MU"])
    db.session.flush()
    return user
