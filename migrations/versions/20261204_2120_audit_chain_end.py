"""audit: lock the chain and read its end in one round trip on PostgreSQL (issue 14)

Revision ID: a7d3e9f1c205
Revises: e5a0c8f71b36
Create Date: 2026-12-04 21:20:00

Appending to the audit chain took two statements: the transaction-level advisory lock, then the
hash of the last entry. ``audit_chain_end(key)`` does both in one: a VOLATILE PL/pgSQL function
runs each of its statements on a new snapshot (READ COMMITTED), so the hash is read after the
lock is held and sees the entry of whoever held it before. SQLite has no such function and needs
none (its writers hold the database's write lock).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3e9f1c205'
down_revision = 'e5a0c8f71b36'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_chain_end(lock_key bigint) RETURNS text
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            RETURN (SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1);
        END
        $$
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS audit_chain_end(bigint)")
