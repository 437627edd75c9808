"""stats stay months: stays per month, region, step and length, for fast medians

Revision ID: 2f8a6c4e1b07
Revises: 7c1e5b0d9a42
Create Date: 2026-11-24 21:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2f8a6c4e1b07'
down_revision = '7c1e5b0d9a42'
branch_labels = None
depends_on = None

STEPS = ('aangemeld', 'intake', 'diagnose', 'plan', 'uitvoering', 'bemiddeling', 'geplaatst',
         'nazorg', 'afgesloten', 'gepauzeerd')


def upgrade():
    op.create_table(
        'stat_stay_month',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('region_code', sa.String(length=2), nullable=False),
        sa.Column('step', sa.Enum(*STEPS, name='stat_stay_step', native_enum=False,
                                  create_constraint=True), nullable=False),
        sa.Column('stay_days', sa.Integer(), nullable=False),
        sa.Column('stays', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'],
                                name=op.f('fk_stat_stay_month_region_code_region')),
        sa.PrimaryKeyConstraint('month', 'region_code', 'step', 'stay_days',
                                name=op.f('pk_stat_stay_month')),
    )
    # Fill it from the spans already summarised (derived data, as the application keeps it).
    span = sa.table("stat_span", sa.column("ended_on"), sa.column("region_code"),
                    sa.column("step"), sa.column("stay_days"))
    target = sa.table("stat_stay_month", sa.column("month"), sa.column("region_code"),
                      sa.column("step"), sa.column("stay_days"), sa.column("stays"))
    if op.get_bind().dialect.name == "sqlite":
        month = sa.func.strftime("%Y-%m", span.c.ended_on)
    else:
        month = sa.func.to_char(span.c.ended_on, "YYYY-MM")
    columns = (span.c.region_code, span.c.step, span.c.stay_days)
    op.execute(target.insert().from_select(
        ["month", "region_code", "step", "stay_days", "stays"],
        sa.select(month, *columns, sa.func.count()).where(span.c.stay_days.is_not(None))
        .group_by(month, *columns)))


def downgrade():
    op.drop_table('stat_stay_month')
