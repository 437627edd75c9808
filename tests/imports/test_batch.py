"""The candidates of a file checked row by row against look-ups made once, and written
together: the statements do not grow with the rows, and every record still gets its audit
entry, its step event (the statistics), its timeline line and its signal."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt import signals
from rmt.audit.models import AuditEntry
from rmt.audit.service import verify_chain
from rmt.auth.models import User
from rmt.cases import service as case_service
from rmt.cases.models import (
    Benefit,
    Candidate,
    Case,
    CaseEvent,
    EducationLevel,
    Intake,
    ReferralPartner,
    TargetGroup,
    WorkStatus,
)
from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.imports import kinds, service
from rmt.process import CaseState
from rmt.regions.models import Municipality
from rmt.stats.models import StatCase
from tests.factories import CaseFactory
from tests.helpers import count
from tests.imports.conftest import HEADINGS, candidate_row, make_csv
from tests.querycount import count_statements


def run(user: User, data: bytes, *, dry_run: bool = False):
    return service.run_import(user, kinds.get("candidates"), "MU", "lijst.csv", data,
                              dry_run=dry_run)


def statements_for(coach: tuple[int, str], rows: int, first: int, *, dry_run: bool) -> int:
    user_id, email = coach
    data = make_csv([candidate_row(n, email) for n in range(first, first + rows)])
    with count_statements(cold=True) as statements:
        result = run(db.session.get(User, user_id), data, dry_run=dry_run)
    assert (result.created, result.errors) == (rows, []), result.errors
    return len(statements)


def test_statements_do_not_grow_with_the_rows(coach_mu) -> None:
    # something to compare duplicates with (a phone no row of the file has)
    CaseFactory(region_code="MU", coach=coach_mu, candidate__phone="0699999999")
    coach = (coach_mu.id, coach_mu.email)
    small_dry = statements_for(coach, 3, 1, dry_run=True)
    large_dry = statements_for(coach, 40, 1, dry_run=True)
    assert small_dry == large_dry
    small = statements_for(coach, 3, 100, dry_run=False)
    large = statements_for(coach, 40, 200, dry_run=False)
    assert small == large
    assert large < 60
    assert count(Case) == 1 + 3 + 40


def test_every_created_record_is_audited_in_one_valid_chain(coach_mu) -> None:
    result = run(coach_mu, make_csv([candidate_row(n, coach_mu.email) for n in range(1, 6)]))
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    created = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "case.create").order_by(AuditEntry.id)).all()
    assert [entry.object_id for entry in created] == [str(case.id) for case in cases]
    assert {entry.user_id for entry in created} == {coach_mu.id}
    assert created[0].summary == f"kandidaat {cases[0].candidate_id}, coach {coach_mu.id}"
    assert verify_chain().ok
    assert result.run_id is not None


def test_cases_are_registered_as_the_form_registers_them(coach_mu) -> None:
    rows = [candidate_row(1, coach_mu.email, Postcode="3511ab", Telefoon="06-1234 5678",
                          **{"E-mail": "Persoon1@Example.NL"}),
            candidate_row(2, coach_mu.email, Stap="Intake")]
    run(coach_mu, make_csv(rows))
    first, second = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert (first.candidate.postcode, first.candidate.phone, first.candidate.email) == (
        "3511 AB", "0612345678", "persoon1@example.nl")
    assert (first.status, first.coach_id, first.opened_on.isoformat()) == (
        CaseState.AANGEMELD, coach_mu.id, "2026-01-15")
    assert [e.to_status for e in second.events] == [CaseState.AANGEMELD, CaseState.INTAKE]
    assert second.events[1].reason == "geïmporteerd"
    # the statistics summary follows the events written in bulk
    assert count(StatCase) == 2 and count(CaseEvent) == 3
    titles = [item.title for item in case_service.timeline(first, include_notes=False)]
    assert {"Geïmporteerd", "Aangemeld in MU"} <= set(titles)


def test_intake_fields_are_saved_with_their_audit_entry(coach_mu) -> None:
    headings = [*HEADINGS, "Motivatie"]
    data = make_csv([[*candidate_row(1, coach_mu.email), "  Wil de zorg in.  "],
                     [*candidate_row(2, coach_mu.email), ""]], headings=headings)
    run(coach_mu, data)
    intake = db.session.scalar(sa.select(Intake))
    assert (intake.motivation, intake.completed_at, count(Intake)) == ("Wil de zorg in.", None, 1)
    assert count(AuditEntry, AuditEntry.action == "case.intake") == 1


def test_case_created_is_sent_for_every_case(coach_mu) -> None:
    received: list[tuple[int, int]] = []

    def receiver(case: Case, user: User) -> None:
        received.append((case.id, user.id))

    signals.case_created.connect(receiver)
    try:
        run(coach_mu, make_csv([candidate_row(n, coach_mu.email) for n in range(1, 4)]))
    finally:
        signals.case_created.disconnect(receiver)
    ids = db.session.scalars(sa.select(Case.id).order_by(Case.id)).all()
    assert received == [(case_id, coach_mu.id) for case_id in ids]


def test_a_dry_run_of_many_rows_writes_nothing(coach_mu) -> None:
    before = (count(Candidate), count(Case), count(AuditEntry), count(CaseEvent))
    result = run(coach_mu, make_csv([candidate_row(n, coach_mu.email) for n in range(1, 30)]),
                 dry_run=True)
    assert result.created == 29
    assert (count(Candidate), count(Case), count(AuditEntry), count(CaseEvent)) == before


def test_duplicates_in_the_file_follow_the_registration_rule(coach_mu) -> None:
    same_phone = candidate_row(2, coach_mu.email, Telefoon="06 0000 0001")
    other_region = CaseFactory(region_code="AM")
    data = make_csv([
        candidate_row(1, coach_mu.email),
        same_phone,
        # the same birth date and first name (another last name) as row 2
        candidate_row(3, coach_mu.email, Voornaam="Voornaam1"),
        # someone of another region is no duplicate for a coach of MU
        candidate_row(4, coach_mu.email, Voornaam=other_region.candidate.first_name,
                      Achternaam=other_region.candidate.last_name,
                      Geboortedatum=other_region.candidate.birth_date.strftime("%d-%m-%Y")),
    ])
    result = run(coach_mu, data, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, ""), (4, "")]
    assert result.created == 2


def test_the_single_row_path_applies_the_same_rules(coach_mu) -> None:
    """``apply_row`` (one row, through ``register``) and the batch share check_candidate_row."""
    kind = kinds.get("candidates")
    values = {"first_name": "Sanne", "last_name": "Visser", "birth_date": date(1990, 5, 1),
              "postcode": "3511ab", "municipality_id": db.session.scalar(
                  sa.select(Municipality.id).where(Municipality.name == "Utrecht")),
              "education_level": EducationLevel.MBO3, "work_status": WorkStatus.WERKZOEKEND,
              "benefit": Benefit.WW, "target_group": TargetGroup.WERKZOEKENDEN,
              "referral_partner": ReferralPartner.UWV, "status": CaseState.INTAKE}
    outcome = kind.apply_row(coach_mu, "MU", dict(values))
    case = db.session.get(Case, outcome.object_id)
    assert (case.status, case.candidate.postcode) == (CaseState.INTAKE, "3511 AB")
    with pytest.raises(DomainError, match="bekende kandidaat"):
        kind.apply_row(coach_mu, "MU", dict(values, last_name="Anders"))
    batch = kind.batch(coach_mu, "MU", [dict(values, last_name="Anders")])
    with pytest.raises(DomainError, match="bekende kandidaat"):
        batch.check(dict(values, last_name="Anders"))
