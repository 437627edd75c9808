"""The employer pages: forms and their bad input, duplicates, region scoping, access, queries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from rmt import clock
from rmt.audit.models import AuditEntry
from rmt.cases import service as cases_service
from rmt.employers import common, placements, registry, vacancies
from rmt.employers.models import (
    ContactMoment,
    Employer,
    EmployerContact,
    FollowUp,
    Placement,
    Proposal,
    ProposalStatus,
    Vacancy,
    VacancyStatus,
)
from rmt.extensions import db
from rmt.process import CaseState
from rmt.regions.models import Region
from tests.employers.conftest import liaison_of, make_case
from tests.factories import (
    ContactMomentFactory,
    EmployerContactFactory,
    EmployerFactory,
    NoteFactory,
    UserFactory,
    VacancyFactory,
    sector,
)
from tests.helpers import count, text, unescaped
from tests.querycount import count_statements as count_queries

TODAY = clock.today()


def employer_form(**overrides) -> dict:
    return {"kvk_number": "30123456", "name": "Bakkerij De Korenaar",
            "sector_id": str(sector().id), "street_address": "Dorpsstraat 1",
            "postcode": "3811 AB", "city": "Amersfoort", "region_codes": ["AM"],
            "sbb_number": "", **overrides}


# --- employers ------------------------------------------------------------------------------


def test_register_employer(client, login_as):
    login_as("liaison", "AM")
    response = client.post_form("/werkgevers/nieuw", employer_form(postcode="3811ab"))
    assert response.status_code == 302
    employer = db.session.scalar(sa.select(Employer))
    assert response.headers["Location"] == f"/werkgevers/{employer.id}"
    assert employer.postcode == "3811 AB" and employer.region_codes == ["AM"]
    page = unescaped(client.get(f"/werkgevers/{employer.id}"))
    assert "Bakkerij De Korenaar" in page and "30123456" in page


def test_duplicate_kvk_in_the_form_links_to_the_existing_employer(client, login_as):
    existing = EmployerFactory(kvk_number="30123456", name="De Korenaar")
    login_as("liaison", "MU")
    response = client.post_form("/werkgevers/nieuw", employer_form(kvk_number="3012 3456"))
    assert response.status_code == 409
    page = unescaped(response)
    assert f'href="/werkgevers/{existing.id}"' in page
    assert "Deze werkgever staat al in het register" in page
    assert "Dit KvK-nummer is al geregistreerd voor De Korenaar" in page
    # At the field itself: the error and a link to the existing employer, both described.
    field_html = page[page.index('id="kvk_number-uitleg"'):page.index('id="kvk_number"')]
    assert (f'Dit nummer hoort bij <a class="utrecht-link" href="/werkgevers/{existing.id}">'
            "De Korenaar</a>.") in field_html
    assert 'id="kvk_number-fout"' in field_html
    assert 'aria-describedby="kvk_number-uitleg kvk_number-fout"' in page
    assert count(Employer) == 1


@pytest.mark.parametrize("field, value, message", [
    ("kvk_number", "", "Vul het KvK-nummer in."),
    ("kvk_number", "1234", "Vul een KvK-nummer van 8 cijfers in"),
    ("kvk_number", "１２３４５６７８", "Vul een KvK-nummer van 8 cijfers in"),
    ("name", "", "Vul de naam van de werkgever in."),
    ("name", "x" * 201, "Gebruik hoogstens 200 tekens."),
    ("sector_id", "", "Kies een sector uit de lijst."),
    ("sector_id", "abc", "Kies een sector uit de lijst."),
    ("sector_id", "99999", "Kies een sector uit de lijst."),
    ("postcode", "12345", "Vul een geldige postcode in"),
    ("region_codes", [], "Kies minstens één regio"),
    ("region_codes", ["XX"], "Kies alleen bestaande regio"),
    ("sbb_number", "12-ab", "erkenningsnummer van SBB"),
])
def test_employer_form_bad_input_saves_nothing(client, login_as, field, value, message):
    login_as("liaison", "MU")
    response = client.post_form("/werkgevers/nieuw", employer_form(**{field: value}))
    assert response.status_code == 400
    page = unescaped(response)
    assert message in page
    assert count(Employer) == 0


def test_edit_employer_and_refuse_known_kvk(client, login_as):
    other = EmployerFactory(kvk_number="30999999")
    employer = EmployerFactory(regions=["MU"])
    login_as("liaison", "MU")
    assert client.get(f"/werkgevers/{employer.id}/bewerken").status_code == 200
    response = client.post_form(f"/werkgevers/{employer.id}/bewerken",
                                employer_form(kvk_number=other.kvk_number, version="1"))
    assert response.status_code == 409 and f'href="/werkgevers/{other.id}"' in unescaped(response)
    db.session.refresh(employer)
    assert employer.kvk_number != other.kvk_number and employer.version == 1
    response = client.post_form(f"/werkgevers/{employer.id}/bewerken",
                                employer_form(kvk_number=employer.kvk_number, name="Nieuw",
                                              version="1"))
    assert response.status_code == 302
    db.session.refresh(employer)
    assert employer.name == "Nieuw" and employer.version == 2


def test_edit_employer_optimistic_locking(client, login_as):
    employer = EmployerFactory(regions=["MU"], name="Oud")
    liaison = login_as("liaison", "MU")
    page = unescaped(client.get(f"/werkgevers/{employer.id}/bewerken"))
    assert 'name="version" type="hidden" value="1"' in page
    # A colleague saves first.
    registry.update_employer(liaison, employer, {
        "kvk_number": employer.kvk_number, "name": "Door collega", "sector_id": employer.sector_id,
        "region_codes": ["MU"]}, expected_version=1)
    db.session.flush()
    assert employer.version == 2
    for version in ("1", "", "abc"):
        response = client.post_form(f"/werkgevers/{employer.id}/bewerken",
                                    employer_form(kvk_number=employer.kvk_number, name="Mijn naam",
                                                  region_codes=["MU"], version=version))
        assert response.status_code == 409, version
        page = unescaped(response)
        assert "Uw wijziging is niet opgeslagen" in page or "mist de versie" in page
        db.session.refresh(employer)
        assert employer.name == "Door collega" and employer.version == 2
    # The form now shows the newest data and version, so saving again works.
    assert 'value="Door collega"' in unescaped(client.post_form(
        f"/werkgevers/{employer.id}/bewerken",
        employer_form(kvk_number=employer.kvk_number, name="Mijn naam", version="1")))
    response = client.post_form(f"/werkgevers/{employer.id}/bewerken",
                                employer_form(kvk_number=employer.kvk_number, name="Mijn naam",
                                              region_codes=["MU"], version="2"))
    assert response.status_code == 302
    db.session.refresh(employer)
    assert employer.name == "Mijn naam" and employer.version == 3


def test_list_search_and_filters(client, login_as):
    EmployerFactory(name="Zorggroep Heuvelrug", sector=sector("zorg"), regions=["MU"])
    EmployerFactory(name="Installatie Hoogland", sector=sector("techniek"), regions=["AM"],
                    sbb_number="12345678")
    login_as("coach", "MU")
    page = unescaped(client.get("/werkgevers?q=heuvel"))
    assert "Zorggroep Heuvelrug" in page and "Installatie Hoogland" not in page
    page = unescaped(client.get("/werkgevers?leerbedrijf=ja"))
    assert "Installatie Hoogland" in page and "Zorggroep Heuvelrug" not in page
    page = unescaped(client.get(f"/werkgevers?sector={sector('zorg').id}&regio=MU"))
    assert "Zorggroep Heuvelrug" in page
    for junk in ("?pagina=abc", "?pagina=0", "?pagina=99999999999", "?sector=²", "?regio=XX",
                 "?q=" + "%25" * 300, "?leerbedrijf=misschien", "?sector=-1"):
        assert client.get("/werkgevers" + junk).status_code == 200, junk
        assert client.get("/vacatures" + junk).status_code == 200, junk
        assert client.get("/voordrachten" + junk).status_code == 200, junk


def test_merged_employer_page_redirects(client, login_as):
    keep, duplicate = EmployerFactory(), EmployerFactory()
    coordinator = login_as("coordinator", "MU")
    response = client.get(f"/werkgevers/{keep.id}/samenvoegen")
    assert response.status_code == 200 and duplicate.name in unescaped(response)
    response = client.post_form(f"/werkgevers/{keep.id}/samenvoegen",
                                {"duplicate_id": str(duplicate.id)})
    assert response.status_code == 400
    assert "Bevestig dat het om dezelfde werkgever gaat" in unescaped(response)
    assert db.session.get(Employer, duplicate.id).merged_into_id is None
    for bad in ("", "abc", str(keep.id), "99999"):
        response = client.post_form(f"/werkgevers/{keep.id}/samenvoegen",
                                    {"duplicate_id": bad, "confirm": "y"})
        assert response.status_code == 400, bad
    response = client.post_form(f"/werkgevers/{keep.id}/samenvoegen",
                                {"duplicate_id": str(duplicate.id), "confirm": "y"})
    assert response.status_code == 302
    assert db.session.get(Employer, duplicate.id).merged_into_id == keep.id
    response = client.get(f"/werkgevers/{duplicate.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/werkgevers/{keep.id}"
    assert client.get(f"/werkgevers/{duplicate.id}/bewerken").status_code == 404
    assert coordinator.role.value == "coordinator"


# --- contact persons and contact moments ---------------------------------------------------


def test_contact_person_add_edit_and_bad_input(client, login_as):
    employer = EmployerFactory()
    login_as("liaison", "MU")
    url = f"/werkgevers/{employer.id}/contactpersonen/nieuw"
    for data in ({"name": ""}, {"name": "Piet", "email": "geen-mail"},
                 {"name": "Piet", "phone": "abc"}, {"name": "x" * 201}):
        assert client.post_form(url, data).status_code == 400
    assert count(EmployerContact) == 0
    response = client.post_form(url, {"name": "Piet Jansen", "role": "HR", "phone": "06-1234 5678",
                                      "email": "Piet@Bedrijf.nl"})
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(EmployerContact))
    assert contact.phone == "0612345678" and contact.email == "piet@bedrijf.nl"
    edit = f"/werkgevers/{employer.id}/contactpersonen/{contact.id}"
    assert 'name="version" type="hidden" value="1"' in unescaped(client.get(edit))
    assert client.post_form(edit, {"name": "", "version": "1"}).status_code == 400
    assert client.post_form(edit, {"name": "P. Jansen", "version": "1"}).status_code == 302
    db.session.refresh(contact)
    assert contact.name == "P. Jansen" and contact.version == 2
    response = client.post_form(edit, {"name": "Oude tab", "version": "1"})
    assert response.status_code == 409 and "Iemand anders heeft deze contactpersoon" in unescaped(
        response)
    assert 'value="P. Jansen"' in unescaped(response)
    db.session.refresh(contact)
    assert contact.name == "P. Jansen"
    other = EmployerFactory()
    assert client.get(f"/werkgevers/{other.id}/contactpersonen/{contact.id}").status_code == 404


def _moment_form(**overrides) -> dict:
    return {"region_code": "MU", "contact_on": TODAY.isoformat(), "kind": "bezoek",
            "contact_id": "", "summary": "Kennismaking", "follow_up_on": "",
            "follow_up_owner_id": "", **overrides}


@pytest.mark.parametrize("overrides", [
    {"contact_on": ""}, {"contact_on": "31-02-2026"}, {"contact_on": "morgen"},
    {"contact_on": "9999-12-31"}, {"contact_on": (TODAY + timedelta(days=1)).isoformat()},
    {"kind": "fax"}, {"kind": ""}, {"region_code": "FV"}, {"summary": ""},
    {"summary": "x" * 5001}, {"follow_up_on": (TODAY - timedelta(days=1)).isoformat()},
    {"follow_up_on": "abc"}, {"contact_id": "99999"}, {"follow_up_owner_id": "99999"},
    {"follow_up_owner_id": "", "follow_up_on": "", "contact_id": "²"},
])
def test_contact_moment_bad_input_saves_nothing(client, login_as, overrides):
    employer = EmployerFactory()
    login_as("liaison", "MU")
    response = client.post_form(f"/werkgevers/{employer.id}/contactmomenten/nieuw",
                                _moment_form(**overrides))
    assert response.status_code == 400, unescaped(response)[:0]
    assert count(ContactMoment) == 0


def test_contact_moment_with_follow_up_appears_on_start_page(client, login_as):
    employer = EmployerFactory(name="Transport Wal")
    liaison = login_as("liaison", "MU")
    due = TODAY + timedelta(days=3)
    response = client.post_form(f"/werkgevers/{employer.id}/contactmomenten/nieuw",
                                _moment_form(follow_up_on=f"{due:%d-%m-%Y}"))
    assert response.status_code == 302
    moment = db.session.scalar(sa.select(ContactMoment))
    assert moment.follow_up_owner_id == liaison.id and moment.follow_up_on == due
    page = unescaped(client.get("/"))
    assert "Transport Wal" in page and "Vervolgafspraken" in page
    response = client.post_form(f"/contactmomenten/{moment.id}/afgehandeld", {},
                                token_page="/")
    assert response.status_code == 302
    db.session.refresh(moment)
    assert moment.follow_up_done_at is not None


# --- vacancies --------------------------------------------------------------------------------


def _vacancy_form(**overrides) -> dict:
    return {"title": "Orderpicker", "sector_id": str(sector().id), "hours_per_week": "32",
            "location": "Nieuwegein", "region_code": "MU", "opened_on": TODAY.isoformat(),
            "closes_on": "", "description": "", **overrides}


@pytest.mark.parametrize("overrides", [
    {"title": ""}, {"hours_per_week": "0"}, {"hours_per_week": "61"}, {"hours_per_week": "abc"},
    {"hours_per_week": "99999999999999999999"}, {"hours_per_week": ""}, {"sector_id": "x"},
    {"region_code": "FV"}, {"opened_on": "abc"},
    {"opened_on": (TODAY + timedelta(days=1)).isoformat()},
    {"closes_on": (TODAY - timedelta(days=1)).isoformat()},
])
def test_vacancy_bad_input_saves_nothing(client, login_as, overrides):
    employer = EmployerFactory()
    login_as("liaison", "MU")
    response = client.post_form(f"/werkgevers/{employer.id}/vacatures/nieuw",
                                _vacancy_form(**overrides))
    assert response.status_code == 400
    assert count(Vacancy) == 0


def test_vacancy_create_edit_and_status(client, login_as):
    employer = EmployerFactory()
    login_as("liaison", "MU")
    response = client.post_form(f"/werkgevers/{employer.id}/vacatures/nieuw", _vacancy_form())
    vacancy = db.session.scalar(sa.select(Vacancy))
    assert response.headers["Location"] == f"/vacatures/{vacancy.id}"
    edit = f"/vacatures/{vacancy.id}/bewerken"
    assert 'name="version" type="hidden" value="1"' in unescaped(client.get(edit))
    assert client.post_form(edit, _vacancy_form(hours_per_week="0",
                                                version="1")).status_code == 400
    assert client.post_form(edit, _vacancy_form(title="Chauffeur", version="1")).status_code == 302
    response = client.post_form(edit, _vacancy_form(title="Oude tab", version="1"))
    assert response.status_code == 409
    assert "Iemand anders heeft deze vacature" in unescaped(response)
    db.session.refresh(vacancy)
    assert vacancy.title == "Chauffeur" and vacancy.version == 2
    status_url = f"/vacatures/{vacancy.id}/status"
    for bad in ("bogus", "open", ""):
        assert client.post_form(status_url, {"to": bad}, token_page="/").status_code == 302
        db.session.refresh(vacancy)
        assert vacancy.status == VacancyStatus.OPEN
    client.post_form(status_url, {"to": "closed"}, token_page="/")
    db.session.refresh(vacancy)
    assert vacancy.status == VacancyStatus.CLOSED and vacancy.title == "Chauffeur"


# --- proposals ------------------------------------------------------------------------------


def test_propose_page_lists_only_own_region_candidates_with_consent(client, login_as):
    vacancy = VacancyFactory(region_code="FV")
    mine = make_case("MU")
    no_consent = make_case("MU", consent=False)
    other_region = make_case("FV")
    login_as("liaison", "MU")
    page = unescaped(client.get(f"/vacatures/{vacancy.id}/voordragen"))
    assert mine.candidate.full_name in page
    assert no_consent.candidate.full_name not in page
    assert other_region.candidate.full_name not in page
    assert "rmt-werk-sr" in page


def test_propose_refusals_save_nothing(client, login_as):
    vacancy = VacancyFactory()
    no_consent = make_case("MU", consent=False)
    other = make_case("FV")
    login_as("liaison", "MU")
    url = f"/vacatures/{vacancy.id}/voordragen"
    response = client.post_form(url, {"case_id": str(no_consent.id)})
    assert response.status_code == 400 and "geen (geldige) toestemming" in unescaped(response)
    for bad in ("abc", "", "-1", "99999999999", str(other.id)):
        assert client.post_form(url, {"case_id": bad}).status_code == 404, bad
    assert client.post_form(url, {"case_id": str(make_case("MU").id),
                                  "note": "x" * 1001}).status_code == 400
    assert count(Proposal) == 0


def test_proposal_steps_through_the_page(client, login_as):
    vacancy = VacancyFactory(hours_per_week=36, title="Heftruckchauffeur")
    case = make_case("MU")
    login_as("liaison", "MU")
    response = client.post_form(f"/vacatures/{vacancy.id}/voordragen",
                                {"case_id": str(case.id), "note": "Ervaren"})
    proposal = db.session.scalar(sa.select(Proposal))
    assert response.headers["Location"] == f"/voordrachten/{proposal.id}"
    url = f"/voordrachten/{proposal.id}/status"
    page = unescaped(client.get(f"/voordrachten/{proposal.id}"))
    assert "Uitgenodigd voor gesprek" in page and "Aangenomen</option>" not in page
    for data in ({"to": "aangenomen", "current_status": "voorgesteld"},
                 {"to": "afgewezen", "current_status": "voorgesteld", "note": ""},
                 {"to": "bogus", "current_status": "voorgesteld"}):
        response = client.post_form(url, data, token_page=f"/voordrachten/{proposal.id}")
        assert response.status_code == 400, data
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.VOORGESTELD
    assert client.post_form(url, {"to": "gesprek", "current_status": "voorgesteld"},
                            token_page="/").status_code == 302
    # A second tab that still shows 'voorgesteld' is told the proposal changed.
    response = client.post_form(url, {"to": "ingetrokken", "note": "x",
                                      "current_status": "voorgesteld"}, token_page="/")
    assert response.status_code == 400 or response.status_code == 409
    for data in ({"to": "aangenomen", "current_status": "gesprek"},
                 {"to": "aangenomen", "current_status": "gesprek", "contract_type": "vast",
                  "start_on": "abc"},
                 {"to": "aangenomen", "current_status": "gesprek", "contract_type": "vast",
                  "start_on": TODAY.isoformat(), "hours_per_week": "0"}):
        assert client.post_form(url, data, token_page="/").status_code == 400, data
    assert count(Placement) == 0
    response = client.post_form(url, {"to": "aangenomen", "current_status": "gesprek",
                                      "contract_type": "vast", "start_on": TODAY.isoformat(),
                                      "hours_per_week": "36", "job_title": "Heftruckchauffeur",
                                      "fill_vacancy": "y"}, token_page="/")
    assert response.status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert placement.proposal_id == proposal.id and placement.hours_per_week == 36
    assert db.session.get(Vacancy, vacancy.id).status == VacancyStatus.FILLED
    assert f"/plaatsingen/{placement.id}" in unescaped(client.get(f"/voordrachten/{proposal.id}"))


# --- placements and aftercare ---------------------------------------------------------------


def test_direct_placement_bad_input_and_success(client, login_as):
    case = make_case("MU", consent=False)
    employer = EmployerFactory()
    coach = case.coach
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
    url = f"/kandidaten/{case.id}/plaatsingen/nieuw"
    good = {"employer_id": str(employer.id), "job_title": "Monteur", "contract_type": "vast",
            "hours_per_week": "40", "start_on": TODAY.isoformat()}
    for key, value in (("employer_id", ""), ("employer_id", "abc"), ("job_title", ""),
                       ("contract_type", "freelance"), ("hours_per_week", "x"),
                       ("start_on", ""), ("start_on", "2020-01-01")):
        response = client.post_form(url, {**good, key: value})
        assert response.status_code == 400, key
    assert count(Placement) == 0
    response = client.post_form(url, good)
    assert response.status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert len(placement.follow_ups) == 3
    # The liaison may record a placement only for a candidate who shares their profile.
    login_as("liaison", "MU")
    assert client.get(url).status_code == 404


def test_follow_up_and_end_forms(client, world, login_as):
    placement = world.placement["MU"]
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    page = unescaped(client.get(f"/plaatsingen/{placement.id}"))
    first = placement.follow_ups[0]
    assert "Uitkomst nazorg na 1 maand" in page
    url = f"/nazorg/{first.id}"
    prefix = f"nazorg{first.id}-"
    token_page = f"/plaatsingen/{placement.id}"
    for data in ({}, {prefix + "still_employed": "misschien"},
                 {prefix + "still_employed": "nee", prefix + "reason": ""}):
        data = {f"{prefix}csrf_token": _token(client, token_page, prefix), **data}
        assert client.post(url, data=data).status_code == 400
    db.session.refresh(first)
    assert first.still_employed is None
    data = {f"{prefix}csrf_token": _token(client, token_page, prefix),
            prefix + "still_employed": "ja"}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(first)
    assert first.still_employed is True and first.task.done_at is not None
    six = placement.follow_ups[2]
    data = {f"nazorg{six.id}-csrf_token": _token(client, token_page, prefix),
            f"nazorg{six.id}-still_employed": "ja"}
    assert client.post(f"/nazorg/{six.id}", data=data).status_code == 409
    end = f"/plaatsingen/{placement.id}/beeindigen"
    for data in ({}, {"einde-end_on": "abc", "einde-end_reason": "x"},
                 {"einde-end_on": "2000-01-01", "einde-end_reason": "x"},
                 {"einde-end_on": TODAY.isoformat(), "einde-end_reason": ""}):
        data = {"einde-csrf_token": _token(client, token_page, "einde-"), **data}
        assert client.post(end, data=data).status_code == 400, data
    assert db.session.get(Placement, placement.id).end_on is None


def _start_sections(client) -> tuple[str, str]:
    """The liaison start page's "Mijn nazorgmomenten" and "Overige nazorg" sections."""
    page = unescaped(client.get("/"))
    own = page.split('id="mijn-nazorg"', 1)[1].split('id="nazorg"', 1)[0]
    rest = page.split('id="nazorg"', 1)[1].split('id="recente-contacten"', 1)[0]
    return own, rest


def _row_of(section: str, name: str) -> str:
    rows = [row for row in section.split("<tr") if name in row]
    assert len(rows) == 1, (name, len(rows))
    return rows[0]


def test_liaison_sees_own_follow_ups_due_and_overdue(client, world):
    mu = world.liaison["MU"]
    overdue_name = world.case["MU"].candidate.full_name  # started 40 days ago: +1 month overdue
    due_case = make_case("MU")
    placements.create_placement(mu, due_case, world.employer, {
        "start_on": TODAY - timedelta(days=25), "contract_type": "vast",
        "job_title": "Chauffeur", "hours_per_week": 32})
    colleague = liaison_of("MU")
    colleague_case = make_case("MU")
    placements.create_placement(colleague, colleague_case, world.employer, {
        "start_on": TODAY - timedelta(days=40), "contract_type": "vast",
        "job_title": "Monteur", "hours_per_week": 32})
    coach_case = make_case("MU")
    placements.create_placement(coach_case.coach, coach_case, world.employer, {
        "start_on": TODAY - timedelta(days=40), "contract_type": "vast",
        "job_title": "Schilder", "hours_per_week": 32})
    # Proposed by the liaison, hired by the coach: still the liaison's aftercare.
    proposed_case = make_case("MU")
    vacancy = VacancyFactory(employer=world.employer, region_code="MU", created_by=mu)
    proposal = vacancies.propose(mu, proposed_case, vacancy)
    vacancies.transition_proposal(proposed_case.coach, proposal, "gesprek")
    vacancies.transition_proposal(proposed_case.coach, proposal, "aangenomen", placement={
        "start_on": TODAY - timedelta(days=40), "contract_type": "tijdelijk"})
    names = {case.id: case.candidate.full_name
             for case in (due_case, colleague_case, coach_case, proposed_case)}
    fv_name = world.case["FV"].candidate.full_name
    db.session.flush()
    with client.session_transaction() as session:
        session["_user_id"] = mu.get_id()
    own, rest = _start_sections(client)
    assert "Te laat" in _row_of(own, overdue_name)
    assert "Binnenkort" in _row_of(own, names[due_case.id])
    assert "Te laat" in _row_of(own, names[proposed_case.id])
    assert "waarvan <strong>2 te laat</strong>" in own
    assert names[colleague_case.id] not in own and names[coach_case.id] not in own
    assert "Te laat" in _row_of(rest, names[colleague_case.id])
    assert "Te laat" in _row_of(rest, names[coach_case.id])
    assert overdue_name not in rest and names[proposed_case.id] not in rest
    assert fv_name not in own and fv_name not in rest
    # The FV liaison sees their own, never MU's.
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["FV"].get_id()
    own, rest = _start_sections(client)
    assert "Te laat" in _row_of(own, fv_name)
    for name in [overdue_name, *names.values()]:
        assert name not in own and name not in rest
    # Recorded aftercare leaves the list.
    first = world.placement["FV"].follow_ups[0]
    placements.record_follow_up(world.liaison["FV"], first, still_employed=True)
    db.session.flush()
    own, _ = _start_sections(client)
    assert fv_name not in own and "Geen eigen nazorgmomenten aan de beurt." in own


def test_liaison_records_follow_up_outcome_from_start_page(client, world):
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    first = world.placement["MU"].follow_ups[0]
    prefix = f"nazorg{first.id}-"
    own, _ = _start_sections(client)
    assert f'action="/nazorg/{first.id}"' in own and f'id="{prefix}still_employed"' in own
    assert "Toelichting" in own
    for data in ({}, {prefix + "still_employed": "misschien"},
                 {prefix + "still_employed": "nee", prefix + "reason": "  "}):
        data = {f"{prefix}csrf_token": _token(client, "/", prefix), "terug": "start", **data}
        response = client.post(f"/nazorg/{first.id}", data=data)
        assert response.status_code == 400
        assert "utrecht-form-field-error-message" in unescaped(response)
    assert client.post(f"/nazorg/{first.id}", data={
        prefix + "still_employed": "ja", "terug": "start"}).status_code == 400  # no CSRF token
    db.session.refresh(first)
    assert first.still_employed is None and first.task.done_at is None
    response = client.post(f"/nazorg/{first.id}", data={
        f"{prefix}csrf_token": _token(client, "/", prefix), "terug": "start",
        prefix + "still_employed": "nee", prefix + "reason": "Contract niet verlengd"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/#mijn-nazorg")
    db.session.refresh(first)
    assert first.still_employed is False and first.outcome_reason == "Contract niet verlengd"
    assert first.recorded_by_id == world.liaison["MU"].id and first.task.done_at is not None
    # Another region's follow-up cannot be recorded from here either.
    other = world.placement["FV"].follow_ups[0]
    response = client.post(f"/nazorg/{other.id}", data={
        f"nazorg{other.id}-csrf_token": _token(client, "/", prefix), "terug": "start",
        f"nazorg{other.id}-still_employed": "ja"})
    assert response.status_code == 404
    assert db.session.get(FollowUp, other.id).still_employed is None


def _token(client, page: str, prefix: str) -> str:
    match = re.search(rf'name="{re.escape(prefix)}csrf_token"[^>]*value="([^"]+)"',
                      unescaped(client.get(page)))
    if match:
        return match.group(1)
    return client.csrf_token(page)


# --- the case page section and the work profile ---------------------------------------------


def test_case_page_shows_proposals_placements_and_follow_ups(client, world):
    case = world.case["MU"]
    with client.session_transaction() as session:
        session["_user_id"] = case.coach.get_id()
    page = unescaped(client.get(f"/trajecten/{case.id}"))
    assert "Werk: voordrachten en plaatsingen" in page
    assert world.vacancy["MU"].title in page and "Gedeeld Bedrijf" in page
    assert "1 mnd" in page and "6 mnd" in page
    assert f"/kandidaten/{case.id}/plaatsingen/nieuw" in page


def test_placement_lets_the_coach_move_the_case_to_geplaatst(world):
    case = world.case["MU"]
    cases_service.transition(case.coach, case, "geplaatst", expected_version=case.version)
    assert case.status == CaseState.GEPLAATST


def test_work_profile_shows_work_data_only(client, login_as):
    case = make_case("MU")
    NoteFactory(case=case, text="Geheime coachingsaantekening")
    candidate = case.candidate
    cases_service.save_intake(case.coach, case, {"work_history": "Tien jaar magazijnwerk",
                                                 "preferred_sectors": "logistiek",
                                                 "motivation": "Wil vast werk"},
                              complete=True, expected_version=None)
    cases_service.save_plan(case.coach, case, {"target_occupation": "Heftruckchauffeur"},
                            expected_version=None)
    db.session.flush()
    login_as("liaison", "MU")
    response = client.get(f"/kandidaten/{case.id}/werkprofiel")
    page = unescaped(response)
    assert candidate.full_name in page and "Tien jaar magazijnwerk" in page
    assert "Heftruckchauffeur" in page and "logistiek" in page
    for secret in ("Geheime coachingsaantekening", candidate.email, candidate.phone,
                   f"{candidate.birth_date:%d-%m-%Y}", candidate.birth_date.isoformat(),
                   "Wil vast werk"):
        assert secret not in page, secret
    # The benefit ("WW") as a word of what the page shows: a random token in the HTML (the
    # form's CSRF token) can hold those two letters.
    assert not re.search(r"\bWW\b", text(response)), text(response)
    assert client.get(f"/kandidaten/{make_case('FV').id}/werkprofiel").status_code == 404
    no_consent = make_case("MU", consent=False)
    assert client.get(f"/kandidaten/{no_consent.id}/werkprofiel").status_code == 404


# --- region scoping of candidate data seen through a shared employer -------------------------


def test_mu_liaison_never_sees_fv_candidate_through_shared_employer(client, world):
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    fv, mu = world.case["FV"].candidate, world.case["MU"].candidate
    # Names that cannot occur by chance in other generated data.
    fv.first_name, fv.last_name = "Fenna", "Foodvalleykandidaat"
    mu.first_name, mu.last_name = "Mats", "Middenutrechtkandidaat"
    db.session.flush()
    fv_name, mu_name = fv.full_name, mu.full_name
    employer_id = world.employer.id
    pages = [f"/werkgevers/{employer_id}", f"/vacatures/{world.vacancy['FV'].id}",
             f"/vacatures/{world.vacancy['MU'].id}", "/voordrachten", "/",
             f"/vacatures/{world.vacancy['FV'].id}/voordragen",
             f"/vacatures/{world.vacancy['MU'].id}/voordragen",
             "/werkgevers", "/werkgevers?q=gedeeld", "/vacatures", "/vacatures?status=",
             "/voordrachten?status=aangenomen", f"/voordrachten/{world.proposal['MU'].id}",
             f"/plaatsingen/{world.placement['MU'].id}",
             f"/kandidaten/{world.case['MU'].id}/werkprofiel",
             f"/werkgevers/{employer_id}/contactmomenten/nieuw",
             f"/werkgevers/{employer_id}/vacatures/nieuw", f"/werkgevers/{employer_id}/bewerken",
             f"/vacatures/{world.vacancy['MU'].id}/bewerken"]
    seen_mu = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = unescape(unescaped(response))
        assert fv_name not in text and "Foodvalleykandidaat" not in text, url
        if mu_name in text:
            seen_mu.add(url)
    # The MU candidate does show where candidates are listed: the filter is not "nobody".
    assert {f"/werkgevers/{employer_id}", "/voordrachten", "/",
            f"/vacatures/{world.vacancy['MU'].id}"} <= seen_mu
    # Every page about the FV candidate's records is a 404.
    for url in (f"/voordrachten/{world.proposal['FV'].id}",
                f"/plaatsingen/{world.placement['FV'].id}",
                f"/kandidaten/{world.case['FV'].id}/werkprofiel",
                f"/kandidaten/{world.case['FV'].id}/plaatsingen/nieuw",
                f"/vacatures/{world.vacancy['FV'].id}/bewerken"):
        assert client.get(url).status_code == 404, url
    employer_page = unescaped(client.get(f"/werkgevers/{world.employer.id}"))
    assert "Bezoek FV" in employer_page  # shared employer data: contact moments of all regions


# --- access matrix: every employers endpoint, another region and the admin ------------------

SHARED = 200
#: endpoint -> (expected for GET, expected for POST) for a MU liaison on FV records.
MATRIX = {
    "employers.employers": (SHARED, None),
    "employers.employer_create": (SHARED, 400),
    "employers.employer": (SHARED, None),
    "employers.employer_edit": (SHARED, 400),
    "employers.employer_merge": (403, 403),
    "employers.contact_create": (SHARED, 400),
    "employers.contact_edit": (SHARED, 400),
    "employers.contact_moment_create": (SHARED, 400),
    "employers.follow_up_done": (None, 404),
    "employers.vacancies": (SHARED, None),
    "employers.vacancy_create": (SHARED, 400),
    "employers.vacancy": (SHARED, None),
    "employers.vacancy_edit": (404, 404),
    "employers.vacancy_status": (None, 404),
    "employers.propose": (SHARED, 404),
    "employers.proposals": (SHARED, None),
    "employers.proposal": (404, None),
    "employers.proposal_step": (None, 404),
    "employers.placement_create": (404, 404),
    "employers.placement": (404, None),
    "employers.placement_end": (None, 404),
    "employers.follow_up_record": (None, 404),
    "employers.work_profile": (404, None),
    "employers.work_profile_pdf": (404, None),
    "employers.sectors": (403, 403),
    "employers.sector_create": (403, 403),
    "employers.sector_edit": (403, 403),
}


def _values(world, contact) -> dict[str, int]:
    return {"employer_id": world.employer.id, "contact_id": contact.id,
            "moment_id": world.moment["FV"].id, "vacancy_id": world.vacancy["FV"].id,
            "proposal_id": world.proposal["FV"].id, "placement_id": world.placement["FV"].id,
            "follow_up_id": world.placement["FV"].follow_ups[0].id,
            "case_id": world.case["FV"].id, "sector_id": world.employer.sector_id}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("employers."):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_matrix_covers_every_employers_endpoint(app):
    endpoints = {rule.endpoint for rule, _ in _rules(app)}
    assert endpoints == set(MATRIX)


def test_other_region_gets_404_on_candidate_records(app, client, world):
    contact = EmployerContactFactory(employer=world.employer)
    values = _values(world, contact)
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    app.config["WTF_CSRF_ENABLED"] = False
    checked = 0
    try:
        for rule, method in _rules(app):
            expected = MATRIX[rule.endpoint][0 if method == "GET" else 1]
            assert expected is not None, (rule.endpoint, method)
            url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
            data = {"case_id": str(world.case["FV"].id)} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == expected, (rule.endpoint, method,
                                                      response.status_code)
            checked += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert checked == sum(1 for _ in _rules(app))
    # Nothing of the FV records changed.
    assert db.session.get(Proposal, world.proposal["FV"].id).status == ProposalStatus.AANGENOMEN
    assert db.session.get(ContactMoment, world.moment["FV"].id).follow_up_done_at is None
    assert db.session.get(FollowUp, values["follow_up_id"]).still_employed is None


def test_admin_has_no_access_to_employers_or_candidates(app, client, world):
    contact = EmployerContactFactory(employer=world.employer)
    values = _values(world, contact)
    admin = UserFactory(role="admin", regions=["MU", "FV"])
    with client.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for rule, method in _rules(app):
            url = rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]
            response = client.open(url, method=method)
            expected = {"employers.sectors": 200 if method == "GET" else 302,
                        # reference data: the admin's; an empty form is refused
                        "employers.sector_create": 200 if method == "GET" else 400,
                        "employers.sector_edit": 200 if method == "GET" else 400,
                        }.get(rule.endpoint, 403)
            assert response.status_code == expected, (rule.endpoint, method)
            assert world.case["MU"].candidate.full_name not in unescaped(response)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_coach_and_coordinator_roles(client, world):
    coach = world.case["MU"].coach
    with client.session_transaction() as session:
        session["_user_id"] = coach.get_id()
    assert client.get(f"/werkgevers/{world.employer.id}").status_code == 200
    assert client.get("/werkgevers/nieuw").status_code == 403
    assert client.get(f"/voordrachten/{world.proposal['MU'].id}").status_code == 200
    assert client.get(f"/voordrachten/{world.proposal['FV'].id}").status_code == 404
    coordinator = UserFactory(role="coordinator", regions=["FV"])
    with client.session_transaction() as session:
        session["_user_id"] = coordinator.get_id()
    assert client.get(f"/plaatsingen/{world.placement['FV'].id}").status_code == 200
    assert client.get(f"/plaatsingen/{world.placement['MU'].id}").status_code == 404
    assert client.get(f"/werkgevers/{world.employer.id}/samenvoegen").status_code == 200


def test_sector_priorities_by_admin(client, login_as):
    login_as("admin")
    techniek, zorg = sector("techniek"), sector("zorg")
    response = client.post_form("/beheer/sectoren", {f"prio-{techniek.id}": ["MU", "XX"],
                                                     f"prio-{zorg.id}": "FV", "prio-abc": "MU"})
    assert response.status_code == 302
    db.session.expire_all()
    assert sector("techniek").priority_codes == {"MU"}
    assert sector("zorg").priority_codes == {"FV"}
    assert sector("logistiek").priority_codes == frozenset()


def test_coordinator_sets_priorities_of_own_region_only(client, login_as):
    techniek, zorg = sector("techniek"), sector("zorg")
    techniek.priority_regions = [db.session.get(Region, "AM")]
    zorg.priority_regions = [db.session.get(Region, "FV")]
    db.session.flush()
    before = {s.id: s.priority_codes for s in registry.sectors()}
    login_as("coordinator", "MU")
    page = unescaped(client.get("/beheer/sectoren"))
    assert f'name="prio-{techniek.id}" value="MU"' in page
    assert 'value="FV"' not in page  # another region's flags are shown, not editable
    assert 'href="/beheer/sectoren"' in page  # in the main menu
    # FV is asked for but not the coordinator's to set: zorg keeps FV, techniek gets MU only.
    response = client.post_form("/beheer/sectoren", {f"prio-{techniek.id}": ["MU", "FV"],
                                                     f"prio-{zorg.id}": "MU"})
    assert response.status_code == 302
    db.session.expire_all()
    assert sector("techniek").priority_codes == {"AM", "MU"}
    assert sector("zorg").priority_codes == {"FV", "MU"}
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "sector.priority")).all()
    # One entry per sector whose flags changed: techniek and zorg gain MU, others lose it.
    expected = {techniek.id, zorg.id} | {i for i, codes in before.items() if "MU" in codes}
    assert sorted(e.object_id for e in entries) == sorted(str(i) for i in expected)
    assert all(s.priority_codes == before[s.id] - {"MU"} for s in registry.sectors()
               if s.id not in (techniek.id, zorg.id))
    # Unticking MU removes it again, FV stays.
    client.post_form("/beheer/sectoren", {})
    db.session.expire_all()
    assert sector("zorg").priority_codes == {"FV"}
    assert sector("techniek").priority_codes == {"AM"}


@pytest.mark.parametrize("role", ["liaison", "coach"])
def test_other_roles_cannot_set_priorities(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/beheer/sectoren").status_code == 403
    assert client.post_form("/beheer/sectoren", {}).status_code == 403


# --- query counts ---------------------------------------------------------------------------


def _fill_employer(employer: Employer, n: int, liaison) -> None:
    for i in range(n):
        EmployerContactFactory(employer=employer)
        ContactMomentFactory(employer=employer, liaison=liaison, region_code="MU",
                             follow_up_on=TODAY + timedelta(days=i % 5),
                             follow_up_owner_id=liaison.id)
        vacancy = VacancyFactory(employer=employer, region_code="MU", created_by=liaison)
        case = make_case("MU")
        proposal = vacancies.propose(liaison, case, vacancy)
        if i % 2:
            vacancies.transition_proposal(liaison, proposal, "gesprek")
            vacancies.transition_proposal(
                liaison, proposal, "aangenomen", fill_vacancy=False,
                placement={"start_on": TODAY - timedelta(days=35 + i),
                           "contract_type": "vast"})
        else:
            placements.create_placement(liaison, case, employer, {
                "start_on": TODAY - timedelta(days=40), "contract_type": "uitzend",
                "job_title": "Inpakker", "hours_per_week": 24})
    db.session.flush()


def _measure(client, url: str) -> int:
    with count_queries(cold=True) as statements:
        response = client.get(url)
    assert response.status_code == 200
    # SAVEPOINT / RELEASE come from the test's outer transaction, not from the page.
    return len([s for s in statements if not s.lstrip().upper().startswith(
        ("SAVEPOINT", "RELEASE", "ROLLBACK TO"))])


#: The most statements each page may send, whatever the number of rows. Measured: employer
#: page 13 (user, regions, employer, contacts, moments, vacancies, proposals, placements,
#: follow-ups, audit hash + insert, sector priority, employer regions), start page 8; each
#: one more for the unread count in the header (rmt.notifications). On PostgreSQL the audit
#: chain's lock is taken with its end in one statement (audit_chain_end), as many as SQLite.
#: The start page names the cases behind its follow-ups in one audit entry, written after the
#: read (+2: chain end and insert, in the request's deferred write).
QUERY_BOUND = {"employer": 14, "start": 11}


@pytest.mark.parametrize("page", ["employer", "start"])
def test_query_count_does_not_grow_with_rows(client, page):
    small, large = EmployerFactory(), EmployerFactory()
    liaison = liaison_of("MU")
    other = liaison_of("MU")
    _fill_employer(small, 3, liaison)
    _fill_employer(large, 30, other)
    small_id, large_id = small.id, large.id
    liaison_login, other_login = liaison.get_id(), other.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = liaison_login
    if page == "employer":
        few = _measure(client, f"/werkgevers/{small_id}")
        many = _measure(client, f"/werkgevers/{large_id}")
    else:
        few = _measure(client, "/")
        with client.session_transaction() as session:
            session["_user_id"] = other_login
        many = _measure(client, "/")
    print(f"{page}: {few} queries for 3 rows, {many} for 30 rows")
    assert few == many, (few, many)
    assert many <= QUERY_BOUND[page], many


def test_employer_page_is_audited(client, world):
    from rmt.audit.models import AuditEntry

    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    client.get(f"/werkgevers/{world.employer.id}")
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "employer.view" and entry.object_id == str(world.employer.id)


FORM_GARBAGE = ["", "x" * 20000, "\x00", "-1", "0", "99999999999999999999", "²", "𝟙𝟚",
                "2026-02-30", "31-12-9999", "<script>alert(1)</script>", ["a", "b"]]


def test_garbage_in_every_form_field_is_never_a_500(app, client, world):
    """Every POST page of the module, each field filled with garbage on top of a valid form:
    never a 500, and a refusal saves nothing."""
    liaison = world.liaison["MU"]
    contact = EmployerContactFactory(employer=world.employer)
    vacancy = VacancyFactory(region_code="MU", created_by=liaison, employer=world.employer)
    proposal = vacancies.propose(liaison, make_case("MU"), vacancy)
    placement = world.placement["MU"]
    follow_up = placement.follow_ups[0]
    case = make_case("MU")
    db.session.flush()
    employer_id = world.employer.id
    forms = {
        "/werkgevers/nieuw": employer_form(region_codes=["MU"]),
        f"/werkgevers/{employer_id}/bewerken": employer_form(
            kvk_number=world.employer.kvk_number, region_codes=["MU", "FV"], version="1"),
        f"/werkgevers/{employer_id}/contactpersonen/nieuw": {"name": "Piet"},
        f"/werkgevers/{employer_id}/contactpersonen/{contact.id}": {"name": "Piet",
                                                                    "version": "1"},
        f"/werkgevers/{employer_id}/contactmomenten/nieuw": _moment_form(),
        f"/contactmomenten/{world.moment['MU'].id}/afgehandeld": {},
        f"/werkgevers/{employer_id}/vacatures/nieuw": _vacancy_form(),
        f"/vacatures/{vacancy.id}/bewerken": _vacancy_form(version="1"),
        f"/vacatures/{vacancy.id}/status": {"to": "closed"},
        f"/vacatures/{vacancy.id}/voordragen": {"case_id": str(case.id), "note": ""},
        f"/voordrachten/{proposal.id}/status": {"to": "gesprek", "current_status": "voorgesteld",
                                                "note": ""},
        f"/kandidaten/{case.id}/plaatsingen/nieuw": {
            "employer_id": str(employer_id), "start_on": TODAY.isoformat(),
            "contract_type": "vast", "hours_per_week": "32", "job_title": "Monteur"},
        f"/plaatsingen/{placement.id}/beeindigen": {"einde-end_on": TODAY.isoformat(),
                                                    "einde-end_reason": "Einde"},
        f"/nazorg/{follow_up.id}": {f"nazorg{follow_up.id}-still_employed": "ja"},
    }
    posts = {rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("employers.") and "POST" in rule.methods
             and rule.endpoint not in ("employers.employer_merge", "employers.sectors",
                                       "employers.sector_create", "employers.sector_edit")}
    assert len(posts) == len(forms)
    tables = (Employer, EmployerContact, ContactMoment, Vacancy, Proposal, Placement, FollowUp)
    with client.session_transaction() as session:
        session["_user_id"] = liaison.get_id()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        for url, base in forms.items():
            for name in base:
                for value in FORM_GARBAGE:
                    before = [count(t) for t in tables]
                    response = client.post(url, data={**base, name: value})
                    assert response.status_code in (200, 302, 400, 404, 409), (url, name)
                    if response.status_code >= 400:
                        assert [count(t) for t in tables] == before, (url, name, value)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_search_with_nul_or_odd_characters_is_no_500(client, world):
    with client.session_transaction() as session:
        session["_user_id"] = world.liaison["MU"].get_id()
    # A NUL in the query string is refused by the application as a whole (400).
    for url in ("/werkgevers?q=%00", "/vacatures?q=%00x",
                f"/vacatures/{world.vacancy['MU'].id}/voordragen?q=%00",
                "/werkgevers?sector=%00&regio=%00&pagina=%00", "/voordrachten?status=%00"):
        assert client.get(url).status_code == 400, url
    for url in ("/werkgevers?q=%25_%5C", "/vacatures?q=%25%25", "/werkgevers?sector=-1&pagina=0",
                f"/vacatures/{world.vacancy['MU'].id}/voordragen?q=%5C%25",
                "/voordrachten?status=bogus&pagina=99999999999"):
        assert client.get(url).status_code == 200, url
    assert common.search_text("a\x00b ") == "ab"
