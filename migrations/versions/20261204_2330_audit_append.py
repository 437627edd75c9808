"""audit: append a read's entry in one statement on PostgreSQL (issue 14)

Revision ID: b8e4f2a6d913
Revises: a7d3e9f1c205
Create Date: 2026-12-04 23:30:00

The entry a page view writes after its read took four round trips: BEGIN, the chain's lock and
end (``audit_chain_end``), the INSERT, COMMIT. ``audit_append`` takes the lock, compares the
chain's end with the one the entry was hashed against and appends only if they match, in one
statement; outside a transaction that statement is its own transaction. If another entry came
first it appends nothing and returns the chain's end, and the caller hashes the entry again
against it. The hash (an HMAC whose key never reaches the database) stays computed by the app.
SQLite needs none of this (its writers hold the database's write lock).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8e4f2a6d913'
down_revision = 'a7d3e9f1c205'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION audit_append(
            lock_key bigint, expected_prev text, p_at timestamptz, p_user_id integer,
            p_user_email varchar, p_action varchar, p_object_type varchar,
            p_object_id varchar, p_region_code varchar, p_ip varchar, p_summary text,
            p_hash varchar, p_scheme varchar) RETURNS text
        LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            chain_end text;
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            chain_end := coalesce((SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1),
                                  repeat('0', 64));
            IF chain_end <> expected_prev THEN
                RETURN chain_end;
            END IF;
            INSERT INTO audit_entry (at, user_id, user_email, action, object_type, object_id,
                                     region_code, ip, summary, prev_hash, hash, scheme)
            VALUES (p_at, p_user_id, p_user_email, p_action, p_object_type, p_object_id,
                    p_region_code, p_ip, p_summary, expected_prev, p_hash, p_scheme);
            RETURN NULL;
        END
        $$
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS audit_append(bigint, text, timestamptz, integer, "
               "varchar, varchar, varchar, varchar, varchar, varchar, text, varchar, varchar)")
