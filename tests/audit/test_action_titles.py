"""Every audit action code and kind of record that ``rmt/`` can record has a Dutch title."""

from __future__ import annotations

import ast

import pytest
import sqlalchemy as sa

from rmt.audit.actions import ACTION_TITLES, OBJECT_TYPES, action_title, object_label
from rmt.audit.models import AuditEntry
from rmt.auth.models import Role
from rmt.cases import service as case_service
from rmt.employers import vacancies
from rmt.employers.models import VacancyStatus
from rmt.extensions import db
from rmt.process import CaseState
from tests.audit import codes
from tests.factories import CaseFactory, UserFactory, VacancyFactory


def test_every_recorded_action_code_has_a_dutch_title():
    found = codes.action_codes()
    assert len(found) >= 100, "the source walk no longer finds the audit calls"
    # the walk follows wrappers and built codes: these are recorded only through them
    assert {"voucher.toegekend", "pv.transition", "case.transfer_refuse",
            "auth.second_factor_failed"} <= set(found)
    missing = {code: where for code, where in found.items() if code not in ACTION_TITLES}
    assert not missing, f"add a title to rmt/audit/actions.py ACTION_TITLES: {missing}"


def test_every_recorded_kind_of_record_has_a_dutch_name():
    found = codes.object_types()
    assert {"case", "vacancy", "audit_entry"} <= set(found)
    missing = {kind: where for kind, where in found.items() if kind not in OBJECT_TYPES}
    assert not missing, f"add a name to rmt/audit/actions.py OBJECT_TYPES: {missing}"


def test_titles_are_dutch_sentences_not_codes():
    for code, title in ACTION_TITLES.items():
        assert title[0].isupper() and "." not in title and "_" not in title, (code, title)


def test_the_source_walk_refuses_a_code_it_cannot_read():
    call = ast.parse('audit.record("case." + step.name)').body[0].value
    with pytest.raises(codes.Unresolved, match=r"step\.name"):
        codes.values(call.args[0])
    built = ast.parse('audit.record(f"sector.{\'create\' if new else \'update\'}")').body[0].value
    assert codes.values(built.args[0]) == {"sector.create", "sector.update"}


def test_labels():
    assert action_title("case.view") == "Dossier bekeken"
    assert action_title("old.code") == "old.code"  # an entry of a code since removed
    assert object_label("vacancy", "49") == "Vacature 49"
    assert object_label("pv_register", "MU") == "Register praktijkverklaringen MU"
    assert object_label("budget") == "Budget"
    assert object_label(None, None) == ""


def _last_summary(action: str) -> str:
    return db.session.scalars(sa.select(AuditEntry.summary).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc())).first()


def test_state_changes_are_summarised_with_the_dutch_labels():
    liaison = UserFactory(role=Role.LIAISON, regions=["MU"])
    vacancy = VacancyFactory(status=VacancyStatus.OPEN, region_code="MU")
    vacancies.set_vacancy_status(liaison, vacancy, "filled")
    assert _last_summary("vacancy.status") == "Open → Vervuld"
    case = CaseFactory(region_code="MU", status=CaseState.AANGEMELD)
    case_service.transition(case.coach, case, CaseState.INTAKE.value,
                            expected_version=case.version)
    assert _last_summary("case.transition") == (
        f"{CaseState.AANGEMELD.label} → {CaseState.INTAKE.label}")
    assert "aangemeld → intake" not in _last_summary("case.transition")
