"""Retention: closed cases past the period are anonymised; statistics stay identical."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.audit.service import verify_chain
from rmt.cases.models import Candidate, CaseEvent, CaseTransfer, Intake, Note, Plan, Task
from rmt.extensions import db
from rmt.privacy import register_anonymiser
from rmt.privacy.registry import ANONYMISERS
from rmt.privacy.service import due_for_retention, months_before, retention_cutoff
from rmt.stats import service as stats
from tests.factories import CandidateFactory
from tests.privacy.support import module_records, months_ago, rich_case


@pytest.fixture
def population():
    """Two candidates due (MU and AM) and four that must be left alone."""
    due_mu = rich_case("MU", closed_months_ago=30)
    due_am = rich_case("AM", closed_months_ago=25,
                       candidate=CandidateFactory(first_name="Ans", last_name="Ambt"))
    # closed long ago, but also has an open case
    open_too = rich_case("MU", closed_months_ago=30,
                         candidate=CandidateFactory(first_name="Otto", last_name="Open"))
    rich_case("MU", closed_months_ago=None, candidate=open_too.candidate)
    # closed long ago, but also a recent closed case
    recent_too = rich_case("GV", closed_months_ago=40,
                           candidate=CandidateFactory(first_name="Rita", last_name="Recent"))
    rich_case("GV", closed_months_ago=10, candidate=recent_too.candidate)
    recent = rich_case("FV", closed_months_ago=10,
                       candidate=CandidateFactory(first_name="Rob", last_name="Recent"))
    running = rich_case("MU", closed_months_ago=None,
                        candidate=CandidateFactory(first_name="Lot", last_name="Loopt"))
    records = {case.candidate_id: module_records(case)
               for case in (due_mu, due_am, open_too, recent)}
    db.session.commit()  # a savepoint release: the CLI's own rollback cannot undo the setup
    return {
        "records": records,
        "due": [due_mu.candidate, due_am.candidate],
        "kept": [open_too.candidate, recent_too.candidate, recent.candidate, running.candidate],
    }


def statistics() -> dict[str, list]:
    """The figures the statistics module is built on, in plain SQL."""
    queries = {
        "cases": "SELECT region_code, status, exit_reason, opened_on, closed_on, coach_id, "
                 "COUNT(*) FROM case_file GROUP BY region_code, status, exit_reason, opened_on, "
                 "closed_on, coach_id ORDER BY 1, 2, 3, 4, 5, 6",
        "events": "SELECT region_code, from_status, to_status, exit_reason, at, user_id, case_id "
                  "FROM case_event ORDER BY id",
        "doelgroep": "SELECT c.region_code, k.target_group, k.referral_partner, "
                     "k.education_level, k.has_startkwalificatie, k.work_status, k.benefit, "
                     "k.municipality_id, COUNT(*) FROM case_file c JOIN candidate k "
                     "ON k.id = c.candidate_id GROUP BY c.region_code, k.target_group, "
                     "k.referral_partner, k.education_level, k.has_startkwalificatie, "
                     "k.work_status, k.benefit, k.municipality_id ORDER BY 1, 2, 3, 4, 5, 6, 7, 8",
        "notes": "SELECT case_id, kind, contact_on, author_id FROM note ORDER BY id",
        "tasks": "SELECT case_id, due_on, done_at, owner_id FROM task ORDER BY id",
        "activities": "SELECT case_id, status, due_on FROM plan_activity ORDER BY id",
        "intakes": "SELECT case_id, completed_at FROM intake ORDER BY case_id",
        "consents": "SELECT candidate_id, purpose, given_on, revoked_on FROM consent ORDER BY id",
        "transfers": "SELECT case_id, from_region_code, to_region_code, status FROM "
                     "case_transfer ORDER BY id",
    }
    # Derived statistics tables, where the statistics module keeps them.
    for table in ("stat_case", "stat_span"):
        if table in db.Model.metadata.tables:
            queries[table] = f"SELECT * FROM {table} ORDER BY 1, 2"  # noqa: S608 - fixed names
    result = {name: [tuple(row) for row in db.session.execute(sa.text(sql))]
              for name, sql in queries.items()}
    result["birth_years"] = sorted(
        (cid, born.year) for cid, born in db.session.execute(
            sa.select(Candidate.id, Candidate.birth_date)))
    return result


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["retention", "run", *args])


def test_months_before_handles_month_ends():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)


def test_only_candidates_with_every_case_closed_before_the_cutoff_are_due(population):
    due = set(db.session.scalars(due_for_retention(retention_cutoff(24))))
    assert due == {c.id for c in population["due"]}


def test_dry_run_lists_and_changes_nothing(app, population):
    before = statistics()
    names = [(c.first_name, c.email) for c in population["due"]]
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    for candidate in population["due"]:
        assert f"kandidaat {candidate.id} " in result.output
    for candidate in population["kept"]:
        assert f"kandidaat {candidate.id} " not in result.output
    assert "2 kandidaten zouden worden geanonimiseerd" in result.output
    assert "Jan" not in result.output and "Jansen" not in result.output  # ids only, no names
    db.session.expire_all()
    assert [(c.first_name, c.email) for c in population["due"]] == names
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audits
    assert statistics() == before


def test_run_anonymises_and_statistics_stay_identical(app, population):
    before = statistics()
    kept_names = [c.full_name for c in population["kept"]]
    born = [c.birth_date for c in population["due"]]

    result = run(app, "--batch-size", "1")
    assert result.exit_code == 0, result.output
    assert "Klaar: 2 kandidaten geanonimiseerd in 2 batch(es)." in result.output
    db.session.expire_all()

    assert statistics() == before
    for candidate, birth in zip(population["due"], born, strict=True):
        assert candidate.first_name == candidate.last_name == "Geanonimiseerd"
        assert (candidate.name_prefix, candidate.email, candidate.phone, candidate.postcode) == (
            "", "", "", "")
        assert candidate.birth_date == date(birth.year, 7, 1)
        assert candidate.anonymised_at is not None
        case_ids = [c.id for c in candidate.cases]
        assert all(c.exit_reason is not None and c.exit_reason_text == ""
                   for c in candidate.cases)
        texts = [
            *db.session.scalars(sa.select(Note.text).where(Note.case_id.in_(case_ids))),
            *db.session.scalars(sa.select(Task.title).where(Task.case_id.in_(case_ids))),
            *db.session.scalars(sa.select(CaseEvent.reason).where(
                CaseEvent.case_id.in_(case_ids))),
            *db.session.scalars(sa.select(CaseTransfer.reason).where(
                CaseTransfer.case_id.in_(case_ids))),
            *db.session.scalars(sa.select(CaseTransfer.decision_note).where(
                CaseTransfer.case_id.in_(case_ids))),
        ]
        intake = db.session.get(Intake, case_ids[0])
        plan = db.session.get(Plan, case_ids[0])
        texts += [intake.motivation, intake.wishes, intake.obstacles, intake.work_history,
                  intake.preferred_sectors, plan.goal, plan.target_sector,
                  plan.target_occupation, *(a.description for a in candidate.cases[0].activities)]
        assert texts and all(text == "" for text in texts)
        assert len(candidate.consents) == 1  # kept as a fact
    assert [c.full_name for c in population["kept"]] == kept_names
    assert all(c.anonymised_at is None for c in population["kept"])

    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "privacy.retention_anonymise").order_by(AuditEntry.id)).all()
    assert [(e.object_type, int(e.object_id), e.region_code) for e in entries] == [
        ("candidate", population["due"][0].id, "MU"), ("candidate", population["due"][1].id, "AM")]
    assert all("Jan" not in e.summary for e in entries)
    assert verify_chain().ok

    again = run(app)
    assert again.exit_code == 0 and "Klaar: 0 kandidaten" in again.output


def test_period_is_configurable(app, population):
    app.config["RMT_RETENTION_MONTHS"] = 36
    try:
        result = run(app, "--dry-run")
    finally:
        app.config["RMT_RETENTION_MONTHS"] = 24
    assert "Bewaartermijn 36 maanden" in result.output
    assert "0 kandidaten zouden worden geanonimiseerd" in result.output


def test_registered_anonymiser_is_called_with_the_case_ids(app, population):
    calls = []

    @register_anonymiser(tables=("nothing",))
    def fake(candidate, case_ids):
        calls.append((candidate.id, sorted(case_ids)))

    try:
        assert run(app).exit_code == 0
    finally:
        ANONYMISERS[:] = [a for a in ANONYMISERS if a.anonymise is not fake]
    assert sorted(calls) == sorted(
        (c.id, sorted(case.id for case in c.cases)) for c in population["due"])


def test_a_failing_batch_is_rolled_back_and_reported(app, population):
    @register_anonymiser()
    def broken(candidate, case_ids):
        raise RuntimeError("kapot")

    try:
        result = run(app)
    finally:
        ANONYMISERS[:] = [a for a in ANONYMISERS if a.anonymise is not broken]
    assert result.exit_code == 1 and "teruggedraaid" in result.output
    db.session.expire_all()
    assert all(c.anonymised_at is None and c.first_name != "Geanonimiseerd"
               for c in population["due"])


def stats_figures() -> list:
    """Every figure of the statistics pages (rmt.stats public service functions), for all four
    regions, by every breakdown, over a long period and on a day when the due cases ran."""
    today = date.today()
    periods = [stats.Period(months_ago(60), today, today),
               stats.Period(months_ago(48), months_ago(24), months_ago(33))]
    return [stats.pipeline(stats.comparison_scope(), period, dimension)
            for period in periods for dimension in stats.Dimension]


def test_statistics_pages_show_the_same_figures_after_retention(app, population):
    before = stats_figures()
    # the figures cover the due candidates' cases, vouchers, praktijkverklaringen and placements
    overall = before[0]
    assert (overall.instroom(), overall.uitstroom(), overall.running()) == (8, 6, 2)
    assert overall.placements == {"*": 6, "MU": 2, "AM": 1, "GV": 2, "FV": 1}
    modules = overall.modules
    assert [(b.region_code, b.committed_count, b.committed_cents)
            for b in modules["vouchers"]] == [("MU", 1, 1_250_00), ("MU", 1, 1_250_00),
                                              ("AM", 1, 1_250_00), ("FV", 1, 1_250_00)]
    assert modules["praktijkverklaringen"] == {"MU": 2, "AM": 1, "FV": 1}
    assert modules["duurzaamheid"]["ja"] == {"MU": 2, "AM": 1, "FV": 1}
    assert stats_figures() == before  # deterministic

    assert run(app).exit_code == 0
    db.session.expire_all()
    assert all(c.anonymised_at is not None for c in population["due"])
    assert stats_figures() == before


def test_free_text_of_other_modules_is_cleared_and_facts_stay(app, population):
    assert run(app).exit_code == 0
    db.session.expire_all()
    for candidate in population["due"]:
        rows = population["records"][candidate.id]
        voucher = rows["voucher"]
        assert (voucher.motivation, voucher.decision_note) == ("", "")
        assert (voucher.course_name, voucher.amount_cents, voucher.invoice_number,
                voucher.status.value) == ("Heftruckcertificaat", 1_250_00, "F-2023-77",
                                          "afgerond")
        assert rows["voucher_event"].note == ""
        assert rows["pv_event"].reason == ""
        assert rows["trajectory"].register_number.startswith("PV-")
        assert rows["proposal"].note == "" and rows["proposal_event"].note == ""
        assert rows["proposal"].status.value == "aangenomen"
        assert rows["placement"].end_reason == ""
        assert (rows["placement"].job_title, rows["placement"].hours_per_week) == (
            "Heftruckchauffeur", 32)
        assert rows["follow_up"].outcome_reason == "" and rows["follow_up"].still_employed
    for candidate in population["kept"]:
        rows = population["records"].get(candidate.id)
        if rows:
            assert rows["voucher"].motivation.startswith("Jan heeft schulden")
            assert rows["placement"].end_reason == "ontslagen na ruzie met een collega"
