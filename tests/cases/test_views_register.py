"""Aanmelding through the HTML form: validation, duplicates and the confirmation step."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt.cases.models import Candidate, Case
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.views_helpers import audit_actions, municipality_id, registration_data
from tests.factories import CandidateFactory, CaseFactory, UserFactory
from tests.helpers import count, html, post, text

URL = "/trajecten/nieuw"


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU", name="Sanne Coach")


def test_form_has_every_field_with_defaults(client, coach):
    response = client.get(URL)
    page = html(response)
    assert response.status_code == 200
    for name in ("first_name", "name_prefix", "last_name", "birth_date", "email", "phone",
                 "postcode", "municipality_id", "education_level", "has_startkwalificatie",
                 "work_status", "benefit", "target_group", "referral_partner", "region_code",
                 "coach_id"):
        assert f'id="{name}"' in page and f'for="{name}"' in page, name
    assert f'<option selected value="{coach.id}">' in page
    assert '<option selected value="MU">Midden-Utrecht</option>' in page
    assert ">Utrecht</option>" in page and ">Amersfoort</option>" not in page


def test_register_new_candidate(client, coach):
    response = post(client, URL, registration_data())
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case).join(Case.candidate)
                             .where(Candidate.last_name == "Yildiz"))
    assert response.headers["Location"] == f"/trajecten/{case.id}"
    assert case.status == CaseState.AANGEMELD and case.coach_id == coach.id
    assert case.region_code == "MU" and case.opened_on == date.today()
    assert case.candidate.postcode == "3511 AB" and case.candidate.phone == "0612345678"
    assert case.candidate.has_startkwalificatie is True
    assert audit_actions(case) == ["case.create"]
    page = text(client.get(response.headers["Location"]))
    assert "Fatma Yildiz is aangemeld." in page


def test_register_for_a_colleague(client, coach):
    colleague = UserFactory(role="coach", regions=["MU"], name="Daan Collega")
    response = post(client, URL, registration_data(coach_id=colleague.id))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Case.coach_id)) == colleague.id


def test_coach_of_two_regions_gets_grouped_gemeenten(client, login_as):
    login_as("coach", "MU", "AM")
    page = html(client.get(URL))
    assert '<optgroup label="Midden-Utrecht">' in page
    assert '<optgroup label="Regio Amersfoort">' in page
    response = post(client, URL, registration_data(
        region_code="AM", municipality_id=municipality_id("Utrecht")))
    assert response.status_code == 400
    assert "Deze gemeente hoort niet bij de gekozen regio." in html(response)
    assert count(Case) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("first_name", "", "Vul de voornaam in."),
    ("last_name", "   ", "Vul de achternaam in."),
    ("first_name", "x" * 101, "Gebruik hoogstens 100 tekens."),
    ("birth_date", "", "Vul de geboortedatum in."),
    ("birth_date", "31-02-1990", "Vul een geldige datum in"),
    ("birth_date", "1990-13-01", "Vul een geldige datum in"),
    ("birth_date", "gisteren", "Vul een geldige datum in"),
    ("birth_date", "2099-01-01", "Vul een geboortedatum in van iemand tussen 15 en 80 jaar."),
    ("birth_date", date.today().isoformat(), "tussen 15 en 80 jaar"),
    ("email", "geen-adres", "Vul een geldig e-mailadres in"),
    ("phone", "bel me", "Vul een geldig telefoonnummer in"),
    ("postcode", "", "Vul de postcode in."),
    ("postcode", "0123 AB", "Vul een geldige postcode in"),
    ("postcode", "ABCD 12", "Vul een geldige postcode in"),
    ("municipality_id", "", "Kies de gemeente."),
    ("municipality_id", "abc", "Kies een gemeente uit de lijst."),
    ("municipality_id", "999999", "Kies een gemeente uit de lijst."),
    ("education_level", "doctoraal", "Kies een waarde uit de lijst."),
    ("education_level", "", "Kies de opleiding."),
    ("work_status", "piraat", "Kies een waarde uit de lijst."),
    ("benefit", "lotto", "Kies een waarde uit de lijst."),
    ("target_group", "iedereen", "Kies een waarde uit de lijst."),
    ("referral_partner", "buurman", "Kies een waarde uit de lijst."),
    ("region_code", "FV", "Kies een van uw regio's."),
    ("region_code", "", "Kies de regio."),
    ("coach_id", "0", "Kies een loopbaancoach van de regio."),
    ("coach_id", "-1", "Kies een loopbaancoach van de regio."),
])
def test_bad_input_is_400_at_the_field_and_nothing_saved(client, coach, field, value, message):
    response = post(client, URL, registration_data(**{field: value}))
    page = html(response)
    assert response.status_code == 400
    assert message in text(response)
    assert f'id="{field}-fout"' in page  # the message sits at its field
    assert 'aria-invalid="true"' in page or field in ("has_startkwalificatie",)
    assert "Het formulier is niet opgeslagen." in page
    assert count(Case) == 0 and count(Candidate) == 0


def test_empty_form_is_400(client, coach):
    response = post(client, URL, {})
    assert response.status_code == 400
    assert "Vul de voornaam in." in html(response)
    assert count(Candidate) == 0


def test_coach_of_other_region_cannot_be_chosen(client, coach):
    other = UserFactory(role="coach", regions=["FV"])
    response = post(client, URL, registration_data(coach_id=other.id))
    assert response.status_code == 400
    assert count(Case) == 0


def test_input_is_kept_after_an_error(client, coach):
    response = post(client, URL, registration_data(postcode="99999"))
    page = html(response)
    assert 'value="Fatma"' in page and 'value="fatma.yildiz@voorbeeld.nl"' in page


def test_coordinator_liaison_admin_cannot_register(client, login_as):
    for role in ("coordinator", "liaison", "admin"):
        login_as(role, "MU")
        assert client.get(URL).status_code == 403
        assert post(client, URL, registration_data()).status_code == 403
    assert count(Case) == 0


# --- duplicates ------------------------------------------------------------------------------


@pytest.fixture
def known(coach):
    """A person already known in MU with a closed case."""
    candidate = CandidateFactory(first_name="Fatma", last_name="Yildiz",
                                 birth_date=date(1985, 3, 14), email="fy@elders.nl",
                                 phone="0687654321")
    CaseFactory(candidate=candidate, coach=coach, status=CaseState.AFGESLOTEN)
    return candidate


def test_duplicates_are_shown_before_creating(client, coach, known):
    response = post(client, URL, registration_data())
    page = text(response)
    assert response.status_code == 200
    assert "Is dit dezelfde persoon?" in page
    assert "Fatma Yildiz" in page and "fy@elders.nl" in page
    assert "Dit is dezelfde persoon" in page and "Toch nieuwe kandidaat aanmelden" in page
    assert count(Candidate) == 1  # nothing created yet
    # the confirmation forms carry what was typed
    assert 'name="email" value="fatma.yildiz@voorbeeld.nl"' in html(response)
    assert f'name="bestaande_kandidaat" value="{known.id}"' in html(response)


@pytest.mark.parametrize("match", [
    {"first_name": "Anna", "email": "fy@elders.nl"},  # same e-mail
    {"first_name": "Anna", "last_name": "Jansen", "phone": "06-87654321"},  # same phone
    {"first_name": "fatma", "last_name": "Demir"},  # same birth date, same first name
])
def test_each_kind_of_match_is_found(client, coach, known, match):
    response = post(client, URL, registration_data(**match))
    assert "Is dit dezelfde persoon?" in text(response)


def test_confirm_new_candidate_anyway(client, coach, known):
    response = post(client, URL, registration_data(bevestigd="1"))
    assert response.status_code == 302
    assert count(Candidate) == 2


def test_same_person_opens_new_case_for_existing_candidate(client, coach, known):
    response = post(client, URL, registration_data(bestaande_kandidaat=str(known.id)))
    assert response.status_code == 302
    assert count(Candidate) == 1
    cases = db.session.scalars(sa.select(Case).where(Case.candidate_id == known.id)).all()
    assert sorted(c.status for c in cases) == [CaseState.AANGEMELD, CaseState.AFGESLOTEN]


def test_same_person_with_open_case_is_refused_clearly(client, coach):
    candidate = CandidateFactory(first_name="Fatma", last_name="Yildiz",
                                 birth_date=date(1985, 3, 14))
    open_case = CaseFactory(candidate=candidate, coach=coach, status=CaseState.DIAGNOSE)
    response = post(client, URL, registration_data(bestaande_kandidaat=str(candidate.id)))
    page = text(response)
    assert response.status_code == 409
    assert "Het traject is niet geopend." in page
    assert f"heeft al een lopend traject (nummer {open_case.id})" in page
    assert count(Case) == 1


def test_existing_candidate_must_be_one_of_the_duplicates(client, coach, known):
    stranger = CandidateFactory(first_name="Piet", last_name="Anders")
    CaseFactory(candidate=stranger, region_code="FV", status=CaseState.AFGESLOTEN)
    for bad in (str(stranger.id), "abc", "999999"):
        response = post(client, URL, registration_data(bestaande_kandidaat=bad))
        assert response.status_code == 400
        assert "Kies een van de getoonde kandidaten." in text(response)
    assert count(Case) == 2


def test_duplicates_of_other_regions_are_not_shown(client, coach):
    candidate = CandidateFactory(first_name="Fatma", last_name="Yildiz",
                                 birth_date=date(1985, 3, 14))
    CaseFactory(candidate=candidate, region_code="FV")
    response = post(client, URL, registration_data())
    assert response.status_code == 302  # no confirmation step: the FV person is not visible


# --- the duplicate screen offers only what can work ------------------------------------------


def test_safe_choice_is_primary_and_new_candidate_secondary(client, coach, known):
    page = html(post(client, URL, registration_data()))
    same = page.split('name="bestaande_kandidaat"')[1].split("</form>")[0]
    assert "utrecht-button--primary-action" in same and "Dit is dezelfde persoon" in same
    anyway = page.split('name="bevestigd"')[1].split("</form>")[0]
    assert "Toch nieuwe kandidaat aanmelden" in anyway
    assert "utrecht-button--secondary-action" in anyway
    assert "primary" not in anyway


def test_person_with_running_case_gets_a_link_not_the_same_person_button(client, coach):
    candidate = CandidateFactory(first_name="Fatma", last_name="Yildiz",
                                 birth_date=date(1985, 3, 14))
    running = CaseFactory(candidate=candidate, coach=coach, status=CaseState.DIAGNOSE)
    response = post(client, URL, registration_data())
    page = html(response)
    assert response.status_code == 200 and "Is dit dezelfde persoon?" in page
    assert "Dit is dezelfde persoon" not in page
    assert 'name="bestaande_kandidaat"' not in page
    link = page.split(f'href="/trajecten/{running.id}"')
    # the step list links to it, and the choice column is a primary link to the running case
    assert any("utrecht-button-link--primary-action" in part.split("<a ")[-1]
               for part in link[:-1])
    assert f"Naar het lopende traject {running.id}" in text(response)
    assert "Toch nieuwe kandidaat aanmelden" in page


def test_running_case_in_another_region_is_named_not_linked(client, coach):
    candidate = CandidateFactory(first_name="Fatma", last_name="Yildiz",
                                 birth_date=date(1985, 3, 14))
    CaseFactory(candidate=candidate, coach=coach, status=CaseState.AFGESLOTEN)
    elsewhere = CaseFactory(candidate=candidate, region_code="FV", status=CaseState.DIAGNOSE)
    response = post(client, URL, registration_data())
    page = html(response)
    assert "Is dit dezelfde persoon?" in page
    assert 'name="bestaande_kandidaat"' not in page
    assert f"/trajecten/{elsewhere.id}" not in page
    assert "lopend traject in een andere regio" in text(response)


def test_duplicate_screen_query_count_does_not_grow_with_duplicates(client, coach):
    from tests.querycount import count_statements

    def statements() -> int:
        with count_statements(cold=True) as seen:
            assert "Is dit dezelfde persoon?" in text(post(client, URL, registration_data()))
        return len(seen)

    first = CandidateFactory(first_name="Fatma", last_name="Yildiz", birth_date=date(1985, 3, 14))
    CaseFactory(candidate=first, coach=coach, status=CaseState.DIAGNOSE)
    coach_id = coach.id
    one = statements()
    coach = db.session.get(type(coach), coach_id)  # detached by the cold count
    for n in range(3):
        other = CandidateFactory(first_name="Fatma", last_name=f"Yildiz{n}",
                                 birth_date=date(1985, 3, 14), email=f"f{n}@x.nl")
        CaseFactory(candidate=other, coach=coach, status=CaseState.AFGESLOTEN)
    assert statements() == one
