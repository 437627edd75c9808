"""cases: a region's cases in one step in name order (issue 14)

Revision ID: e5a0c8f71b36
Revises: c41e7b9a3d52
Create Date: 2026-12-04 19:30:00

The case list filtered by a step (about 1,250 cases of a region of 32,000 in "intake") read
every case of that step from ix_case_file_region_status, looked up each one's name and sorted
them to show 25 (1.1 ms of SQLite per request). With the sort names in the index the page comes
in order from the index and stops at the page, as the unfiltered list does.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a0c8f71b36'
down_revision = 'c41e7b9a3d52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_case_file_region_step_by_name', 'case_file',
                    ['region_code', 'status', 'sort_last_name', 'sort_first_name', 'id'])


def downgrade():
    op.drop_index('ix_case_file_region_step_by_name', table_name='case_file')
