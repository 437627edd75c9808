"""The rules for budgets and scholingsvouchers, shared by the HTML views, the API and the CLI.

Services never commit: the request (or CLI command) commits once, so a refused action leaves
nothing half-written. Every change is written to the audit trail here, under the case it
belongs to (``object_type="case"``), so it shows in the case's audit view.

Money
    Integer euro cents everywhere. A voucher commits its amount to its budget from the approval
    up to and including payment (:data:`rmt.vouchers.lifecycle.COMMITTED`); once declared, the
    declared amount (never more than the approved amount) counts instead. ``remaining = amount -
    committed`` and can never drop below zero.

Concurrency
    See :func:`_lock_voucher` and :func:`_lock_budget`, the only places that serialise writers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import clean as stdnum_clean
from stdnum.util import isdigits

from rmt import audit, clock, signals
from rmt.access import Action, allowed_regions, can, get_or_404, require, scoped
from rmt.auth.models import User
from rmt.cases import extensions
from rmt.cases.extensions import OpenItem
from rmt.cases.models import RUNNING, Case
from rmt.cases.service import TimelineItem
from rmt.enums import label_of
from rmt.errors_domain import Conflict, DomainError, Forbidden
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.transaction import lock_row
from rmt.validation import normalise_phone, required_text
from rmt.vouchers.lifecycle import (
    BLOCKS_CASE_CLOSE,
    FINAL,
    PAID,
    WITHDRAWN_ON_CASE_CLOSE,
    Move,
    MoveKind,
    VoucherStatus,
    allowed_moves,
    as_status,
    find_move,
    refusal,
)
from rmt.vouchers.models import (
    Budget,
    FundingSource,
    TrainingProvider,
    Voucher,
    VoucherEvent,
    VoucherFunding,
)
from rmt.vouchers.money import MAX_CENTS, format_euros
from rmt.vouchers.queries import committed_amount_expr, funding_lines

MOVE_ACTIONS: dict[MoveKind, Action] = {
    MoveKind.DECIDE: Action.DECIDE_VOUCHER,
    MoveKind.PROGRESS: Action.ADVANCE_VOUCHER,
    MoveKind.SETTLE: Action.SETTLE_VOUCHER,
}
MAX_NOTE = 1000
MAX_TEXT = 10_000


# ---------------------------------------------------------------------------------------------
# Budget figures


@dataclass(frozen=True)
class Figures:
    """A budget's amount and what is committed, paid and still waiting for a decision."""

    amount: int
    committed: int = 0
    paid: int = 0
    requested: int = 0
    voucher_count: int = 0

    @property
    def remaining(self) -> int:
        return self.amount - self.committed


def _sums(budget_ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    """(committed, paid, requested, count) per budget id: one aggregate statement."""
    if not budget_ids:
        return {}
    line = funding_lines(budget_ids)
    committed = committed_amount_expr(line)
    paid = sa.case((line.c.status.in_(sorted(PAID)), committed), else_=0)
    requested = sa.case((line.c.status == VoucherStatus.AANGEVRAAGD.value, line.c.amount),
                        else_=0)
    rows = db.session.execute(
        sa.select(line.c.budget_id, sa.func.coalesce(sa.func.sum(committed), 0),
                  sa.func.coalesce(sa.func.sum(paid), 0),
                  sa.func.coalesce(sa.func.sum(requested), 0), sa.func.count())
        .group_by(line.c.budget_id))
    return {row[0]: (int(row[1]), int(row[2]), int(row[3]), int(row[4])) for row in rows}


def figures_for(budgets: list[Budget]) -> dict[int, Figures]:
    """Figures of many budgets with one statement (list pages)."""
    sums = _sums([b.id for b in budgets])
    return {b.id: Figures(b.amount_cents, *sums.get(b.id, (0, 0, 0, 0))) for b in budgets}


def budget_figures(budget: Budget) -> Figures:
    return figures_for([budget])[budget.id]


def committed_cents(budget_id: int) -> int:
    """Committed amount of one budget, read from the database (after taking the lock)."""
    return _sums([budget_id]).get(budget_id, (0, 0, 0, 0))[0]


# ---------------------------------------------------------------------------------------------
# Locking


def _identity(obj: Any) -> int:
    """The primary key without loading expired attributes (which would read before locking)."""
    return sa.inspect(obj).identity[0]


def _lock_voucher(voucher: Voucher) -> None:
    """The first lock of every voucher change: the voucher row, then read it again.

    The lock places of this module (always in this order, so two writers cannot deadlock):

    1. :func:`advance` locks the voucher (two decisions on one request: the second sees the
       first's result and is refused ``not_allowed``);
    2. a decision to grant (:func:`_check_decision`) and :func:`update_budget` lock the budget,
       then read what is committed (two approvals on one budget cannot both spend the rest);
       a voucher paid from several budgets locks all of them in ascending id order
       (:func:`_lock_budgets`), so no two writers wait for each other in a circle.

    :func:`rmt.transaction.lock_row` holds the lock until the unit of work ends (PostgreSQL:
    ``SELECT ... FOR UPDATE``; SQLite: a writing unit began ``BEGIN IMMEDIATE`` already). The
    view runs the change in a savepoint (:func:`rmt.transaction.attempt`): a refusal leaves
    nothing of it behind.
    """
    lock_row(Voucher.__table__, _identity(voucher))
    db.session.refresh(voucher)


def _lock_budget(budget: Budget) -> None:
    """Lock the budget row (see :func:`_lock_voucher` for the order), then read it again."""
    lock_row(Budget.__table__, _identity(budget))
    db.session.refresh(budget)


def _lock_budgets(budgets: list[Budget]) -> list[Budget]:
    """Lock several budgets, always in ascending id order: two approvals that share budgets
    (one on RMT + O&O, the other on O&O + RMT) then wait for each other instead of each
    holding one lock and waiting for the other (a deadlock)."""
    ordered = sorted({_identity(b): b for b in budgets}.items())
    for _ident, budget in ordered:
        _lock_budget(budget)
    return [b for _ident, b in ordered]


# ---------------------------------------------------------------------------------------------
# Reference data: training providers and funding sources (admin)


def validate_kvk(number: str | None) -> str:
    """Validate a KvK-nummer the python-stdnum way: ``clean`` it, then raise one of stdnum's
    ``ValidationError`` subclasses, or return the compact number.

    python-stdnum (2.2) has no Dutch KvK module, and a KvK-nummer carries no check digit (the
    Kamer van Koophandel dropped the eleven-test in 2016), so this checks the format: exactly
    8 digits, not all zeros.
    """
    compact = stdnum_clean(number or "", " .-").strip()
    if not isdigits(compact) or compact == "00000000":
        raise InvalidFormat()
    if len(compact) != 8:
        raise InvalidLength()
    return compact


def normalise_kvk(value: str | None) -> str:
    """'12.34.56.78' or ' 1234 5678 ' -> '12345678'; otherwise a Dutch error at the field."""
    try:
        return validate_kvk(value)
    except StdnumError as exc:
        raise DomainError("Vul een KvK-nummer van 8 cijfers in, zoals 12345678.",
                          field="kvk_number") from exc


def _clean_email(value: str | None) -> str:
    email = (value or "").strip().lower()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise DomainError("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
                          field="contact_email")
    return email


STALE_MESSAGE = ("Iemand anders heeft {what} intussen gewijzigd. Er is niets opgeslagen; "
                 "bekijk de huidige gegevens en voer uw wijziging zo nodig opnieuw in.")


def _check_version(obj: Any, expected_version: Any, what: str) -> None:
    """Optimistic locking: the version the editor loaded must still be the current one.

    ``expected_version=None`` skips the check (a caller that read the record just now)."""
    if expected_version is None:
        return
    if not (isinstance(expected_version, int) and expected_version == obj.version):
        raise Conflict(STALE_MESSAGE.format(what=what), field="version", code="stale_version",
                       current_version=obj.version)


def _flush_versioned(obj: Any, what: str) -> None:
    """Write now, so a change saved in between (the row's version moved on) is a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(STALE_MESSAGE.format(what=what), field="version",
                       code="stale_version") from None


def _require_reference_admin(user: User) -> None:
    require(user, Action.MANAGE_REFERENCE_DATA,
            message="Alleen de functioneel beheerder beheert deze gegevens.")


def save_provider(user: User, provider: TrainingProvider | None, data: dict[str, Any], *,
                  expected_version: int | None = None) -> TrainingProvider:
    """Create (``provider=None``) or update a training provider; an update is refused when
    the provider changed since ``expected_version`` was read."""
    _require_reference_admin(user)
    if provider is not None:
        _check_version(provider, expected_version, "deze opleider")
    name = required_text(data.get("name"), "name", "Vul de naam van de opleider in.", 200)
    kvk = normalise_kvk(data.get("kvk_number"))
    clash = db.session.scalar(sa.select(TrainingProvider).where(
        TrainingProvider.kvk_number == kvk))
    if clash is not None and clash is not provider:
        raise DomainError(f"Er is al een opleider met KvK-nummer {kvk}: {clash.name}.",
                          field="kvk_number", code="kvk_exists")
    contact_name = (data.get("contact_name") or "").strip()
    if len(contact_name) > 200:
        raise DomainError("Gebruik hoogstens 200 tekens.", field="contact_name")
    values = {"name": name, "kvk_number": kvk, "contact_name": contact_name,
              "contact_email": _clean_email(data.get("contact_email")),
              "contact_phone": normalise_phone(data.get("contact_phone"), field="contact_phone",
                                               example="030 1234567"),
              "active": bool(data.get("active", True))}
    created = provider is None
    if provider is None:
        provider = TrainingProvider(**values)
        db.session.add(provider)
    else:
        for key, value in values.items():
            setattr(provider, key, value)
    _flush_versioned(provider, "deze opleider")
    audit.record("training_provider." + ("create" if created else "update"),
                 object_type="training_provider", object_id=provider.id,
                 summary=f"KvK {provider.kvk_number}", user=user)
    return provider


def save_funding_source(user: User, source: FundingSource | None, data: dict[str, Any], *,
                        expected_version: int | None = None) -> FundingSource:
    """Create (``source=None``) or update a funding source (optimistic locking as above)."""
    _require_reference_admin(user)
    if source is not None:
        _check_version(source, expected_version, "deze financier")
    name = required_text(data.get("name"), "name", "Vul de naam van de financier in.", 100)
    clash = db.session.scalar(sa.select(FundingSource).where(
        sa.func.lower(FundingSource.name) == name.lower()))
    if clash is not None and clash is not source:
        raise DomainError("Er is al een financier met deze naam.", field="name",
                          code="name_exists")
    created = source is None
    if source is None:
        source = FundingSource(name=name, active=bool(data.get("active", True)))
        db.session.add(source)
    else:
        source.name = name
        source.active = bool(data.get("active", True))
    _flush_versioned(source, "deze financier")
    audit.record("funding_source." + ("create" if created else "update"),
                 object_type="funding_source", object_id=source.id,
                 summary="actief" if source.active else "niet actief",
                 user=user)
    return source


def active_providers() -> list[TrainingProvider]:
    return list(db.session.scalars(
        sa.select(TrainingProvider).where(TrainingProvider.active)
        .order_by(TrainingProvider.name)))


# ---------------------------------------------------------------------------------------------
# Budgets


def is_reference_admin(user: User) -> bool:
    """The functioneel beheerder manages the budgets of every region (figures, no case data)."""
    return can(user, Action.MANAGE_REFERENCE_DATA)


def manageable_regions(user: User) -> list[str]:
    """Regions whose budgets ``user`` may create and change: every region for the admin, their
    own for a coordinator, none for anybody else."""
    if is_reference_admin(user):
        return list(db.session.scalars(sa.select(Region.code).order_by(Region.code)))
    return sorted(allowed_regions(user, Action.MANAGE_BUDGET))


def can_manage_budget(user: User, budget: Budget) -> bool:
    return is_reference_admin(user) or can(user, Action.MANAGE_BUDGET, budget)


def require_budget_reader(user: User) -> None:
    """Budget pages and endpoints: the admin (figures only) and those who see budgets."""
    if not (is_reference_admin(user) or can(user, Action.VIEW_BUDGET)):
        raise Forbidden()


def require_budget_manager(user: User, budget: Budget | None = None) -> None:
    """Creating (``budget=None``: in some region) or changing a budget."""
    if not (can_manage_budget(user, budget) if budget is not None else manageable_regions(user)):
        raise Forbidden("U mag dit budget niet wijzigen." if budget is not None else
                        "U beheert geen budgetten.")


def budget_query(user: User) -> sa.Select:
    """Budgets ``user`` may see: all for the admin, those of their regions for coaches and
    coordinators. Newest year first."""
    query = sa.select(Budget)
    if not is_reference_admin(user):
        query = scoped(query, user, Budget, Action.VIEW_BUDGET)
    return query.join(Budget.funding_source).order_by(
        Budget.year.desc(), Budget.region_code, FundingSource.name)


def load_budget(budget_id: Any, user: User) -> Budget:
    """One budget the user may see, or 404 (also for another region's budget)."""
    if is_reference_admin(user):
        budget = db.session.get(Budget, budget_id) if _valid_id(budget_id) else None
        if budget is None:
            abort(404)
        return budget
    return get_or_404(Budget, budget_id, user, Action.VIEW_BUDGET)


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 2**31 - 1


def _check_amounts(amount_cents: Any, max_per_voucher_cents: Any) -> None:
    for field, value in (("amount", amount_cents), ("max_per_voucher", max_per_voucher_cents)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise DomainError("Vul een bedrag groter dan € 0,00 in.", field=field)
        if value > MAX_CENTS:
            raise DomainError(f"Het bedrag is te groot (hoogstens {format_euros(MAX_CENTS)}).",
                              field=field)
    if max_per_voucher_cents > amount_cents:
        raise DomainError("Het maximum per voucher kan niet hoger zijn dan het budget zelf.",
                          field="max_per_voucher")


def create_budget(user: User, *, region_code: str, funding_source_id: Any, year: Any,
                  amount_cents: Any, max_per_voucher_cents: Any) -> Budget:
    if region_code not in manageable_regions(user):
        raise DomainError("Kies een regio waarvoor u budgetten beheert.", field="region_code")
    source = db.session.get(FundingSource, funding_source_id) if _valid_id(
        funding_source_id) else None
    if source is None or not source.active:
        raise DomainError("Kies een actieve financier uit de lijst.", field="funding_source_id")
    this_year = clock.today().year
    if not isinstance(year, int) or isinstance(year, bool) or not (
            this_year - 5 <= year <= this_year + 1):
        raise DomainError(f"Kies een jaar van {this_year - 5} tot en met {this_year + 1}.",
                          field="year")
    _check_amounts(amount_cents, max_per_voucher_cents)
    exists = db.session.scalar(sa.select(Budget.id).where(
        Budget.region_code == region_code, Budget.funding_source_id == source.id,
        Budget.year == year))
    if exists is not None:
        raise DomainError(f"Er is al een budget van {source.name} voor {region_code} in {year}.",
                          field="funding_source_id", code="budget_exists")
    budget = Budget(region_code=region_code, funding_source=source, year=year,
                    amount_cents=amount_cents, max_per_voucher_cents=max_per_voucher_cents,
                    created_by_id=user.id)
    db.session.add(budget)
    db.session.flush()
    audit.record("budget.create", object_type="budget", object_id=budget.id,
                 region_code=region_code,
                 summary=f"financier {source.id}, {year}: {format_euros(amount_cents)}, max. "
                         f"{format_euros(max_per_voucher_cents)} per voucher", user=user)
    return budget


def update_budget(user: User, budget: Budget, *, amount_cents: Any,
                  max_per_voucher_cents: Any, expected_version: int | None = None) -> Budget:
    """Change the amount and the maximum per voucher; never below what is committed, and not
    when the budget changed since ``expected_version`` was read."""
    _lock_budget(budget)
    require_budget_manager(user, budget)
    _check_version(budget, expected_version, "dit budget")
    _check_amounts(amount_cents, max_per_voucher_cents)
    committed = committed_cents(budget.id)
    if amount_cents < committed:
        raise Conflict(
            f"Regel budget: het bedrag kan niet lager worden dan wat al is vastgelegd in "
            f"toegekende vouchers ({format_euros(committed)}).", field="amount",
            code="below_committed")
    old = (budget.amount_cents, budget.max_per_voucher_cents)
    budget.amount_cents = amount_cents
    budget.max_per_voucher_cents = max_per_voucher_cents
    _flush_versioned(budget, "dit budget")
    audit.record("budget.update", object_type="budget", object_id=budget.id,
                 region_code=budget.region_code,
                 summary=f"bedrag {format_euros(old[0])} → {format_euros(amount_cents)}, max. "
                         f"{format_euros(old[1])} → {format_euros(max_per_voucher_cents)}",
                 user=user)
    return budget


def requestable_budgets(case: Case, today: date | None = None) -> list[Budget]:
    """Budgets a voucher for ``case`` can be requested on: its region, this year, an active
    funding source."""
    year = (today or clock.today()).year
    return list(db.session.scalars(
        sa.select(Budget).join(Budget.funding_source)
        .where(Budget.region_code == case.region_code, Budget.year == year,
               FundingSource.active)
        .order_by(FundingSource.name)))


def _check_budget_open(budget: Budget, today: date, field: str | None = "budget_id",
                       error: type[DomainError] = DomainError) -> None:
    if budget.year != today.year:
        raise error(f"Regel budgetjaar: het budget {budget.title} is niet van het lopende jaar "
                    f"({today.year}); kies een budget van {today.year}.", field=field,
                    code="budget_year_closed")
    if not budget.funding_source.active:
        raise error(f"Regel financier: {budget.funding_source.name} financiert geen nieuwe "
                    "vouchers meer.", field=field, code="funding_source_inactive")


# ---------------------------------------------------------------------------------------------
# Vouchers


def _record(voucher: Voucher, user: User, action: str, summary: str) -> None:
    audit.record(action, object_type="case", object_id=voucher.case_id,
                 region_code=voucher.region_code, summary=f"voucher {voucher.id}: {summary}",
                 user=user)


def _closed_at(case: Case, at: datetime) -> bool:
    """Was the case closed at ``at``? (``at`` is now, except in backdated demo data.)"""
    return case.is_closed and (case.closed_on is None or case.closed_on <= clock.local_date(at))


def _event(voucher: Voucher, user: User, source: VoucherStatus | None, target: VoucherStatus,
           note: str, at: datetime) -> VoucherEvent:
    event = VoucherEvent(voucher=voucher, user_id=user.id, from_status=source, to_status=target,
                         note=note, at=at)
    db.session.add(event)
    return event


def _clean_note(note: str | None, field: str = "note") -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise DomainError(f"Gebruik hoogstens {MAX_NOTE} tekens.", field=field)
    return text


#: At most this many co-funding parts besides the main budget.
MAX_CO_FUNDING = 3


def _co_funding(case: Case, main: Budget, amount_cents: int, parts: Any, today: date
                ) -> list[tuple[Budget, int]]:
    """Validate the co-funding parts ``[{"budget_id", "amount_cents"}]``: other budgets of the
    case's region, open, each once, each within its maximum per voucher, and leaving a part
    (more than € 0,00) for the main budget. Errors are at ``co_funding`` (or the amount)."""
    if not parts:
        return []
    if not isinstance(parts, list | tuple) or len(parts) > MAX_CO_FUNDING:
        raise DomainError(f"Geef hoogstens {MAX_CO_FUNDING} medefinancieringen.",
                          field="co_funding")
    result: list[tuple[Budget, int]] = []
    seen = {main.id}
    for part in parts:
        part = part if isinstance(part, dict) else {}
        ident, cents = part.get("budget_id"), part.get("amount_cents")
        budget = db.session.get(Budget, ident) if _valid_id(ident) else None
        if budget is None or budget.region_code != case.region_code:
            raise DomainError("Kies voor de medefinanciering een budget van de regio van dit "
                              "traject uit de lijst.", field="co_funding", code="unknown_budget")
        if budget.id in seen:
            raise DomainError("Elk budget betaalt één deel: kies voor de medefinanciering een "
                              "ander budget dan het hoofdbudget en de andere delen.",
                              field="co_funding", code="budget_twice")
        seen.add(budget.id)
        _check_budget_open(budget, today, field="co_funding")
        if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
            raise DomainError("Vul voor elke medefinanciering een bedrag groter dan € 0,00 in.",
                              field="co_funding")
        if cents > budget.max_per_voucher_cents:
            raise DomainError(
                f"Regel maximum per voucher: het deel van {budget.title} is hoger dan het "
                f"maximum van {format_euros(budget.max_per_voucher_cents)} per voucher.",
                field="co_funding", code="exceeds_max_per_voucher")
        result.append((budget, cents))
    if sum(c for _, c in result) >= amount_cents:
        raise DomainError("De medefinanciering is even hoog als of hoger dan het bedrag; het "
                          "hoofdbudget moet ook een deel betalen.", field="co_funding",
                          code="co_funding_too_high")
    return result


def request_voucher(user: User, case: Case, *, budget_id: Any, provider_id: Any,
                    course_name: str, start_on: date | None, end_on: date | None,
                    amount_cents: Any, motivation: str, co_funding: Any = None,
                    at: datetime | None = None) -> Voucher:
    """A coach requests a voucher for an open case on a budget of the case's region; with
    ``co_funding`` other budgets of the region pay parts of it and the main budget the rest."""
    at = at or clock.now()
    today = clock.local_date(at)
    require(user, Action.REQUEST_VOUCHER, case, "Alleen een loopbaancoach van de regio van dit "
                                                 "traject vraagt een voucher aan.")
    if _closed_at(case, at):
        raise Conflict("Regel traject: dit traject is afgesloten; er kan geen voucher meer "
                       "worden aangevraagd.", code="case_closed")
    budget = db.session.get(Budget, budget_id) if _valid_id(budget_id) else None
    # Another region's budget gets the same answer as an unknown one: nothing is revealed.
    if budget is None or budget.region_code != case.region_code:
        raise DomainError("Kies een budget van de regio van dit traject uit de lijst.",
                          field="budget_id", code="unknown_budget")
    _check_budget_open(budget, today)
    provider = db.session.get(TrainingProvider, provider_id) if _valid_id(provider_id) else None
    if provider is None or not provider.active:
        raise DomainError("Kies een opleider uit de lijst.", field="provider_id")
    course = required_text(course_name, "course_name", "Vul de naam van de opleiding in.", 200)
    if start_on is None:
        raise DomainError("Vul de startdatum in.", field="start_on")
    if end_on is None:
        raise DomainError("Vul de einddatum in.", field="end_on")
    if end_on < start_on:
        raise DomainError("De einddatum kan niet voor de startdatum liggen.", field="end_on")
    if abs((start_on - today).days) > 366 or (end_on - start_on).days > 3 * 366:
        raise DomainError("Kies data binnen een jaar van vandaag en een opleiding van hoogstens "
                          "drie jaar.", field="start_on")
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise DomainError("Vul een bedrag groter dan € 0,00 in.", field="amount_cents")
    parts = _co_funding(case, budget, amount_cents, co_funding, today)
    main_cents = amount_cents - sum(c for _, c in parts)
    if main_cents > budget.max_per_voucher_cents:
        raise DomainError(
            f"Regel maximum per voucher: {'het deel van het hoofdbudget' if parts else 'het'} "
            f"bedrag is hoger dan het maximum van {format_euros(budget.max_per_voucher_cents)} "
            "voor dit budget.", field="amount_cents", code="exceeds_max_per_voucher")
    text = required_text(motivation, "motivation", "Vul de motivatie in.", MAX_TEXT)
    voucher = Voucher(case=case, region_code=case.region_code, budget=budget, provider=provider,
                      course_name=course, start_on=start_on, end_on=end_on,
                      amount_cents=amount_cents, motivation=text,
                      status=VoucherStatus.AANGEVRAAGD, requested_by_id=user.id,
                      requested_at=at, updated_at=at)
    db.session.add(voucher)
    for part_budget, cents in parts:
        db.session.add(VoucherFunding(voucher=voucher, budget=part_budget, amount_cents=cents))
    _event(voucher, user, None, VoucherStatus.AANGEVRAAGD, "", at)
    db.session.flush()
    _record(voucher, user, "voucher.request",
            f"aangevraagd, {format_euros(amount_cents)} op budget {budget.id}"
            + "".join(f" + {format_euros(c)} op budget {b.id}" for b, c in parts)
            + f", opleider {provider.id}")
    signals.voucher_requested.send(voucher, user=user)
    return voucher


def available_moves(user: User, voucher: Voucher) -> list[Move]:
    """The moves ``user`` may make now (role, region and four eyes; the budget is checked on
    the decision itself)."""
    moves = []
    for move in allowed_moves(voucher.status):
        if not can(user, MOVE_ACTIONS[move.kind], voucher):
            continue
        if move.kind == MoveKind.DECIDE and voucher.requested_by_id == user.id:
            continue
        if move.target == VoucherStatus.TOEGEKEND and not can_still_be_granted(voucher):
            continue  # only "Afwijzen" can work (see _check_decision)
        moves.append(move)
    return moves


def can_still_be_granted(voucher: Voucher) -> bool:
    """Whether the case still allows a grant: running, and still in the budget's region."""
    case = voucher.case
    return not _closed_at(case, clock.now()) and case.region_code == voucher.region_code


def decide(user: User, voucher: Voucher, *, approve: bool, note: str = "",
           at: datetime | None = None) -> Voucher:
    """A coordinator of the region, not the requester, grants or refuses a request."""
    target = VoucherStatus.TOEGEKEND if approve else VoucherStatus.AFGEWEZEN
    return advance(user, voucher, target, note=note, at=at)


def advance(user: User, voucher: Voucher, to: Any, *, note: str = "",
            invoice_number: str = "", declared_amount_cents: Any = None,
            at: datetime | None = None) -> Voucher:
    """Move a voucher along its lifecycle, if the lifecycle, the role and the budget allow it.

    The lock comes first: it must be the first statement of the transaction on SQLite.
    """
    _lock_voucher(voucher)
    at = at or clock.now()
    target = as_status(to)
    problem = refusal(voucher.status, to)
    if problem is not None:
        error = Conflict if target is not None else DomainError
        raise error(problem, field="to", code="not_allowed",
                    allowed=[m.target.value for m in allowed_moves(voucher.status)])
    move = find_move(voucher.status, target)
    assert move is not None
    who = {MoveKind.DECIDE: "een regiocoördinator", MoveKind.SETTLE: "een regiocoördinator",
           MoveKind.PROGRESS: "de loopbaancoach of de regiocoördinator"}[move.kind]
    require(user, MOVE_ACTIONS[move.kind], voucher,
            f"Deze stap zet {who} van de regio van de voucher.")
    note = _clean_note(note)
    if move.needs_note and not note:
        raise DomainError("Geef een toelichting bij deze stap.", field="note",
                          code="note_required")
    case = voucher.case
    if move.kind == MoveKind.DECIDE:
        _check_decision(user, voucher, case, approve=target == VoucherStatus.TOEGEKEND, at=at)
    if move.needs_invoice:
        _apply_declaration(voucher, invoice_number, declared_amount_cents, at)
    source = voucher.status
    voucher.status = target
    voucher.updated_at = at
    if move.kind == MoveKind.DECIDE:
        voucher.decided_by_id = user.id
        voucher.decided_at = at
        voucher.decision_note = note
    if target == VoucherStatus.BETAALD:
        voucher.paid_at = at
    _event(voucher, user, source, target, note, at)
    db.session.flush()
    summary = f"{source.label} → {target.label}"
    if move.needs_invoice:
        summary += f", factuur vastgelegd, {format_euros(voucher.declared_amount_cents)}"
    elif target in (VoucherStatus.TOEGEKEND, VoucherStatus.BETAALD):
        summary += f", {format_euros(voucher.committed_cents)}"
    _record(voucher, user, "voucher." + target.value, summary)
    if move.kind == MoveKind.DECIDE:
        signals.voucher_decided.send(voucher, user=user)
    return voucher


def _check_decision(user: User, voucher: Voucher, case: Case, *, approve: bool,
                    at: datetime) -> None:
    if voucher.requested_by_id == user.id:
        raise Conflict("Regel vier ogen: u hebt deze voucher zelf aangevraagd; een andere "
                       "regiocoördinator van de regio beslist erover.", code="four_eyes")
    if not approve:
        return
    if case.region_code != voucher.region_code:
        raise Conflict("Regel regio: het traject is intussen overgedragen aan een andere regio; "
                       "wijs deze aanvraag af en vraag opnieuw aan op een budget van die regio.",
                       code="case_transferred")
    if _closed_at(case, at):
        raise Conflict("Regel traject: het traject is afgesloten; een voucher kan niet meer "
                       "worden toegekend. Wijs de aanvraag af.", code="case_closed")
    # Every budget the voucher is paid from, locked in a fixed order; then each part is checked
    # against what is left on its own budget.
    _lock_budgets([voucher.budget, *(p.budget for p in voucher.parts)])
    for budget, cents, _declared in voucher.funding():
        _check_budget_open(budget, clock.local_date(at), field=None, error=Conflict)
        if cents > budget.max_per_voucher_cents:
            raise Conflict(
                f"Regel maximum per voucher: {format_euros(cents)} is meer dan het maximum van "
                f"{format_euros(budget.max_per_voucher_cents)} per voucher van {budget.title}.",
                code="exceeds_max_per_voucher")
        remaining = budget.amount_cents - committed_cents(budget.id)
        if cents > remaining:
            raise Conflict(
                f"Regel resterend budget: {format_euros(cents)} is meer dan er nog over is op "
                f"{budget.title} ({format_euros(remaining)}).",
                code="exceeds_remaining_budget", remaining_cents=remaining,
                budget_id=budget.id)


def _apply_declaration(voucher: Voucher, invoice_number: str | None, declared: Any,
                       at: datetime) -> None:
    number = (invoice_number or "").strip()
    if not number:
        raise DomainError("Vul het factuurnummer van de opleider in.", field="invoice_number",
                          code="invoice_required")
    if len(number) > 50:
        raise DomainError("Gebruik hoogstens 50 tekens.", field="invoice_number")
    if declared is None:
        declared = voucher.amount_cents
    if not isinstance(declared, int) or isinstance(declared, bool) or declared <= 0:
        raise DomainError("Vul een gedeclareerd bedrag groter dan € 0,00 in.",
                          field="declared_amount_cents")
    if declared > voucher.amount_cents:
        raise DomainError(
            f"Regel toegekend bedrag: er kan niet meer worden gedeclareerd dan is toegekend "
            f"({format_euros(voucher.amount_cents)}).", field="declared_amount_cents",
            code="exceeds_voucher")
    voucher.invoice_number = number
    voucher.declared_amount_cents = declared
    voucher.declared_at = at
    _divide_declared(voucher, declared)


def _divide_declared(voucher: Voucher, declared: int) -> None:
    """Divide the declared amount over the parts in proportion to their approved amounts, in
    whole cents: the main budget's share rounded down, the cents left over one each to the
    co-funding parts in order. No share exceeds its approved part, so no budget is charged
    more than was approved on it."""
    if not voucher.parts:
        return
    total = voucher.amount_cents
    main = declared * voucher.main_amount_cents // total
    shares = [declared * p.amount_cents // total for p in voucher.parts]
    left = declared - main - sum(shares)
    for index in range(left):
        shares[index % len(shares)] += 1
    for part, share in zip(voucher.parts, shares, strict=True):
        part.declared_cents = share


# ---------------------------------------------------------------------------------------------
# Reading


def voucher_query(user: User, *, status: str | None = None, case_id: int | None = None,
                  budget_id: int | None = None, coach_id: int | None = None) -> sa.Select:
    """Vouchers ``user`` may see (their regions), filtered; newest request first."""
    query = scoped(sa.select(Voucher), user, Voucher, Action.VIEW_VOUCHER)
    if status:
        query = query.where(Voucher.status == VoucherStatus(status))
    if case_id:
        query = query.where(Voucher.case_id == case_id)
    if budget_id:
        query = query.where(sa.or_(Voucher.budget_id == budget_id, Voucher.id.in_(
            sa.select(VoucherFunding.voucher_id).where(VoucherFunding.budget_id == budget_id))))
    if coach_id:
        query = query.where(Voucher.case_id.in_(
            sa.select(Case.id).where(Case.coach_id == coach_id)))
    return query.order_by(Voucher.requested_at.desc(), Voucher.id.desc())


def with_list_data(query: sa.Select) -> sa.Select:
    """Load what list pages show (case, candidate, budget, requester) in a bounded number of
    statements."""
    return query.options(
        selectinload(Voucher.case), selectinload(Voucher.budget), selectinload(Voucher.parts),
        selectinload(Voucher.requested_by).lazyload(User.memberships))


def _awaiting_decision(user: User, select: sa.Select) -> sa.Select:
    """Requests (status aangevraagd) in the regions where ``user`` decides, with their case."""
    return (scoped(select.join(Case, Voucher.case_id == Case.id), user, Voucher,
                   Action.DECIDE_VOUCHER)
            .where(Voucher.status == VoucherStatus.AANGEVRAAGD))


def _decidable() -> sa.ColumnElement[bool]:
    """A request can still be granted: its case is running and still in the budget's region
    (the rules of :func:`_check_decision` that do not depend on the budget's room)."""
    return sa.and_(RUNNING, Case.region_code == Voucher.region_code)


def inbox_query(user: User) -> sa.Select:
    """Requests that wait for a decision of ``user``, oldest first: not their own request (four
    eyes) and not one that can no longer be granted (case closed or transferred)."""
    return (_awaiting_decision(user, sa.select(Voucher))
            .where(_decidable(), Voucher.requested_by_id != user.id)
            .order_by(Voucher.requested_at, Voucher.id))


def stale_requests_query(user: User) -> sa.Select:
    """Requests that can no longer be granted (case closed or transferred): they only need to be
    refused, so the inbox lists them apart from the decisions."""
    return (_awaiting_decision(user, sa.select(Voucher)).where(sa.not_(_decidable()))
            .order_by(Voucher.requested_at, Voucher.id))


def count_awaiting_decision(user: User) -> int:
    """How many requests :func:`inbox_query` lists (the start page's "Wacht op u")."""
    return db.session.scalar(
        _awaiting_decision(user, sa.select(sa.func.count(Voucher.id)))
        .where(_decidable(), Voucher.requested_by_id != user.id)) or 0


def course_started(voucher: Voucher, today: date | None = None) -> bool:
    """The course began before today (Dutch calendar): granting now is after the fact."""
    return voucher.start_on < (today or clock.today())


def load_voucher(voucher_id: Any, user: User) -> Voucher:
    """One voucher the user may see, or 404 (also for another region's voucher)."""
    return get_or_404(Voucher, voucher_id, user, Action.VIEW_VOUCHER)


def audit_view(user: User, voucher: Voucher) -> None:
    """Record that ``user`` read this voucher (page view or API read), under its case."""
    _record(voucher, user, "voucher.view", "bekeken")


@dataclass(frozen=True)
class CaseSection:
    """What the case page shows about vouchers."""

    vouchers: list[Voucher]
    can_request: bool
    can_view: bool
    history: list[VoucherEvent] = dataclass_field(default_factory=list)


def case_section(user: User, case: Case) -> CaseSection:
    """Vouchers of one case with their history: two statements, whatever their number."""
    if not can(user, Action.VIEW_VOUCHER, case):
        return CaseSection([], False, False)
    can_request = can(user, Action.REQUEST_VOUCHER, case) and not case.is_closed
    if not extensions.has_rows(case, "vouchers"):
        return CaseSection([], can_request, True)
    vouchers = list(db.session.scalars(
        sa.select(Voucher).where(Voucher.case_id == case.id)
        .options(selectinload(Voucher.events), selectinload(Voucher.budget))
        .order_by(Voucher.requested_at.desc(), Voucher.id.desc())))
    history = sorted((e for v in vouchers for e in v.events), key=lambda e: (e.at, e.id),
                     reverse=True)
    return CaseSection(vouchers, can_request, True, history)


# ---------------------------------------------------------------------------------------------
# The case timeline


def timeline_items(case: Case) -> list[TimelineItem]:
    """Every voucher status change of the case, for the case timeline: one statement.

    Connected to :data:`rmt.cases.service.TIMELINE_SOURCES` by :mod:`rmt.vouchers.receivers`.
    """
    if not extensions.has_rows(case, "vouchers"):
        return []

    rows = db.session.execute(
        sa.select(VoucherEvent, Voucher.course_name, User.name)
        .join(Voucher, VoucherEvent.voucher_id == Voucher.id)
        .outerjoin(User, VoucherEvent.user_id == User.id)
        .where(Voucher.case_id == case.id)
        .options(sa.orm.lazyload(VoucherEvent.user))).all()
    items = []
    for event, course, user_name in rows:
        step = (f"{label_of(as_status(event.from_status))} → "
                f"{label_of(as_status(event.to_status))}"
                if event.from_status else "aangevraagd")
        items.append(TimelineItem(event.at, "voucher",
                                  f"Voucher {event.voucher_id} ({course}): {step}",
                                  event.note, user_name or ""))
    return items



# ---------------------------------------------------------------------------------------------
# Closing the case


def _voucher_title(voucher: Voucher) -> str:
    return (f"Voucher {voucher.id}: {voucher.course_name} ({format_euros(voucher.amount_cents)}),"
            f" {voucher.status_label.lower()}")


def withdraw_on_case_close(user: User, voucher: Voucher, reason: str) -> Voucher:
    """Withdraw a request still waiting for a decision because its case closes (the closing's
    transaction). The voucher row is locked first: a decision at the same moment either comes
    first (then closing is refused) or finds the request withdrawn."""
    _lock_voucher(voucher)
    target = WITHDRAWN_ON_CASE_CLOSE.get(voucher.status)
    if target is None:
        raise Conflict(f"{_voucher_title(voucher)}: intussen gewijzigd; bekijk het traject "
                       "opnieuw voordat u afsluit.", code="open_items")
    at = clock.now()
    source = voucher.status
    voucher.status = target
    voucher.updated_at = at
    voucher.decision_note = reason[:1000]
    _event(voucher, user, source, target, reason[:1000], at)
    _record(voucher, user, "voucher." + target.value, f"{source.value} → {target.value}, "
            "traject afgesloten")
    return voucher


def open_items(case: Case) -> list[OpenItem]:
    """The case's vouchers that are not final, and what closing the case does with each."""
    items = []
    for voucher in db.session.scalars(
            sa.select(Voucher).where(Voucher.case_id == case.id,
                                     Voucher.status.not_in(list(FINAL)))
            .order_by(Voucher.id)):
        title = _voucher_title(voucher)
        if voucher.status in BLOCKS_CASE_CLOSE:
            outcome = ("sluiten kan pas als de opleiding is afgerond of afgebroken"
                       if voucher.status == VoucherStatus.GESTART else
                       "sluiten kan pas als de voucher is ingetrokken, of als de opleiding is "
                       "gestart en afgerond")
            items.append(OpenItem("voucher", title, outcome, blocks=True))
        elif voucher.status in WITHDRAWN_ON_CASE_CLOSE:
            items.append(OpenItem(
                "voucher", title, "wordt ingetrokken met de reden: traject afgesloten",
                settle=lambda user, reason, v=voucher: withdraw_on_case_close(user, v, reason)))
        else:
            items.append(OpenItem("voucher", title, "blijft staan: declaratie en betaling "
                                                     "lopen door na afsluiting"))
    return items
