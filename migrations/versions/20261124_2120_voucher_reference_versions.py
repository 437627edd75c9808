"""vouchers: optimistic locking (version) on budgets, training providers and funding sources

Revision ID: 4b7d2e9a1c63
Revises: 7c1e5a2d9f40
Create Date: 2026-11-24 21:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4b7d2e9a1c63'
down_revision = '7c1e5a2d9f40'
branch_labels = None
depends_on = None

TABLES = ("budget", "training_provider", "funding_source")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                          nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
