"""stats backfill: summarise the step history that existed before the summary tables

The summary tables (``stat_case``, ``stat_span``) are kept up to date by the application on
every step change; histories written before they existed are summarised here once, with the
same function the application uses. Derived data only: running it again gives the same rows.

Revision ID: 7c1e5b0d9a42
Revises: 4b7d2e9a1c63
Create Date: 2026-11-24 21:25:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e5b0d9a42'
down_revision = '4b7d2e9a1c63'
branch_labels = None
depends_on = None

BATCH = 5_000

case_event = sa.table(
    "case_event", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)), sa.column("region_code", sa.String),
    sa.column("to_status", sa.String), sa.column("exit_reason", sa.String))
STAT_CASE_COLUMNS = (
    "case_id", "registered_on", "registered_region", "closed_on", "closed_region", "exit_reason",
    "reached_intake_on", "reached_diagnose_on", "reached_plan_on", "reached_uitvoering_on",
    "reached_bemiddeling_on", "reached_geplaatst_on", "reached_nazorg_on")
STAT_SPAN_COLUMNS = ("event_id", "case_id", "region_code", "step", "started_on", "ended_on",
                     "stay_started_on", "stay_days")
stat_case = sa.table("stat_case", *[sa.column(c) for c in STAT_CASE_COLUMNS])
stat_span = sa.table("stat_span", *[sa.column(c) for c in STAT_SPAN_COLUMNS])


def upgrade():
    from rmt.stats.summary import EventRow, summarise_case

    bind = op.get_bind()
    bind.execute(stat_span.delete())
    bind.execute(stat_case.delete())
    query = sa.select(case_event).order_by(case_event.c.case_id, case_event.c.at,
                                           case_event.c.id)
    cases, spans, current = [], [], []

    def summarise() -> None:
        stat, case_spans = summarise_case(current)
        cases.append({c: stat[c] for c in STAT_CASE_COLUMNS})
        spans.extend({c: s[c] for c in STAT_SPAN_COLUMNS} for s in case_spans)

    def write() -> None:
        if cases:
            bind.execute(stat_case.insert(), cases)
            bind.execute(stat_span.insert(), spans)
        cases.clear()
        spans.clear()

    for row in bind.execute(query):
        if current and row.case_id != current[0].case_id:
            summarise()
            current = []
            if len(spans) >= BATCH:
                write()
        current.append(EventRow(row.id, row.case_id, row.at, row.region_code,
                                str(row.to_status), row.exit_reason and str(row.exit_reason)))
    if current:
        summarise()
    write()


def downgrade():
    # The rows are derived from case_event and the tables stay in the previous revision, which
    # keeps them up to date from then on: nothing to undo.
    pass
