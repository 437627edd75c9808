"""``flask --app rmt import ...``."""

from __future__ import annotations

from rmt.cases.models import Case
from rmt.imports.models import ImportRun
from tests.helpers import count
from tests.imports.conftest import candidate_row, make_csv


def test_template_prints_the_csv_header(app) -> None:
    result = app.test_cli_runner().invoke(args=["import", "template", "candidates"])
    assert result.exit_code == 0
    assert result.output.startswith("Kenmerk;Voornaam;Tussenvoegsel;Achternaam;Geboortedatum;")
    unknown = app.test_cli_runner().invoke(args=["import", "template", "x"])
    assert unknown.exit_code != 0 and "Onbekende soort" in unknown.output


def test_run_dry_run_then_import(app, coach_mu, tmp_path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(make_csv([candidate_row(1, coach_mu.email),
                               candidate_row(2, coach_mu.email)]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "run", "candidates", str(path), "--region", "mu",
                              "--as", coach_mu.email, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Proefimport: 2 rijen, 2 nieuw, 0 bijgewerkt, 0 overgeslagen, 0 fouten." in dry.output
    assert count(Case) == 0
    done = runner.invoke(args=["import", "candidates", str(path), "--region", "MU",
                               "--as", coach_mu.email])
    assert done.exit_code == 0, done.output
    assert count(Case) == 2 and count(ImportRun) == 1


def test_run_reports_errors_and_refusals(app, coach_mu, tmp_path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(make_csv([candidate_row(1, coach_mu.email, Geboortedatum="99-99-1999")]))
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["import", "run", "candidates", str(path), "--region", "MU",
                              "--as", coach_mu.email])
    assert bad.exit_code == 1 and "rij 2, Geboortedatum" in bad.output
    assert "Niets opgeslagen" in bad.output and count(Case) == 0
    other = runner.invoke(args=["import", "run", "candidates", str(path), "--region", "AM",
                                "--as", coach_mu.email])
    assert other.exit_code != 0 and "eigen regio" in other.output
    nobody = runner.invoke(args=["import", "run", "candidates", str(path), "--region", "MU",
                                 "--as", "niemand@example.nl"])
    assert nobody.exit_code != 0 and "Geen actieve gebruiker" in nobody.output


def test_update_flag(app, coach_mu, tmp_path) -> None:
    path = tmp_path / "lijst.csv"
    runner = app.test_cli_runner()
    path.write_bytes(make_csv([candidate_row(1, coach_mu.email)]))
    runner.invoke(args=["import", "candidates", str(path), "--region", "MU",
                        "--as", coach_mu.email])
    path.write_bytes(make_csv([candidate_row(1, coach_mu.email, Postcode="3512CD")]))
    result = runner.invoke(args=["import", "candidates", str(path), "--region", "MU",
                                 "--as", coach_mu.email, "--update"])
    assert result.exit_code == 0, result.output
    assert "0 nieuw, 1 bijgewerkt, 0 overgeslagen" in result.output
