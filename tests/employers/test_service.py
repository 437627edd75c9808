"""The employer rules through the service: lifecycles, consent, duplicates, merge, placement."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases import service as cases_service
from rmt.cases.models import Task
from rmt.employers import (
    common,
    contacts,
    lifecycle,
    pages,
    placements,
    receivers,
    registry,
    vacancies,
)
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    Vacancy,
    VacancyStatus,
)
from rmt.errors_domain import Conflict, DomainError
from rmt.extensions import db
from rmt.process import CaseState
from tests.employers.conftest import liaison_of, make_case
from tests.factories import (
    ContactMomentFactory,
    EmployerContactFactory,
    EmployerFactory,
    UserFactory,
    VacancyFactory,
    sector,
)

TODAY = clock.today()
PLACEMENT = {"start_on": TODAY, "contract_type": "vast"}


def employer_data(**overrides):
    return {"kvk_number": "30123456", "name": "Bakkerij De Korenaar", "sector_id": sector().id,
            "street_address": "Dorpsstraat 1", "postcode": "3811ab", "city": "Amersfoort",
            "region_codes": ["AM"], "sbb_number": "", **overrides}


# --- normalisation -------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [("30123456", "30123456"), (" 30.12.34.56 ", "30123456"),
                                           ("3012-3456", "30123456")])
def test_kvk_normalised(raw, expected):
    assert registry.normalise_kvk(raw) == expected


@pytest.mark.parametrize("raw", ["", "1234567", "123456789", "abcdefgh", "00000000", None,
                                 "3012345６"])
def test_kvk_refused(raw):
    with pytest.raises(DomainError) as excinfo:
        registry.normalise_kvk(raw)
    assert excinfo.value.field == "kvk_number"


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 11, 15), 3, date(2027, 2, 15)),
    (date(2024, 8, 31), 6, date(2025, 2, 28)), (date(2026, 3, 1), 6, date(2026, 9, 1))])
def test_add_months(start, months, expected):
    assert common.add_months(start, months) == expected


# --- employers and duplicates --------------------------------------------------------------


def test_create_employer_normalises_and_audits(liaison_mu):
    employer = registry.create_employer(liaison_mu, employer_data(kvk_number="30 12 34 56"))
    assert employer.kvk_number == "30123456" and employer.postcode == "3811 AB"
    assert employer.region_codes == ["AM"] and employer.sbb_number is None
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "employer.create" and entry.object_id == str(employer.id)


def test_second_registration_of_kvk_is_refused_and_names_the_first(liaison_mu):
    first = registry.create_employer(liaison_mu, employer_data())
    with pytest.raises(registry.DuplicateEmployer) as excinfo:
        registry.create_employer(liaison_of("FV"), employer_data(name="Korenaar BV"))
    assert excinfo.value.status == 409 and excinfo.value.existing is first
    assert excinfo.value.extra["existing_employer"] == {"id": first.id, "name": first.name}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employer).where(
        Employer.kvk_number == "30123456")) == 1


def test_changing_kvk_to_a_known_one_is_refused(liaison_mu):
    first = EmployerFactory(kvk_number="30123456")
    second = EmployerFactory()
    with pytest.raises(registry.DuplicateEmployer):
        registry.update_employer(liaison_mu, second, employer_data(kvk_number=first.kvk_number))


def test_coach_and_admin_cannot_register_employers():
    for role in ("coach", "admin"):
        with pytest.raises(DomainError) as excinfo:
            registry.create_employer(UserFactory(role=role), employer_data())
        assert excinfo.value.code == "forbidden"


@pytest.mark.parametrize("field, value", [
    ("name", ""), ("sector_id", None), ("sector_id", 999_999), ("region_codes", []),
    ("region_codes", ["XX"]), ("postcode", "12345"), ("sbb_number", "12ab")])
def test_employer_bad_input_refused_per_field(liaison_mu, field, value):
    with pytest.raises(DomainError) as excinfo:
        registry.create_employer(liaison_mu, employer_data(**{field: value}))
    assert excinfo.value.field == field


def test_search_and_filters():
    techniek = EmployerFactory(name="Installatie Hoogland", sector=sector("techniek"),
                               regions=["AM"], sbb_number="12345678", kvk_number="31000001")
    zorg = EmployerFactory(name="Zorggroep Heuvelrug", sector=sector("zorg"), regions=["MU"])

    def names(**filters):
        return [e.name for e in db.session.scalars(registry.employer_query(**filters))]

    assert names(q="hoogland") == [techniek.name]
    assert names(q="3100") == [techniek.name]
    assert zorg.name in names(region_code="MU") and techniek.name not in names(region_code="MU")
    assert names(sector_id=sector("techniek").id, leerbedrijf=True) == [techniek.name]
    assert techniek.name not in names(leerbedrijf=False)
    assert names(q="100%_") == []


# --- merge ----------------------------------------------------------------------------------


def test_merge_keeps_all_history(world):
    keep = world.employer
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    duplicate = EmployerFactory(regions=["AM"], sbb_number="55555555", name="Gedeeld Bedr.")
    contact = EmployerContactFactory(employer=duplicate)
    moment = ContactMomentFactory(employer=duplicate)
    vacancy = VacancyFactory(employer=duplicate)
    case = make_case("MU")
    proposal = vacancies.propose(world.liaison["MU"], case, vacancy)
    placement = placements.create_placement(world.liaison["MU"], case, duplicate,
                                          {**PLACEMENT, "job_title": "Chauffeur",
                                           "hours_per_week": 40})
    duplicate_id, keep_id = duplicate.id, keep.id

    moved = registry.merge_employers(coordinator, keep, duplicate)

    assert moved["employer_contact"] == 1 and moved["contact_moment"] == 1
    assert moved["vacancy"] == 1 and moved["placement"] == 1
    for model, obj in ((EmployerContact, contact), (ContactMoment, moment), (Vacancy, vacancy),
                       (Placement, placement)):
        assert db.session.get(model, obj.id).employer_id == keep_id
    assert db.session.get(Proposal, proposal.id).vacancy.employer_id == keep_id
    merged = db.session.get(Employer, duplicate_id)
    assert merged.merged_into_id == keep_id and merged.merged_at is not None
    kept = db.session.get(Employer, keep_id)
    assert kept.region_codes == ["AM", "FV", "MU"] and kept.sbb_number == "55555555"
    assert registry.find_by_kvk(merged.kvk_number).id == keep_id
    assert duplicate_id not in [e.id for e in db.session.scalars(registry.employer_query())]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "employer.merge"))
    assert entry.object_id == str(keep_id) and str(duplicate_id) in entry.summary


def test_merge_rules():
    liaison = liaison_of("MU")
    coordinator = UserFactory(role="coordinator", regions=["MU"])
    a, b, c = EmployerFactory(), EmployerFactory(), EmployerFactory()
    with pytest.raises(DomainError) as excinfo:
        registry.merge_employers(liaison, a, b)
    assert excinfo.value.code == "forbidden"
    with pytest.raises(DomainError):
        registry.merge_employers(coordinator, a, a)
    registry.merge_employers(coordinator, a, b)
    with pytest.raises(Conflict):
        registry.merge_employers(coordinator, c, b)
    with pytest.raises(Conflict):
        registry.merge_employers(coordinator, b, c)


# --- contact moments ------------------------------------------------------------------------


def test_contact_moment_in_own_region_with_follow_up(liaison_mu):
    employer = EmployerFactory(regions=["FV"])
    colleague = UserFactory(role="coordinator", regions=["MU"])
    moment = contacts.record_contact_moment(liaison_mu, employer, {
        "region_code": "MU", "contact_on": TODAY, "kind": "e-mail", "summary": " Mail ",
        "follow_up_on": TODAY + timedelta(days=7), "follow_up_owner_id": colleague.id})
    assert moment.summary == "Mail" and moment.follow_up_owner is colleague
    assert moment.follow_up_open
    contacts.complete_follow_up(liaison_mu, moment)
    assert not moment.follow_up_open


@pytest.mark.parametrize("change, field", [
    ({"region_code": "FV"}, "region_code"),
    ({"contact_on": TODAY + timedelta(days=1)}, "contact_on"),
    ({"contact_on": None}, "contact_on"),
    ({"kind": "fax"}, "kind"),
    ({"summary": "  "}, "summary"),
    ({"follow_up_on": TODAY - timedelta(days=1)}, "follow_up_on"),
    ({"follow_up_on": TODAY, "follow_up_owner_id": -1}, "follow_up_owner_id"),
    ({"follow_up_owner_id": 1}, "follow_up_on"),
    ({"contact_id": 999_999}, "contact_id"),
])
def test_contact_moment_refusals(liaison_mu, change, field):
    employer = EmployerFactory()
    data = {"region_code": "MU", "contact_on": TODAY, "kind": "telefoon", "summary": "x",
            **change}
    with pytest.raises(DomainError) as excinfo:
        contacts.record_contact_moment(liaison_mu, employer, data)
    assert excinfo.value.field == field


def test_follow_up_owner_from_another_region_is_refused(liaison_mu):
    other = liaison_of("FV")
    with pytest.raises(DomainError) as excinfo:
        contacts.record_contact_moment(liaison_mu, EmployerFactory(), {
            "region_code": "MU", "contact_on": TODAY, "kind": "bezoek", "summary": "x",
            "follow_up_on": TODAY, "follow_up_owner_id": other.id})
    assert excinfo.value.field == "follow_up_owner_id"


def test_follow_up_of_another_region_cannot_be_completed(world):
    with pytest.raises(DomainError):
        contacts.complete_follow_up(world.liaison["MU"], world.moment["FV"])


# --- vacancy lifecycle (table over all pairs) -----------------------------------------------


@pytest.mark.parametrize("source, target", list(product(VacancyStatus, VacancyStatus)))
def test_vacancy_lifecycle(liaison_mu, source, target):
    vacancy = VacancyFactory(status=source, region_code="MU")
    allowed = target in lifecycle.VACANCY_TRANSITIONS[source]
    if allowed:
        vacancies.set_vacancy_status(liaison_mu, vacancy, target.value)
        assert vacancy.status == target
        assert (vacancy.ended_on is None) == (target == VacancyStatus.OPEN)
    else:
        with pytest.raises(Conflict):
            vacancies.set_vacancy_status(liaison_mu, vacancy, target.value)
        assert vacancy.status == source


def test_vacancy_of_another_region_cannot_be_changed(liaison_mu):
    vacancy = VacancyFactory(region_code="FV")
    with pytest.raises(DomainError) as excinfo:
        vacancies.set_vacancy_status(liaison_mu, vacancy, "closed")
    assert excinfo.value.code == "forbidden"


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"hours_per_week": 0}, "hours_per_week"),
    ({"hours_per_week": 61}, "hours_per_week"), ({"hours_per_week": True}, "hours_per_week"),
    ({"sector_id": 0}, "sector_id"), ({"region_code": "FV"}, "region_code"),
    ({"opened_on": TODAY + timedelta(days=1)}, "opened_on"),
    ({"closes_on": TODAY - timedelta(days=1)}, "closes_on")])
def test_vacancy_refusals(liaison_mu, change, field):
    data = {"title": "Monteur", "sector_id": sector("techniek").id, "hours_per_week": 40,
            "region_code": "MU", **change}
    with pytest.raises(DomainError) as excinfo:
        vacancies.create_vacancy(liaison_mu, EmployerFactory(), data)
    assert excinfo.value.field == field


# --- proposal lifecycle (table over all pairs) ----------------------------------------------


def _proposal_in(status: ProposalStatus):
    liaison = liaison_of("MU")
    case = make_case("MU")
    proposal = vacancies.propose(liaison, case, VacancyFactory(region_code="MU"))
    path = {ProposalStatus.VOORGESTELD: [], ProposalStatus.GESPREK: ["gesprek"],
            ProposalStatus.AANGENOMEN: ["gesprek", "aangenomen"],
            ProposalStatus.AFGEWEZEN: ["afgewezen"],
            ProposalStatus.INGETROKKEN: ["ingetrokken"]}[status]
    for step in path:
        vacancies.transition_proposal(liaison, proposal, step, note="reden", placement=PLACEMENT)
    return liaison, proposal


@pytest.mark.parametrize("source, target", list(product(ProposalStatus, ProposalStatus)))
def test_proposal_lifecycle(source, target):
    liaison, proposal = _proposal_in(source)
    events_before = len(proposal.events)
    allowed = target in lifecycle.PROPOSAL_TRANSITIONS[source]
    if allowed:
        event = vacancies.transition_proposal(liaison, proposal, target.value, note="reden",
                                            placement=PLACEMENT)
        assert proposal.status == target and event.from_status == source
        assert (proposal.decided_on is not None) == (target not in
                                                      lifecycle.OPEN_PROPOSAL_STATUSES)
        assert (proposal.placement is not None) == (target == ProposalStatus.AANGENOMEN)
    else:
        with pytest.raises(Conflict) as excinfo:
            vacancies.transition_proposal(liaison, proposal, target.value, note="reden",
                                        placement=PLACEMENT)
        assert excinfo.value.code == "not_allowed"
        assert proposal.status == source and len(proposal.events) == events_before


def test_lifecycle_table_is_complete():
    assert set(lifecycle.PROPOSAL_TRANSITIONS) == set(ProposalStatus)
    assert set(lifecycle.VACANCY_TRANSITIONS) == set(VacancyStatus)
    finals = [s for s, targets in lifecycle.PROPOSAL_TRANSITIONS.items() if not targets]
    assert set(finals) == {ProposalStatus.AANGENOMEN, ProposalStatus.AFGEWEZEN,
                           ProposalStatus.INGETROKKEN}


def test_refusal_and_withdrawal_need_a_reason():
    liaison, proposal = _proposal_in(ProposalStatus.VOORGESTELD)
    for target in ("afgewezen", "ingetrokken"):
        with pytest.raises(DomainError) as excinfo:
            vacancies.transition_proposal(liaison, proposal, target, note="  ")
        assert excinfo.value.field == "note"
    assert proposal.status == ProposalStatus.VOORGESTELD


def test_accepting_without_placement_details_changes_nothing():
    liaison, proposal = _proposal_in(ProposalStatus.GESPREK)
    for placement, field in (({}, "contract_type"), ({"contract_type": "vast"}, "start_on"),
                             ({"contract_type": "vast", "start_on": TODAY,
                               "hours_per_week": 99}, "hours_per_week")):
        with pytest.raises(DomainError) as excinfo:
            vacancies.transition_proposal(liaison, proposal, "aangenomen", placement=placement)
        assert excinfo.value.field == field
    assert proposal.status == ProposalStatus.GESPREK
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0


def test_stale_status_is_a_conflict():
    liaison, proposal = _proposal_in(ProposalStatus.GESPREK)
    with pytest.raises(Conflict) as excinfo:
        vacancies.transition_proposal(liaison, proposal, "afgewezen", note="x",
                                    expected_status="voorgesteld")
    assert excinfo.value.code == "stale_status"


def test_accepted_proposal_creates_placement_fills_vacancy_and_plans_follow_ups():
    liaison, proposal = _proposal_in(ProposalStatus.GESPREK)
    start = TODAY - timedelta(days=10)
    vacancies.transition_proposal(liaison, proposal, "aangenomen",
                                placement={"start_on": start, "contract_type": "leerwerkbaan"})
    placement = proposal.placement
    assert placement.employer_id == proposal.vacancy.employer_id
    assert placement.job_title == proposal.vacancy.title
    assert placement.hours_per_week == proposal.vacancy.hours_per_week
    assert proposal.vacancy.status == VacancyStatus.FILLED
    assert [(f.months, f.due_on) for f in placement.follow_ups] == [
        (m, common.add_months(start, m)) for m in (1, 3, 6)]
    tasks = db.session.scalars(sa.select(Task).where(Task.case_id == proposal.case_id)).all()
    assert sorted(t.due_on for t in tasks) == [f.due_on for f in placement.follow_ups]
    assert {t.owner_id for t in tasks} == {proposal.case.coach_id}
    statuses = db.session.scalars(sa.select(ProposalEvent.to_status).where(
        ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.id)).all()
    assert statuses == ["voorgesteld", "gesprek", "aangenomen"]


# --- consent ------------------------------------------------------------------------------


def test_proposal_without_consent_is_refused(liaison_mu):
    case = make_case("MU", consent=False)
    with pytest.raises(DomainError) as excinfo:
        vacancies.propose(liaison_mu, case, VacancyFactory())
    assert excinfo.value.code == "no_consent"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_revoked_consent_blocks_new_proposals(liaison_mu):
    case = make_case("MU")
    first = vacancies.propose(liaison_mu, case, VacancyFactory())
    consent = case.candidate.consents[0]
    cases_service.revoke_consent(case.coach, case, consent.id)
    with pytest.raises(DomainError) as excinfo:
        vacancies.propose(liaison_mu, case, VacancyFactory())
    assert excinfo.value.code == "no_consent"
    # The proposal made before the revocation continues.
    vacancies.transition_proposal(liaison_mu, first, "gesprek")


def test_consent_for_the_future_does_not_count(liaison_mu):
    case = make_case("MU", consent=False)
    from tests.factories import ProfileConsentFactory

    ProfileConsentFactory(candidate=case.candidate, given_on=TODAY + timedelta(days=5))
    with pytest.raises(DomainError):
        vacancies.propose(liaison_mu, case, VacancyFactory())


def test_proposal_rules(liaison_mu):
    with pytest.raises(DomainError) as excinfo:
        vacancies.propose(liaison_mu, make_case("FV"), VacancyFactory())
    assert excinfo.value.code == "forbidden"
    for status in (CaseState.AFGESLOTEN, CaseState.GEPAUZEERD):
        with pytest.raises(Conflict):
            vacancies.propose(liaison_mu, make_case("MU", status), VacancyFactory())
    with pytest.raises(Conflict):
        vacancies.propose(liaison_mu, make_case("MU"), VacancyFactory(status=VacancyStatus.CLOSED))
    case, vacancy = make_case("MU"), VacancyFactory(region_code="FV")  # vacancy of any region
    vacancies.propose(liaison_mu, case, vacancy)
    with pytest.raises(Conflict) as excinfo:
        vacancies.propose(liaison_mu, case, vacancy)
    assert excinfo.value.code == "already_proposed"
    with pytest.raises(DomainError):
        vacancies.propose(UserFactory(role="coordinator", regions=["MU"]), make_case("MU"),
                        VacancyFactory())


def test_coach_may_propose_own_region():
    case = make_case("MU")
    proposal = vacancies.propose(case.coach, case, VacancyFactory())
    assert proposal.proposed_by_id == case.coach_id and proposal.region_code == "MU"


def test_proposable_cases_only_own_region_with_consent(liaison_mu):
    vacancy = VacancyFactory()
    mine = make_case("MU")
    make_case("MU", consent=False)
    make_case("FV")
    make_case("MU", CaseState.AFGESLOTEN)
    found = vacancies.proposable_cases(liaison_mu, vacancy)
    assert found == [mine]
    vacancies.propose(liaison_mu, mine, vacancy)
    assert vacancies.proposable_cases(liaison_mu, vacancy) == []


# --- placements, the geplaatst guard and aftercare -----------------------------------------


def test_placement_enables_the_geplaatst_transition():
    case = make_case("MU", CaseState.BEMIDDELING)
    coach = case.coach
    with pytest.raises(DomainError) as excinfo:
        cases_service.transition(coach, case, "geplaatst", expected_version=case.version)
    assert excinfo.value.code == "no_active_placement"
    placement = placements.create_placement(coach, case, EmployerFactory(), {
        **PLACEMENT, "job_title": "Orderpicker", "hours_per_week": 32})
    cases_service.transition(coach, case, "geplaatst", expected_version=case.version)
    assert case.status == CaseState.GEPLAATST
    # An ended placement no longer counts.
    other = make_case("MU", CaseState.UITVOERING)
    ended = placements.create_placement(other.coach, other, placement.employer, {
        "start_on": TODAY - timedelta(days=60), "end_on": TODAY - timedelta(days=1),
        "contract_type": "uitzend", "job_title": "Inpakker", "hours_per_week": 20})
    assert not ended.is_active()
    with pytest.raises(DomainError):
        cases_service.transition(other.coach, other, "geplaatst", expected_version=other.version)


def test_placement_check_is_registered_once():
    # create_app connected the receivers already; connecting again must not add a second hook.
    receivers.connect()
    names = [(c.__module__, c.__qualname__) for c in cases_service.PLACEMENT_CHECKS]
    assert names.count(("rmt.employers.placements", "case_has_active_placement")) == 1


@pytest.mark.parametrize("change, field", [
    ({"contract_type": "freelance"}, "contract_type"), ({"start_on": None}, "start_on"),
    ({"start_on": TODAY - timedelta(days=400)}, "start_on"),
    ({"end_on": TODAY - timedelta(days=1)}, "end_on"), ({"job_title": ""}, "job_title"),
    ({"hours_per_week": 0}, "hours_per_week")])
def test_placement_refusals(change, field):
    case = make_case("MU")
    data = {"start_on": TODAY, "contract_type": "vast", "job_title": "Monteur",
            "hours_per_week": 40, **change}
    with pytest.raises(DomainError) as excinfo:
        placements.create_placement(case.coach, case, EmployerFactory(), data)
    assert excinfo.value.field == field


def test_placement_refused_for_closed_case_and_other_region():
    closed = make_case("MU", CaseState.AFGESLOTEN)
    data = {**PLACEMENT, "job_title": "Monteur", "hours_per_week": 40}
    with pytest.raises(Conflict):
        placements.create_placement(closed.coach, closed, EmployerFactory(), data)
    with pytest.raises(DomainError) as excinfo:
        placements.create_placement(liaison_of("FV"), make_case("MU"), EmployerFactory(), data)
    assert excinfo.value.code == "forbidden"


def test_follow_up_outcome_marks_task_done_and_counts_for_sustainability(world):
    placement = world.placement["MU"]
    liaison = world.liaison["MU"]
    first = placement.follow_ups[0]
    assert first.due_on <= TODAY
    with pytest.raises(DomainError) as excinfo:
        placements.record_follow_up(liaison, first, still_employed=False, reason="")
    assert excinfo.value.field == "reason"
    with pytest.raises(DomainError):
        placements.record_follow_up(liaison, first, still_employed="ja")
    placements.record_follow_up(liaison, first, still_employed=True)
    assert first.task.done_at is not None and first.recorded_by_id == liaison.id
    with pytest.raises(Conflict):
        placements.record_follow_up(liaison, first, still_employed=True)
    six = placement.follow_ups[2]
    with pytest.raises(Conflict) as excinfo:
        placements.record_follow_up(liaison, six, still_employed=True)
    assert excinfo.value.code == "not_due"
    six.due_on = TODAY
    placements.record_follow_up(liaison, six, still_employed=True)
    sustained = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp).where(
        FollowUp.months == 6, FollowUp.still_employed.is_(True)))
    assert sustained == 1
    with pytest.raises(DomainError):
        placements.record_follow_up(world.liaison["FV"], placement.follow_ups[1],
                                 still_employed=True)


def test_end_placement(world):
    placement = world.placement["MU"]
    liaison = world.liaison["MU"]
    with pytest.raises(DomainError):
        placements.end_placement(liaison, placement, end_on=placement.start_on - timedelta(days=1),
                              reason="x")
    with pytest.raises(DomainError):
        placements.end_placement(liaison, placement, end_on=TODAY, reason="")
    placements.end_placement(liaison, placement, end_on=TODAY, reason="Proeftijd niet gehaald")
    assert not placement.is_active()
    assert not placements.case_has_active_placement(world.case["MU"])
    with pytest.raises(Conflict):
        placements.end_placement(liaison, placement, end_on=TODAY, reason="x")


# --- region scoping of candidate data seen through employers -------------------------------


def test_candidate_data_through_a_shared_employer_is_region_scoped(world):
    mu = world.liaison["MU"]
    page = pages.employer_page(mu, world.employer)
    assert {p.case.region_code for p in page.proposals} == {"MU"}
    assert {p.case.region_code for p in page.placements} == {"MU"}
    # Shared employer data is visible to both regions.
    assert {m.region_code for m in page.contact_moments} == {"MU", "FV"}
    assert {v.region_code for v in page.vacancies} == {"MU", "FV"}
    assert vacancies.get_proposal(mu, world.proposal["FV"].id) is None
    assert placements.get_placement(mu, world.placement["FV"].id) is None
    assert pages.work_profile(mu, world.case["FV"]) is None
    dashboard = pages.liaison_dashboard(mu)
    assert {f.placement.case.region_code for f in dashboard.overdue_follow_ups +
            dashboard.due_follow_ups + dashboard.overdue_own_follow_ups +
            dashboard.due_own_follow_ups} == {"MU"}


def test_transfer_moves_proposals_with_the_case(world):
    case = world.case["FV"]
    case.region_code = "MU"  # as an accepted transfer does
    db.session.flush()
    assert vacancies.get_proposal(world.liaison["MU"], world.proposal["FV"].id) is not None
    assert vacancies.get_proposal(world.liaison["FV"], world.proposal["FV"].id) is None


def test_admin_sees_no_candidate_data(world):
    admin = UserFactory(role="admin", regions=["MU", "FV"])
    assert vacancies.get_proposal(admin, world.proposal["MU"].id) is None
    assert pages.case_employment(admin, world.case["MU"]).proposals == []
    assert db.session.scalars(vacancies.proposal_query(admin)).all() == []
    assert db.session.scalars(placements.placement_query(admin)).all() == []


def test_work_profile_holds_no_private_data(world):
    profile = pages.work_profile(world.liaison["MU"], world.case["MU"])
    fields = set(vars(profile))
    assert not fields & {"birth_date", "email", "phone", "benefit", "notes", "tasks", "postcode"}
    assert profile.name == world.case["MU"].candidate.full_name
