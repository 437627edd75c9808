"""employers: optimistic locking (version) on employers, contact persons and vacancies

Revision ID: 7c1e5a2d9f40
Revises: d36f80d03610
Create Date: 2026-11-24 21:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e5a2d9f40'
down_revision = 'd36f80d03610'
branch_labels = None
depends_on = None

TABLES = ("employer", "employer_contact", "vacancy")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                          nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
