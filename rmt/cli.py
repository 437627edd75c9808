"""Command-line interface: ``flask --app rmt <group> <command>``.

Commands use the same services as the web views, each in one unit of work
(:func:`rmt.transaction.unit_of_work`); long jobs use one per batch, so the people using the app
meanwhile are not kept waiting for SQLite's write lock.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask_migrate.cli import db as migrate_cli

from rmt import clock, planner_statistics
from rmt.audit import anchor
from rmt.audit.service import verify_chain
from rmt.auth import service as auth_service
from rmt.auth import totp
from rmt.auth.models import Role, User
from rmt.cases.demo import DEFAULT_CASE_COUNT, DEMO_RANDOM_SEED, seed_cases
from rmt.employers.demo import seed_employers
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports.cli import add_kind_commands, import_cli
from rmt.notifications.cli import notify_cli
from rmt.praktijkverklaring.demo import seed as seed_praktijkverklaring
from rmt.privacy.cli import retention_cli
from rmt.regions import REGION_CODES
from rmt.regions.models import Region
from rmt.stats.cli import stats_cli
from rmt.transaction import unit_of_work
from rmt.vouchers.demo import seed_vouchers

users_cli = AppGroup("users", help="Gebruikers beheren.")
audit_cli = AppGroup("audit", help="Het auditlogboek controleren.")
demo_cli = AppGroup("demo", help="Demogegevens.")

DEMO_PASSWORD_DEFAULT = "Demo-RMT-2026!"  # noqa: S105 - demo data only, printed on purpose


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--region", "regions", multiple=True, type=click.Choice(REGION_CODES),
              help="Herhaal voor meer regio's.")
@click.password_option("--password", help="Eerste wachtwoord (wordt gevraagd als het ontbreekt).")
def users_create(email: str, name: str, role: str, regions: tuple[str, ...], password: str) -> None:
    """Maak een gebruiker aan."""
    with unit_of_work():
        if auth_service.find_user_by_email(email):
            raise click.ClickException(f"Er bestaat al een gebruiker met e-mailadres {email}.")
        if role != Role.ADMIN and not regions:
            raise click.ClickException("Geef minstens één --region op.")
        problems = auth_service.password_problems(password, email=email, name=name)
        if problems:
            raise click.ClickException(" ".join(problems))
        user = auth_service.create_user(email=email, name=name, role=Role(role),
                                        regions=set(regions), password=password)
    click.echo(f"Gebruiker {user.email} ({user.role.value}) aangemaakt.")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="API", show_default=True)
@click.option("--days", default=None, type=click.IntRange(1, 366))
@click.option("--force-without-second-factor", is_flag=True,
              help="Ook voor een coördinator of beheerder zonder tweede factor (wordt gelogd).")
def users_token(email: str, label: str, days: int | None,
                force_without_second_factor: bool) -> None:
    """Maak een API-token; het wordt één keer getoond en alleen gehasht opgeslagen.

    Voor rollen met een verplichte tweede factor alleen als die is ingesteld, tenzij
    --force-without-second-factor is gegeven.
    """
    with unit_of_work():
        user = auth_service.find_user_by_email(email)
        if user is None or not user.active:
            raise click.ClickException(f"Geen actieve gebruiker met e-mailadres {email}.")
        try:
            token = auth_service.issue_api_token(
                user, label=label, days=days,
                without_second_factor=force_without_second_factor)
        except DomainError as error:
            raise click.ClickException(
                f"{error.message} Gebruik --force-without-second-factor om dit bewust te "
                "negeren.") from error
    click.echo(token)


@audit_cli.command("verify")
@click.option("--checkpoints", "checkpoint_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Bestand met controlepunten (standaard RMT_AUDIT_CHECKPOINT_PATH); ook een "
                   "kopie van het syslog.")
def audit_verify(checkpoint_file: Path | None) -> None:
    """Controleer de hashketen van het auditlogboek, met de sleutel en de controlepunten."""
    if checkpoint_file is not None and not checkpoint_file.exists():
        raise click.ClickException(f"Bestand met controlepunten {checkpoint_file} bestaat niet.")
    checkpoints = anchor.read_checkpoints(checkpoint_file)
    with unit_of_work(write=False):
        result = verify_chain(checkpoints)
    if result.ok:
        click.echo(f"Auditketen in orde: {result.checked} regels gecontroleerd, "
                   f"{len(checkpoints)} controlepunten.")
        return
    click.echo(
        f"Auditketen VERBROKEN bij regel {result.broken_id}: {result.problem}. "
        f"{result.checked} regels daarvoor zijn in orde.",
        err=True,
    )
    sys.exit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Schrijf het einde van de keten (nummer en hash) buiten de database weg."""
    try:
        checkpoint, targets = anchor.checkpoint_now()
    except OSError as exc:
        raise click.ClickException(f"Controlepunt niet weggeschreven: {exc}") from exc
    if checkpoint is None:
        click.echo("Het auditlogboek is leeg; geen controlepunt geschreven.")
        return
    if not targets:
        raise click.ClickException("Geen bestemming: zet RMT_AUDIT_CHECKPOINT_PATH of "
                                   "RMT_AUDIT_CHECKPOINT_SYSLOG.")
    click.echo(f"Controlepunt regel {checkpoint.entry_id} ({checkpoint.hash[:12]}…) "
               f"geschreven naar {', '.join(targets)}.")


def _demo_users() -> list[tuple[str, str, Role, tuple[str, ...]]]:
    names = {
        "MU": ("Sanne de Vries", "Daan Jansen", "Fatima El Amrani"),
        "AM": ("Lotte Bakker", "Bram Visser", "Ayse Yilmaz"),
        "GV": ("Eva Mulder", "Sem de Boer", "Noor Smit"),
        "FV": ("Julia Meijer", "Thijs van Dijk", "Priya Ramdin"),
    }
    users = []
    for code in REGION_CODES:
        for role, name in zip((Role.COACH, Role.LIAISON, Role.COORDINATOR), names[code],
                              strict=True):
            users.append((f"{role.value}.{code.lower()}@demo.rmt.test", name, role, (code,)))
    users.append(("admin@demo.rmt.test", "Beheerder Demo", Role.ADMIN, ()))
    return users


def seed_demo_users(password: str) -> int:
    """Create the demo accounts that do not exist yet; returns how many were created."""
    created = 0
    for email, name, role, regions in _demo_users():
        if auth_service.find_user_by_email(email):
            continue
        auth_service.create_user(email=email, name=name, role=role, regions=set(regions),
                                 password=password)
        created += 1
    return created


@demo_cli.command("seed")
@click.option("--cases", "case_count", default=DEFAULT_CASE_COUNT, show_default=True,
              type=click.IntRange(0, 100_000), help="Aantal demotrajecten (als er nog geen zijn).")
def demo_seed(case_count: int) -> None:
    """Vul de database met demogegevens (idempotent).

    Elk onderdeel is één transactie: wie de app intussen gebruikt, wacht nooit lang.
    """
    with unit_of_work(write=False):
        regions = db.session.scalar(sa.select(sa.func.count()).select_from(Region))
    if regions != 4:
        raise click.ClickException(
            "De regio's ontbreken: voer eerst 'flask --app rmt db upgrade' uit."
        )
    password = os.environ.get("RMT_DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    with unit_of_work():
        created = seed_demo_users(password)
    with unit_of_work():
        cases = seed_cases(random.Random(DEMO_RANDOM_SEED), clock.today(),  # noqa: S311
                           case_count, password=password)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    click.echo(f"Demogegevens: {created} gebruikers aangemaakt ({total} in totaal).")
    click.echo(f"Demotrajecten: {cases} aangemaakt" + (
        " met stappen, aantekeningen en acties, verdeeld over coach, coach2 en coach3 per regio."
        if cases else " (ze bestaan al, of --cases 0)."))
    with unit_of_work():
        employers = seed_employers().text()
    click.echo(f"Demowerkgevers: {employers}.")
    totp_secret = os.environ.get("RMT_DEMO_TOTP_SECRET", totp.DEMO_SECRET_DEFAULT)
    with unit_of_work():
        totp.seed_demo_totp(totp_secret)
    with unit_of_work():
        praktijkverklaringen = seed_praktijkverklaring()
    click.echo(praktijkverklaringen)
    with unit_of_work():
        vouchers = seed_vouchers().text()
    click.echo(f"Demovouchers: {vouchers}.")
    planner_statistics.refresh_engine(db.engine)
    click.echo(f"Inloggen kan met bijvoorbeeld coach.mu@demo.rmt.test, wachtwoord: {password}")
    click.echo(
        "Rollen: coach, liaison, coordinator per regio (mu, am, gv, fv) en admin@demo.rmt.test"
    )
    click.echo(f"Coördinatoren en admin loggen in met een tweede factor; TOTP-sleutel (demo): "
               f"{totp_secret} — code: python -c \"import pyotp; "
               f"print(pyotp.TOTP('{totp_secret}').now())\"")


@migrate_cli.command("analyze")
@click.option("--force", is_flag=True, help="Ook als de statistieken nog kloppen.")
def db_analyze(force: bool) -> None:
    """SQLite: de statistieken van de queryplanner bijwerken (ANALYZE) waar ze ontbreken of
    verouderd zijn. De app doet dit zelf elke RMT_SQLITE_ANALYZE_SECONDS; PostgreSQL houdt ze
    zelf bij."""
    if db.engine.dialect.name != "sqlite":
        click.echo("PostgreSQL houdt de statistieken zelf bij (autovacuum); niets te doen.")
        return
    stale = planner_statistics.refresh_engine(db.engine, force=force)
    click.echo(f"Statistieken bijgewerkt ({', '.join(stale)})." if stale or force
               else "De statistieken zijn actueel.")


def register_cli(app: Flask) -> None:
    """Add every command group to ``flask --app rmt``."""
    add_kind_commands()  # the kinds were registered by the features' receivers
    for group in (users_cli, audit_cli, demo_cli, retention_cli, stats_cli, import_cli,
                  notify_cli):
        app.cli.add_command(group)
