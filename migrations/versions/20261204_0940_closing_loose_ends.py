"""cases: the placement of an exit to work, and why a task was closed without being done

Revision ID: 362341c70567
Revises: b2d8f4a10c32
Create Date: 2026-12-04 09:40:00

Closing a case now closes its open tasks (``task.closed_reason``) and an exit to work names the
placement (``case_file.exit_placement_id``). Cases closed before keep their step history
(docs/statistics.md, Exit to work), but what closing now settles is settled for them too: their
open tasks (not the aftercare checks) are closed and their voucher requests still waiting for a
decision are withdrawn, so no inbox offers what can no longer be decided.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from rmt.db_types import UTCDateTime

TASK_REASON = "Gesloten bij afsluiting van het traject"
VOUCHER_REASON = "Traject afgesloten voordat over de aanvraag werd beslist"

# revision identifiers, used by Alembic.
revision = '362341c70567'
down_revision = 'b2d8f4a10c32'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case_file', sa.Column('exit_placement_id', sa.Integer(), nullable=True))
    op.add_column('task', sa.Column('closed_reason', sa.String(length=300), server_default='',
                                    nullable=False))
    _settle_closed_cases()


def _settle_closed_cases():
    """Open tasks and pending voucher requests of cases closed before this revision."""
    now = datetime.now(UTC)
    bind = op.get_bind()
    case_file = sa.table('case_file', sa.column('id'), sa.column('status'))
    task = sa.table('task', sa.column('id'), sa.column('case_id'),
                    sa.column('done_at', UTCDateTime()), sa.column('closed_reason'))
    follow_up = sa.table('follow_up', sa.column('task_id'))
    voucher = sa.table('voucher', sa.column('id'), sa.column('case_id'), sa.column('status'),
                       sa.column('decision_note'), sa.column('updated_at', UTCDateTime()))
    voucher_event = sa.table('voucher_event', sa.column('voucher_id'),
                             sa.column('at', UTCDateTime()), sa.column('user_id'),
                             sa.column('from_status'), sa.column('to_status'),
                             sa.column('note'))
    closed = sa.select(case_file.c.id).where(case_file.c.status == 'afgesloten')
    aftercare = sa.select(follow_up.c.task_id).where(follow_up.c.task_id.is_not(None))
    bind.execute(task.update().where(
        task.c.done_at.is_(None), task.c.case_id.in_(closed), task.c.id.not_in(aftercare),
    ).values(done_at=now, closed_reason=TASK_REASON))
    pending = list(bind.execute(sa.select(voucher.c.id).where(
        voucher.c.status == 'aangevraagd', voucher.c.case_id.in_(closed))).scalars())
    for start in range(0, len(pending), 500):
        ids = pending[start:start + 500]
        bind.execute(voucher_event.insert(), [
            {"voucher_id": i, "at": now, "user_id": None, "from_status": 'aangevraagd',
             "to_status": 'ingetrokken', "note": VOUCHER_REASON} for i in ids])
        bind.execute(voucher.update().where(voucher.c.id.in_(ids)).values(
            status='ingetrokken', decision_note=VOUCHER_REASON, updated_at=now))


def downgrade():
    # What the upgrade settled stays settled (tasks closed, requests withdrawn: both recorded).
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop tables others reference.
    op.drop_column('task', 'closed_reason')
    op.drop_column('case_file', 'exit_placement_id')
