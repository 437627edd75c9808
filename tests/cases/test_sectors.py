"""Sectors as CBS SBI sections (issue 20, item 2): the keyword table of the data migration, the
sector of origin at the intake, the target sector in the plan and the sector of a placement."""

from __future__ import annotations

from datetime import date

import pytest

from rmt.cases import service
from rmt.cases.sectors import KEYWORDS, SbiSection, section_from_text
from rmt.employers import placements
from rmt.employers.models import ContractType
from rmt.errors_domain import DomainError
from rmt.extensions import db
from tests.cases.views_helpers import fresh
from tests.factories import CaseFactory, EmployerFactory, sector
from tests.helpers import html, post, text


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU", name="Sanne Coach")


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach)


def test_the_sbi_has_21_sections_with_dutch_names():
    assert [s.value for s in SbiSection] == list("ABCDEFGHIJKLMNOPQRSTU")
    assert SbiSection.Q.label == "Q Gezondheids- en welzijnszorg"
    assert SbiSection.H.label == "H Vervoer en opslag"


@pytest.mark.parametrize(("text_", "section"), [
    ("Orderpicker bij een distributiecentrum", "H"),
    ("Kassamedewerker bij een supermarkt", "G"),
    ("zorg en welzijn", "Q"),
    ("Onderwijs en kinderopvang", "P"),
    ("ICT", "J"),
    ("Bouw en infra", "F"),
    ("Medewerker bediening in een hotel", "I"),
    ("productiemedewerker bij een vleesverwerkend bedrijf", "C"),
    ("Kapper", "S"),
    ("Schoonmaak en facilitair", "N"),
    ("Overheid", "O"),
    ("Iets heel anders", None),
    ("", None),
    ("bezorger (fietskoerier)", None),
])
def test_free_text_is_coded_where_a_keyword_names_the_sector(text_, section):
    assert section_from_text(text_) == (SbiSection(section) if section else None)


def test_keywords_start_a_word_only():
    # "advies" is a keyword of M; "loopbaanadvies" must not make an advisory sector of it.
    assert section_from_text("loopbaanadvies gehad") is None
    assert all(letter in "ABCDEFGHIJKLMNOPQRSTU" for _, letter in KEYWORDS)


def test_migration_keyword_table_is_the_same_as_the_code():
    import importlib.util
    from pathlib import Path
    path = next(Path("migrations/versions").glob("*_sbi_sectors.py"))
    spec = importlib.util.spec_from_file_location("sbi_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.KEYWORDS == KEYWORDS


def test_the_registry_sectors_have_their_sbi_section():
    assert sector("zorg").sbi_section == SbiSection.Q
    assert sector("logistiek").sbi_section == SbiSection.H
    assert sector("agrifood").sbi_section == SbiSection.A


def test_intake_records_the_sector_of_origin(client, coach, case):
    page = html(client.get(f"/trajecten/{case.id}/intake"))
    assert 'name="origin_sector"' in page and "Sector nog kiezen" in page
    response = post(client, f"/trajecten/{case.id}/intake", {
        "motivation": "Wil verder", "work_history": "Magazijn", "origin_sector": "H",
        "version": case.version, "opslaan": "1"})
    assert response.status_code == 302
    assert fresh(case).intake.origin_sector == SbiSection.H
    assert "H Vervoer en opslag" in text(client.get(f"/trajecten/{case.id}"))


def test_an_unknown_section_is_refused_at_its_field(client, coach, case):
    response = post(client, f"/trajecten/{case.id}/intake", {
        "motivation": "Wil verder", "origin_sector": "Z", "version": case.version,
        "opslaan": "1"})
    assert response.status_code == 400
    assert fresh(case).intake is None
    with pytest.raises(DomainError) as refused:
        service.save_intake(coach, case, {"origin_sector": "ZZ"}, complete=False,
                            expected_version=None)
    assert refused.value.field == "origin_sector"


def test_plan_records_the_target_sector_and_keeps_the_text(client, coach, case):
    page = text(client.get(f"/trajecten/{case.id}"))
    response = post(client, f"/trajecten/{case.id}/plan", {
        "goal": "Werk in de zorg", "target_section": "Q", "target_sector": "ouderenzorg",
        "target_occupation": "helpende", "version": case.version})
    assert response.status_code == 302
    plan = fresh(case).plan
    assert plan.target_section == SbiSection.Q and plan.target_sector == "ouderenzorg"
    page = text(client.get(f"/trajecten/{case.id}"))
    assert "Q Gezondheids- en welzijnszorg" in page
    # An intake without a sector of origin shows what the coach still has to do.
    service.save_intake(coach, fresh(case), {"motivation": "x"}, complete=False,
                        expected_version=None)
    db.session.flush()
    assert "sector nog kiezen" in text(client.get(f"/trajecten/{case.id}"))


def test_a_placement_takes_the_employers_section_unless_chosen(coach, case):
    employer = EmployerFactory(sector=sector("zorg"))
    data = {"job_title": "Helpende", "contract_type": ContractType.VAST.value,
            "hours_per_week": 24, "start_on": date.today()}
    first = placements.create_placement(coach, case, employer, dict(data))
    assert first.sector == SbiSection.Q
    other = CaseFactory(coach=coach)
    second = placements.create_placement(coach, other, employer, {**data, "sector": "P"})
    assert second.sector == SbiSection.P
    with pytest.raises(DomainError) as refused:
        placements.create_placement(coach, CaseFactory(coach=coach), employer,
                                    {**data, "sector": "onzin"})
    assert refused.value.field == "sector"
