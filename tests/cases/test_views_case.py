"""The case page and everything done from it: steps, intake, plan, notes, tasks, consent."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rmt.cases import queries, service
from rmt.cases.models import Case, CaseEvent, Consent, Intake, Note, PlanActivity, Task
from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.views_helpers import audit_actions, fresh
from tests.factories import CaseFactory, NoteFactory, TaskFactory, UserFactory, coded
from tests.helpers import count, html, post, text
from tests.querycount import count_statements


@pytest.fixture
def coach(login_as):
    return login_as("coach", "MU", name="Sanne Coach")


@pytest.fixture
def case(coach):
    return CaseFactory(coach=coach, candidate__first_name="Fatma", candidate__last_name="Yildiz")


def _url(case, suffix: str = "") -> str:
    return f"/trajecten/{case.id}{suffix}"


def _complete_intake(coach, case) -> None:
    service.save_intake(coach, case, {"motivation": "Wil de zorg in", "work_history": "Retail"},
                        complete=True, expected_version=case.version)
    db.session.flush()


# --- reading ---------------------------------------------------------------------------------


def test_case_page_shows_the_case_and_is_audited(client, coach, case):
    NoteFactory(case=case, text="Eerste gesprek gehad.")
    TaskFactory(case=case, owner=coach, title="Cv nabespreken",
                due_on=date.today() - timedelta(days=2))
    response = client.get(_url(case))
    page = text(response)
    assert response.status_code == 200
    assert "Fatma Yildiz" in page and "Midden-Utrecht" in page
    assert "Huidige stap: Aangemeld" in page
    assert "Eerste gesprek gehad." in page
    assert "Cv nabespreken" in page and "Te laat" in page
    assert "Tijdlijn" in page and "Aangemeld in MU" in page
    assert audit_actions(case) == ["case.view"]
    client.get(_url(case))
    assert audit_actions(case) == ["case.view", "case.view"]


def test_only_transitions_allowed_now_are_offered(client, coach, case):
    page = text(client.get(_url(case)))
    assert "Naar intake" in page and "Pauzeren" in page and "Traject afsluiten" in page
    for not_now in ("Naar diagnose", "Terug naar", "Hervatten", "Overslaan"):
        assert not_now not in page


def test_guarded_step_is_explained_instead_of_offered(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.INTAKE)
    page = text(client.get(_url(case)))
    assert "Naar diagnose kan nog niet: Vul eerst het intakeformulier in." in page
    assert 'name="stap-to" value="diagnose"' not in html(client.get(_url(case)))
    assert "Terug naar aangemeld" in page


def test_coordinator_reads_without_edit_controls_and_sees_audit(client, login_as, case):
    login_as("coordinator", "MU")
    response = client.get(_url(case))
    page = html(response)
    assert response.status_code == 200
    for endpoint in ("/stap", "/aantekeningen", "/acties", "/toestemming", "/overdracht",
                     "/intake", "/gegevens"):
        assert f'action="{_url(case, endpoint)}"' not in page, endpoint
    assert f'href="{_url(case, "/coach")}"' in page  # a coordinator may reassign
    assert "Wie heeft dit dossier bekeken of gewijzigd" in page
    # A read is audited right after it (rmt.transaction.defer_write): the next view shows it.
    again = text(client.get(_url(case)))
    assert "Dossier bekeken" in again and "case.view" not in again


def test_coach_does_not_see_the_audit_section(client, coach, case):
    assert "Wie heeft dit dossier bekeken" not in html(client.get(_url(case)))


def test_case_page_includes_the_shared_sections_hook(client, coach, case, app):
    loader = app.jinja_env.loader
    source = loader.get_source(app.jinja_env, "cases/case.html")[0]
    assert '{% include "cases/_sections.html" %}' in source


# --- steps -------------------------------------------------------------------------------------


def _move(client, case, to: str, prefix: str = "stap", **extra):
    data = {f"{prefix}-to": to, f"{prefix}-version": fresh(case).version}
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return post(client, _url(case, "/stap"), data)


def test_walk_through_steps_with_guards(client, coach, case):
    response = _move(client, case, "intake")
    assert response.status_code == 302
    assert fresh(case).status == CaseState.INTAKE
    assert "Het traject staat nu in de stap Intake." in text(client.get(_url(case)))

    response = _move(client, case, "diagnose")
    assert response.status_code == 400
    assert "Vul eerst het intakeformulier in." in text(response)
    assert fresh(case).status == CaseState.INTAKE

    response = post(client, _url(case, "/intake"), {
        "motivation": "Wil de zorg in", "work_history": "Tien jaar winkel",
        "version": fresh(case).version, "afronden": "1"})
    assert response.status_code == 302
    assert _move(client, case, "diagnose").status_code == 302
    assert _move(client, case, "plan").status_code == 302

    response = _move(client, case, "uitvoering")
    assert response.status_code == 400
    assert "Voeg eerst minimaal één activiteit toe" in text(response)

    response = _move(client, case, "geplaatst")
    assert response.status_code == 409
    assert "niet toegestaan" in text(response)
    assert fresh(case).status == CaseState.PLAN
    events = [e.to_status for e in fresh(case).events]
    assert events == ["aangemeld", "intake", "diagnose", "plan"]


def test_back_needs_a_reason(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.INTAKE)
    response = _move(client, case, "aangemeld", prefix="terug", reason="  ")
    assert response.status_code == 400
    page = html(response)
    assert "Geef een reden voor de stap terug." in page
    assert 'id="terug-reason-fout"' in page and "<details class=\"rmt-details\" open>" in page
    assert fresh(case).status == CaseState.INTAKE
    response = _move(client, case, "aangemeld", prefix="terug", reason="Verkeerd ingeschaald")
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == CaseState.AANGEMELD and case.events[-1].reason == "Verkeerd ingeschaald"


def test_pause_and_resume(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.DIAGNOSE)
    assert _move(client, case, "gepauzeerd").status_code == 302
    page = text(client.get(_url(case)))
    assert "Huidige stap: Gepauzeerd" in page and "gepauzeerd tijdens de stap Diagnose" in page
    assert "Hervatten" in page
    assert _move(client, case, "diagnose").status_code == 302
    assert fresh(case).status == CaseState.DIAGNOSE


@pytest.mark.parametrize(("extra", "message"), [
    ({}, "Kies een uitstroomreden."),
    ({"exit_reason": "met_pensioen"}, "Kies een geldige uitstroomreden."),
    ({"exit_reason": "overig"}, "Licht de uitstroomreden 'overig' toe."),
    ({"exit_reason": "overig", "exit_reason_text": "x" * 501}, "Gebruik hoogstens 500 tekens."),
])
def test_close_needs_a_valid_exit_reason(client, coach, case, extra, message):
    response = _move(client, case, "afgesloten", prefix="afsluiten", **extra)
    assert response.status_code == 400
    assert message in text(response)
    assert fresh(case).status == CaseState.AANGEMELD


def test_close_and_then_nothing_can_change(client, coach, case):
    response = _move(client, case, "afgesloten", prefix="afsluiten", exit_reason="overig",
                     exit_reason_text="Emigreert")
    assert response.status_code == 302
    case = fresh(case)
    assert case.status == CaseState.AFGESLOTEN and case.exit_reason_text == "Emigreert"
    page = text(client.get(_url(case)))
    assert "Dit traject is afgesloten op" in page and "Overig" in page
    assert "Wat kan nu?" not in page and "Nieuwe aantekening" not in page
    response = post(client, _url(case, "/aantekeningen"), {
        "aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "gesprek",
        "aantekening-text": "Toch nog iets"})
    assert response.status_code == 409
    assert "Dit traject is afgesloten." in text(response)
    assert count(Note) == 0


@pytest.mark.parametrize(("data", "status"), [
    ({"stap-to": "vakantie", "stap-version": "1"}, 400),
    ({"stap-to": "", "stap-version": "1"}, 400),
    ({"stap-to": "intake", "stap-version": "abc"}, 400),
    ({"stap-to": "intake"}, 400),
    ({}, 400),
])
def test_malformed_transition_posts(client, coach, case, data, status):
    response = post(client, _url(case, "/stap"), data)
    assert response.status_code == status
    assert "Het formulier is niet opgeslagen." in text(response)
    assert fresh(case).status == CaseState.AANGEMELD


# --- intake and plan ---------------------------------------------------------------------------


def test_intake_save_and_complete(client, coach, case):
    response = client.get(_url(case, "/intake"))
    assert response.status_code == 200
    assert "Intake van Fatma Yildiz" in text(response)
    response = post(client, _url(case, "/intake"), {
        "motivation": "Wil verder", "wishes": "Parttime", "version": fresh(case).version,
        "opslaan": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/intake")
    intake = db.session.get(Intake, case.id)
    assert intake.wishes == "Parttime" and intake.completed_at is None

    response = post(client, _url(case, "/intake"), {
        "motivation": "Wil verder", "version": fresh(case).version, "afronden": "1"})
    assert response.status_code == 400
    page = html(response)
    assert "Vul minstens motivatie en werkervaring in" in page
    assert 'id="work_history-fout"' in page
    db.session.expire_all()
    assert db.session.get(Intake, case.id).wishes == "Parttime"  # nothing of the refusal saved


def test_intake_refused_completion_saves_nothing(client, coach, case):
    response = post(client, _url(case, "/intake"), {
        "motivation": "", "work_history": "", "wishes": "iets", "version": case.version,
        "afronden": "1"})
    assert response.status_code == 400
    assert count(Intake) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("motivation", "x" * 5001), ("preferred_sectors", "x" * 501)])
def test_intake_too_long(client, coach, case, field, value):
    response = post(client, _url(case, "/intake"), {field: value, "version": case.version})
    assert response.status_code == 400
    assert "Gebruik hoogstens" in text(response)
    assert count(Intake) == 0


def test_plan_and_activities(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    response = post(client, _url(case, "/plan"), {
        "goal": "Werk in de zorg", "target_sector": "Zorg", "target_occupation": "Helpende",
        "version": fresh(case).version})
    assert response.status_code == 302
    response = post(client, _url(case, "/activiteiten"), {
        "activiteit-description": "", "activiteit-version": fresh(case).version})
    assert response.status_code == 400 and "Beschrijf de activiteit." in text(response)
    response = post(client, _url(case, "/activiteiten"), {
        "activiteit-description": "Opleiding helpende zorg", "activiteit-due_on": "2030-02-30",
        "activiteit-version": fresh(case).version})
    assert response.status_code == 400 and "Vul een geldige datum in" in text(response)
    response = post(client, _url(case, "/activiteiten"), {
        "activiteit-description": "Opleiding helpende zorg", "activiteit-due_on": "2030-01-31",
        "activiteit-service_type_id": coded()["service_type_id"],
        "activiteit-partner_id": coded()["partner_id"],
        "activiteit-version": fresh(case).version})
    assert response.status_code == 302
    activity = db.session.scalar(sa.select(PlanActivity))
    assert activity.due_on == date(2030, 1, 31)

    key = f"a{activity.id}"
    response = post(client, _url(case, f"/activiteiten/{activity.id}"), {
        f"{key}-status": "onbekend", f"{key}-version": fresh(case).version})
    assert response.status_code == 400 and "Kies een waarde uit de lijst." in text(response)
    response = post(client, _url(case, f"/activiteiten/{activity.id}"), {
        f"{key}-status": "bezig", f"{key}-version": fresh(case).version})
    assert response.status_code == 302
    page = text(client.get(_url(case)))
    assert "Werk in de zorg" in page and "Opleiding helpende zorg" in page and "Bezig" in page
    assert _move(client, case, "uitvoering").status_code == 302


def test_activity_of_another_case_is_404(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.PLAN)
    other = CaseFactory(coach=coach, status=CaseState.PLAN)
    activity = service.add_activity(coach, other, description="X", due_on=None, **coded(),
                                    expected_version=None)
    db.session.flush()
    response = post(client, _url(case, f"/activiteiten/{activity.id}"), {
        f"a{activity.id}-status": "bezig", f"a{activity.id}-version": case.version})
    assert response.status_code == 404


def test_coordinator_reads_plan_without_forms(client, login_as, case):
    login_as("coordinator", "MU")
    response = client.get(_url(case, "/plan"))
    assert response.status_code == 200
    assert "<form method=\"post\" action=\"" + _url(case, "/plan") not in html(response)


# --- notes, tasks, consent -----------------------------------------------------------------


def test_add_note(client, coach, case):
    response = post(client, _url(case, "/aantekeningen"), {
        "aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "telefoon",
        "aantekening-text": "Gebeld over de opleiding."})
    assert response.status_code == 302
    note = db.session.scalar(sa.select(Note))
    assert note.kind == "telefoon" and note.author_id == coach.id
    assert "De aantekening is opgeslagen." in text(client.get(_url(case)))


def _open_disclosures(page: str) -> list[str]:
    """The summaries of the <details> that are open in the page."""
    return re.findall(r'<details class="rmt-details" open>\s*<summary[^>]*>([^<]*)</summary>', page)


def test_add_forms_are_folded_away(client, coach, case):
    page = html(client.get(_url(case)))
    summaries = re.findall(r'<summary class="rmt-details__summary">([^<]*)</summary>', page)
    for summary in ("Actie toevoegen", "Aantekening toevoegen", "Toestemming vastleggen",
                    "Overdragen aan een andere regio"):
        assert summary in summaries
    assert _open_disclosures(page) == []


@pytest.mark.parametrize(("endpoint", "data", "summary", "error_id"), [
    ("/aantekeningen", {"aantekening-kind": "gesprek", "aantekening-text": ""},
     "Aantekening toevoegen", "aantekening-text-fout"),
    ("/acties", {"actie-title": "", "actie-due_on": "2030-01-01"},
     "Actie toevoegen", "actie-title-fout"),
    ("/toestemming", {"toestemming-purpose": "alles_delen"},
     "Toestemming vastleggen", "toestemming-purpose-fout"),
    ("/overdracht", {"overdracht-to_region_code": "", "overdracht-reason": "Verhuist"},
     "Overdragen aan een andere regio", "overdracht-to_region_code-fout"),
])
def test_a_refused_form_is_shown_open(client, coach, case, endpoint, data, summary, error_id):
    prefix = endpoint.strip("/").split("/")[0]
    version_key = {"coach": "coach-version", "overdracht": "overdracht-version"}.get(prefix)
    extra = {version_key: fresh(case).version} if version_key else {}
    response = post(client, _url(case, endpoint), {**data, **extra})
    assert response.status_code == 400
    page = html(response)
    assert _open_disclosures(page) == [summary]
    opened = page.split('<details class="rmt-details" open>', 1)[1].split("</details>", 1)[0]
    assert f'id="{error_id}"' in opened


def test_note_form_defaults_to_today(client, coach, case):
    page = html(client.get(_url(case)))
    field = re.search(r'<input[^>]*id="aantekening-contact_on"[^>]*>', page).group(0)
    assert 'type="date"' in field and f'value="{date.today().isoformat()}"' in field


@pytest.mark.parametrize(("data", "message"), [
    ({"aantekening-text": ""}, "Vul de tekst van de aantekening in."),
    ({"aantekening-text": "x" * 10001}, "Gebruik hoogstens 10000 tekens."),
    ({"aantekening-contact_on": ""}, "Vul de datum in."),
    ({"aantekening-contact_on": "2024-02-30"}, "Vul een geldige datum in"),
    ({"aantekening-contact_on": "0001-01-01"}, "Vul een geldige datum in"),
    ({"aantekening-contact_on": (date.today() + timedelta(days=1)).isoformat()},
     "Een contactmoment kan niet in de toekomst liggen."),
    ({"aantekening-kind": "fax"}, "Kies een waarde uit de lijst."),
])
def test_bad_note_input(client, coach, case, data, message):
    base = {"aantekening-contact_on": date.today().isoformat(), "aantekening-kind": "gesprek",
            "aantekening-text": "Tekst"}
    response = post(client, _url(case, "/aantekeningen"), {**base, **data})
    assert response.status_code == 400
    assert message in text(response)
    assert count(Note) == 0


def test_tasks_add_and_complete(client, coach, case):
    colleague = UserFactory(role="coach", regions=["MU"], name="Daan Collega")
    response = post(client, _url(case, "/acties"), {
        "actie-title": "Cv nabespreken", "actie-due_on": "2030-01-01",
        "actie-owner_id": colleague.id})
    assert response.status_code == 302
    task = db.session.scalar(sa.select(Task))
    assert task.owner_id == colleague.id and task.due_on == date(2030, 1, 1)
    response = post(client, _url(case, f"/acties/{task.id}/afronden"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).done_at is not None
    assert "Afgerond op" in text(client.get(_url(case)))


@pytest.mark.parametrize(("data", "message"), [
    ({"actie-title": ""}, "Beschrijf de actie."),
    ({"actie-title": "x" * 301}, "Gebruik hoogstens 300 tekens."),
    ({"actie-due_on": "morgen"}, "Vul een geldige datum in"),
    ({"actie-due_on": ""}, "Vul de datum in."),
    ({"actie-owner_id": "abc"}, "Kies een eigenaar uit het team van deze regio."),
    ({"actie-owner_id": ""}, "Kies wie de actie uitvoert."),
])
def test_bad_task_input(client, coach, case, data, message):
    base = {"actie-title": "Bellen", "actie-due_on": "2030-01-01", "actie-owner_id": coach.id}
    response = post(client, _url(case, "/acties"), {**base, **data})
    assert response.status_code == 400
    assert message in text(response)
    assert count(Task) == 0


def test_task_owner_from_another_region_is_refused(client, coach, case):
    stranger = UserFactory(role="coach", regions=["FV"])
    response = post(client, _url(case, "/acties"), {
        "actie-title": "Bellen", "actie-due_on": "2030-01-01", "actie-owner_id": stranger.id})
    assert response.status_code == 400
    assert count(Task) == 0


def test_completing_a_task_of_another_case_is_404(client, coach, case):
    other_task = TaskFactory(case=CaseFactory(coach=coach), owner=coach)
    assert post(client, _url(case, f"/acties/{other_task.id}/afronden")).status_code == 404


def test_consent_give_and_revoke(client, coach, case):
    response = post(client, _url(case, "/toestemming"), {
        "toestemming-purpose": "profiel_delen_met_werkgevers",
        "toestemming-given_on": date.today().isoformat()})
    assert response.status_code == 302
    response = post(client, _url(case, "/toestemming"), {
        "toestemming-purpose": "profiel_delen_met_werkgevers",
        "toestemming-given_on": date.today().isoformat()})
    assert response.status_code == 409 and "Deze toestemming is al vastgelegd." in text(response)
    consent = db.session.scalar(sa.select(Consent))
    assert "Geldig" in text(client.get(_url(case)))
    assert post(client, _url(case, f"/toestemming/{consent.id}/intrekken")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).revoked_on == date.today()
    response = post(client, _url(case, f"/toestemming/{consent.id}/intrekken"))
    assert response.status_code == 409 and "al ingetrokken" in text(response)


@pytest.mark.parametrize(("data", "message"), [
    ({"toestemming-purpose": "alles_delen"}, "Kies een waarde uit de lijst."),
    ({"toestemming-given_on": "2024-13-01"}, "Vul een geldige datum in"),
    ({"toestemming-given_on": (date.today() + timedelta(days=3)).isoformat()},
     "kan niet in de toekomst liggen"),
])
def test_bad_consent_input(client, coach, case, data, message):
    base = {"toestemming-purpose": "profiel_delen_met_werkgevers",
            "toestemming-given_on": date.today().isoformat()}
    response = post(client, _url(case, "/toestemming"), {**base, **data})
    assert response.status_code == 400
    assert message in text(response)
    assert count(Consent) == 0


def test_revoking_an_unknown_consent_is_404(client, coach, case):
    assert post(client, _url(case, "/toestemming/999999/intrekken")).status_code == 404


# --- coach and candidate details ---------------------------------------------------------------


def test_reassign_to_colleague(client, coach, case):
    colleague = UserFactory(role="coach", regions=["MU"], name="Daan Collega")
    response = post(client, _url(case, "/coach"), {
        "coach-coach_id": colleague.id, "coach-version": fresh(case).version})
    assert response.status_code == 302
    assert fresh(case).coach_id == colleague.id
    assert "Daan Collega is nu de loopbaancoach van dit traject." in text(client.get(_url(case)))


def test_coordinator_may_reassign(client, login_as, case):
    colleague = UserFactory(role="coach", regions=["MU"])
    login_as("coordinator", "MU")
    response = post(client, _url(case, "/coach"), {
        "coach-coach_id": colleague.id, "coach-version": fresh(case).version})
    assert response.status_code == 302
    assert fresh(case).coach_id == colleague.id


def test_reassign_page_lists_the_region_coaches_with_their_caseloads(client, coach, case):
    colleague = UserFactory(role="coach", regions=["MU"], name="Daan Collega")
    CaseFactory(coach=colleague)
    CaseFactory(coach=colleague)
    UserFactory(role="coach", regions=["FV"], name="Fenna Elders")
    page = html(client.get(_url(case, "/coach")))
    assert "Daan Collega (2 lopende trajecten)" in page
    assert "Fenna Elders" not in page  # another region's coach
    assert f'<option value="{coach.id}"' not in page  # the case's own coach
    assert f'action="{_url(case, "/coach")}"' in page
    # The case page links to it instead of counting every coach's cases on each view.
    case_page = html(client.get(_url(case)))
    assert f'href="{_url(case, "/coach")}"' in case_page
    assert "coach-coach_id" not in case_page


def test_reassign_page_of_a_closed_case_leads_back_to_the_case(client, coach):
    case = CaseFactory(coach=coach, status=CaseState.AFGESLOTEN)
    response = client.get(_url(case, "/coach"))
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(case))


@pytest.mark.parametrize("bad", ["", "abc", "999999"])
def test_reassign_bad_input(client, coach, case, bad):
    response = post(client, _url(case, "/coach"), {"coach-coach_id": bad,
                                                    "coach-version": fresh(case).version})
    assert response.status_code == 400
    assert fresh(case).coach_id == coach.id
    page = html(response)  # the reassign page again, the message at the field
    assert 'id="coach-coach_id-fout"' in page and "Andere loopbaancoach voor traject" in page


def test_reassign_to_coach_of_other_region_is_refused(client, coach, case):
    stranger = UserFactory(role="coach", regions=["FV"])
    response = post(client, _url(case, "/coach"), {
        "coach-coach_id": stranger.id, "coach-version": fresh(case).version})
    assert response.status_code == 400
    assert fresh(case).coach_id == coach.id


def test_edit_candidate_details(client, coach, case):
    response = client.get(_url(case, "/gegevens"))
    assert response.status_code == 200 and 'value="Fatma"' in html(response)
    data = {
        "first_name": "Fatma", "name_prefix": "van", "last_name": "Yildiz",
        "birth_date": "1985-03-14", "email": "nieuw@voorbeeld.nl", "phone": "0611112222",
        "postcode": "3811 AA", "municipality_id": fresh(case).candidate.municipality_id,
        "education_level": "mbo3", "work_status": "werkend", "benefit": "geen",
        "target_group": "werkenden", "referral_partner": "zelf",
        "version": fresh(case).version}
    assert post(client, _url(case, "/gegevens"), {**data, "postcode": "1234"}).status_code == 400
    assert fresh(case).candidate.email != "nieuw@voorbeeld.nl"
    response = post(client, _url(case, "/gegevens"), data)
    assert response.status_code == 302
    candidate = fresh(case).candidate
    assert candidate.full_name == "Fatma van Yildiz" and candidate.has_startkwalificatie is False
    assert candidate.email == "nieuw@voorbeeld.nl"


def test_the_timeline_reads_step_changes_as_rows_as_it_reads_events(app, coach, case):
    """The case page reads its step changes as columns (queries.EventLine): the timeline's
    lines are those of the events themselves, a change without a user included, and a page
    whose events are loaded already reads no statement for them."""
    service.transition(coach, case, "intake", expected_version=case.version,
                       reason="Eerste gesprek gepland")
    db.session.add(CaseEvent(case=case, region_code="MU", from_status=CaseState.INTAKE,
                             to_status=CaseState.INTAKE, user_id=None))
    db.session.flush()
    case_id = case.id
    db.session.expire_all()

    def lines(items: list) -> list[tuple]:
        return [(i.at, i.kind, i.title, i.detail, i.user_name) for i in items if i.kind == "step"]

    with app.test_request_context():
        fresh_case = db.session.get(Case, case_id)
        rows = queries.load_case_detail(fresh_case).events
        assert "events" not in sa.inspect(fresh_case).dict  # read as rows, not as events
        as_rows = lines(service.timeline(fresh_case, include_notes=False, events=rows))
        as_events = lines(service.timeline(fresh_case, include_notes=False))
        assert as_rows == as_events and len(as_rows) == 3
        assert {line[4] for line in as_rows} == {"Sanne Coach", ""}
        with count_statements() as statements:
            assert queries.load_case_detail(fresh_case).events == rows
        assert not any("case_event" in str(s) for s in statements)
