"""Benchmark of the import: ``python -m benchmarks.imports`` (``make bench-import``).

For each engine (a fresh SQLite file, and a fresh PostgreSQL database when one answers) it
builds a CSV of ``--rows`` fictitious candidates (made with the app's Faker, seeded), then times
a dry run and the import of that file for a coach of MU, through the same service as the web
flow and the CLI. Wall-clock numbers depend on the machine; the tests never assert times.

    python -m benchmarks.imports --rows 10000
    python -m benchmarks.imports --rows 2000 --engines sqlite
    python -m benchmarks.imports --write-examples docs/imports   # the demo's example files
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from faker import Faker
from openpyxl import Workbook

from benchmarks.run import DEFAULT_PG, postgres_database, sqlite_database
from rmt import create_app, transaction
from rmt.auth.models import Role, User
from rmt.extensions import db
from rmt.imports import kinds, service

HEADINGS = ["Kenmerk", "Voornaam", "Tussenvoegsel", "Achternaam", "Geboortedatum", "E-mail",
            "Telefoon", "Postcode", "Gemeente", "Loopbaancoach", "Aangemeld op",
            "Opleidingsniveau", "Startkwalificatie", "Arbeidssituatie", "Uitkering",
            "Doelgroep", "Verwijzer"]


#: Birth dates fall between 20 and 60 years before this day (the files' registration date), not
#: before today, and are counted in whole days (Faker's date functions go through the machine's
#: time zone): the same seed writes the same files on any day, anywhere.
REFERENCE_DAY = date(2026, 1, 15)
EARLIEST_BIRTH = REFERENCE_DAY.replace(year=REFERENCE_DAY.year - 60)
BIRTH_DAYS = (REFERENCE_DAY.replace(year=REFERENCE_DAY.year - 20) - EARLIEST_BIRTH).days


def _birth_date(fake: Faker) -> date:
    return EARLIEST_BIRTH + timedelta(days=fake.random_int(0, BIRTH_DAYS))


def candidates_csv(rows: int, coach_email: str, seed: int = 2026) -> bytes:
    fake = Faker("nl_NL")
    Faker.seed(seed)
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADINGS)
    used: set[tuple[str, object]] = set()
    for n in range(1, rows + 1):
        birth = _birth_date(fake)
        first_name = fake.first_name()
        while (first_name, birth) in used:  # the same first name and birth date: a duplicate
            birth = _birth_date(fake)
        used.add((first_name, birth))
        writer.writerow([
            f"BENCH-{n:06d}", first_name, "", f"{fake.last_name()}{n}",
            birth.strftime("%d-%m-%Y"), f"kandidaat{n}@example.nl", f"06{n:08d}",
            f"35{rng.randint(10, 99)} {rng.choice('ABCDEFGH')}{rng.choice('KLMNPR')}",
            "Utrecht", coach_email, "2026-01-15", rng.choice(["mbo2", "Mbo niveau 3", "havo"]),
            rng.choice(["ja", "nee"]), "werkzoekend", rng.choice(["WW", "geen"]),
            "Werkzoekenden", rng.choice(["uwv", "Gemeente"])])
    return out.getvalue().encode("utf-8")


def run_engine(name: str, url: str, rows: int) -> None:
    app = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": "bench", "RMT_LOG_LEVEL": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
        with transaction.unit_of_work():
            coach = User(email="coach.mu@bench.test", name="Coach MU",
                         password_hash="!unusable", role=Role.COACH)  # noqa: S106
            coach.set_regions(["MU"])
            db.session.add(coach)
        data = candidates_csv(rows, "coach.mu@bench.test")
        kind = kinds.get("candidates")
        timings, statements = {}, {}
        counter = {"n": 0}

        def count(*_args: object) -> None:
            counter["n"] += 1

        sa.event.listen(db.engine, "before_cursor_execute", count)
        started_cpu = time.process_time()
        for label, dry_run in (("proefimport", True), ("import", False)):
            started = time.perf_counter()
            counter["n"] = 0
            with transaction.unit_of_work():
                user = db.session.scalar(sa.select(User).where(User.email == "coach.mu@bench.test"))
                result = service.run_import(user, kind, "MU", "bench.csv", data, dry_run=dry_run)
            timings[label] = time.perf_counter() - started
            statements[label] = counter["n"]
            if result.errors:
                print(f"  {name}: {len(result.errors)} fouten, bijv. {result.errors[0]}")
                return
        cpu = time.process_time() - started_cpu
        sa.event.remove(db.engine, "before_cursor_execute", count)
        total = sum(timings.values())
        print(f"{name:<10} {rows} rijen: proefimport {timings['proefimport']:.1f} s "
              f"({statements['proefimport']} statements), import {timings['import']:.1f} s "
              f"({statements['import']} statements), samen {total:.1f} s "
              f"({rows / total:.0f} rijen/s; CPU van dit proces {cpu:.1f} s), "
              f"{result.created} aangemaakt")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--write-examples", metavar="FOLDER",
                        help="Schrijf alleen de voorbeeldbestanden in FOLDER.")
    args = parser.parse_args(argv)
    if args.write_examples:
        print("Geschreven: " + ", ".join(write_examples(args.write_examples)))
        return 0
    engines = args.engines.split(",")
    if "sqlite" in engines:
        with sqlite_database(keep=False) as url:
            run_engine("SQLite", url, args.rows)
    if "postgresql" in engines:
        try:
            with postgres_database(args.postgres_url, keep=False) as url:
                run_engine("PostgreSQL", url, args.rows)
        except sa.exc.OperationalError as error:
            print(f"PostgreSQL overgeslagen: {error.orig}")
    return 0


# ---------------------------------------------------------------------------------------------
# Example files (``python -m benchmarks.imports --write-examples docs/imports/voorbeelden``)


def _csv(headings: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_examples(folder: str, seed: int = 2026) -> list[str]:
    """Fictitious example files for the demo database (coach.mu@demo.rmt.test, region MU)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    candidates = candidates_csv(20, "coach.mu@demo.rmt.test", seed).decode("utf-8")
    (target / "kandidaten-mu.csv").write_bytes(("\ufeff" + candidates).encode("utf-8"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kandidaten"
    for row in csv.reader(io.StringIO(candidates), delimiter=";"):
        sheet.append(row)
    workbook.save(target / "kandidaten-mu.xlsx")
    fake = Faker("nl_NL")
    Faker.seed(seed)
    employers = [[f"9{n:07d}", f"{fake.last_name()} {kind}", sector, fake.city()]
                 for n, (kind, sector) in enumerate(
                     [("Transport", "Logistiek"), ("Zorggroep", "Zorg"),
                      ("Installatietechniek", "Techniek"), ("Bouw", "Bouw"),
                      ("Logistiek", "logistiek")], start=1)]
    (target / "werkgevers-mu.csv").write_bytes(
        _csv(["KvK-nummer", "Naam", "Sector", "Plaats"], employers))
    contacts = [[kvk, fake.name(), "HR-adviseur", f"contact{n}@example.nl"]
                for n, (kvk, *_rest) in enumerate(employers, start=1)]
    (target / "contactpersonen-mu.csv").write_bytes(
        _csv(["KvK-nummer", "Naam", "Functie", "E-mail"], contacts))
    moments = [[kvk, f"{n + 1:02d}-02-2026", "Telefoon", "Kennismaking, vacatures besproken.",
                name] for n, (kvk, name, *_rest) in enumerate(contacts, start=1)]
    (target / "contactmomenten-mu.csv").write_bytes(
        _csv(["KvK-nummer", "Datum", "Soort", "Samenvatting", "Contactpersoon"], moments))
    return sorted(p.name for p in target.iterdir())


if __name__ == "__main__":
    sys.exit(main())
