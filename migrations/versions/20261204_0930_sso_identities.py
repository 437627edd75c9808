"""auth: external (OpenID Connect) identities and the sign-in settings

Revision ID: 13bbd9d265e0
Revises: 4e8a1f6b2d90
Create Date: 2026-12-04 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import rmt.db_types

# revision identifiers, used by Alembic.
revision = '13bbd9d265e0'
down_revision = '4e8a1f6b2d90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'external_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_external_identity_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identity')),
        sa.UniqueConstraint('provider', 'subject', name=op.f('uq_external_identity_provider')),
    )
    op.create_index(op.f('ix_external_identity_user_id'), 'external_identity', ['user_id'])
    op.create_table(
        'auth_setting',
        sa.Column('key', sa.String(length=50), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('changed_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_auth_setting')),
    )


def downgrade():
    op.drop_table('auth_setting')
    op.drop_index(op.f('ix_external_identity_user_id'), table_name='external_identity')
    op.drop_table('external_identity')
