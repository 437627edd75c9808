"""cases: coded services (service types in the regulation's three categories) and delivering
partners; every plan activity gets a service type and a partner

Existing free-text activities get the service type "overig" with their text kept and no
partner (the coach can fill it in). Seeds the reference lists.

Revision ID: a1c7e3f09b21
Revises: a7d3c9e15b20
Create Date: 2026-12-04 06:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c7e3f09b21'
down_revision = 'a7d3c9e15b20'
branch_labels = None
depends_on = None

CATEGORIES = ('werkfitbehoud', 'aanvullende_crisisdienstverlening', 'praktijkleren_mbo')
KINDS = ('uwv', 'gemeente', 'leerwerkloket', 'spt', 'mbo_school', 'oo_fonds', 'private_partner')

SERVICE_TYPES = [
    ('loopbaanadvies', 'Loopbaanadvies', 'werkfitbehoud'),
    ('ontwikkeladvies', 'Ontwikkeladvies', 'werkfitbehoud'),
    ('taal_digitaal', 'Taal- en digitale vaardigheden', 'werkfitbehoud'),
    ('scholing', 'Scholing', 'aanvullende_crisisdienstverlening'),
    ('bemiddeling', 'Bemiddeling naar werk', 'aanvullende_crisisdienstverlening'),
    ('werk_naar_werk', 'Werk-naar-werkbegeleiding', 'aanvullende_crisisdienstverlening'),
    ('schuldhulp', 'Doorverwijzing schuldhulp', 'aanvullende_crisisdienstverlening'),
    ('praktijkleren', 'Praktijkleren / praktijkverklaring', 'praktijkleren_mbo'),
    ('overig', 'Overig', 'aanvullende_crisisdienstverlening'),
]
PARTNERS = [
    ('UWV', 'uwv'),
    ('Gemeente', 'gemeente'),
    ('Leerwerkloket', 'leerwerkloket'),
    ('Servicepunt Techniek', 'spt'),
    ('Mbo-school', 'mbo_school'),
    ('O&O-fonds', 'oo_fonds'),
    ('Private partner', 'private_partner'),
]


def upgrade():
    service_type = op.create_table(
        'service_type',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('category', sa.Enum(*CATEGORIES, name='service_category', native_enum=False,
                                      create_constraint=True, length=33), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_type')),
        sa.UniqueConstraint('code', name=op.f('uq_service_type_code')),
        sa.UniqueConstraint('name', name=op.f('uq_service_type_name')),
    )
    partner = op.create_table(
        'delivery_partner',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='partner_kind', native_enum=False,
                                  create_constraint=True, length=15), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_partner')),
        sa.UniqueConstraint('name', name=op.f('uq_delivery_partner_name')),
    )
    op.bulk_insert(service_type, [{'code': c, 'name': n, 'category': k}
                                  for c, n, k in SERVICE_TYPES])
    op.bulk_insert(partner, [{'name': n, 'kind': k} for n, k in PARTNERS])

    with op.batch_alter_table('plan_activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_type_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
    # Data migration: every free-text activity becomes "overig", its text kept.
    op.execute(sa.text(
        "UPDATE plan_activity SET service_type_id = "
        "(SELECT id FROM service_type WHERE code = 'overig')"))
    with op.batch_alter_table('plan_activity', schema=None) as batch_op:
        batch_op.alter_column('service_type_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_plan_activity_service_type_id'),
                              ['service_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_activity_partner_id'), ['partner_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_activity_service_type_id_service_type'),
                                    'service_type', ['service_type_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_plan_activity_partner_id_delivery_partner'),
                                    'delivery_partner', ['partner_id'], ['id'])


def downgrade():
    with op.batch_alter_table('plan_activity', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_activity_partner_id_delivery_partner'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_plan_activity_service_type_id_service_type'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_activity_partner_id'))
        batch_op.drop_index(batch_op.f('ix_plan_activity_service_type_id'))
        batch_op.drop_column('partner_id')
        batch_op.drop_column('service_type_id')
    op.drop_table('delivery_partner')
    op.drop_table('service_type')
