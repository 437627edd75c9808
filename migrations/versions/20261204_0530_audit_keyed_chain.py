"""audit log: a scheme per entry, so entries written before the chain was keyed stay verifiable

Existing entries keep their plain SHA-256 hashes (scheme 'sha256'); entries written from now on
are HMAC-SHA256 with a key outside the database (scheme 'hmac-sha256'). ``ADD COLUMN`` leaves
the table (and its append-only triggers) in place on SQLite as on PostgreSQL.

Revision ID: a7d3c9e15b20
Revises: 3023c61b9c16
Create Date: 2026-12-04 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a7d3c9e15b20"
down_revision = "3023c61b9c16"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_entry", sa.Column("scheme", sa.String(length=16), nullable=False,
                                           server_default="sha256"))


def downgrade():
    # SQLite can drop a column without rebuilding the table (3.35+); the triggers stay.
    op.drop_column("audit_entry", "scheme")
