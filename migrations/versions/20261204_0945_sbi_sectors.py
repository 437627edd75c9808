"""cases/employers: sectors coded as CBS SBI sections (A-U): sector of origin at the intake,
target sector in the plan, sector of a placement, and the SBI section of every registry sector

Data migration: the free text of before is coded with a keyword table where it can (the intake's
work history, the plan's target sector; a placement gets the section of its employer's sector);
what no keyword matches stays empty, and the case shows "sector nog kiezen" until the coach picks.
The plan's free text is kept as the coach's explanation.

Revision ID: cf49d21ead3f
Revises: d2a1e045f34b
Create Date: 2026-12-04 09:45:00

"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'cf49d21ead3f'
down_revision = 'd2a1e045f34b'
branch_labels = None
depends_on = None

SECTIONS = tuple("ABCDEFGHIJKLMNOPQRSTU")

#: The registry's sectors of the employers migration -> their SBI section.
REGISTRY = {
    "techniek": "C", "zorg": "Q", "logistiek": "H", "detailhandel": "G", "onderwijs": "P",
    "ict": "J", "bouw": "F", "horeca": "I", "agrifood": "A", "overheid": "O",
    "zakelijke_dienstverlening": "N", "schoonmaak": "N",
}

# A frozen copy of rmt.cases.sectors.KEYWORDS (a migration never follows later code).
KEYWORDS = (
    ("kinderopvang", "P"), ("onderwijs", "P"), ("leraar", "P"), ("school", "P"),
    ("zorg", "Q"), ("welzijn", "Q"), ("verpleeg", "Q"), ("verzorg", "Q"), ("thuiszorg", "Q"),
    ("gehandicapt", "Q"), ("ziekenhuis", "Q"),
    ("logistiek", "H"), ("transport", "H"), ("distributiecentrum", "H"), ("magazijn", "H"),
    ("warehouse", "H"), ("chauffeur", "H"), ("pakket", "H"), ("orderpick", "H"),
    ("vervoer", "H"),
    ("ict", "J"), ("software", "J"), ("developer", "J"), ("telecom", "J"),
    ("bouw", "F"), ("infra", "F"), ("timmer", "F"), ("grondwerk", "F"),
    ("horeca", "I"), ("hotel", "I"), ("restaurant", "I"), ("kok", "I"), ("bediening", "I"),
    ("detailhandel", "G"), ("winkel", "G"), ("supermarkt", "G"), ("kassa", "G"),
    ("verkoop", "G"), ("groothandel", "G"), ("handel", "G"),
    ("groen", "A"), ("agri", "A"), ("landbouw", "A"), ("tuinbouw", "A"), ("teelt", "A"),
    ("hovenier", "A"),
    ("voedsel", "C"), ("food", "C"), ("levensmiddel", "C"), ("vleesverwerk", "C"),
    ("productie", "C"), ("industrie", "C"), ("techniek", "C"), ("installatie", "C"),
    ("metaal", "C"), ("monteur", "C"),
    ("energie", "D"),
    ("afval", "E"), ("water", "E"),
    ("overheid", "O"), ("gemeente", "O"), ("handhav", "O"), ("burgerzaken", "O"),
    ("bank", "K"), ("verzeker", "K"), ("financ", "K"),
    ("accountant", "M"), ("advies", "M"), ("administratie", "M"),
    ("schoonmaak", "N"), ("facilitair", "N"), ("beveilig", "N"), ("uitzend", "N"),
    ("klantcontact", "N"), ("callcenter", "N"), ("zakelijke dienstverlening", "N"),
    ("cultuur", "R"), ("sport", "R"), ("recreatie", "R"),
    ("kapper", "S"), ("kapsalon", "S"), ("schoonheid", "S"),
)


def _section(text):
    plain = "".join(c for c in unicodedata.normalize("NFKD", text or "")
                    if not unicodedata.combining(c)).casefold()
    if not plain.strip():
        return None
    for keyword, letter in KEYWORDS:
        if re.search(r"(?<![a-z0-9])" + re.escape(keyword), plain):
            return letter
    return None


def _enum(name):
    return sa.Enum(*SECTIONS, name=name, native_enum=False, create_constraint=True, length=1)


def _code(table, key, source, target):
    """Code a free-text column row by row (Python, so both engines read the same table)."""
    bind = op.get_bind()
    t = sa.table(table, sa.column(key), sa.column(source), sa.column(target))
    rows = bind.execute(sa.select(t.c[key], t.c[source]).where(t.c[source] != "")).all()
    for ident, text in rows:
        letter = _section(text)
        if letter is not None:
            bind.execute(t.update().where(t.c[key] == ident).values({target: letter}))


def upgrade():
    op.add_column('sector', sa.Column('sbi_section', _enum('sector_sbi_section'), nullable=True))
    op.add_column('intake', sa.Column('origin_sector', _enum('origin_sector'), nullable=True))
    op.create_index(op.f('ix_intake_origin_sector'), 'intake', ['origin_sector'], unique=False)
    op.add_column('plan', sa.Column('target_section', _enum('target_section'), nullable=True))
    op.create_index(op.f('ix_plan_target_section'), 'plan', ['target_section'], unique=False)
    op.add_column('placement', sa.Column('sector', _enum('placement_sector'), nullable=True))
    op.create_index(op.f('ix_placement_sector'), 'placement', ['sector'], unique=False)

    sector = sa.table('sector', sa.column('code', sa.String), sa.column('sbi_section', sa.String))
    for code, letter in REGISTRY.items():
        op.execute(sector.update().where(sector.c.code == code).values(sbi_section=letter))
    # Sectors added later by the beheerder: by their name, where a keyword names it.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name FROM sector WHERE sbi_section IS NULL")).all()
    for ident, name in rows:
        letter = _section(name)
        if letter is not None:
            bind.execute(sa.text("UPDATE sector SET sbi_section = :s WHERE id = :i"),
                         {"s": letter, "i": ident})

    _code('intake', 'case_id', 'work_history', 'origin_sector')
    _code('plan', 'case_id', 'target_sector', 'target_section')
    op.execute(sa.text(
        "UPDATE placement SET sector = (SELECT sector.sbi_section FROM employer "
        "JOIN sector ON sector.id = employer.sector_id WHERE employer.id = placement.employer_id)"))


def downgrade():
    op.drop_index(op.f('ix_placement_sector'), table_name='placement')
    op.drop_column('placement', 'sector')
    op.drop_index(op.f('ix_plan_target_section'), table_name='plan')
    op.drop_column('plan', 'target_section')
    op.drop_index(op.f('ix_intake_origin_sector'), table_name='intake')
    op.drop_column('intake', 'origin_sector')
    op.drop_column('sector', 'sbi_section')
