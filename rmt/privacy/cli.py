"""``flask --app rmt retention run [--dry-run] [--batch-size N]``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from rmt import clock
from rmt.audit import anchor
from rmt.privacy import service
from rmt.transaction import unit_of_work

retention_cli = AppGroup("retention", help="Bewaartermijn: oude dossiers anonimiseren.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Toon wat er zou veranderen; wijzig niets.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Kandidaten per transactie.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True)
def retention_run(dry_run: bool, batch_size: int, today) -> None:
    """Anonimiseer kandidaten van wie alle trajecten langer dan de bewaartermijn gesloten zijn.

    Elke batch is één transactie; elke kandidaat krijgt één regel in het auditlogboek.
    """
    months = current_app.config["RMT_RETENTION_MONTHS"]
    cutoff = service.retention_cutoff(months, today.date() if today else clock.today())
    click.echo(f"Bewaartermijn {months} maanden: trajecten gesloten vóór {cutoff:%d-%m-%Y}.")
    total = 0
    if dry_run:
        after_id = 0
        while True:
            with unit_of_work(write=False):
                lines = service.preview_batch(cutoff, after_id, batch_size)
            for line in lines:
                click.echo(_describe(line, "zou worden geanonimiseerd"))
            total += len(lines)
            if len(lines) < batch_size:
                break
            after_id = lines[-1].candidate_id
        click.echo(f"Proefdraai: {total} kandidaten zouden worden geanonimiseerd; "
                   "er is niets gewijzigd.")
        return
    batches = 0
    while True:
        try:
            with unit_of_work():  # one transaction per batch; a failure rolls back only this one
                lines = service.anonymise_batch(cutoff, batch_size, months)
        except Exception as exc:  # report, keep what earlier batches did, exit non-zero
            click.echo(f"Batch {batches + 1} mislukt en teruggedraaid: {exc}", err=True)
            click.echo(f"{total} kandidaten in eerdere batches zijn wel geanonimiseerd.",
                       err=True)
            _checkpoint()
            sys.exit(1)
        for line in lines:
            click.echo(_describe(line, "geanonimiseerd"))
        total += len(lines)
        if lines:
            batches += 1
        if len(lines) < batch_size:
            break
    click.echo(f"Klaar: {total} kandidaten geanonimiseerd in {batches} batch(es).")
    _checkpoint()


def _checkpoint() -> None:
    """Anchor the audit entries the run wrote outside the database (``audit checkpoint``)."""
    try:
        checkpoint, targets = anchor.checkpoint_now()
    except OSError as exc:
        click.echo(f"Controlepunt van het auditlogboek niet weggeschreven: {exc}", err=True)
        return
    if checkpoint is not None and targets:
        click.echo(f"Controlepunt auditlogboek: regel {checkpoint.entry_id} naar "
                   f"{', '.join(targets)}.")


def _describe(line: service.RetentionLine, verb: str) -> str:
    closed = f"{line.closed_on:%d-%m-%Y}" if line.closed_on else "?"
    return (f"kandidaat {line.candidate_id} ({line.region_code}, laatste traject gesloten "
            f"{closed}) {verb}: {line.report.summary()}")
