"""Bad input on every cases endpoint: a 4xx problem+json answer, never a 500, nothing saved."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from rmt.extensions import db
from rmt.process import CaseState
from tests.cases.test_api import api_for, assert_problem, new_candidate, row_counts
from tests.factories import CaseFactory, UserFactory

TODAY = date.today().isoformat()
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
HUGE = "x" * 20_000
NUL = "Jan\x00"


def _candidate(**overrides: Any) -> dict[str, Any]:
    """A valid new candidate, filled in at request time (the municipality id needs the DB)."""
    return {"__candidate__": overrides}


def _materialise(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__candidate__"}:
            data = new_candidate()
            for key, replacement in value["__candidate__"].items():
                if replacement is ...:
                    data.pop(key)
                else:
                    data[key] = replacement
            return data
        return {key: _materialise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_materialise(item) for item in value]
    return value


def _create(**extra: Any) -> dict[str, Any]:
    return {"candidate": _candidate(), "region": "MU", "confirm_new_candidate": True, **extra}


RAW = "raw"  # marks a case that sends raw bytes instead of JSON

# (name, method, path, body or (RAW, bytes, content type), expected status, error field or None)
CASES: list[tuple[str, str, str, Any, int, str | None]] = [
    # --- GET /cases: query parameters
    ("list-status-unknown", "GET", "/api/v1/cases?status=weg", None, 422, "status"),
    ("list-status-case", "GET", "/api/v1/cases?status=INTAKE", None, 422, "status"),
    ("list-region-unknown", "GET", "/api/v1/cases?region=XX", None, 422, "region"),
    ("list-coach-text", "GET", "/api/v1/cases?coach=abc", None, 422, "coach"),
    ("list-coach-zero", "GET", "/api/v1/cases?coach=0", None, 422, "coach"),
    ("list-coach-huge", "GET", "/api/v1/cases?coach=99999999999999999999", None, 422, "coach"),
    ("list-page-zero", "GET", "/api/v1/cases?page=0", None, 422, "page"),
    ("list-page-text", "GET", "/api/v1/cases?page=een", None, 422, "page"),
    ("list-page-huge", "GET", "/api/v1/cases?page=10000000000", None, 422, "page"),
    ("list-per-page-101", "GET", "/api/v1/cases?per_page=101", None, 422, "per_page"),
    ("list-per-page-negative", "GET", "/api/v1/cases?per_page=-5", None, 422, "per_page"),
    ("list-q-huge", "GET", "/api/v1/cases?q=" + "a" * 101, None, 422, "q"),
    ("list-q-nul", "GET", "/api/v1/cases?q=a%00b", None, 400, None),
    # --- POST /cases: body format
    ("create-malformed-json", "POST", "/api/v1/cases", (RAW, b'{"region": "MU",',
                                                        "application/json"), 400, None),
    ("create-form-encoded", "POST", "/api/v1/cases", (RAW, b"region=MU",
                                                      "application/x-www-form-urlencoded"),
     415, None),
    ("create-text-plain", "POST", "/api/v1/cases", (RAW, b'{"region": "MU"}', "text/plain"),
     415, None),
    ("create-no-content-type", "POST", "/api/v1/cases", (RAW, b'{"region": "MU"}', None),
     415, None),
    ("create-invalid-utf8", "POST", "/api/v1/cases", (RAW, b'{"region": "\xff\xfe"}',
                                                      "application/json"), 400, None),
    ("create-empty-body", "POST", "/api/v1/cases", (RAW, b"", "application/json"), 422, None),
    ("create-json-list", "POST", "/api/v1/cases", [], 422, None),
    ("create-json-string", "POST", "/api/v1/cases", "MU", 422, None),
    ("create-json-null", "POST", "/api/v1/cases", (RAW, b"null", "application/json"), 422,
     None),
    ("create-json-number", "POST", "/api/v1/cases", (RAW, b"42", "application/json"), 422,
     None),
    ("create-deep-nesting", "POST", "/api/v1/cases", (RAW, b"[" * 5000 + b"]" * 5000,
                                                      "application/json"), 400, None),
    # --- POST /cases: fields
    ("create-no-region", "POST", "/api/v1/cases", {"candidate": _candidate()}, 422, "region"),
    ("create-region-unknown", "POST", "/api/v1/cases", _create(region="XX"), 422, "region"),
    ("create-region-number", "POST", "/api/v1/cases", _create(region=5), 422, "region"),
    ("create-unknown-field", "POST", "/api/v1/cases", _create(bsn="123456782"), 422, "bsn"),
    ("create-no-candidate", "POST", "/api/v1/cases", {"region": "MU"}, 422, "candidate"),
    ("create-both", "POST", "/api/v1/cases", _create(existing_candidate_id=1), 422,
     "candidate"),
    ("create-candidate-list", "POST", "/api/v1/cases", {"candidate": [], "region": "MU"}, 422,
     "candidate"),
    ("create-candidate-null", "POST", "/api/v1/cases", {"candidate": None, "region": "MU"},
     422, "candidate"),
    ("create-first-name-missing", "POST", "/api/v1/cases",
     _create(candidate=_candidate(first_name=...)), 422, "candidate"),
    ("create-first-name-blank", "POST", "/api/v1/cases",
     _create(candidate=_candidate(first_name="   ")), 422, "candidate"),
    ("create-first-name-huge", "POST", "/api/v1/cases",
     _create(candidate=_candidate(first_name=HUGE)), 422, "candidate"),
    ("create-first-name-nul", "POST", "/api/v1/cases",
     _create(candidate=_candidate(first_name=NUL)), 422, "candidate"),
    ("create-first-name-number", "POST", "/api/v1/cases",
     _create(candidate=_candidate(first_name=12)), 422, "candidate"),
    ("create-education-unknown", "POST", "/api/v1/cases",
     _create(candidate=_candidate(education_level="phd")), 422, "candidate"),
    ("create-benefit-list", "POST", "/api/v1/cases",
     _create(candidate=_candidate(benefit=["ww"])), 422, "candidate"),
    ("create-birth-date-format", "POST", "/api/v1/cases",
     _create(candidate=_candidate(birth_date="14-03-1985")), 422, "candidate"),
    ("create-birth-date-impossible", "POST", "/api/v1/cases",
     _create(candidate=_candidate(birth_date="1985-02-30")), 422, "candidate"),
    ("create-birth-date-future", "POST", "/api/v1/cases",
     _create(candidate=_candidate(birth_date=TOMORROW)), 422, "candidate"),
    ("create-birth-date-year-1", "POST", "/api/v1/cases",
     _create(candidate=_candidate(birth_date="0001-01-01")), 422, "candidate"),
    ("create-postcode-invalid", "POST", "/api/v1/cases",
     _create(candidate=_candidate(postcode="ABCD 12")), 422, "candidate"),
    ("create-phone-letters", "POST", "/api/v1/cases",
     _create(candidate=_candidate(phone="bel me maar")), 422, "candidate"),
    ("create-email-invalid", "POST", "/api/v1/cases",
     _create(candidate=_candidate(email="geen-adres")), 422, "candidate"),
    ("create-municipality-unknown", "POST", "/api/v1/cases",
     _create(candidate=_candidate(municipality_id=999_999)), 422, "candidate"),
    ("create-municipality-huge", "POST", "/api/v1/cases",
     _create(candidate=_candidate(municipality_id=2**63)), 422, "candidate"),
    ("create-municipality-text", "POST", "/api/v1/cases",
     _create(candidate=_candidate(municipality_id="1")), 422, "candidate"),
    ("create-municipality-float", "POST", "/api/v1/cases",
     _create(candidate=_candidate(municipality_id=1.5)), 422, "candidate"),
    ("create-startkwalificatie-word", "POST", "/api/v1/cases",
     _create(candidate=_candidate(has_startkwalificatie="misschien")), 422, "candidate"),
    ("create-candidate-unknown-field", "POST", "/api/v1/cases",
     _create(candidate=_candidate(bsn="123456782")), 422, "candidate"),
    ("create-coach-negative", "POST", "/api/v1/cases", _create(coach_id=-1), 422, "coach_id"),
    ("create-coach-huge", "POST", "/api/v1/cases", _create(coach_id=2**40), 422, "coach_id"),
    ("create-coach-unknown", "POST", "/api/v1/cases", _create(coach_id=999_999), 422,
     "coach_id"),
    ("create-existing-huge", "POST", "/api/v1/cases",
     {"existing_candidate_id": 10**20, "region": "MU"}, 422, "existing_candidate_id"),
    ("create-existing-unknown", "POST", "/api/v1/cases",
     {"existing_candidate_id": 999_999, "region": "MU"}, 422, "existing_candidate_id"),
    ("create-confirm-word", "POST", "/api/v1/cases", _create(confirm_new_candidate="ja"), 422,
     "confirm_new_candidate"),
    # --- PATCH /cases/{id}
    ("patch-no-version", "PATCH", "/api/v1/cases/{id}", {"candidate": {"last_name": "X"}}, 422,
     "version"),
    ("patch-version-text", "PATCH", "/api/v1/cases/{id}",
     {"version": "1", "candidate": {"last_name": "X"}}, 422, "version"),
    ("patch-version-float", "PATCH", "/api/v1/cases/{id}",
     {"version": 1.5, "candidate": {"last_name": "X"}}, 422, "version"),
    ("patch-version-old", "PATCH", "/api/v1/cases/{id}",
     {"version": 0, "candidate": {"last_name": "X"}}, 409, "version"),
    ("patch-version-huge", "PATCH", "/api/v1/cases/{id}",
     {"version": 10**30, "candidate": {"last_name": "X"}}, 409, "version"),
    ("patch-empty-candidate", "PATCH", "/api/v1/cases/{id}", {"version": 1, "candidate": {}},
     422, "candidate"),
    ("patch-no-candidate", "PATCH", "/api/v1/cases/{id}", {"version": 1}, 422, "candidate"),
    ("patch-status-field", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "status": "afgesloten", "candidate": {"last_name": "X"}}, 422, "status"),
    ("patch-last-name-null", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "candidate": {"last_name": None}}, 422, "candidate"),
    ("patch-last-name-blank", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "candidate": {"last_name": ""}}, 422, "candidate"),
    ("patch-postcode", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "candidate": {"postcode": "1234"}}, 422, "candidate"),
    ("patch-work-status", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "candidate": {"work_status": "met pensioen"}}, 422, "candidate"),
    ("patch-nul", "PATCH", "/api/v1/cases/{id}",
     {"version": 1, "candidate": {"email": "a@b.nl\x00"}}, 422, "candidate"),
    ("patch-form", "PATCH", "/api/v1/cases/{id}",
     (RAW, b"version=1", "application/x-www-form-urlencoded"), 415, None),
    ("patch-malformed", "PATCH", "/api/v1/cases/{id}", (RAW, b"{version: 1}",
                                                        "application/json"), 400, None),
    # --- POST /cases/{id}/transitions
    ("move-no-to", "POST", "/api/v1/cases/{id}/transitions", {"version": 1}, 422, "to"),
    ("move-to-unknown", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "klaar", "version": 1}, 422, "to"),
    ("move-to-number", "POST", "/api/v1/cases/{id}/transitions", {"to": 3, "version": 1}, 422,
     "to"),
    ("move-to-null", "POST", "/api/v1/cases/{id}/transitions", {"to": None, "version": 1}, 422,
     "to"),
    ("move-no-version", "POST", "/api/v1/cases/{id}/transitions", {"to": "diagnose"}, 422,
     "version"),
    ("move-exit-reason-unknown", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "afgesloten", "exit_reason": "weg", "version": 1}, 422, "exit_reason"),
    ("move-reason-huge", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "aangemeld", "reason": HUGE, "version": 1}, 422, "reason"),
    ("move-reason-nul", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "aangemeld", "reason": "x\x00", "version": 1}, 422, "reason"),
    ("move-exit-text-object", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "afgesloten", "exit_reason": "overig", "exit_reason_text": {"a": 1}, "version": 1},
     422, "exit_reason_text"),
    ("move-not-allowed", "POST", "/api/v1/cases/{id}/transitions",
     {"to": "nazorg", "version": 1}, 409, "to"),
    ("move-guard", "POST", "/api/v1/cases/{id}/transitions", {"to": "diagnose", "version": 1},
     422, "to"),
    ("move-form", "POST", "/api/v1/cases/{id}/transitions",
     (RAW, b"to=diagnose&version=1", "application/x-www-form-urlencoded"), 415, None),
    ("move-malformed", "POST", "/api/v1/cases/{id}/transitions",
     (RAW, b'{"to": "diagnose", ', "application/json"), 400, None),
    # --- GET and POST /cases/{id}/notes
    ("notes-page-zero", "GET", "/api/v1/cases/{id}/notes?page=0", None, 422, "page"),
    ("notes-per-page-huge", "GET", "/api/v1/cases/{id}/notes?per_page=1000", None, 422,
     "per_page"),
    ("note-no-text", "POST", "/api/v1/cases/{id}/notes", {"contact_on": TODAY,
                                                          "kind": "gesprek"}, 422, "text"),
    ("note-blank-text", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TODAY, "kind": "gesprek", "text": " \n "}, 422, "text"),
    ("note-huge-text", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TODAY, "kind": "gesprek", "text": HUGE}, 422, "text"),
    ("note-nul-text", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TODAY, "kind": "gesprek", "text": NUL}, 422, "text"),
    ("note-kind-unknown", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TODAY, "kind": "sms", "text": "x"}, 422, "kind"),
    ("note-date-words", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": "gisteren", "kind": "gesprek", "text": "x"}, 422, "contact_on"),
    ("note-date-future", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TOMORROW, "kind": "gesprek", "text": "x"}, 422, "contact_on"),
    ("note-date-number", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": 20240101, "kind": "gesprek", "text": "x"}, 422, "contact_on"),
    ("note-author-field", "POST", "/api/v1/cases/{id}/notes",
     {"contact_on": TODAY, "kind": "gesprek", "text": "x", "author_id": 1}, 422, "author_id"),
    ("note-form", "POST", "/api/v1/cases/{id}/notes",
     (RAW, b"kind=gesprek&text=x", "application/x-www-form-urlencoded"), 415, None),
    ("note-multipart", "POST", "/api/v1/cases/{id}/notes",
     (RAW, b"--b\r\n\r\n--b--", "multipart/form-data; boundary=b"), 415, None),
]


@pytest.mark.parametrize("name,method,path,body,status,field", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_problem_and_saves_nothing(app, client, name, method, path, body, status,
                                                  field):
    coach = UserFactory(role="coach", regions=["MU"])
    case = CaseFactory(coach=coach, status=CaseState.INTAKE)
    db.session.commit()
    api = api_for(app, client, coach)
    before = row_counts()
    url = path.format(id=case.id)
    if isinstance(body, tuple) and body[0] == RAW:
        _raw, data, content_type = body
        headers = dict(api.headers)
        if content_type:
            headers["Content-Type"] = content_type
        response = client.open(url, method=method, data=data, headers=headers)
    elif method == "GET":
        response = api.get(url)
    else:
        response = api.open(url, method, data=json.dumps(_materialise(body)),
                            content_type="application/json")
    problem = assert_problem(response, status)
    if field:
        assert field in problem.get("errors", {}), problem
        messages = json.dumps(problem["errors"][field], ensure_ascii=False)
        assert "Missing data" not in messages and "Not a valid" not in messages, messages
    assert row_counts() == before


def test_oversized_body_is_413(app, client):
    coach = UserFactory(role="coach", regions=["MU"])
    api = api_for(app, client, coach)
    before = row_counts()
    body = _create(candidate=_candidate(first_name="x" * (2 * 1024 * 1024)))
    response = api.open("/api/v1/cases", "POST", data=json.dumps(_materialise(body)),
                        content_type="application/json")
    assert_problem(response, 413)
    assert row_counts() == before


def test_error_messages_are_dutch(app, client):
    api = api_for(app, client, UserFactory(role="coach", regions=["MU"]))
    body = api.post("/api/v1/cases", {"region": "XX", "candidate": {"first_name": "A",
                                                                    "benefit": "rijk"}}).json
    assert body["errors"]["region"] == ["Kies een van: MU, AM, GV, FV."]
    assert body["errors"]["candidate"]["last_name"] == ["Dit veld is verplicht."]
    assert body["errors"]["candidate"]["benefit"][0].startswith("Kies een van: geen, ww")


def test_format_errors_explain_themselves_in_dutch(app, client):
    api = api_for(app, client, UserFactory(role="coach", regions=["MU"]))
    malformed = api.open("/api/v1/cases", "POST", data=b'{"region": ',
                         content_type="application/json")
    assert assert_problem(malformed, 400)["detail"] == "De inhoud is geen geldige JSON."
    form = api.open("/api/v1/cases", "POST", data={"region": "MU"})
    assert "Content-Type: application/json" in assert_problem(form, 415)["detail"]
