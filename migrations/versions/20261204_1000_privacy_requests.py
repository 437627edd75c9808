"""privacy: the register of privacy requests (AVG rights), and the notification kind
"privacy request waiting"

A new table; the CHECK constraints of the notification kinds (notification and
notification_preference) gain the value ``privacy_request``. No data changes.

Revision ID: d2a1e045f34b
Revises: d7a3f2c91b64
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

import rmt.db_types

# revision identifiers, used by Alembic.
revision = 'd2a1e045f34b'
down_revision = 'd7a3f2c91b64'
branch_labels = None
depends_on = None

OLD_KINDS = ('voucher_requested', 'voucher_decided', 'transfer_requested', 'transfer_decided',
             'task_assigned', 'case_reassigned', 'pv_ready', 'inactive_coach_case',
             'follow_up_due')
NEW_KINDS = (*OLD_KINDS, 'privacy_request')
#: (table, name of the enum's CHECK constraint) of the notification kinds.
KIND_COLUMNS = (('notification', 'notification_kind'),
                ('notification_preference', 'notification_pref_kind'))


def _kind_constraints(kinds):
    for table, name in KIND_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'),
                                             sa.column('kind').in_(kinds))


def upgrade():
    op.create_table(
        'privacy_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.Enum('inzage', 'rectificatie', 'verwijdering', 'beperking',
                                  'overdraagbaarheid', 'bezwaar', name='privacy_request_kind',
                                  native_enum=False, create_constraint=True, length=17),
                  nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('status', sa.Enum('open', 'afgehandeld', name='privacy_request_status',
                                    native_enum=False, create_constraint=True, length=11),
                  nullable=False),
        sa.Column('outcome', sa.Enum('uitgevoerd', 'gedeeltelijk', 'afgewezen', 'ingetrokken',
                                     name='privacy_request_outcome', native_enum=False,
                                     create_constraint=True, length=12), nullable=True),
        sa.Column('outcome_note', sa.String(length=500), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', rmt.db_types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', rmt.db_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'],
                                name=op.f('fk_privacy_request_case_id_case_file')),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                                name=op.f('fk_privacy_request_region_code_region')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                                name=op.f('fk_privacy_request_recorded_by_id_user_account')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'],
                                name=op.f('fk_privacy_request_closed_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_request')),
    )
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_request_case_id'), ['case_id'],
                              unique=False)
        batch_op.create_index('ix_privacy_request_region_open',
                              ['region_code', 'status', 'due_on'], unique=False)
    _kind_constraints(NEW_KINDS)


def downgrade():
    op.execute(sa.text("DELETE FROM notification_preference WHERE kind = 'privacy_request'"))
    op.execute(sa.text("DELETE FROM notification WHERE kind = 'privacy_request'"))
    _kind_constraints(OLD_KINDS)
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_request_region_open')
        batch_op.drop_index(batch_op.f('ix_privacy_request_case_id'))
    op.drop_table('privacy_request')
