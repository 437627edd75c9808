"""``flask --app rmt import ...``: templates and imports from the command line.

    flask --app rmt import template candidates
    flask --app rmt import run candidates lijst.xlsx --region MU --as coach@example.nl --dry-run
    flask --app rmt import candidates lijst.xlsx --region MU --as coach@example.nl [--update]

An import is one unit of work: everything or nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from rmt.auth.models import User
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports import kinds, service
from rmt.transaction import unit_of_work

import_cli = AppGroup("import", help="Gegevens importeren uit Excel of CSV.")


def _kind(name: str) -> kinds.ImportKind:
    kind = kinds.get(name)
    if kind is None:
        names = ", ".join(k.name for k in kinds.all_kinds())
        raise click.ClickException(f"Onbekende soort '{name}'; kies uit: {names}.")
    return kind


@import_cli.command("template")
@click.argument("kind_name", metavar="KIND")
def template(kind_name: str) -> None:
    """Print de kopregel (CSV) van een soort import."""
    click.echo(service.csv_template(_kind(kind_name)), nl=False)


def run_file(kind_name: str, path: str, region: str, email: str, dry_run: bool,
             update: bool = False) -> None:
    kind = _kind(kind_name)
    data = Path(path).read_bytes()
    try:
        with unit_of_work():
            user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
            if user is None or not user.active:
                raise click.ClickException(f"Geen actieve gebruiker met e-mailadres {email}.")
            result = service.run_import(user, kind, region.upper(), Path(path).name, data,
                                        dry_run=dry_run, update=update)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for error in result.errors[:200]:
        column = f", {error.column}" if error.column else ""
        click.echo(f"rij {error.row}{column}: {error.message}", err=True)
    if len(result.errors) > 200:
        click.echo(f"... en nog {len(result.errors) - 200} fouten", err=True)
    label = "Proefimport" if dry_run else "Import"
    click.echo(f"{label}: {result.rows} rijen, {result.created} nieuw, {result.updated} "
               f"bijgewerkt, {result.skipped} overgeslagen, {len(result.errors)} fouten.")
    if result.run_id:
        click.echo(f"Import {result.run_id} opgeslagen.")
    elif not dry_run:
        click.echo("Niets opgeslagen: verbeter de fouten en probeer opnieuw.")
    if result.errors:
        raise SystemExit(1)


def _run_options(function):
    function = click.option("--dry-run", is_flag=True, help="Alleen controleren.")(function)
    function = click.option("--update", is_flag=True,
                            help="Eerder geïmporteerde records (zelfde kenmerk) bijwerken.")(
        function)
    function = click.option("--as", "email", required=True,
                            help="E-mailadres van wie importeert.")(function)
    function = click.option("--region", required=True, help="Regiocode, zoals MU.")(function)
    return function


@import_cli.command("run")
@click.argument("kind_name", metavar="KIND")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@_run_options
def run(kind_name: str, path: str, region: str, email: str, dry_run: bool,
        update: bool) -> None:
    """Importeer een bestand (of controleer het, met --dry-run)."""
    run_file(kind_name, path, region, email, dry_run, update)


def add_kind_commands() -> None:
    """``flask --app rmt import candidates FILE ...``, one command per registered kind."""
    for kind in kinds.all_kinds():
        if kind.name in import_cli.commands:
            continue

        def command(path: str, region: str, email: str, dry_run: bool, update: bool,
                    _name: str = kind.name) -> None:
            run_file(_name, path, region, email, dry_run, update)

        command.__doc__ = f"Importeer {kind.title.lower()} (of controleer, met --dry-run)."
        decorated = click.argument("path", metavar="FILE",
                                   type=click.Path(exists=True, dir_okay=False))(
            _run_options(command))
        import_cli.command(kind.name)(decorated)
