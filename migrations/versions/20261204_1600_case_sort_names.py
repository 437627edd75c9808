"""cases: the candidate's name on its cases, for the case list's name order (issue 14)

Revision ID: 8d2f6a1c9e47
Revises: 5b7e0c4d2a19
Create Date: 2026-12-04 16:00:00

The case list shows a region's running cases by name. The names were only on the candidate,
which has no region, so both engines walked every candidate in name order and looked up each
one's case until the page was full: page 50 read about 27,000 candidates at 100,000 cases
(35 ms on PostgreSQL). With the name on the case, a partial index on (region, name) of the
running cases gives any page straight from the index. The copy is filled from the candidates
here and kept equal by ``rmt.cases.models.copy_candidate_names``; the table is analysed again
so that both planners know how many running cases a region has.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d2f6a1c9e47'
down_revision = '5b7e0c4d2a19'
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'afgesloten'")


def upgrade():
    op.add_column('case_file', sa.Column('sort_last_name', sa.String(length=100),
                                         server_default='', nullable=False))
    op.add_column('case_file', sa.Column('sort_first_name', sa.String(length=100),
                                         server_default='', nullable=False))
    op.execute(
        "UPDATE case_file SET "
        "sort_last_name = (SELECT last_name FROM candidate WHERE candidate.id = case_file.candidate_id), "
        "sort_first_name = (SELECT first_name FROM candidate WHERE candidate.id = case_file.candidate_id)")
    op.create_index('ix_case_file_open_by_name', 'case_file',
                    ['region_code', 'sort_last_name', 'sort_first_name', 'id'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
    # Statistics for the new index: without them SQLite takes it for the most selective one
    # and reads a whole region for one coach's start page (18 ms instead of 1).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('PRAGMA analysis_limit=1000')
    op.execute('ANALYZE case_file')


def downgrade():
    op.drop_index('ix_case_file_open_by_name', table_name='case_file')
    op.drop_column('case_file', 'sort_first_name')
    op.drop_column('case_file', 'sort_last_name')
