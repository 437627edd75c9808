"""cases: the index of a coach's running cases carries the region and the name order (issue 14)

Revision ID: c41e7b9a3d52
Revises: 8d2f6a1c9e47
Create Date: 2026-12-04 19:00:00

The coach's start page sorts all their running cases (by open work, then name) to show one
page: PostgreSQL read the coach's cases from the index, then every one of them from the table
(a bitmap AND with the region's 32,000 cases, 1.2 ms for 418 cases). With the region and the
sort names in the index the page's ids come from the index alone on both engines; the caseload
counts still read its first column.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c41e7b9a3d52'
down_revision = '8d2f6a1c9e47'
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'afgesloten'")


def upgrade():
    op.drop_index('ix_case_file_open_by_coach', table_name='case_file')
    op.create_index('ix_case_file_open_by_coach', 'case_file',
                    ['coach_id', 'status', 'region_code', 'sort_last_name', 'sort_first_name',
                     'id'], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('ix_case_file_open_by_coach', table_name='case_file')
    op.create_index('ix_case_file_open_by_coach', 'case_file', ['coach_id', 'status'],
                    sqlite_where=OPEN, postgresql_where=OPEN)
