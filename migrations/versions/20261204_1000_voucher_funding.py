"""vouchers: funding split: the parts of a voucher paid from other budgets than its main one
(medefinanciering); the main budget pays the rest, so existing vouchers need no data change

Revision ID: 4e8a1f6b2d90
Revises: cf49d21ead3f
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4e8a1f6b2d90'
down_revision = 'cf49d21ead3f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voucher_funding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('voucher_id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('declared_cents', sa.BigInteger(), nullable=True),
        sa.CheckConstraint('amount_cents > 0', name=op.f('ck_voucher_funding_amount_positive')),
        sa.CheckConstraint('declared_cents IS NULL OR (declared_cents >= 0 AND '
                           'declared_cents <= amount_cents)',
                           name=op.f('ck_voucher_funding_declared_within_amount')),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'],
                                name=op.f('fk_voucher_funding_budget_id_budget')),
        sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'],
                                name=op.f('fk_voucher_funding_voucher_id_voucher')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_funding')),
        sa.UniqueConstraint('voucher_id', 'budget_id', name='uq_voucher_funding_budget'),
    )
    op.create_index(op.f('ix_voucher_funding_budget_id'), 'voucher_funding', ['budget_id'],
                    unique=False)
    op.create_index(op.f('ix_voucher_funding_voucher_id'), 'voucher_funding', ['voucher_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_voucher_funding_voucher_id'), table_name='voucher_funding')
    op.drop_index(op.f('ix_voucher_funding_budget_id'), table_name='voucher_funding')
    op.drop_table('voucher_funding')
