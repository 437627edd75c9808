"""stats covering indexes: instroom, funnel and uitstroom read only the index

Revision ID: 5d3b9e7f2a18
Revises: 2f8a6c4e1b07
Create Date: 2026-11-24 21:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d3b9e7f2a18'
down_revision = '2f8a6c4e1b07'
branch_labels = None
depends_on = None

REACHED = ['reached_intake_on', 'reached_diagnose_on', 'reached_plan_on',
           'reached_uitvoering_on', 'reached_bemiddeling_on', 'reached_geplaatst_on',
           'reached_nazorg_on']


def upgrade():
    with op.batch_alter_table('stat_case', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_case_registered')
        batch_op.drop_index('ix_stat_case_closed')
        batch_op.create_index('ix_stat_case_registered_funnel',
                              ['registered_region', 'registered_on', *REACHED], unique=False)
        batch_op.create_index('ix_stat_case_closed_reason',
                              ['closed_region', 'closed_on', 'exit_reason',
                               'reached_geplaatst_on'], unique=False)


def downgrade():
    with op.batch_alter_table('stat_case', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_case_closed_reason')
        batch_op.drop_index('ix_stat_case_registered_funnel')
        batch_op.create_index('ix_stat_case_closed', ['closed_region', 'closed_on'],
                              unique=False)
        batch_op.create_index('ix_stat_case_registered', ['registered_region', 'registered_on'],
                              unique=False)
