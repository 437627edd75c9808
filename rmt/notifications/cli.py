"""``flask --app rmt notify send [--watch]``, ``notify due`` and ``notify digest``."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from flask_babel import ngettext

from rmt import clock
from rmt.notifications import outbox
from rmt.transaction import unit_of_work

notify_cli = AppGroup("notify", help="Meldingen: e-mail verzenden, nazorg en dagoverzicht.")


@notify_cli.command("send")
@click.option("--watch", is_flag=True, help="Blijf draaien en verstuur nieuwe e-mail zodra die "
              "klaarstaat.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="Seconden tussen rondes met --watch.")
@click.option("--batch-size", default=50, show_default=True, type=click.IntRange(1, 1000),
              help="E-mails per geclaimde batch.")
def send(watch: bool, interval: int, batch_size: int) -> None:
    """Verstuur de e-mail die klaarstaat (zonder RMT_SMTP_URL: naar de console).

    Veilig om twee keer tegelijk te draaien: elke batch wordt eerst geclaimd.
    """
    while True:
        try:
            outcome = outbox.send_all(batch_size, echo=click.echo)
        except sa.exc.OperationalError as error:
            if not watch:
                raise
            # The database went away: keep watching; the next round tries again.
            click.echo(f"Database niet bereikbaar ({error.orig}); volgende ronde opnieuw.",
                       err=True)
            time.sleep(interval)
            continue
        if outcome.sent or outcome.retried or outcome.dead:
            click.echo(f"Verzonden: {outcome.sent}, later opnieuw: {outcome.retried}, "
                       f"opgegeven: {outcome.dead}.")
        if not watch:
            return
        time.sleep(interval)


@notify_cli.command("due")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True)
def due(today) -> None:
    """Meld nazorgcontacten die vandaag of eerder verwacht werden (één keer per contact)."""
    day = today.date() if today else clock.today()
    with unit_of_work():
        written = outbox.notify_due_follow_ups(day)
    click.echo(ngettext("%(num)d melding over nazorgcontacten aangemaakt.",
                        "%(num)d meldingen over nazorgcontacten aangemaakt.", written))


@notify_cli.command("digest")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True)
def digest(today) -> None:
    """Zet per gebruiker één dagoverzicht klaar (acties, nazorg, meldingen voor het overzicht).

    Verstuur daarna met ``notify send``; een tweede run op dezelfde dag voegt niets toe.
    """
    day = today.date() if today else clock.today()
    with unit_of_work():
        queued = outbox.queue_digests(day)
    click.echo(ngettext("%(num)d dagoverzicht klaargezet.", "%(num)d dagoverzichten klaargezet.",
                        queued))
