"""Read models of the case pages: the case list, the start pages and the transfer inbox.

Every query is region-scoped through :func:`rmt.access.scoped` and runs a fixed number of
statements whatever the number of cases (no per-row lazy loads): the tests count them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from rmt import clock
from rmt.access import Action, scoped
from rmt.auth.models import RegionMembership, Role, User
from rmt.cases import search
from rmt.cases.models import (
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Consent,
    Note,
    Task,
    TransferStatus,
)
from rmt.db_types import fixed_order_join
from rmt.extensions import db
from rmt.process import MAIN_LINE, CaseState

PER_PAGE = 25
STEP_ORDER = [*MAIN_LINE[:-1], CaseState.GEPAUZEERD, CaseState.AFGESLOTEN]


def days_since(moment: datetime | None, today: date | None = None) -> int:
    """Whole days between ``moment`` (shown in Amsterdam time) and today."""
    if moment is None:
        return 0
    return max(0, ((today or clock.today()) - clock.local_date(moment)).days)


def region_staff(region_codes: set[str] | frozenset[str], roles: tuple[Role, ...],
                 *, active_only: bool = True) -> list[User]:
    """Users with one of ``roles`` in any of ``region_codes``, by name."""
    if not region_codes:
        return []
    query = sa.select(User).where(
        User.role.in_(roles),
        User.memberships.any(RegionMembership.region_code.in_(sorted(region_codes))),
    ).order_by(User.name, User.id)
    if active_only:
        query = query.where(User.active)
    return list(db.session.scalars(query))


# ---------------------------------------------------------------------------------------------
# Case list


def _sort_columns(sort: str) -> list[tuple[sa.ColumnElement, bool]]:
    """(column, ascending) pairs for a sort key of the case list."""
    step_rank = sa.case({s.value: i for i, s in enumerate(STEP_ORDER)}, value=Case.status)
    sorts: dict[str, list[tuple[sa.ColumnElement, bool]]] = {
        "naam": [(Candidate.last_name, True), (Candidate.first_name, True)],
        "geopend": [(Case.opened_on, True)],
        "stap": [(step_rank, True)],
        # More days in step = an earlier status_since: ascending days is descending status_since.
        "dagen": [(Case.status_since, False)],
    }
    return sorts.get(sort, sorts["naam"])


SORT_LABELS = {"naam": "Naam", "geopend": "Aangemeld op", "stap": "Stap",
               "dagen": "Dagen in stap"}


@dataclass
class CaseFilters:
    status: str = ""  # "" = every open case, "alle" = everything, else one CaseState value
    coach_id: int | None = None
    target_group: str | None = None
    referral_partner: str | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    q: str = ""
    sort: str = "naam"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass
class CaseRow:
    case: Case
    days_in_step: int


@dataclass
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    pages: int
    per_page: int
    #: The count stopped at ``total``: more cases match (shown as "meer dan ...").
    more: bool = False

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def search_condition(q: str) -> sa.ColumnElement[bool] | None:
    """Cases whose candidate's name, e-mail address or phone number matches ``q``, or whose
    number ``q`` names (the case list, the API and the header search; see
    :mod:`rmt.cases.search`)."""
    return search.case_condition(q)


def _conditions(filters: CaseFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.status == "":
        conditions.append(Case.status != CaseState.AFGESLOTEN)
    elif filters.status != "alle":
        conditions.append(Case.status == CaseState(filters.status))
    if filters.coach_id:
        conditions.append(Case.coach_id == filters.coach_id)
    if filters.target_group:
        conditions.append(Candidate.target_group == filters.target_group)
    if filters.referral_partner:
        conditions.append(Candidate.referral_partner == filters.referral_partner)
    if filters.opened_from:
        conditions.append(Case.opened_on >= filters.opened_from)
    if filters.opened_to:
        conditions.append(Case.opened_on <= filters.opened_to)
    search = search_condition(filters.q)
    if search is not None:
        conditions.append(search)
    return conditions


#: The case list counts at most this many matches (or up to the page asked for) and then says
#: "meer dan ...": counting every one of 30,000 open cases on each request was the list's cost.
COUNT_CAP = 1000


def list_cases(user: User, filters: CaseFilters, today: date | None = None) -> CasePage:
    """One page of the region's cases (two statements plus one for the coaches' regions)."""
    conditions = _conditions(filters)
    cap = max(COUNT_CAP, min(max(1, filters.page), 100_000) * filters.per_page)
    # The count joins the candidate only for a filter on its columns (the search is a
    # subquery on case_file.candidate_id).
    counted = sa.select(Case.id)
    if filters.target_group or filters.referral_partner:
        counted = counted.join(Case.candidate)
    matching = scoped(counted, user, Case).where(*conditions).limit(cap + 1).subquery()
    found = db.session.scalar(sa.select(sa.func.count()).select_from(matching)) or 0
    more = found > cap
    total = min(found, cap)
    pages = max(1, math.ceil(total / filters.per_page)) + (1 if more else 0)
    page = min(max(1, filters.page), pages)
    order = [column.asc() if ascending != filters.descending else column.desc()
             for column, ascending in _sort_columns(filters.sort)]
    first = search.number_first(filters.q)
    if first is not None:  # "301": case 301 before the phone numbers with 301 in them
        order.insert(0, first)
    # A deferred join: the ids of the page are sorted and cut first, in a narrow subquery
    # (id and sort keys), and only those cases are then read whole. Sorting thousands of
    # whole rows (case, candidate, municipality, coach) was most of the list's time on SQLite.
    # By name, without a search: SQLite walks the candidates in name order (ix_candidate_sort_name)
    # and stops at the page instead of sorting a region's ten thousand open cases; a search
    # starts from its own index instead.
    by_name = filters.sort == "naam" and search.parse(filters.q).empty
    joined = (fixed_order_join(Candidate, Case, Case.candidate_id == Candidate.id) if by_name
              else sa.join(Case, Candidate, Case.candidate_id == Candidate.id))
    page_ids = (
        scoped(sa.select(Case.id).select_from(joined), user, Case)
        .where(*conditions)
        .order_by(*order, Case.id)
        .limit(filters.per_page)
        .offset((page - 1) * filters.per_page)
    )
    query = (
        scoped(sa.select(Case).join(Case.candidate), user, Case)
        .options(contains_eager(Case.candidate))
        .where(Case.id.in_(page_ids))
        .order_by(*order, Case.id)
    )
    today = today or clock.today()
    rows = [CaseRow(case, days_since(case.status_since, today))
            for case in db.session.scalars(query).unique()]
    return CasePage(rows, total, page, pages, filters.per_page, more)


def only_case_named(user: User, q: str) -> int | None:
    """The id of the case a case-number query ("301", "Traject 301") finds when it finds
    exactly one case the user may see (the header search opens it); otherwise None. Two
    statements at most."""
    parsed = search.parse(q)
    if parsed.case_number is None:
        return None
    condition = search.case_condition(parsed)
    ids = db.session.scalars(
        scoped(sa.select(Case.id).join(Case.candidate), user, Case).where(condition).limit(2)
    ).all()
    return ids[0] if len(ids) == 1 else None


# ---------------------------------------------------------------------------------------------
# Start pages


@dataclass
class NextTask:
    title: str
    due_on: date
    overdue_count: int


@dataclass
class CoachCaseRow:
    case: Case
    days_in_step: int
    next_task: NextTask | None


@dataclass
class CoachDashboard:
    cases: list[CoachCaseRow]
    tasks: list[Task]
    today: date

    @property
    def overdue_tasks(self) -> int:
        return sum(1 for task in self.tasks if task.due_on < self.today)


MAX_TASKS_ON_START = 100


def coach_dashboard(user: User, today: date | None = None) -> CoachDashboard:
    """The coach's open cases with their next task, and the coach's own open tasks."""
    today = today or clock.today()
    mine = scoped(sa.select(Case.id), user, Case).where(
        Case.coach_id == user.id, Case.status != CaseState.AFGESLOTEN)
    cases = db.session.scalars(
        scoped(sa.select(Case).join(Case.candidate), user, Case)
        .options(contains_eager(Case.candidate))
        .where(Case.coach_id == user.id, Case.status != CaseState.AFGESLOTEN)
        .order_by(Candidate.last_name, Candidate.first_name, Case.id)
    ).unique().all()

    position = sa.func.row_number().over(partition_by=Task.case_id,
                                         order_by=(Task.due_on, Task.id))
    overdue = sa.func.sum(sa.case((Task.due_on < today, 1), else_=0)).over(
        partition_by=Task.case_id)
    ranked = (
        sa.select(Task.case_id, Task.title, Task.due_on, position.label("position"),
                  overdue.label("overdue"))
        .where(Task.case_id.in_(mine), Task.done_at.is_(None))
        .subquery()
    )
    next_tasks = {
        row.case_id: NextTask(row.title, row.due_on, int(row.overdue or 0))
        for row in db.session.execute(sa.select(ranked).where(ranked.c.position == 1))
    }
    tasks = db.session.scalars(
        scoped(sa.select(Task).join(Task.case), user, Case)
        .options(contains_eager(Task.case))
        .where(Task.owner_id == user.id, Task.done_at.is_(None),
               Case.status != CaseState.AFGESLOTEN)
        .order_by(Task.due_on, Task.id)
        .limit(MAX_TASKS_ON_START)
    ).unique().all()
    rows = [CoachCaseRow(case, days_since(case.status_since, today), next_tasks.get(case.id))
            for case in cases]
    return CoachDashboard(rows, list(tasks), today)


@dataclass
class CoordinatorDashboard:
    step_counts: list[tuple[CaseState, int]]
    open_total: int
    pending_transfers: int
    overdue_tasks: int


def coordinator_dashboard(user: User, today: date | None = None) -> CoordinatorDashboard:
    """Counts for the coordinator's regions: per step, transfers waiting, overdue tasks."""
    today = today or clock.today()
    counts = dict(db.session.execute(
        scoped(sa.select(Case.status, sa.func.count(Case.id)), user, Case)
        .group_by(Case.status)).all())
    step_counts = [(state, int(counts.get(state, 0))) for state in STEP_ORDER]
    open_total = sum(n for state, n in step_counts if state != CaseState.AFGESLOTEN)
    pending = db.session.scalar(
        scoped(sa.select(sa.func.count(CaseTransfer.id)), user, CaseTransfer,
               Action.DECIDE_TRANSFER)
        .where(CaseTransfer.status == TransferStatus.REQUESTED)) or 0
    overdue = db.session.scalar(
        scoped(sa.select(sa.func.count(Task.id)).join(Task.case), user, Case)
        .where(Task.done_at.is_(None), Task.due_on < today,
               Case.status != CaseState.AFGESLOTEN)) or 0
    return CoordinatorDashboard(step_counts, open_total, int(pending), int(overdue))


# ---------------------------------------------------------------------------------------------
# Transfers


def pending_transfers(user: User) -> list[CaseTransfer]:
    """Requests waiting for a decision of (a coordinator of) the user's regions."""
    return list(db.session.scalars(
        scoped(sa.select(CaseTransfer), user, CaseTransfer, Action.DECIDE_TRANSFER)
        .where(CaseTransfer.status == TransferStatus.REQUESTED)
        .options(joinedload(CaseTransfer.requested_by))
        .order_by(CaseTransfer.requested_at, CaseTransfer.id)
    ).unique())


def recent_decisions(user: User, limit: int = 20) -> list[CaseTransfer]:
    """The last decided requests to the user's regions (for reference in the inbox)."""
    return list(db.session.scalars(
        scoped(sa.select(CaseTransfer), user, CaseTransfer, Action.DECIDE_TRANSFER)
        .where(CaseTransfer.status.in_([TransferStatus.ACCEPTED, TransferStatus.REFUSED]))
        .options(joinedload(CaseTransfer.decided_by))
        .order_by(CaseTransfer.decided_at.desc(), CaseTransfer.id.desc())
        .limit(limit)
    ).unique())


def case_transfers(case: Case) -> list[CaseTransfer]:
    """Every transfer request of one case, newest first (the case is already access-checked)."""
    return list(db.session.scalars(
        sa.select(CaseTransfer).where(CaseTransfer.case_id == case.id)
        .options(joinedload(CaseTransfer.requested_by).lazyload(User.memberships),
                 joinedload(CaseTransfer.decided_by).lazyload(User.memberships))
        .order_by(CaseTransfer.requested_at.desc(), CaseTransfer.id.desc())
    ).unique())


# ---------------------------------------------------------------------------------------------
# The case page


#: Notes the case page shows at first; "meer laden" shows this many more each time.
NOTES_PAGE = 20


@dataclass
class CaseDetail:
    case: Case
    transfers: list[CaseTransfer] = field(default_factory=list)
    #: The most recent notes (at most the limit asked for), newest first.
    notes: list[Note] = field(default_factory=list)
    #: Whether older notes exist beyond :attr:`notes`.
    more_notes: bool = False

    @property
    def pending_transfer(self) -> CaseTransfer | None:
        return next((t for t in self.transfers if t.status == TransferStatus.REQUESTED), None)


def load_case_detail(case: Case, notes_limit: int = NOTES_PAGE) -> CaseDetail:
    """Load everything the case page shows in a fixed number of statements; of the notes only
    the ``notes_limit`` most recent (a case can collect hundreds)."""
    # Authors and owners are shown by name only: their region memberships are not loaded.
    db.session.scalars(
        sa.select(Case).where(Case.id == case.id)
        .options(
            selectinload(Case.events).joinedload(CaseEvent.user).lazyload(User.memberships),
            selectinload(Case.tasks).joinedload(Task.owner).lazyload(User.memberships),
            selectinload(Case.activities),
            joinedload(Case.intake),
            joinedload(Case.plan),
            joinedload(Case.candidate).selectinload(Candidate.consents)
            .joinedload(Consent.recorded_by).lazyload(User.memberships),
        )
        .execution_options(populate_existing=True)
    ).unique().one()
    notes = list(db.session.scalars(
        sa.select(Note).where(Note.case_id == case.id)
        .options(joinedload(Note.author).lazyload(User.memberships))
        .order_by(Note.contact_on.desc(), Note.id.desc())
        .limit(notes_limit + 1)))
    return CaseDetail(case, case_transfers(case), notes=notes[:notes_limit],
                      more_notes=len(notes) > notes_limit)
