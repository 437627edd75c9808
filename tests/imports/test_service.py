"""The import itself: mapping, dry run, all or nothing, duplicates, region scoping, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.models import Role
from rmt.cases import service as case_service
from rmt.cases.models import Candidate, Case, CaseEvent
from rmt.employers.models import ContactMoment, Employer, EmployerContact
from rmt.errors_domain import DomainError, Forbidden
from rmt.extensions import db
from rmt.imports import kinds, service
from rmt.imports.models import ImportMapping, ImportRecord, ImportRun
from rmt.process import CaseState
from tests.factories import CaseFactory, EmployerFactory, UserFactory, sector
from tests.helpers import count
from tests.imports.conftest import HEADINGS, candidate_row, make_csv, make_xlsx


def candidates() -> kinds.ImportKind:
    return kinds.get("candidates")


def run(user, data, *, dry_run=False, region="MU", name="lijst.csv", kind=None, mapping=None,
        update=False):
    return service.run_import(user, kind or candidates(), region, name, data, mapping=mapping,
                              dry_run=dry_run, update=update)


def test_every_kind_has_templates() -> None:
    names = {k.name for k in kinds.all_kinds()}
    assert {"candidates", "history", "employers", "contacts", "contact_moments"} <= names
    header = service.csv_template(candidates())
    assert header.startswith("Kenmerk;Voornaam;Tussenvoegsel;Achternaam;Geboortedatum")
    for heading in ("E-mail", "Telefoon", "Postcode", "Gemeente", "Regio", "Loopbaancoach",
                    "Stap", "Aangemeld op", "Opleidingsniveau", "Startkwalificatie",
                    "Arbeidssituatie", "Uitkering", "Doelgroep", "Verwijzer"):
        assert heading in header


def test_template_imports_cleanly_with_its_example_row(coach_mu) -> None:
    data = service.xlsx_template(candidates())
    result = run(coach_mu, data, name="sjabloon.xlsx", dry_run=True)
    # the example row names a demo coach that does not exist here: that is the only error
    assert [e.column for e in result.errors] == ["Loopbaancoach"]


def test_headings_match_case_and_accent_insensitive() -> None:
    headings = ["VOORNAAM", "achter naam", "Geboortedatum ", "E-MAILADRES", "Gemeënte",
                "aangemeld op", "Loopbaancoach", "Opleidingsniveau", "kenmerk", "onbekend"]
    mapping = kinds.auto_mapping(candidates(), headings)
    assert mapping == {"first_name": 0, "last_name": 1, "birth_date": 2, "email": 3,
                       "municipality_id": 4, "opened_on": 5, "coach_id": 6,
                       "education_level": 7, "reference": 8}


def test_choice_values_by_code_or_label() -> None:
    parse = candidates().column("education_level").parse
    assert parse("mbo2") == parse("Mbo niveau 2") == parse("MBO NIVEAU 2")
    step = candidates().column("status").parse
    assert step("Trajectplan") == step("plan") == CaseState.PLAN
    with pytest.raises(DomainError, match="kies uit"):
        parse("master")


def test_dry_run_reports_and_writes_nothing(coach_mu) -> None:
    data = make_csv([candidate_row(1, coach_mu.email), candidate_row(2, coach_mu.email)])
    before = (count(Candidate), count(Case), count(AuditEntry))
    result = run(coach_mu, data, dry_run=True)
    assert (result.rows, result.created, result.skipped, result.errors) == (2, 2, 0, [])
    assert result.preview[0][:4] == ["REF-1", "Voornaam1", "", "Achternaam1"]
    assert result.preview[0][HEADINGS.index("Gemeente")] == "Utrecht"
    assert (count(Candidate), count(Case), count(AuditEntry)) == before
    assert count(ImportRun) == 0


def test_import_creates_cases_through_the_registration_rules(coach_mu) -> None:
    data = make_xlsx([candidate_row(1, coach_mu.email, Stap="Intake"),
                      candidate_row(2, coach_mu.email, Startkwalificatie="nee")])
    result = run(coach_mu, data, name="lijst.xlsx")
    assert (result.created, result.errors) == (2, [])
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    assert [c.status for c in cases] == [CaseState.INTAKE, CaseState.AANGEMELD]
    assert cases[0].opened_on.isoformat() == "2026-01-15"
    assert [c.candidate.has_startkwalificatie for c in cases] == [True, False]
    assert count(CaseEvent) == 3  # aangemeld twice, one step to intake: the statistics' input
    record = db.session.get(ImportRun, result.run_id)
    assert (record.created_count, record.user_id, record.filename) == (2, coach_mu.id,
                                                                      "lijst.xlsx")
    assert len(record.sha256) == 64 and record.mapping["first_name"] == "Voornaam"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"case.create", "import.run"} <= actions
    titles = [item.title for item in case_service.timeline(cases[0], include_notes=False)]
    assert "Geïmporteerd" in titles


def test_one_bad_row_imports_nothing_and_names_row_and_column(coach_mu) -> None:
    data = make_csv([candidate_row(1, coach_mu.email),
                     candidate_row(2, coach_mu.email, Geboortedatum="31-02-1990"),
                     candidate_row(3, "onbekend@example.nl"),
                     candidate_row(4, coach_mu.email, Opleidingsniveau="master",
                                   Postcode="")])
    result = run(coach_mu, data)
    assert result.run_id is None and count(Case) == 0 and count(ImportRun) == 0
    problems = [(e.row, e.column) for e in result.errors]
    assert problems == [(3, "Geboortedatum"), (4, "Loopbaancoach"), (5, "Postcode"),
                        (5, "Opleidingsniveau")]
    assert "geldige datum" in result.errors[0].message
    assert "Onbekende loopbaancoach" in result.errors[1].message
    assert result.errors[2].message == "Dit veld is verplicht."


def test_reimport_creates_nothing_new(coach_mu) -> None:
    data = make_csv([candidate_row(1, coach_mu.email), candidate_row(2, coach_mu.email)])
    run(coach_mu, data)
    again = run(coach_mu, data)
    assert (again.created, again.skipped, again.errors) == (0, 2, [])
    assert count(Case) == 2
    # a different file with the same kenmerk values: reported as existing
    other = make_csv([candidate_row(1, coach_mu.email, Voornaam="Ander"),
                      candidate_row(3, coach_mu.email)])
    third = run(coach_mu, other, dry_run=True)
    assert (third.created, third.skipped) == (1, 1)


def test_duplicates_within_the_file_and_against_existing(coach_mu) -> None:
    existing = CaseFactory(region_code="MU", coach=coach_mu)
    person = existing.candidate
    data = make_csv([
        candidate_row(1, coach_mu.email),
        candidate_row(1, coach_mu.email, Voornaam="Zelfde kenmerk"),
        candidate_row(2, coach_mu.email, **{"E-mail": "persoon1@example.nl"}),
        candidate_row(3, coach_mu.email, Voornaam=person.first_name,
                      Achternaam=person.last_name,
                      Geboortedatum=person.birth_date.strftime("%d-%m-%Y")),
    ])
    result = run(coach_mu, data, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, "Kenmerk"), (4, ""), (5, "")]
    assert "al in dit bestand (rij 2)" in result.errors[0].message
    assert "bekende kandidaat" in result.errors[1].message
    assert result.created == 1


def test_region_scoping(coach_mu) -> None:
    data = make_csv([candidate_row(1, coach_mu.email)])
    with pytest.raises(DomainError, match="eigen regio"):
        run(coach_mu, data, region="AM")
    am_coach = UserFactory(role=Role.COACH, regions=["AM"])
    # a coach of AM named in a row of an MU import: the registration rule refuses it
    result = run(coach_mu, make_csv([candidate_row(1, am_coach.email)]), dry_run=True)
    assert [e.column for e in result.errors] == ["Loopbaancoach"]
    # a row that says another region
    result = run(coach_mu, make_csv([candidate_row(1, coach_mu.email, Regio="AM")]),
                 dry_run=True)
    assert [e.column for e in result.errors] == ["Regio"]


def test_coordinator_and_admin_import_for_the_coach_in_the_row(coach_mu) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, regions=["MU"])
    admin = UserFactory(role=Role.ADMIN, regions=[])
    assert run(coordinator, make_csv([candidate_row(1, coach_mu.email)])).created == 1
    assert run(admin, make_csv([candidate_row(2, coach_mu.email)])).created == 1
    assert {c.coach_id for c in db.session.scalars(sa.select(Case))} == {coach_mu.id}
    with pytest.raises(DomainError, match="eigen regio"):
        run(coordinator, make_csv([candidate_row(3, coach_mu.email)]), region="GV")
    # without a coach column someone who is not a coach cannot import candidates
    result = run(coordinator, make_csv([candidate_row(4, "")]), dry_run=True)
    assert [e.column for e in result.errors] == ["Loopbaancoach"]


def test_role_without_import_right_is_refused() -> None:
    user = UserFactory(role=Role.COACH, regions=["MU"], active=False)
    with pytest.raises(Forbidden):
        service.check_region(user, "MU")


def test_missing_required_mapping_is_refused(coach_mu) -> None:
    data = make_csv([["a", "b"]], headings=["Voornaam", "Iets"])
    with pytest.raises(DomainError, match="Koppel een kolom aan: Achternaam"):
        run(coach_mu, data, dry_run=True)


def test_mapping_saved_per_region_and_used_next_time(coach_mu) -> None:
    rows = [["R1", *candidate_row(1, coach_mu.email)[1:]]]
    headings = ["Nummer", "Roepnaam", *HEADINGS[2:]]
    data = make_csv(rows, headings=headings)
    with pytest.raises(DomainError, match="Voornaam"):
        run(coach_mu, data, dry_run=True)
    mapping = kinds.auto_mapping(candidates(), headings)
    mapping.update(first_name=1, reference=0)
    service.save_mapping(coach_mu, "MU", candidates(), headings, mapping)
    saved = db.session.scalar(sa.select(ImportMapping))
    assert (saved.region_code, saved.columns["first_name"]) == ("MU", "Roepnaam")
    assert run(coach_mu, data, dry_run=True).created == 1  # the saved mapping applies
    assert "first_name" not in service.initial_mapping(candidates(), headings, "AM")


def test_employers_contacts_and_contact_moments() -> None:
    liaison = UserFactory(role=Role.LIAISON, regions=["MU"])
    sector("logistiek")
    known = EmployerFactory(regions=["MU"])
    employers = make_csv([["30123456", "Transport BV", "Logistiek", "Utrecht"],
                          [known.kvk_number, "Al bekend", "logistiek", "Zeist"]],
                         headings=["KvK", "Bedrijfsnaam", "Sector", "Plaats"])
    result = run(liaison, employers, kind=kinds.get("employers"))
    assert (result.created, result.skipped, result.errors) == (1, 1, [])
    new = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == "30123456"))
    assert [r.code for r in new.regions] == ["MU"]
    contacts = make_csv([["30123456", "Sanne de Vries", "HR", "s@example.nl"]],
                        headings=["KvK-nummer", "Naam", "Functie", "E-mail"])
    assert run(liaison, contacts, kind=kinds.get("contacts")).created == 1
    assert run(liaison, contacts, kind=kinds.get("contacts")).skipped == 1
    moments = make_csv([["30123456", "02-02-2026", "Telefoon", "Kennismaking", "Sanne de Vries"],
                        ["99999999", "02-02-2026", "bezoek", "Onbekend", ""]],
                       headings=["KvK", "Datum", "Soort", "Samenvatting", "Contactpersoon"])
    result = run(liaison, moments, kind=kinds.get("contact_moments"))
    assert [(e.row, e.column) for e in result.errors] == [(3, "KvK-nummer")]
    assert count(ContactMoment) == 0
    result = run(liaison, moments.rsplit(b"\r\n", 2)[0] + b"\r\n",
                 kind=kinds.get("contact_moments"))
    assert result.created == 1
    moment = db.session.scalar(sa.select(ContactMoment))
    contact = db.session.scalar(sa.select(EmployerContact))
    assert (moment.region_code, moment.contact_id) == ("MU", contact.id)


def test_coach_cannot_import_employers(coach_mu) -> None:
    sector("logistiek")
    data = make_csv([["30123456", "Transport BV", "Logistiek"]],
                    headings=["KvK", "Naam", "Sector"])
    result = run(coach_mu, data, kind=kinds.get("employers"), dry_run=True)
    assert len(result.errors) == 1 and count(Employer) == 0


def test_records_remember_their_keys(coach_mu) -> None:
    result = run(coach_mu, make_csv([candidate_row(7, coach_mu.email)]))
    record = db.session.scalar(sa.select(ImportRecord))
    assert (record.run_id, record.key, record.object_type, record.row_number) == (
        result.run_id, "REF-7", "case", 2)


def test_step_history_of_imported_cases(coach_mu) -> None:
    run(coach_mu, make_csv([candidate_row(1, coach_mu.email),
                            candidate_row(2, coach_mu.email)]))
    history = make_csv([["REF-1", "Intake", "01-02-2026"],
                        ["REF-1", "Diagnose", "01-03-2026"],
                        ["REF-2", "Intake", "01-01-2020"],
                        ["REF-9", "Intake", "01-02-2026"]],
                       headings=["Kenmerk", "Stap", "Datum"])
    result = run(coach_mu, history, kind=kinds.get("history"), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, "Stap"), (4, "Datum"),
                                                           (5, "Kenmerk")]
    assert "intakeformulier" in result.errors[0].message
    good = make_csv([["REF-1", "Intake", "01-02-2026"], ["REF-2", "intake", "2026-02-03"]],
                    headings=["Kenmerk", "Stap", "Datum"])
    result = run(coach_mu, good, kind=kinds.get("history"))
    assert (result.updated, result.errors) == (2, [])
    case = db.session.get(Case, db.session.scalar(
        sa.select(ImportRecord.object_id).where(ImportRecord.key == "REF-1")))
    assert case.status == CaseState.INTAKE
    event = case.events[-1]
    assert (event.to_status, event.at.date().isoformat()) == (CaseState.INTAKE, "2026-02-01")
    again = run(coach_mu, good, kind=kinds.get("history"))
    assert (again.updated, again.skipped) == (0, 2)


def test_update_on_request(coach_mu) -> None:
    run(coach_mu, make_csv([candidate_row(1, coach_mu.email), candidate_row(2, coach_mu.email)]))
    changed = make_csv([candidate_row(1, coach_mu.email, Postcode="3512 CD"),
                        candidate_row(2, coach_mu.email), candidate_row(3, coach_mu.email)])
    assert (run(coach_mu, changed, dry_run=True).skipped, count(Case)) == (2, 2)
    dry = run(coach_mu, changed, dry_run=True, update=True)
    assert (dry.created, dry.updated, dry.skipped) == (1, 1, 1)
    postcodes = set(db.session.scalars(sa.select(Candidate.postcode)))
    assert "3512 CD" not in postcodes
    done = run(coach_mu, changed, update=True)
    assert (done.created, done.updated, done.skipped, done.errors) == (1, 1, 1, [])
    assert "3512 CD" in set(db.session.scalars(sa.select(Candidate.postcode)))
    assert count(Case) == 3
    assert "candidate.update" in set(db.session.scalars(sa.select(AuditEntry.action)))
