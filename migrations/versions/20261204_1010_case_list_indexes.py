"""cases: composite indexes for the case list and the API list (issue 14)

Revision ID: d7a3f2c91b64
Revises: c41e9a7b3d58
Create Date: 2026-12-04 10:10:00

The name order reads ix_candidate_sort_name (last name, first name, id), which replaces the
single-column index on the last name. The statistics the planners need are refreshed at the
end (on SQLite with an analysis limit, so it stays quick on a large database).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd7a3f2c91b64'
down_revision = 'c41e9a7b3d58'
branch_labels = None
depends_on = None

CASE_INDEXES = {
    'ix_case_file_region_status': ['region_code', 'status', 'coach_id'],
    'ix_case_file_coach_status': ['coach_id', 'status'],
    'ix_case_file_region_opened': ['region_code', 'opened_on', 'id'],
    'ix_case_file_region_status_since': ['region_code', 'status_since'],
}


def upgrade():
    op.create_index('ix_candidate_sort_name', 'candidate', ['last_name', 'first_name', 'id'])
    op.drop_index('ix_candidate_last_name', table_name='candidate')
    for name, columns in CASE_INDEXES.items():
        op.create_index(name, 'case_file', columns)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('PRAGMA analysis_limit=1000')
    op.execute('ANALYZE')


def downgrade():
    for name in CASE_INDEXES:
        op.drop_index(name, table_name='case_file')
    op.create_index('ix_candidate_last_name', 'candidate', ['last_name'])
    op.drop_index('ix_candidate_sort_name', table_name='candidate')
