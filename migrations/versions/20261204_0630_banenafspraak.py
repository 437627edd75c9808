"""cases: banenafspraak flag on the candidate (jongeren are derived from the birth date)

Revision ID: b2d8f4a10c32
Revises: a1c7e3f09b21
Create Date: 2026-12-04 06:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2d8f4a10c32'
down_revision = 'a1c7e3f09b21'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('candidate', sa.Column('banenafspraak', sa.Boolean(),
                                         server_default=sa.false(), nullable=False))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of candidate would have to drop a table
    # that case_file references, which SQLite refuses while foreign keys are enforced.
    op.drop_column('candidate', 'banenafspraak')
