"""``flask --app rmt stats export OUT.db`` and ``flask --app rmt stats rebuild``."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from rmt import clock
from rmt.db_types import utcnow
from rmt.extensions import db
from rmt.stats import summary
from rmt.stats.export import write_sqlite
from rmt.stats.models import StatCase, StatSpan
from rmt.stats.scope import Period
from rmt.stats.tables import comparison
from rmt.transaction import unit_of_work

stats_cli = AppGroup("stats", help="Statistiek: export en samenvattingstabellen.")


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("Gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2026-01-31.") from exc


@stats_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--van", help="Begin van de periode (JJJJ-MM-DD); standaard 12 maanden terug.")
@click.option("--tot", help="Einde van de periode (JJJJ-MM-DD); standaard vandaag.")
@click.option("--peildatum", help="Peildatum lopende trajecten; standaard het einde.")
def export_command(path: str, van: str | None, tot: str | None, peildatum: str | None) -> None:
    """Schrijf de geanonimiseerde regiovergelijking naar een SQLite-bestand (voor Datasette)."""
    default = Period.default()
    start, end = _date(van) or default.start, _date(tot) or default.end
    if end < start:
        raise click.BadParameter("De einddatum ligt voor de begindatum.", param_hint="--tot")
    period = Period(start, end, _date(peildatum) or min(end, clock.today()))
    with unit_of_work(write=False):
        result = comparison(period, known_regions=())
    write_sqlite(path, result.tables, {
        "periode_van": period.start.isoformat(), "periode_tot": period.end.isoformat(),
        "peildatum": period.on.isoformat(), "drempel": "5",
        "toelichting": "Geaggregeerde cijfers van de vier regio's; aantallen onder 5 en wat "
                       "ze zou verraden zijn verborgen (waarde leeg, weergave '<5' of 'x').",
        "gemaakt_op": utcnow().isoformat(timespec="seconds"),
    })
    click.echo(f"{len(result.tables)} tabellen geschreven naar {path}.")


@stats_cli.command("rebuild")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Trajecten per transactie.")
def rebuild_command(batch_size: int) -> None:
    """Bouw de samenvattingstabellen van de statistiek opnieuw op uit de stappenhistorie.

    Elke batch trajecten is één transactie, zodat wie de app gebruikt niet lang wacht.
    """
    after_id = 0
    while True:
        with unit_of_work():
            connection = db.session.connection()
            ids = summary.summarised_case_ids(connection, after_id, batch_size)
            summary.refresh_cases(connection, ids, month_counts=False)
        if not ids:
            break
        after_id = ids[-1]
    with unit_of_work():
        summary.recount_stay_months(db.session.connection())
        cases = db.session.scalar(sa.select(sa.func.count()).select_from(StatCase))
        spans = db.session.scalar(sa.select(sa.func.count()).select_from(StatSpan))
    click.echo(f"Samenvatting opnieuw opgebouwd: {cases} trajecten, {spans} perioden.")
