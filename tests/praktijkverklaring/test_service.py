"""The praktijkverklaring service: requests, werkprocessen, assessments, guards, issuance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases import service as cases_service
from rmt.errors_domain import Conflict, DomainError, StaleVersion
from rmt.extensions import db
from rmt.praktijkverklaring import service
from rmt.praktijkverklaring.lifecycle import AssessmentResult, PvStatus
from rmt.praktijkverklaring.models import PvEvent, PvTrajectory, PvWorkProcess
from rmt.process import CaseState, ExitReason
from tests.factories import CaseFactory, UserFactory
from tests.praktijkverklaring.factories import MboSchoolFactory, QualificationFactory, make_employer

A, N = AssessmentResult.AANGETOOND, AssessmentResult.NOG_NIET_AANGETOOND


def _audit_actions(case_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "case",
                                           AuditEntry.object_id == str(case_id))
        .order_by(AuditEntry.id)))


# --- request ----------------------------------------------------------------------------------


def test_request_records_event_and_audit(coach, case, make_trajectory, qualification):
    trajectory = make_trajectory(case, coach)
    assert trajectory.status == PvStatus.AANGEVRAAGD
    assert [wp.code for wp in trajectory.work_processes] == ["B1-K1-W1", "B1-K1-W2", "B1-K1-W3"]
    assert trajectory.work_processes[0].name == qualification.work_processes[0].name
    assert [(e.from_status, e.to_status) for e in trajectory.events] == [
        (None, PvStatus.AANGEVRAAGD)]
    assert trajectory.region_code == "MU"
    assert _audit_actions(case.id)[-1] == "pv.create"


def test_leerbedrijf_without_sbb_number_is_refused(coach, case, make_trajectory):
    with pytest.raises(DomainError) as excinfo:
        make_trajectory(case, coach, employer=make_employer(sbb_number=None))
    assert excinfo.value.field == "employer_id" and excinfo.value.code == "not_recognised"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PvTrajectory)) == 0


def test_merged_employer_is_refused(coach, case, make_trajectory):
    keep = make_employer()
    merged = make_employer()
    merged.merged_into_id = keep.id
    with pytest.raises(DomainError) as excinfo:
        make_trajectory(case, coach, employer=merged)
    assert excinfo.value.code == "employer_merged"


@pytest.mark.parametrize(("field", "value"), [("school_id", 999_999), ("school_id", "1"),
                                              ("qualification_id", None),
                                              ("qualification_id", 999_999),
                                              ("employer_id", 999_999), ("employer_id", True)])
def test_unknown_references_are_refused(coach, case, school, qualification, leerbedrijf,
                                        field, value):
    data = {"school_id": school.id, "qualification_id": qualification.id,
            "employer_id": leerbedrijf.id, field: value}
    with pytest.raises(DomainError) as excinfo:
        service.create(coach, case, **data)
    assert excinfo.value.field == field


def test_inactive_school_cannot_be_chosen(coach, case, qualification):
    school = MboSchoolFactory(active=False)
    with pytest.raises(DomainError, match="mbo-school"):
        service.create(coach, case, school_id=school.id, qualification_id=qualification.id)


def test_one_open_trajectory_per_case(coach, case, make_trajectory):
    first = make_trajectory(case, coach)
    with pytest.raises(Conflict) as excinfo:
        make_trajectory(case, coach)
    assert excinfo.value.code == "open_trajectory_exists"
    service.transition(coach, first, "afgebroken", expected_version=None, reason="Gestopt")
    assert make_trajectory(case, coach).status == PvStatus.AANGEVRAAGD


def test_partial_unique_index_backs_the_rule(coach, case, make_trajectory, school, qualification):
    make_trajectory(case, coach)
    db.session.add(PvTrajectory(case=case, school=school, qualification=qualification))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_dates_in_the_wrong_order(coach, case, school, qualification):
    with pytest.raises(DomainError) as excinfo:
        service.create(coach, case, school_id=school.id, qualification_id=qualification.id,
                       planned_start=date(2026, 5, 1), planned_end=date(2026, 4, 1))
    assert excinfo.value.field == "planned_end"


def test_closed_case_refuses(coach, school, qualification):
    case = CaseFactory(region_code="MU", coach=coach, status=CaseState.AFGESLOTEN,
                       exit_reason=ExitReason.WERK_LOONDIENST)
    with pytest.raises(Conflict):
        service.create(coach, case, school_id=school.id, qualification_id=qualification.id)
    assert not service.can_request(coach, case)


@pytest.mark.parametrize("role", ["coordinator", "liaison", "admin"])
def test_only_coaches_of_the_region_request(role, case, school, qualification):
    user = UserFactory(role=role, regions=["MU"])
    with pytest.raises(DomainError) as excinfo:
        service.create(user, case, school_id=school.id, qualification_id=qualification.id)
    assert excinfo.value.code == "forbidden"


def test_coach_of_another_region_cannot_request(case, school, qualification):
    other = UserFactory(role="coach", regions=["AM"])
    with pytest.raises(DomainError):
        service.create(other, case, school_id=school.id, qualification_id=qualification.id)


# --- werkprocessen and details ----------------------------------------------------------------


def test_choose_work_processes_only_while_requested(coach, case, make_trajectory,
                                                     qualification):
    trajectory = make_trajectory(case, coach, choose=False)
    ids = [wp.id for wp in qualification.work_processes]
    service.choose_work_processes(coach, trajectory, ids[:2], trajectory.version)
    db.session.flush()
    assert [wp.code for wp in trajectory.work_processes] == ["B1-K1-W1", "B1-K1-W2"]
    service.choose_work_processes(coach, trajectory, ids[1:], trajectory.version)
    db.session.flush()
    assert [wp.code for wp in trajectory.work_processes] == ["B1-K1-W2", "B1-K1-W3"]
    service.transition(coach, trajectory, "werkprocessen_vastgesteld", expected_version=None)
    with pytest.raises(Conflict):
        service.choose_work_processes(coach, trajectory, ids, None)


def test_work_process_of_another_qualification_is_refused(coach, case, make_trajectory):
    other = QualificationFactory()
    trajectory = make_trajectory(case, coach, choose=False)
    with pytest.raises(DomainError) as excinfo:
        service.choose_work_processes(coach, trajectory, [other.work_processes[0].id], None)
    assert excinfo.value.field == "work_processes"


def test_inactive_work_process_cannot_be_chosen(coach, case, make_trajectory, qualification):
    qualification.work_processes[0].active = False
    trajectory = make_trajectory(case, coach, choose=False)
    with pytest.raises(DomainError):
        service.choose_work_processes(coach, trajectory, [qualification.work_processes[0].id],
                                      None)


def test_changing_qualification_clears_work_processes_and_locks_later(
        coach, case, make_trajectory, walk_to):
    trajectory = make_trajectory(case, coach)
    other = QualificationFactory()
    changed = service.update_details(coach, trajectory, {"qualification_id": other.id},
                                     trajectory.version)
    db.session.flush()
    assert changed == ["kwalificatie"] and trajectory.work_processes == []
    service.choose_work_processes(coach, trajectory, [other.work_processes[0].id], None)
    walk_to(coach, trajectory, PvStatus.WERKPROCESSEN_VASTGESTELD)
    with pytest.raises(Conflict) as excinfo:
        service.update_details(coach, trajectory,
                               {"qualification_id": QualificationFactory().id}, None)
    assert excinfo.value.code == "qualification_locked"
    service.update_details(coach, trajectory, {"praktijkopleider": "Sevda Kaya"}, None)
    walk_to(coach, trajectory, PvStatus.OVEREENKOMST_GETEKEND)
    with pytest.raises(Conflict) as excinfo:
        service.update_details(coach, trajectory, {"praktijkopleider": "Iemand anders"}, None)
    assert excinfo.value.code == "details_locked"


def test_stale_version_is_refused(coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach)
    with pytest.raises(StaleVersion):
        service.update_details(coach, trajectory, {"praktijkopleider": "X"},
                               trajectory.version - 1 if trajectory.version > 1 else 99)


# --- guards through the service ---------------------------------------------------------------


def test_guards_through_the_service(coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach, employer=None, praktijkopleider="", choose=False)
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, trajectory, "werkprocessen_vastgesteld", expected_version=None)
    assert excinfo.value.code == "no_work_processes"
    service.choose_work_processes(coach, trajectory,
                                  [wp.id for wp in trajectory.qualification.work_processes], None)
    service.transition(coach, trajectory, "werkprocessen_vastgesteld", expected_version=None)
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, trajectory, "overeenkomst_getekend", expected_version=None)
    assert {p.code for p in excinfo.value.extra["problems"]} == {"no_leerbedrijf",
                                                                 "no_praktijkopleider"}


def test_beoordeeld_needs_every_work_process_assessed(coach, case, make_trajectory, walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.IN_LEREN)
    first, *rest = trajectory.work_processes
    service.assess(coach, trajectory, first, result=A, assessed_on=date.today(),
                   assessor_name="Karin Verhoef", expected_version=None)
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, trajectory, "beoordeeld", expected_version=None)
    assert excinfo.value.code == "not_all_assessed"
    for wp in rest:
        service.assess(coach, trajectory, wp, result=N, assessed_on=date.today(),
                       assessor_name="Karin Verhoef", expected_version=None)
    service.transition(coach, trajectory, "beoordeeld", expected_version=None)
    assert trajectory.status == PvStatus.BEOORDEELD


def test_uitgereikt_needs_one_aangetoond(coach, case, make_trajectory, walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.VASTGESTELD, results=(N,))
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, trajectory, "uitgereikt", expected_version=None)
    assert excinfo.value.code == "nothing_demonstrated"
    assert trajectory.register_number is None
    counter = db.session.execute(sa.text("SELECT count(*) FROM pv_register_counter WHERE "
                                         "last_seq > 0")).scalar()
    assert counter == 0


def test_uitgereikt_needs_a_still_recognised_leerbedrijf(coach, case, make_trajectory,
                                                         walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.VASTGESTELD)
    trajectory.employer.sbb_number = None  # recognition withdrawn after the agreement
    db.session.flush()
    with pytest.raises(DomainError) as excinfo:
        service.transition(coach, trajectory, "uitgereikt", expected_version=None)
    assert (excinfo.value.code, excinfo.value.field) == ("leerbedrijf_not_recognised",
                                                         "employer_id")
    assert trajectory.status == PvStatus.VASTGESTELD and trajectory.register_number is None


@pytest.mark.parametrize("target", ["uitgereikt", "in_leren", "aangevraagd", "onzin", ""])
def test_structurally_impossible_steps_are_conflicts(coach, case, make_trajectory, target):
    trajectory = make_trajectory(case, coach)
    with pytest.raises(Conflict) as excinfo:
        service.transition(coach, trajectory, target, expected_version=None)
    assert excinfo.value.code == "not_allowed"
    assert excinfo.value.extra["allowed"] == ["werkprocessen_vastgesteld", "afgebroken"]


def test_final_states_refuse_everything(coach, case, make_trajectory, walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.UITGEREIKT)
    for target in ("afgebroken", "vastgesteld"):
        with pytest.raises(Conflict):
            service.transition(coach, trajectory, target, expected_version=None, reason="x")
    with pytest.raises(Conflict):
        service.assess(coach, trajectory, trajectory.work_processes[0], result=N,
                       assessed_on=date.today(), assessor_name="X", expected_version=None)


# --- assessments --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"result": "misschien"}, "result"),
    ({"result": None}, "result"),
    ({"assessed_on": None}, "assessed_on"),
    ({"assessed_on": clock.today() + timedelta(days=1)}, "assessed_on"),
    ({"assessed_on": date(1999, 12, 31)}, "assessed_on"),
    ({"assessor_name": "   "}, "assessor_name"),
    ({"assessor_name": "x" * 201}, "assessor_name"),
])
def test_bad_assessments_are_refused(coach, case, make_trajectory, walk_to, kwargs, field):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.IN_LEREN)
    data = {"result": "aangetoond", "assessed_on": date.today(), "assessor_name": "K. Verhoef",
            **kwargs}
    with pytest.raises(DomainError) as excinfo:
        service.assess(coach, trajectory, trajectory.work_processes[0], expected_version=None,
                       **data)
    assert excinfo.value.field == field
    assert trajectory.work_processes[0].result is None


def test_assessment_only_while_learning(coach, case, make_trajectory):
    trajectory = make_trajectory(case, coach)
    with pytest.raises(Conflict) as excinfo:
        service.assess(coach, trajectory, trajectory.work_processes[0], result="aangetoond",
                       assessed_on=date.today(), assessor_name="X", expected_version=None)
    assert excinfo.value.code == "not_assessable"


def test_assessment_is_audited_and_bumps_version(coach, case, make_trajectory, walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.IN_LEREN)
    before = trajectory.version
    service.assess(coach, trajectory, trajectory.work_processes[1], result="nog_niet_aangetoond",
                   assessed_on=date.today(), assessor_name="Karin Verhoef",
                   expected_version=before)
    db.session.flush()
    assert trajectory.version == before + 1
    assert _audit_actions(case.id)[-1] == "pv.assess"
    stored = db.session.get(PvWorkProcess, trajectory.work_processes[1].id)
    assert stored.result == AssessmentResult.NOG_NIET_AANGETOOND


# --- issuance, history, timeline -----------------------------------------------------------------


def test_issuance_copies_the_certificate_data(coach, case, make_trajectory, walk_to,
                                             leerbedrijf, school):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.UITGEREIKT,
                         results=(A, A, N))
    year = clock.today().year
    assert trajectory.register_number == f"PV-MU-{year}-0001"
    assert (trajectory.register_region_code, trajectory.register_year,
            trajectory.register_seq) == ("MU", year, 1)
    assert trajectory.issued_on == clock.today()
    assert trajectory.issued_school_brin == "25PZ"
    assert trajectory.issued_crebo == "25409"
    assert trajectory.issued_sbb_number == leerbedrijf.sbb_number
    assert [wp.code for wp in trajectory.demonstrated] == ["B1-K1-W1", "B1-K1-W2"]
    school.name = "Nieuwe naam"
    assert trajectory.issued_school_name == "ROC Midden Nederland"
    events = db.session.scalars(sa.select(PvEvent).where(PvEvent.trajectory_id == trajectory.id)
                                .order_by(PvEvent.id)).all()
    assert [e.to_status for e in events] == list(PvStatus)[:7]
    assert events[-1].reason == f"registernummer PV-MU-{year}-0001"


def test_steps_appear_in_the_case_timeline(coach, case, make_trajectory, walk_to):
    trajectory = walk_to(coach, make_trajectory(case, coach), PvStatus.OVEREENKOMST_GETEKEND)
    items = [i for i in cases_service.timeline(case, include_notes=True)
             if i.kind == "praktijkverklaring"]
    assert len(items) == 3
    titles = {i.title for i in items}
    assert "Praktijkverklaring Logistiek medewerker: aangevraagd" in titles
    assert ("Praktijkverklaring Logistiek medewerker: Werkprocessen vastgesteld → "
            "Praktijkovereenkomst getekend") in titles
    assert all(i.user_name == coach.name for i in items)
    assert trajectory.events[-1].to_status == PvStatus.OVEREENKOMST_GETEKEND


def test_every_change_is_audited_on_the_case(coach, case, make_trajectory, walk_to):
    walk_to(coach, make_trajectory(case, coach), PvStatus.UITGEREIKT)
    actions = _audit_actions(case.id)
    assert actions.count("pv.create") == 1
    assert actions.count("pv.assess") == 3
    assert actions.count("pv.transition") == 6


def test_status_counts_follow_the_case_region(coach, case, make_trajectory, walk_to):
    walk_to(coach, make_trajectory(case, coach), PvStatus.IN_LEREN)
    other = CaseFactory(region_code="MU", coach=coach, status=CaseState.PLAN)
    make_trajectory(other, coach)
    counts = service.status_counts("MU")
    assert counts[PvStatus.IN_LEREN] == 1 and counts[PvStatus.AANGEVRAAGD] == 1
    assert sum(service.status_counts("AM").values()) == 0


# --- reference data -------------------------------------------------------------------------------


@pytest.fixture
def admin():
    return UserFactory(role="admin", regions=[])


@pytest.mark.parametrize(("brin", "ok"), [("25pz", "25PZ"), ("07 NU 00", "07NU00"),
                                         ("25P", None), ("ABCD", None), ("25PZ0A", None),
                                         ("", None)])
def test_brin_is_validated_with_stdnum(admin, brin, ok):
    if ok:
        assert service.save_school(admin, None, name=f"School {brin}", brin=brin).brin == ok
    else:
        with pytest.raises(DomainError) as excinfo:
            service.save_school(admin, None, name="School", brin=brin)
        assert excinfo.value.field == "brin"


def test_reference_data_is_unique_and_admin_only(admin, coach):
    service.save_school(admin, None, name="MBO Amersfoort", brin="25LH")
    with pytest.raises(DomainError) as excinfo:
        service.save_school(admin, None, name="Ander", brin="25 lh")
    assert excinfo.value.field == "brin"
    with pytest.raises(DomainError) as excinfo:
        service.save_school(admin, None, name="mbo amersfoort", brin="26LH")
    assert excinfo.value.field == "name"
    with pytest.raises(DomainError) as excinfo:
        service.save_school(coach, None, name="X", brin="27LH")
    assert excinfo.value.code == "forbidden"
    qualification = service.save_qualification(admin, None, crebo="25409",
                                               name="Logistiek medewerker", level="2")
    with pytest.raises(DomainError):
        service.save_qualification(admin, None, crebo="25409", name="Dubbel", level=2)
    for crebo in ("2540", "254090", "2540a", ""):
        with pytest.raises(DomainError) as excinfo:
            service.save_qualification(admin, None, crebo=crebo, name="X", level=2)
        assert excinfo.value.field == "crebo"
    with pytest.raises(DomainError) as excinfo:
        service.save_qualification(admin, None, crebo="12345", name="X", level=5)
    assert excinfo.value.field == "level"
    wp = service.save_work_process(admin, qualification, None, code="b1-k1-w1",
                                   name="Ontvangt goederen")
    assert wp.code == "B1-K1-W1"
    for code in ("B1K1W1", "X1-K1-W1", "B1-K1", ""):
        with pytest.raises(DomainError) as excinfo:
            service.save_work_process(admin, qualification, None, code=code, name="X")
        assert excinfo.value.field == "code"
    with pytest.raises(DomainError):
        service.save_work_process(admin, qualification, None, code="B1-K1-W1", name="Dubbel")


def test_rmt_access_scopes_trajectories_by_the_case_region(coach, case, make_trajectory):
    from rmt.access import get_or_404, scoped

    trajectory = make_trajectory(case, coach)
    outsider = UserFactory(role="coach", regions=["AM"])
    assert db.session.scalars(scoped(sa.select(PvTrajectory), coach, PvTrajectory)).all() == [
        trajectory]
    assert db.session.scalars(scoped(sa.select(PvTrajectory), outsider, PvTrajectory)).all() == []
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        get_or_404(PvTrajectory, trajectory.id, outsider)
    case.region_code = "AM"  # after a transfer the trajectory follows its case
    db.session.flush()
    assert get_or_404(PvTrajectory, trajectory.id, outsider) is trajectory
