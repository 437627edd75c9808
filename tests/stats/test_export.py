"""``flask --app rmt stats export out.db``: the anonymised comparison for Datasette, opened
with sqlite-utils and checked against the pages."""

from __future__ import annotations

import re
from html import unescape

import sqlite_utils

from rmt.stats.suppression import THRESHOLD
from tests import helpers
from tests.stats.test_pages import QUERY, cells_of


def headers_of(html: str, table_key: str) -> list[str]:
    start = html.index(f'id="tabel-{table_key}"')
    head = html[start:html.index("</thead>", start)]
    return [unescape(h.strip()) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head,
                                                     re.S)][1:]


def page_grid(html: str, table_key: str, *, transpose: bool = False) -> dict:
    """{(row label, column label): shown} of one table on a page."""
    columns = headers_of(html, table_key)
    grid = {}
    for row, cells in cells_of(html, table_key).items():
        for column, shown in zip(columns, cells, strict=True):
            grid[(column, row) if transpose else (row, column)] = shown
    return grid


def export(app, path, *extra: str):
    result = app.test_cli_runner().invoke(args=[
        "stats", "export", str(path), "--van", QUERY["van"], "--tot", QUERY["tot"], *extra])
    assert result.exit_code == 0, result.output
    return result


def test_export_is_typed_keyed_and_matches_the_pages(app, client, login_as, tmp_path,
                                                      random_cases, module_history):
    random_cases(200, seed=7)
    path = tmp_path / "cijfers.db"
    result = export(app, path)
    assert "tabellen geschreven naar" in result.output
    database = sqlite_utils.Database(path)

    assert database["meta"].pks == ["sleutel"]
    meta = {r["sleutel"]: r["waarde"] for r in database["meta"].rows}
    assert (meta["periode_van"], meta["periode_tot"], meta["peildatum"], meta["drempel"]) == (
        "2026-01-01", "2026-06-30", "2026-06-30", "5")
    listed = {r["tabel"] for r in database["tabellen"].rows}
    assert database["tabellen"].pks == ["tabel"]
    assert listed == set(database.table_names()) - {"meta", "tabellen"}
    assert {"kerncijfers", "funnel", "funnel_aandeel", "uitstroom", "lopend", "doorlooptijd",
            "vouchers", "overig"} <= listed
    for name in listed:
        table = database[name]
        assert table.pks == ["rij", "kolom"], name
        types = table.columns_dict
        assert types["rij"] is str and types["weergave"] is str
        assert types["waarde"] is (int if name in ("funnel", "uitstroom", "lopend") else float)
    assert {r["kolom"] for r in database["kerncijfers"].rows} == {"MU", "AM", "GV", "FV",
                                                                  "totaal"}

    # Nothing about persons: no table holds a name, e-mail address or case number.
    dump = "\n".join(database.iterdump())
    for person in db_people():
        assert person not in dump

    # Against the exact figures of a coordinator of all four regions: every published number
    # is the true one, every "<5" is below 5.
    login_as("coordinator", "MU", "AM", "GV", "FV")
    exact = helpers.html(client.get("/cijfers/", query_string=QUERY))
    compared = small = 0
    for export_key, page_key, transpose in (
            ("kerncijfers", "kerncijfers", True), ("funnel", "funnel_groep", False),
            ("uitstroom", "uitstroom", False), ("lopend", "lopend", False),
            ("doorlooptijd", "doorlooptijd", False), ("overig", "overig", False)):
        truth = page_grid(exact, page_key, transpose=transpose)
        for row in database[export_key].rows:
            shown = truth[(row["rij_label"], row["kolom_label"])]
            if row["verborgen"] is None:
                assert row["weergave"] == shown, (export_key, row)
                compared += 1
            else:
                assert row["waarde"] is None
                if row["verborgen"] == "klein":
                    assert int(shown.replace(".", "")) < THRESHOLD, (export_key, row)
                    small += 1
    assert compared > 100 and small > 10

    # And against the comparison page where both publish a cell.
    login_as("coordinator", "GV")
    page = helpers.html(client.get("/cijfers/regios", query_string=QUERY))
    for key in listed:
        grid = page_grid(page, key)
        for row in database[key].rows:
            shown = grid[(row["rij_label"], row["kolom_label"])]
            if row["verborgen"] is None and shown not in ("<5", "x"):
                assert row["weergave"] == shown, (key, row)


def db_people() -> list[str]:
    import sqlalchemy as sa

    from rmt.cases.models import Candidate
    from rmt.extensions import db

    rows = db.session.execute(sa.select(Candidate.last_name, Candidate.email).limit(20)).all()
    return [value for row in rows for value in row if value and len(value) > 5]


def test_export_refuses_bad_dates_in_dutch(app, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "stats", "export", str(tmp_path / "x.db"), "--van", "31-02-2026"])
    assert result.exit_code != 0 and "JJJJ-MM-DD" in result.output
    result = app.test_cli_runner().invoke(args=[
        "stats", "export", str(tmp_path / "x.db"), "--van", "2026-06-01", "--tot", "2026-01-01"])
    assert result.exit_code != 0 and "einddatum ligt voor de begindatum" in result.output
    assert not (tmp_path / "x.db").exists()


def test_export_overwrites_an_old_file(app, tmp_path, history):
    path = tmp_path / "cijfers.db"
    path.write_bytes(b"oud")
    export(app, path)
    assert sqlite_utils.Database(path)["kerncijfers"].count == 25
