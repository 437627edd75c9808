"""notifications: the in-app notifications, the e-mail outbox and delivery preferences

Revision ID: 3023c61b9c16
Revises: 4a7c2e9b1f60
Create Date: 2026-12-04 05:34:32.357101

"""
import sqlalchemy as sa
from alembic import op

import rmt.db_types

# revision identifiers, used by Alembic.
revision = '3023c61b9c16'
down_revision = '4a7c2e9b1f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('voucher_requested', 'voucher_decided', 'transfer_requested', 'transfer_decided', 'task_assigned', 'case_reassigned', 'pv_ready', 'inactive_coach_case', 'follow_up_due', name='notification_pref_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('delivery', sa.Enum('immediately', 'digest', 'app', name='notification_delivery', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preference'))
    )
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('voucher_requested', 'voucher_decided', 'transfer_requested', 'transfer_decided', 'task_assigned', 'case_reassigned', 'pv_ready', 'inactive_coach_case', 'follow_up_due', name='notification_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('record_type', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('digested_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_notification_case_id_case_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('outbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=100), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'dead', name='outbound_mail_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_outbound_mail_notification_id_notification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_outbound_mail_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbound_mail')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbound_mail_dedupe_key'))
    )
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbound_mail_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_mail_user_id'))
        batch_op.drop_index('ix_outbound_mail_due')

    op.drop_table('outbound_mail')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')

    op.drop_table('notification')
    op.drop_table('notification_preference')
