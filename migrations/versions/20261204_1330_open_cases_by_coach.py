"""cases: an index of the running cases per coach (issue 14)

Revision ID: 5b7e0c4d2a19
Revises: 13bbd9d265e0
Create Date: 2026-12-04 13:30:00

The caseload sizes on the case page and the assignment lists counted every running case of the
region's coaches through the index of all running cases (10 ms at 100,000 cases on
PostgreSQL); a partial index on the coach (and the step, so that SQLite too counts from the
index alone) holds only the running cases.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7e0c4d2a19'
down_revision = '13bbd9d265e0'
branch_labels = None
depends_on = None

OPEN = sa.text("status != 'afgesloten'")


def upgrade():
    op.create_index('ix_case_file_open_by_coach', 'case_file', ['coach_id', 'status'],
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('ix_case_file_open_by_coach', table_name='case_file')
