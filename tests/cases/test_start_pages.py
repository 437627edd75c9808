"""Start pages that say what to do today: the coach's overdue and due work first and the rest of
the caseload paged (a coach can hold 400 running cases); the coordinator's "Wacht op u" with every
decision waiting, each a count that links to its list (registered per feature through
:mod:`rmt.web.waiting`)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.models import User
from rmt.cases import queries
from rmt.extensions import db
from rmt.process import CaseState
from rmt.web import waiting
from tests.factories import CandidateFactory, CaseFactory, TaskFactory, UserFactory
from tests.helpers import html, text
from tests.querycount import count_statements


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU", name="Sanne Coach")


def _case_links(response) -> list[str]:
    """Candidate names in the caseload table, in order."""
    table = html(response).split('id="mijn-trajecten"')[1]
    return re.findall(r'<a class="utrecht-link" href="/trajecten/\d+">([^<]+)</a>', table)


def _caseload(coach: User, quiet: int = 20) -> dict[str, object]:
    today = date.today()
    made = {}
    for name, due in (("Late-B", -2), ("Late-A", -5), ("Today", 0), ("Soon", 4),
                      ("Later", 30)):
        case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE,
                           candidate=CandidateFactory(first_name="X", last_name=name))
        TaskFactory(case=case, owner=coach, title=f"Bel {name}", due_on=today + timedelta(days=due))
        made[name] = case
    for n in range(quiet):
        made[f"Q{n:02d}"] = CaseFactory(
            coach=coach, status=CaseState.PLAN,
            candidate=CandidateFactory(first_name="X", last_name=f"Q{n:02d}"))
    CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)  # closed: never on the start page
    CaseFactory(status=CaseState.PLAN)  # a colleague's
    db.session.flush()
    return made


def test_overdue_then_due_then_the_rest_by_name_paged(client, coach):
    _caseload(coach)
    first = client.get("/")
    assert first.status_code == 200
    names = _case_links(first)
    assert len(names) == queries.COACH_PAGE
    # overdue (oldest date first), then due today or within a week, then the rest by name
    assert names[:4] == ["Late-A, X", "Late-B, X", "Today, X", "Soon, X"]
    assert names[4:] == ["Later, X", *[f"Q{n:02d}, X" for n in range(queries.COACH_PAGE - 5)]]
    page = text(first)
    assert "Mijn lopende trajecten (25)" in page and "1 tot en met 15 van 25" in page
    assert "Acties te laat 2 Acties voor vandaag 1 Trajecten met acties te laat 2" in page
    # the tasks list: overdue, today and this week; not the one in 30 days
    tasks = page.split("Mijn acties")[1].split("Mijn lopende trajecten")[0]
    assert "Bel Late-A" in tasks and "Bel Soon" in tasks and "Bel Later" not in tasks
    assert "Verder staan er 1 acties voor later open" in tasks

    second = client.get("/?pagina=2")
    assert _case_links(second) == [f"Q{n:02d}, X" for n in range(queries.COACH_PAGE - 5, 20)]
    assert "16 tot en met 25 van 25" in text(second)
    assert 'href="/?pagina=1#mijn-trajecten"' in html(second)


def test_each_case_shows_its_first_open_task(client, coach):
    today = date.today()
    case = CaseFactory(coach=coach, status=CaseState.PLAN,
                       candidate=CandidateFactory(first_name="X", last_name="Taken"))
    TaskFactory(case=case, owner=coach, title="Later gesprek", due_on=today + timedelta(days=9))
    TaskFactory(case=case, owner=coach, title="Eerst bellen", due_on=today - timedelta(days=1))
    TaskFactory(case=case, owner=coach, title="Ook te laat", due_on=today - timedelta(days=1))
    TaskFactory(case=case, owner=coach, title="Al gedaan", due_on=today - timedelta(days=3),
                done_at=sa.func.now())
    CaseFactory(coach=coach, status=CaseState.PLAN,
                candidate=CandidateFactory(first_name="X", last_name="Zonder"))
    db.session.flush()
    rows = html(client.get("/")).split('id="mijn-trajecten"')[1].split("</tbody>")[0]
    row = rows.split("Taken, X")[1].split("</tr>")[0]
    # The earliest open task (same day: the first made), how many are overdue, not the done one.
    assert "Eerst bellen, uiterlijk" in row and "(<strong>te laat</strong>)" in row
    assert "<strong>2</strong>" in row and "Al gedaan" not in row
    without = rows.split("Zonder, X")[1].split("</tr>")[0]
    assert "—" in without


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999", "9" * 30, "%00"])
def test_odd_page_numbers_show_a_page(client, coach, page):
    _caseload(coach, quiet=2)
    response = client.get(f"/?pagina={page}")
    assert response.status_code in (200, 400)  # NUL is refused before the view
    if response.status_code == 200:
        assert _case_links(response)


def test_audit_entry_names_only_the_cases_shown(client, coach):
    made = _caseload(coach)
    client.get("/?pagina=2")
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "case.start_view").order_by(AuditEntry.id.desc())).first()
    named = set(entry.summary.removeprefix("ids: ").split(","))
    on_page = {str(made[f"Q{n:02d}"].id) for n in range(queries.COACH_PAGE - 5, 20)}
    with_tasks_due = {str(made[k].id) for k in ("Late-A", "Late-B", "Today", "Soon")}
    assert named == on_page | with_tasks_due
    assert str(made["Q00"].id) not in named and str(made["Later"].id) not in named


def test_query_count_is_the_same_for_any_caseload_and_page(client, coach):
    coach_id = coach.id

    def measure(n: int, url: str = "/") -> int:
        owner = db.session.get(User, coach_id)
        for i in range(n):
            case = CaseFactory(coach=owner, status=CaseState.DIAGNOSE)
            TaskFactory(case=case, owner=owner, due_on=date.today() - timedelta(days=i % 3))
            TaskFactory(case=case, owner=owner, due_on=date.today() + timedelta(days=i))
        db.session.commit()
        db.session.expunge_all()
        with count_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    few = measure(2)
    assert measure(40) == few
    assert measure(0, "/?pagina=3") == few


# --- coordinator -------------------------------------------------------------------------------


def test_cases_of_inactive_coaches_are_flagged_with_counts(client, login_as):
    gone = UserFactory(role="coach", regions=["MU"], name="Vera Vertrokken", active=False)
    for _ in range(3):
        CaseFactory(coach=gone, status=CaseState.PLAN)
    CaseFactory(coach=gone, status=CaseState.AFGESLOTEN)
    active = UserFactory(role="coach", regions=["MU"])
    CaseFactory(coach=active, status=CaseState.PLAN)
    elsewhere = UserFactory(role="coach", regions=["FV"], active=False)
    CaseFactory(coach=elsewhere, region_code="FV", status=CaseState.PLAN)
    db.session.flush()
    login_as("coordinator", "MU")
    response = client.get("/")
    page = text(response)
    assert "Lopende trajecten van inactieve coaches (opnieuw toewijzen) 3" in page
    assert 'href="/#inactieve-coaches"' in html(response)
    section = html(response).split('id="inactieve-coaches"')[1]
    assert f'href="/trajecten?coach={gone.id}">Vera Vertrokken</a>' in section
    assert elsewhere.name not in section


def test_nothing_waiting_says_so(client, login_as):
    login_as("coordinator", "GV")
    page = text(client.get("/"))
    assert "Er wacht nu niets op uw besluit." in page
    assert "Voucheraanvragen 0" in page and "Overdrachtsverzoeken naar uw regio 0" in page


def test_every_waiting_line_links_to_a_page_the_coordinator_may_open(client, login_as):
    login_as("coordinator", "MU")
    response = client.get("/")
    table = html(response).split('id="wacht-op-u"')[1].split("</table>")[0]
    links = re.findall(r'<th scope="row" class="utrecht-table__header-cell">'
                       r'<a class="utrecht-link" href="([^"]+)">', table)
    assert len(links) >= 4
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_feature_adds_its_waiting_line_without_the_start_page_knowing_it(client, login_as):
    """The hook for later features (e.g. a privacy-request register): register, and it shows."""
    from rmt.access import Action

    calls = []

    def count(user):
        calls.append(user.id)
        return 7

    waiting.add_waiting("Privacyverzoeken (test)", count, lambda _user: "/privacy",
                        action=Action.HANDLE_PRIVACY_REQUEST, order=5)
    try:
        coordinator = login_as("coordinator", "MU")
        page = text(client.get("/"))
        assert "Privacyverzoeken (test) 7" in page and calls == [coordinator.id]
        listed = page.split("Wacht op u")[1]
        assert listed.index("Privacyverzoeken (test)") < listed.index("Voucheraanvragen")
        login_as("coach", "MU")
        assert "Privacyverzoeken (test)" not in text(client.get("/"))
    finally:
        waiting.SOURCES.pop("Privacyverzoeken (test)")


def test_coordinator_query_count_does_not_grow_with_waiting_items(client, login_as):
    login_as("coordinator", "MU")

    def measure(n: int) -> int:
        for _ in range(n):
            gone = UserFactory(role="coach", regions=["MU"], active=False)
            CaseFactory(coach=gone, status=CaseState.PLAN)
            TaskFactory(case=CaseFactory(status=CaseState.PLAN), due_on=date(2020, 1, 1))
        db.session.commit()
        db.session.expunge_all()
        with count_statements() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    assert measure(1) == measure(6)


def test_the_team_lists_active_colleagues_of_the_users_regions_with_their_regions(client,
                                                                                   coach):
    UserFactory(role="coordinator", regions=["MU", "AM"], name="Bram Coördinator")
    UserFactory(role="coach", regions=["MU"], name="Inactieve Collega", active=False)
    UserFactory(role="coach", regions=["GV"], name="Elders Werkend")
    db.session.flush()
    team = html(client.get("/")).split("Uw team")[1]
    rows = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>', team)
    assert rows[rows.index("Sanne Coach"):][:3] == ["Sanne Coach", "Loopbaancoach", "MU"]
    assert rows[rows.index("Bram Coördinator"):][:3] == \
        ["Bram Coördinator", "Regiocoördinator", "AM, MU"]
    assert "Inactieve Collega" not in team and "Elders Werkend" not in team
    with count_statements() as statements:
        client.get("/")
    assert not [s for s in statements if s.lstrip().startswith("SELECT region_membership")]
