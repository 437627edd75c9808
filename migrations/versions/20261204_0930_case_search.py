"""cases: a normalised search text per candidate with a trigram index (pg_trgm on PostgreSQL,
an FTS5 trigram table on SQLite)

Revision ID: c41e9a7b3d58
Revises: 362341c70567
Create Date: 2026-12-04 09:30:00

The SQLite index is the FTS5 table ``candidate_fts`` with external content (the candidate
table) and three triggers that keep it in step. A later migration must not rebuild
``candidate`` in batch mode (copy, drop, rename): that would drop the triggers. Both index
objects are skipped by Alembic's comparison (``rmt.extensions.include_object``).
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c41e9a7b3d58'
down_revision = '362341c70567'
branch_labels = None
depends_on = None

BATCH = 5000
# A frozen copy of rmt.cases.search.normalise/search_text_of as of this revision.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t",
                       "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th", "ð": "d"})


def _search_text(*parts):
    decomposed = unicodedata.normalize("NFKD", " ".join(p or "" for p in parts).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    return " ".join(plain.split())[:600]


SQLITE_DDL = [
    "CREATE VIRTUAL TABLE candidate_fts USING fts5(search_text, content='candidate', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER candidate_fts_insert AFTER INSERT ON candidate BEGIN "
    "INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER candidate_fts_delete AFTER DELETE ON candidate BEGIN "
    "INSERT INTO candidate_fts(candidate_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER candidate_fts_update AFTER UPDATE OF search_text ON candidate BEGIN "
    "INSERT INTO candidate_fts(candidate_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def upgrade():
    op.add_column('candidate', sa.Column('search_text', sa.String(length=600),
                                         server_default='', nullable=False))
    bind = op.get_bind()
    candidate = sa.table('candidate', sa.column('id', sa.Integer),
                         sa.column('first_name'), sa.column('name_prefix'),
                         sa.column('last_name'), sa.column('email'), sa.column('phone'),
                         sa.column('search_text'))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(candidate.c.id, candidate.c.first_name, candidate.c.name_prefix,
                      candidate.c.last_name, candidate.c.email, candidate.c.phone)
            .where(candidate.c.id > last_id).order_by(candidate.c.id).limit(BATCH)).all()
        if not rows:
            break
        bind.execute(
            sa.update(candidate).where(candidate.c.id == sa.bindparam('row_id'))
            .values(search_text=sa.bindparam('text')),
            [{'row_id': r.id, 'text': _search_text(r.first_name, r.name_prefix, r.last_name,
                                                   r.email, r.phone)} for r in rows])
        last_id = rows[-1].id
    if bind.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_candidate_search_text_trgm ON candidate '
                   'USING gin (search_text gin_trgm_ops)')
    else:
        for statement in SQLITE_DDL:
            op.execute(statement)
        op.execute("INSERT INTO candidate_fts(candidate_fts) VALUES ('rebuild')")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_candidate_search_text_trgm')
    else:
        for name in ('candidate_fts_insert', 'candidate_fts_delete', 'candidate_fts_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS candidate_fts')
    # A plain DROP COLUMN, as in b2d8f4a10c32 (a batch copy of candidate is refused).
    op.drop_column('candidate', 'search_text')
