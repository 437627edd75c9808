"""imports: saved column mappings per region, import runs and the records they made

Revision ID: 4a7c2e9b1f60
Revises: bbee056593b3
Create Date: 2026-12-04 06:00:00

"""
import sqlalchemy as sa
from alembic import op

import rmt.db_types

# revision identifiers, used by Alembic.
revision = '4a7c2e9b1f60'
down_revision = 'bbee056593b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('columns', sa.JSON(), nullable=False),
        sa.Column('saved_by_id', sa.Integer(), nullable=True),
        sa.Column('saved_at', rmt.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                                name=op.f('fk_import_mapping_region_code_region')),
        sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'],
                                name=op.f('fk_import_mapping_saved_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mapping')),
        sa.UniqueConstraint('region_code', 'kind', name='uq_import_mapping'),
    )
    op.create_table(
        'import_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', rmt.db_types.UTCDateTime(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('created_count', sa.Integer(), nullable=False),
        sa.Column('updated_count', sa.Integer(), nullable=False),
        sa.Column('skipped_count', sa.Integer(), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                                name=op.f('fk_import_run_region_code_region')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_import_run_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run')),
    )
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_run_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_run_region_code'), ['region_code'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_import_run_sha256'), ['sha256'], unique=False)
    op.create_table(
        'import_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=True),
        sa.Column('row_number', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=40), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                                name=op.f('fk_import_record_region_code_region')),
        sa.ForeignKeyConstraint(['run_id'], ['import_run.id'],
                                name=op.f('fk_import_record_run_id_import_run')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_record')),
    )
    with op.batch_alter_table('import_record', schema=None) as batch_op:
        batch_op.create_index('ix_import_record_key', ['kind', 'region_code', 'key'],
                              unique=False)
        batch_op.create_index('ix_import_record_object', ['object_type', 'object_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_import_record_run_id'), ['run_id'], unique=False)


def downgrade():
    op.drop_table('import_record')
    op.drop_table('import_run')
    op.drop_table('import_mapping')
