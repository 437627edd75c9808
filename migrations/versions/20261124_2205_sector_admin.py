"""sectors: managed by the admin (active flag, optimistic locking)

Revision ID: 8e2c4a6f1d35
Revises: 5d3b9e7f2a18
Create Date: 2026-11-24 22:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8e2c4a6f1d35'
down_revision = '5d3b9e7f2a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sector', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('sector', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('active')
