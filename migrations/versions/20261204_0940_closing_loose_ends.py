"""cases: the placement of an exit to work, and why a task was closed without being done

Revision ID: 362341c70567
Revises: b2d8f4a10c32
Create Date: 2026-12-04 09:40:00

Closing a case now closes its open tasks (``task.closed_reason``) and an exit to work names the
placement (``case_file.exit_placement_id``). Cases closed before keep what they had: their
history is not rewritten (docs/statistics.md, Exit to work).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '362341c70567'
down_revision = 'b2d8f4a10c32'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case_file', sa.Column('exit_placement_id', sa.Integer(), nullable=True))
    op.add_column('task', sa.Column('closed_reason', sa.String(length=300), server_default='',
                                    nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop tables others reference.
    op.drop_column('task', 'closed_reason')
    op.drop_column('case_file', 'exit_placement_id')
