"""The migration of issue 15 settles what closing now settles, for cases closed before it."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from rmt import create_app
from rmt.extensions import db
from tests.test_migrations import (  # noqa: F401  (fixture)
    NOW,
    empty_database_url,
    insert_case,
    insert_coach,
)

BEFORE = "b2d8f4a10c32"


def _insert(run, sql: str, **params) -> None:
    run(sa.text(sql), {"now": NOW, **params})


def test_closed_cases_lose_open_tasks_and_pending_requests(empty_database_url):  # noqa: F811
    fresh = create_app({"ENV_NAME": "test", "SQLALCHEMY_DATABASE_URI": empty_database_url,
                        "SECRET_KEY": "x" * 32})
    with fresh.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            run = conn.execute
            municipality = insert_coach(run)
            for number, status in ((1, "afgesloten"), (2, "plan")):
                insert_case(run, number, municipality, status=status)
                _insert(run, "INSERT INTO task (id, case_id, owner_id, title, due_on, "
                        "created_at) VALUES (:n, :n, 1, 'Bellen', '2026-02-01', :now)",
                        n=number)
            _insert(run, "INSERT INTO funding_source (id, name, active, created_at, version) "
                    "VALUES (901, 'Testfonds migratie', true, :now, 1)")
            _insert(run, "INSERT INTO training_provider (id, name, kvk_number, contact_name, "
                    "contact_email, contact_phone, active, created_at, updated_at, version) "
                    "VALUES (901, 'Opleider', '99887766', '', '', '', true, :now, :now, 1)")
            _insert(run, "INSERT INTO budget (id, region_code, funding_source_id, year, "
                    "amount_cents, max_per_voucher_cents, created_at, updated_at, version) "
                    "VALUES (901, 'MU', 901, 2026, 1000000, 500000, :now, :now, 1)")
            for number in (1, 2):
                _insert(run, "INSERT INTO voucher (id, case_id, region_code, budget_id, "
                        "provider_id, course_name, start_on, end_on, amount_cents, motivation, "
                        "status, requested_by_id, requested_at, decision_note, invoice_number, "
                        "updated_at) VALUES (:n, :n, 'MU', 901, 901, 'Cursus', '2026-02-01', "
                        "'2026-03-01', 100000, 'm', 'aangevraagd', 1, :now, '', '', :now)",
                        n=number)
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            tasks = conn.execute(sa.text(
                "SELECT id, done_at IS NOT NULL, closed_reason FROM task ORDER BY id")).all()
            vouchers = conn.execute(sa.text(
                "SELECT id, status FROM voucher ORDER BY id")).all()
            events = conn.execute(sa.text(
                "SELECT voucher_id, from_status, to_status FROM voucher_event")).all()
        assert [tuple(t) for t in tasks] == [
            (1, True, "Gesloten bij afsluiting van het traject"), (2, False, "")]
        assert [tuple(v) for v in vouchers] == [(1, "ingetrokken"), (2, "aangevraagd")]
        assert [tuple(e) for e in events] == [(1, "aangevraagd", "ingetrokken")]
        db.engine.dispose()
