"""Read models of the case pages: the case list, the start pages and the transfer inbox.

Every query is region-scoped through :func:`rmt.access.scoped` and runs a fixed number of
statements whatever the number of cases (no per-row lazy loads): the tests count them.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.orm import (
    aliased,
    contains_eager,
    defaultload,
    joinedload,
    lazyload,
    load_only,
)
from sqlalchemy.orm.attributes import set_committed_value

from rmt import clock
from rmt.access import Action, in_scope, scope_params, scoped
from rmt.auth.models import RegionMembership, Role, User
from rmt.cases import extensions, search
from rmt.cases.models import (
    RUNNING,
    Candidate,
    Case,
    CaseEvent,
    CaseTransfer,
    Consent,
    Note,
    PlanActivity,
    ReferralPartner,
    TargetGroup,
    Task,
    TransferStatus,
)
from rmt.extensions import db
from rmt.process import MAIN_LINE, CaseState, ExitReason

PER_PAGE = 25
#: Lists show a case's coach by name only: of the account only its id and name are read (not
#: its hashes and second-factor secrets), its region memberships not at all.
#: A person a page names: their id and name, not their account (hashes, second-factor secrets)
#: or region memberships.
NAME_ONLY = (load_only(User.id, User.name), lazyload(User.memberships))
COACH_BY_NAME = defaultload(Case.coach).options(*NAME_ONLY)
#: Of a candidate in a list only the name (and whether it was anonymised) is read.
CANDIDATE_NAME_ONLY = (load_only(Candidate.id, Candidate.first_name, Candidate.name_prefix,
                                 Candidate.last_name, Candidate.anonymised_at),
                       lazyload(Candidate.municipality))
#: Of a case on the coach's start page only what a row shows and its region (the view's audit
#: entry): filling all of a case's columns cost 3 % of the page.
CASE_IN_LIST = load_only(Case.id, Case.region_code, Case.status, Case.status_since,
                         Case.opened_on, Case.coach_id, Case.candidate_id)
STEP_ORDER = [*MAIN_LINE[:-1], CaseState.GEPAUZEERD, CaseState.AFGESLOTEN]


def days_since(moment: datetime | None, today: date | None = None) -> int:
    """Whole days between ``moment`` (shown in Amsterdam time) and today."""
    if moment is None:
        return 0
    return max(0, ((today or clock.today()) - clock.local_date(moment)).days)


def region_staff(region_codes: set[str] | frozenset[str], roles: tuple[Role, ...],
                 *, active_only: bool = True) -> list[User]:
    """Users with one of ``roles`` in any of ``region_codes``, by name (for choice lists and
    notifications: their memberships are not loaded)."""
    if not region_codes:
        return []
    return list(db.session.scalars(_staff_query(roles, active_only, whole=True),
                                   {"staff_regions": sorted(region_codes)}))


@dataclass(frozen=True, slots=True)
class StaffMember:
    """What a choice list shows of a person: :func:`staff_choices`."""

    id: int
    name: str
    role: Role
    active: bool


def staff_choices(region_codes: set[str] | frozenset[str], roles: tuple[Role, ...],
                  *, active_only: bool = True) -> list[StaffMember]:
    """:func:`region_staff` for a choice list: id, name, role and whether active, read as
    columns (no accounts: 0.13 ms instead of 0.6 for a region's 26 coaches)."""
    if not region_codes:
        return []
    rows = db.session.execute(_staff_query(roles, active_only, whole=False),
                              {"staff_regions": sorted(region_codes)})
    return [StaffMember(*row) for row in rows]


@lru_cache(maxsize=32)
def _staff_query(roles: tuple[Role, ...], active_only: bool, *, whole: bool) -> sa.Select:
    """Built once per kind of list: building it cost more than running it."""
    query = (sa.select(User).options(lazyload(User.memberships)) if whole
             else sa.select(User.id, User.name, User.role, User.active))
    query = query.where(
        User.role.in_(roles),
        User.memberships.any(RegionMembership.region_code.in_(
            sa.bindparam("staff_regions", expanding=True))),
    ).order_by(User.name, User.id)
    return query.where(User.active) if active_only else query


def caseloads(coach_ids: list[int] | set[int]) -> dict[int, int]:
    """Running cases (not closed) per coach, in one grouped statement: ``{coach_id: n}``
    (coaches without running cases are absent)."""
    ids = sorted(set(coach_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Case.coach_id, sa.func.count()).where(
            Case.coach_id.in_(ids), RUNNING)
        .group_by(Case.coach_id))
    return {coach_id: int(n) for coach_id, n in rows}


def with_caseload(coaches: list[User]) -> list[tuple[int, str]]:
    """(id, "Name (n lopende trajecten)") for a coach choice, caseloads in one statement."""
    loads = caseloads({c.id for c in coaches})
    return [(c.id, f"{c.name} (" + ngettext("%(num)d lopend traject", "%(num)d lopende trajecten",
                                            loads.get(c.id, 0)) + ")")
            for c in coaches]


@dataclass(frozen=True)
class Workload:
    """What a user still carries: running cases they coach and open tasks they own (counts
    only: the admin who deactivates sees no case content)."""

    running_cases: int
    open_tasks: int

    def __bool__(self) -> bool:
        return bool(self.running_cases or self.open_tasks)


def workload(user: User) -> Workload:
    """The running cases and open tasks of ``user``, in two statements."""
    cases = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.coach_id == user.id, RUNNING)) or 0
    tasks = db.session.scalar(
        sa.select(sa.func.count()).select_from(Task).join(Case, Case.id == Task.case_id).where(
            Task.owner_id == user.id, Task.done_at.is_(None),
            RUNNING)) or 0
    return Workload(int(cases), int(tasks))


def _inactive_coach_cases(user: User, *columns: Any) -> sa.Select:
    """Running cases, in the regions where ``user`` reassigns, whose coach was deactivated:
    the one rule behind the start page's flag, "Wacht op u" and ``/trajecten/overnemen``."""
    return (scoped(sa.select(*columns).select_from(Case), user, Case, Action.REASSIGN_CASELOAD)
            .join(User, User.id == Case.coach_id)
            .where(User.active.is_(False), RUNNING))


def cases_of_inactive_coaches(user: User) -> list[Case]:
    """The cases of :func:`_inactive_coach_cases` with their coach, by region; one statement."""
    return list(db.session.scalars(
        _inactive_coach_cases(user, Case).options(contains_eager(Case.coach).lazyload(
            User.memberships)).order_by(Case.region_code, Case.id)).unique())


def inactive_coach_caseloads(user: User) -> list[tuple[User, str, int]]:
    """(inactive coach, region, running cases) of :func:`_inactive_coach_cases`; one
    statement."""
    query = (_inactive_coach_cases(user, User, Case.region_code, sa.func.count(Case.id))
             .options(lazyload(User.memberships))
             .group_by(User.id, Case.region_code).order_by(User.name, Case.region_code))
    return [(coach, region, int(n)) for coach, region, n in db.session.execute(query)]


def count_cases_of_inactive_coaches(user: User) -> int:
    """How many cases :func:`_inactive_coach_cases` holds (to reassign)."""
    return db.session.scalar(_inactive_coach_cases(user, sa.func.count(Case.id))) or 0


def running_cases_of(user: User, coach: User) -> list[Case]:
    """The running cases of ``coach`` in the regions where ``user`` reassigns, by name."""
    return list(db.session.scalars(
        scoped(sa.select(Case), user, Case, Action.REASSIGN_CASELOAD)
        .join(Candidate, Candidate.id == Case.candidate_id)
        .where(Case.coach_id == coach.id, RUNNING)
        .order_by(Candidate.last_name, Candidate.first_name, Case.id)))


# ---------------------------------------------------------------------------------------------
# Case list


def _sort_columns(sort: str) -> list[tuple[sa.ColumnElement, bool]]:
    """(column, ascending) pairs for a sort key of the case list."""
    step_rank = sa.case({s.value: i for i, s in enumerate(STEP_ORDER)}, value=Case.status)
    sorts: dict[str, list[tuple[sa.ColumnElement, bool]]] = {
        "naam": [(Case.sort_last_name, True), (Case.sort_first_name, True)],
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


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as a row of the case list shows it, read as plain columns rather than as ORM
    objects: loading 25 cases with their candidates and coaches was over half of the list's
    own time (the instances, their states and the identity map), for values only shown."""

    id: int
    region_code: str
    status: CaseState
    opened_on: date
    coach_name: str
    first_name: str
    name_prefix: str
    last_name: str
    target_group: TargetGroup
    referral_partner: ReferralPartner
    days_in_step: int

    # The candidate's own name rules: they read only the three name fields a row holds too.
    sort_name = Candidate.sort_name
    full_name = Candidate.full_name


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


def _conditions(filters: CaseFilters, bound: bool = False) -> list[sa.ColumnElement[bool]]:
    """The filters as conditions; ``bound``: their values as bound parameters (named after the
    filter: :func:`_filter_params`), for a statement kept per shape (:func:`_list_statements`).
    The search is never bound: it is added by the caller when ``bound``."""
    def value(name: str, given: Any) -> Any:
        return sa.bindparam(name) if bound else given

    conditions: list[sa.ColumnElement[bool]] = []
    if filters.status == "":
        conditions.append(RUNNING)
    elif filters.status != "alle":
        conditions.append(Case.status == (sa.bindparam("status") if bound
                                          else CaseState(filters.status)))
    if filters.coach_id:
        conditions.append(Case.coach_id == value("coach_id", filters.coach_id))
    if filters.target_group:
        conditions.append(Candidate.target_group == value("target_group", filters.target_group))
    if filters.referral_partner:
        conditions.append(Candidate.referral_partner
                          == value("referral_partner", filters.referral_partner))
    if filters.opened_from:
        conditions.append(Case.opened_on >= value("opened_from", filters.opened_from))
    if filters.opened_to:
        conditions.append(Case.opened_on <= value("opened_to", filters.opened_to))
    if not bound:
        search = search_condition(filters.q)
        if search is not None:
            conditions.append(search)
    return conditions


def _filter_params(filters: CaseFilters) -> dict[str, Any]:
    """The bound values of :func:`_conditions` (``bound=True``)."""
    params: dict[str, Any] = {
        "coach_id": filters.coach_id, "target_group": filters.target_group,
        "referral_partner": filters.referral_partner, "opened_from": filters.opened_from,
        "opened_to": filters.opened_to}
    if filters.status not in ("", "alle"):
        params["status"] = CaseState(filters.status)
    return {name: given for name, given in params.items() if given}


#: The case list counts at most this many matches (or up to the page asked for) and then says
#: "meer dan ...": counting every one of 30,000 open cases on each request was the list's cost.
COUNT_CAP = 1000


def _capped_count(counted: sa.Select) -> sa.Select:
    """How many rows ``counted`` has, counting no more than the bound ``count_limit``."""
    return sa.select(sa.func.count()).select_from(
        counted.limit(sa.bindparam("count_limit")).subquery())


def _count_of(rows: list[sa.Row], count: sa.Select, params: dict[str, Any], page: int) -> int:
    """The capped count a counted page carries on each row (its last column). A page without
    rows carries none: page 1 then has no matches, a page past the last is counted alone."""
    if rows:
        return rows[0][-1]
    return (db.session.scalar(count, params) or 0) if page > 1 else 0


#: What a :class:`CaseRow` shows, in its order (its days in the step come from status_since).
_ROW_COLUMNS = (Case.id, Case.region_code, Case.status, Case.opened_on,
                User.name.label("coach_name"), Candidate.first_name, Candidate.name_prefix,
                Candidate.last_name, Candidate.target_group, Candidate.referral_partner,
                Case.status_since)


@dataclass(frozen=True)
class _ListStatements:
    count: sa.Select
    page: sa.Select
    #: The page with the (capped) count on each row: one round trip where a page has rows.
    counted_page: sa.Select


def _list_statements(filters: CaseFilters, bound: bool) -> _ListStatements:
    """The count and the page of the case list for ``filters``; the cap, the page and the
    regions are bound parameters, and with ``bound`` the filter values too."""
    conditions = [*_conditions(filters, bound), in_scope(Case)]
    # The count joins the candidate only for a filter on its columns (the search is a
    # subquery on case_file.candidate_id).
    counted = sa.select(Case.id)
    if filters.target_group or filters.referral_partner:
        counted = counted.join(Case.candidate)
    count = _capped_count(counted.where(*conditions))
    order = [column.asc() if ascending != filters.descending else column.desc()
             for column, ascending in _sort_columns(filters.sort)]
    # Ties by number, in the list's direction: the name index then serves both directions.
    order.append(Case.id.desc() if filters.descending else Case.id.asc())
    first = None if bound else search.number_first(filters.q)
    if first is not None:  # "301": case 301 before the phone numbers with 301 in them
        order.insert(0, first)
    # A deferred join: the ids of the page are sorted and cut first, in a narrow subquery
    # (id and sort keys), and only those cases are then read whole. By name (the default), a
    # region's running cases come in order from ix_case_file_open_by_name, stopped at the page;
    # fewer matches (a step, a coach) are read from their own index and sorted; a search starts
    # from its index. The candidate is joined only for a filter on its columns.
    page_ids = (counted.where(*conditions).order_by(*order)
                .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    page = (sa.select(*_ROW_COLUMNS).join(Case.candidate).join(Case.coach)
            .where(in_scope(Case))
            .where(Case.id.in_(page_ids))
            .order_by(*order))
    return _ListStatements(count, page, page.add_columns(count.scalar_subquery()))


@lru_cache(maxsize=128)
def _kept_list_statements(shape: tuple) -> _ListStatements:
    """:func:`_list_statements` of an unsearched list, built once per :func:`_shape` (building
    them cost as much as running them)."""
    return _list_statements(CaseFilters(*shape), bound=True)


def _shape(filters: CaseFilters) -> tuple:
    """``filters`` with each set value replaced by a placeholder (their values are bound at each
    execution; any one step is one shape): lists of one shape share their statements."""
    return astuple(CaseFilters(
        status=filters.status if filters.status in ("", "alle") else "one step",
        coach_id=1 if filters.coach_id else None,
        target_group="x" if filters.target_group else None,
        referral_partner="x" if filters.referral_partner else None,
        opened_from=date.min if filters.opened_from else None,
        opened_to=date.min if filters.opened_to else None,
        sort=filters.sort, descending=filters.descending))


def list_cases(user: User, filters: CaseFilters, today: date | None = None) -> CasePage:
    """One page of the region's cases: one statement (the page with its count), three for a
    page past the last."""
    searched = bool(filters.q.strip())
    statements = (_list_statements(filters, bound=False) if searched
                  else _kept_list_statements(_shape(filters)))
    params: dict[str, Any] = {**scope_params(user),
                              **({} if searched else _filter_params(filters))}
    asked = min(max(1, filters.page), 100_000)
    cap = max(COUNT_CAP, asked * filters.per_page)
    params["count_limit"] = cap + 1

    def page_of(number: int) -> dict[str, Any]:
        return {**params, "limit": filters.per_page, "offset": (number - 1) * filters.per_page}

    # The page and the count in one statement; only a page past the last (no rows) is counted
    # on its own and the last page read instead.
    found_rows = db.session.execute(statements.counted_page, page_of(asked)).all()
    found = _count_of(found_rows, statements.count, params, asked)
    more = found > cap
    total = min(found, cap)
    pages = max(1, math.ceil(total / filters.per_page)) + (1 if more else 0)
    page = min(asked, pages)
    found_rows = (found_rows if page == asked
                  else db.session.execute(statements.page, page_of(page)).all())
    today = today or clock.today()
    shown = len(_ROW_COLUMNS) - 1
    rows = [CaseRow(*row[:shown], days_in_step=days_since(row[shown], today))
            for row in found_rows]
    return CasePage(rows, total, page, pages, filters.per_page, more)


@dataclass(frozen=True)
class ApiCaseFilters:
    """The API's case list filters (``GET /api/v1/cases``); ``after`` is a keyset cursor
    (opened on, id) of the previous page's last case."""

    status: CaseState | None = None
    region: str | None = None
    coach: int | None = None
    q: str = ""
    after: tuple[date, int] | None = None


@dataclass(frozen=True)
class ApiCasePage:
    items: list[Case]
    #: How many cases match (after the cursor), counted up to ``cap``; ``capped``: more.
    total: int
    capped: bool
    number: int
    #: The page's last case when another page follows (the next cursor is made from it).
    last: Case | None


def _api_list_statements(shape: tuple[bool, bool, bool, bool],
                         searched: sa.ColumnElement[bool] | None = None
                         ) -> tuple[sa.Select, sa.Select]:
    """The API list's page with its capped count on each row, and the count alone (for a page
    past the last); ``shape``: which of status, region, coach and cursor are set, bound as
    parameters (:func:`_api_list_params`)."""
    status, region, coach, after = shape
    conditions = [in_scope(Case)]
    if status:
        conditions.append(Case.status == sa.bindparam("status"))
    if region:
        conditions.append(Case.region_code == sa.bindparam("region"))
    if coach:
        conditions.append(Case.coach_id == sa.bindparam("coach"))
    if searched is not None:  # a subquery on case_file.candidate_id
        conditions.append(searched)
    if after:
        conditions.append(sa.tuple_(Case.opened_on, Case.id)
                          < sa.tuple_(sa.bindparam("after_opened_on", type_=sa.Date),
                                      sa.bindparam("after_id", type_=sa.Integer)))
    # Counted on the cases alone (every case has its candidate: no join needed).
    count = _capped_count(sa.select(Case.id).where(*conditions))
    page = (sa.select(Case, count.scalar_subquery()).join(Case.candidate)
            .options(contains_eager(Case.candidate), COACH_BY_NAME)
            .where(*conditions)
            .order_by(Case.opened_on.desc(), Case.id.desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    return page, count


#: The unsearched shapes' statements, built once each (a search builds its own).
_kept_api_list_statements = lru_cache(maxsize=16)(_api_list_statements)


def _api_list_params(filters: ApiCaseFilters) -> dict[str, Any]:
    params: dict[str, Any] = {"status": filters.status, "region": filters.region,
                              "coach": filters.coach}
    if filters.after is not None:
        params["after_opened_on"], params["after_id"] = filters.after
    return {name: value for name, value in params.items() if value is not None}


def api_case_page(user: User, filters: ApiCaseFilters, number: int, per_page: int
                  ) -> ApiCasePage:
    """One page of the cases ``user`` may see, newest first, with the count of the matches up
    to :data:`COUNT_CAP` (or up to the page asked for): one statement, two for a page past the
    last. With a cursor the page is the first after it and the count is of what follows."""
    if filters.after is not None:
        number, cap = 1, COUNT_CAP
    else:
        cap = max(COUNT_CAP, number * per_page)
    shape = (filters.status is not None, filters.region is not None,
             filters.coach is not None, filters.after is not None)
    searched = search_condition(filters.q)  # the same search as the HTML case list
    page, count = (_api_list_statements(shape, searched) if searched is not None
                   else _kept_api_list_statements(shape))
    params = {**scope_params(user), **_api_list_params(filters), "count_limit": cap + 1}
    rows = db.session.execute(page, {**params, "limit": per_page + 1,
                                     "offset": (number - 1) * per_page}).all()
    found = _count_of(rows, count, params, number)
    items = [row[0] for row in rows[:per_page]]
    last = items[-1] if len(rows) > per_page else None
    return ApiCasePage(items, min(found, cap), found > cap, number, last)


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
    #: "te_laat", "vandaag", "binnenkort" (within :data:`SOON_DAYS`) or "".
    urgency: str = ""


@dataclass
class CoachCaseRow:
    case: Case
    days_in_step: int
    next_task: NextTask | None

    @property
    def urgency(self) -> str:
        """"te_laat", "vandaag", "binnenkort" (within :data:`SOON_DAYS`) or ""."""
        return "" if self.next_task is None else self.next_task.urgency


@dataclass
class CoachDashboard:
    #: One page of the coach's running cases: those with overdue or due work first.
    cases: list[CoachCaseRow]
    #: The coach's own open tasks that are overdue, due today or due soon (at most
    #: :data:`MAX_TASKS_ON_START`), the oldest date first.
    tasks: list[Task]
    today: date
    #: Running cases of the coach, and how many of them have overdue tasks.
    case_total: int = 0
    cases_overdue: int = 0
    #: Open tasks of the coach: all of them, overdue, and due today.
    task_total: int = 0
    tasks_overdue: int = 0
    tasks_due_today: int = 0
    page: int = 1
    pages: int = 1
    per_page: int = 0
    #: Always False: the caseload is counted exactly (the pagination macro asks).
    more: bool = False

    @property
    def overdue_tasks(self) -> int:
        return self.tasks_overdue

    @property
    def later_tasks(self) -> int:
        """Open tasks due after the window the page shows."""
        return max(0, self.task_total - len(self.tasks))

    @property
    def shown_case_ids(self) -> list[int]:
        """Every case whose candidate the page names (for the audit list-view entry)."""
        return list(dict.fromkeys([row.case.id for row in self.cases]
                                  + [task.case_id for task in self.tasks]))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.case_total else 0

    @property
    def last_index(self) -> int:
        return min(self.case_total, (self.page - 1) * self.per_page + len(self.cases))


MAX_TASKS_ON_START = 25
#: Cases per page on the coach's start page (a coach can have 400 running cases).
COACH_PAGE = 15
#: Tasks due within this many days count as "binnenkort" and are shown on the start page.
SOON_DAYS = 7


def _urgency(due_on: date | None, today: date) -> str:
    if due_on is None:
        return ""
    if due_on < today:
        return "te_laat"
    if due_on == today:
        return "vandaag"
    return "binnenkort" if (due_on - today).days <= SOON_DAYS else ""


@dataclass(frozen=True)
class _CoachDashboardStatements:
    counts: sa.Select
    cases: sa.Select
    tasks: sa.Select


@lru_cache(maxsize=1)
def _coach_dashboard_statements() -> _CoachDashboardStatements:
    """The start page's three statements, built once (building them cost as much as running
    them); the coach, the dates, the page and the regions are bound parameters."""
    coach_id, today, soon = (sa.bindparam("coach_id", type_=sa.Integer),
                             sa.bindparam("today", type_=sa.Date),
                             sa.bindparam("soon", type_=sa.Date))
    running = (Case.coach_id == coach_id, RUNNING, in_scope(Case))
    mine = sa.select(Case.id).where(*running)
    open_task = (Task.done_at.is_(None),)

    # Per running case: its first open due date and how many open tasks are overdue.
    per_case = (
        sa.select(Task.case_id.label("case_id"), sa.func.min(Task.due_on).label("first_due"),
                  sa.func.sum(sa.case((Task.due_on < today, 1), else_=0)).label("overdue"))
        .where(Task.case_id.in_(mine), *open_task)
        .group_by(Task.case_id)
        .subquery()
    )
    # The user's own open tasks: how many, overdue, due today (one row, whatever the number).
    own_tasks = (
        sa.select(
            sa.func.count(Task.id).label("total"),
            sa.func.count(Task.id).filter(Task.due_on < today).label("overdue"),
            sa.func.count(Task.id).filter(Task.due_on == today).label("today"))
        .join(Task.case)
        .where(Task.owner_id == coach_id, *open_task, RUNNING, in_scope(Case))
        .subquery()
    )
    counts = sa.select(
        sa.select(sa.func.count()).select_from(mine.subquery()).scalar_subquery(),
        sa.select(sa.func.count()).select_from(per_case).where(per_case.c.overdue > 0)
        .scalar_subquery(),
        own_tasks.c.total, own_tasks.c.overdue, own_tasks.c.today)

    bucket = sa.case((per_case.c.overdue > 0, 0), (per_case.c.first_due <= soon, 1), else_=2)
    order = (bucket, per_case.c.first_due.asc().nulls_last(), Case.sort_last_name,
             Case.sort_first_name, Case.id)
    # The page's ids are sorted and cut on narrow rows first; only those cases are read whole.
    page_ids = (sa.select(Case.id)
                .outerjoin(per_case, per_case.c.case_id == Case.id)
                .where(*running).order_by(*order)
                .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
    # The coach is the user (in the session already); of the candidate the name is shown.
    own_case = (CASE_IN_LIST, contains_eager(Case.candidate).options(*CANDIDATE_NAME_ONLY),
                lazyload(Case.coach))
    # The title of each shown case's first open task (the one due on first_due), read with it.
    next_title = (sa.select(Task.title).where(Task.case_id == Case.id, *open_task)
                  .order_by(Task.due_on, Task.id).limit(1)
                  .correlate(Case).scalar_subquery())
    cases = (sa.select(Case, per_case.c.first_due, per_case.c.overdue, next_title)
             .join(Case.candidate)
             .where(in_scope(Case))
             .outerjoin(per_case, per_case.c.case_id == Case.id)
             .options(*own_case)
             .where(Case.id.in_(page_ids))
             .order_by(*order))
    tasks = (sa.select(Task).join(Task.case)
             .where(in_scope(Case))
             .options(contains_eager(Task.case).options(*own_case),
                      lazyload(Task.owner))  # the owner is the user
             .join(Case.candidate)
             .where(Task.owner_id == coach_id, *open_task, Task.due_on <= soon, RUNNING)
             .order_by(Task.due_on, Task.id)
             .limit(MAX_TASKS_ON_START))
    return _CoachDashboardStatements(counts, cases, tasks)


def coach_dashboard(user: User, today: date | None = None, page: int = 1,
                    per_page: int = COACH_PAGE) -> CoachDashboard:
    """What a coach must do today: their overdue and due tasks, then one page of their running
    cases with the cases that have overdue or due work first.

    A fixed number of statements, whatever the caseload: the counts (1), the page of cases with
    each one's next task (1) and the coach's tasks due soon (1).
    """
    today = today or clock.today()
    statements = _coach_dashboard_statements()
    params: dict[str, Any] = {"coach_id": user.id, "today": today,
                              "soon": date.fromordinal(today.toordinal() + SOON_DAYS),
                              **scope_params(user)}
    counts = db.session.execute(statements.counts, params).one()
    case_total, cases_overdue = int(counts[0] or 0), int(counts[1] or 0)
    task_counts = counts[2:]

    pages = max(1, math.ceil(case_total / per_page))
    page = min(max(1, page), pages)
    cases = db.session.execute(
        statements.cases, {**params, "limit": per_page, "offset": (page - 1) * per_page}
    ).unique().all()

    rows = []
    for case, first_due, overdue, title in cases:
        next_task = None
        if title is not None:
            next_task = NextTask(title, first_due, int(overdue or 0), _urgency(first_due, today))
        rows.append(CoachCaseRow(case, days_since(case.status_since, today), next_task))

    tasks = db.session.scalars(statements.tasks, params).unique().all()
    return CoachDashboard(
        rows, list(tasks), today, case_total=case_total, cases_overdue=cases_overdue,
        task_total=int(task_counts[0] or 0), tasks_overdue=int(task_counts[1] or 0),
        tasks_due_today=int(task_counts[2] or 0), page=page, pages=pages, per_page=per_page)


@dataclass
class InactiveCoachLoad:
    coach: User
    running: int


@dataclass
class CoordinatorDashboard:
    step_counts: list[tuple[CaseState, int]]
    open_total: int
    pending_transfers: int
    overdue_tasks: int
    #: Inactive coaches who still hold running cases in the coordinator's regions.
    inactive_coaches: list[InactiveCoachLoad] = field(default_factory=list)


def coordinator_dashboard(user: User, today: date | None = None) -> CoordinatorDashboard:
    """Counts for the coordinator's regions: per step, transfers waiting, overdue tasks, and
    running cases of coaches who are no longer active."""
    today = today or clock.today()
    counts = dict(db.session.execute(
        scoped(sa.select(Case.status, sa.func.count(Case.id)), user, Case)
        .group_by(Case.status)).all())
    step_counts = [(state, int(counts.get(state, 0))) for state in STEP_ORDER]
    open_total = sum(n for state, n in step_counts if state != CaseState.AFGESLOTEN)
    pending = count_pending_transfers(user)
    overdue = db.session.scalar(
        scoped(sa.select(sa.func.count(Task.id)).join(Task.case), user, Case)
        .where(Task.done_at.is_(None), Task.due_on < today,
               RUNNING)) or 0
    running: dict[User, int] = {}
    for coach, _region, n in inactive_coach_caseloads(user):
        running[coach] = running.get(coach, 0) + n
    inactive = [InactiveCoachLoad(coach, n) for coach, n in running.items()]
    return CoordinatorDashboard(step_counts, open_total, int(pending), int(overdue), inactive)


def count_pending_transfers(user: User) -> int:
    """Transfer requests waiting for a decision of (a coordinator of) the user's regions."""
    return db.session.scalar(
        scoped(sa.select(sa.func.count(CaseTransfer.id)), user, CaseTransfer,
               Action.DECIDE_TRANSFER)
        .where(CaseTransfer.status == TransferStatus.REQUESTED)) or 0


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


@dataclass(frozen=True)
class TransferSummary:
    """What the receiving coordinator sees of a case before deciding: the facts of the case and
    its plan, counts of its notes and open actions, never their content."""

    activities: list[tuple[str, str]]  # (service type, status label)
    open_tasks: int
    notes: int


def transfer_summaries(transfers: list[CaseTransfer]) -> dict[int, TransferSummary]:
    """A :class:`TransferSummary` per transfer, in three statements whatever their number."""
    case_ids = sorted({t.case_id for t in transfers})
    if not case_ids:
        return {}
    activities: dict[int, list[tuple[str, str]]] = {i: [] for i in case_ids}
    for activity in db.session.scalars(
            sa.select(PlanActivity).where(PlanActivity.case_id.in_(case_ids))
            .order_by(PlanActivity.case_id, PlanActivity.id)):
        activities[activity.case_id].append((activity.service_type.name,
                                             activity.status.label))
    open_tasks = dict(db.session.execute(
        sa.select(Task.case_id, sa.func.count()).where(
            Task.case_id.in_(case_ids), Task.done_at.is_(None)).group_by(Task.case_id)).all())
    notes = dict(db.session.execute(
        sa.select(Note.case_id, sa.func.count()).where(Note.case_id.in_(case_ids))
        .group_by(Note.case_id)).all())
    return {t.id: TransferSummary(activities[t.case_id], int(open_tasks.get(t.case_id, 0)),
                                  int(notes.get(t.case_id, 0)))
            for t in transfers}


#: The name of a case's transfer requests among the rows :func:`extensions.has_rows` knows.
TRANSFERS = "transfers"


def case_transfers(case: Case) -> list[CaseTransfer]:
    """Every transfer request of one case, newest first (the case is already access-checked).
    Read only if the case page's question about rows of other features (asked anyway) found
    any: most cases were never transferred."""
    if not extensions.has_rows(case, TRANSFERS):
        return []
    return list(db.session.scalars(_CASE_TRANSFERS, {"case_id": case.id}).unique())


_CASE_TRANSFERS = (
    sa.select(CaseTransfer).where(CaseTransfer.case_id == sa.bindparam("case_id"))
    .options(lazyload(CaseTransfer.case),  # the case is in the session already
             joinedload(CaseTransfer.requested_by).lazyload(User.memberships),
             joinedload(CaseTransfer.decided_by).lazyload(User.memberships))
    .order_by(CaseTransfer.requested_at.desc(), CaseTransfer.id.desc())
)


# ---------------------------------------------------------------------------------------------
# The case page


#: Notes the case page shows at first; "meer laden" shows this many more each time.
NOTES_PAGE = 20


@dataclass
class CaseDetail:
    case: Case
    transfers: list[CaseTransfer] = field(default_factory=list)
    #: The most recent notes (at most the limit asked for), newest first.
    notes: list[NoteLine] = field(default_factory=list)
    #: Whether older notes exist beyond :attr:`notes`.
    more_notes: bool = False
    #: Every step change, oldest first (the timeline's).
    events: list[EventLine] = field(default_factory=list)

    @property
    def pending_transfer(self) -> CaseTransfer | None:
        return next((t for t in self.transfers if t.status == TransferStatus.REQUESTED), None)


#: What the case page shows of a case's one-to-one rows, read with the case itself: by the
#: access-checked load (``get_or_404(..., options=CASE_PAGE_LOAD)``) or, on a page shown again
#: after a refused form, by :func:`load_case_detail`. The coach is shown by name only: their
#: region memberships are not loaded.
_ONE_TO_ONE = (Case.intake, Case.plan, Case.candidate)
_CASE_ONE_TO_ONE = tuple(joinedload(relationship) for relationship in _ONE_TO_ONE)
_ONE_TO_ONE_NAMES = frozenset(relationship.key for relationship in _ONE_TO_ONE)
CASE_PAGE_LOAD = (joinedload(Case.coach).options(*NAME_ONLY), *_CASE_ONE_TO_ONE)

def _rows_of(relationship: Any, *options: Any) -> sa.Select:
    """What ``selectinload(relationship)`` reads for one owner (``:owner_id``), in the
    relationship's own order, as a statement built once."""
    prop = relationship.property
    (owner_column,) = prop.remote_side
    return (sa.select(prop.mapper.class_).where(owner_column == sa.bindparam("owner_id"))
            .options(*options).order_by(*(prop.order_by or ())))


#: The case page's collections, each one statement built once (what ``selectinload`` runs,
#: without building it and its options' cache key again on every view). Authors and owners are
#: shown by name only: their name is read, not their account or memberships.
_CASE_TASKS = _rows_of(Case.tasks, joinedload(Task.owner).options(*NAME_ONLY))
_CASE_ACTIVITIES = _rows_of(Case.activities)
_CANDIDATE_CONSENTS = _rows_of(Candidate.consents,
                               joinedload(Consent.recorded_by).options(*NAME_ONLY))

#: Names of the case's own rows among those :func:`extensions.has_rows` knows: a case without
#: tasks, plan activities or consents (a new candidate's case) costs no statement for them.
TASKS, ACTIVITIES, CONSENTS = "tasks", "activities", "consents"


def own_row_probes() -> dict[str, tuple[Any, ...]]:
    """The case's own rows, asked with the features' (``extensions.add_row_probe``): its
    transfer requests, tasks, plan activities and its candidate's consents. The consents are
    found through a case of their own (an alias, looked up by id), so the probe never depends
    on which case rows the statement around it reads."""
    consent_case = aliased(Case, name="consent_case")
    return {TRANSFERS: (CaseTransfer.case_id,), TASKS: (Task.case_id,),
            ACTIVITIES: (PlanActivity.case_id,),
            CONSENTS: (consent_case.id, Consent.candidate_id == consent_case.candidate_id)}


def _load_collection(case: Case, owner: Any, name: str, statement: sa.Select,
                     probe: str | None = None) -> None:
    """Fill ``owner.<name>`` from ``statement`` unless it is loaded already (as a loader
    would: no change recorded); empty without a statement where ``probe`` found no rows."""
    if name not in sa.inspect(owner).dict:  # not loaded (cheaper than ``unloaded``)
        rows = ([] if probe is not None and not extensions.has_rows(case, probe)
                else list(db.session.scalars(statement, {"owner_id": owner.id}).unique()))
        set_committed_value(owner, name, rows)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a page names."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class EventLine:
    """A step change as the case page's timeline shows it: read as columns, not as events with
    their users' accounts (the case page's twenty events as objects were the dearest part of
    its loading)."""

    at: datetime
    region_code: str
    from_status: CaseState | None
    to_status: CaseState
    reason: str
    exit_reason: ExitReason | None
    user: Person | None

    @classmethod
    def of(cls, event: CaseEvent) -> EventLine:
        """The line of an event already loaded (a page shown again after a refused form)."""
        user = Person(event.user.id, event.user.name) if event.user is not None else None
        return cls(event.at, event.region_code, event.from_status, event.to_status,
                   event.reason, event.exit_reason, user)


#: A case's step changes in the order of ``Case.events``, with the name of who made them.
_CASE_EVENT_LINES = (
    sa.select(CaseEvent.at, CaseEvent.region_code, CaseEvent.from_status, CaseEvent.to_status,
              CaseEvent.reason, CaseEvent.exit_reason, User.id, User.name)
    .outerjoin(User, User.id == CaseEvent.user_id)
    .where(CaseEvent.case_id == sa.bindparam("case_id"))
    .order_by(CaseEvent.id)
)


def _event_lines(case: Case) -> list[EventLine]:
    if "events" in sa.inspect(case).dict:  # loaded already: no statement
        return [EventLine.of(event) for event in case.events]
    return [EventLine(*row[:6], user=Person(*row[6:]) if row[6] is not None else None)
            for row in db.session.execute(_CASE_EVENT_LINES, {"case_id": case.id})]


@dataclass(frozen=True, slots=True)
class NoteLine:
    """What the case page shows of a note: read as columns, not as a note and its author's
    account (a case page shows twenty; the objects cost more than the statement)."""

    id: int
    contact_on: date
    kind: Any
    text: str
    created_at: datetime
    author: Person


#: The most recent notes of a case (the statements of the case page are built once).
_CASE_NOTES = (
    sa.select(Note.id, Note.contact_on, Note.kind, Note.text, Note.created_at, User.id, User.name)
    .join(User, User.id == Note.author_id)
    .where(Note.case_id == sa.bindparam("case_id"))
    .order_by(Note.contact_on.desc(), Note.id.desc())
    .limit(sa.bindparam("limit"))
)


def load_case_detail(case: Case, notes_limit: int = NOTES_PAGE) -> CaseDetail:
    """Load everything the case page shows in a fixed number of statements; of the notes only
    the ``notes_limit`` most recent (a case can collect hundreds)."""
    if not _ONE_TO_ONE_NAMES.issubset(sa.inspect(case).dict):
        # The coach came with the case: taken from the session, not read and repopulated
        # again (which also read their region memberships once more).
        db.session.scalars(
            sa.select(Case).where(Case.id == case.id)
            .options(*_CASE_ONE_TO_ONE, lazyload(Case.coach))
            .execution_options(populate_existing=True)
        ).unique().one()
    _load_collection(case, case, "tasks", _CASE_TASKS, TASKS)
    _load_collection(case, case, "activities", _CASE_ACTIVITIES, ACTIVITIES)
    _load_collection(case, case.candidate, "consents", _CANDIDATE_CONSENTS, CONSENTS)
    notes = [NoteLine(*row[:5], author=Person(*row[5:])) for row in db.session.execute(
        _CASE_NOTES, {"case_id": case.id, "limit": notes_limit + 1})]
    return CaseDetail(case, case_transfers(case), notes=notes[:notes_limit],
                      more_notes=len(notes) > notes_limit, events=_event_lines(case))
