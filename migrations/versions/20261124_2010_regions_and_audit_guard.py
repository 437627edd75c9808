"""insert the four regions; make the audit log append-only in the database

Revision ID: 7c1e2a9b4f10
Revises: d5b229f34ec1
Create Date: 2026-11-24 20:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7c1e2a9b4f10"
down_revision = "d5b229f34ec1"
branch_labels = None
depends_on = None

REGIONS = [
    ("MU", "Midden-Utrecht"),
    ("AM", "Regio Amersfoort"),
    ("GV", "Gooi- en Vechtstreek"),
    ("FV", "Foodvalley"),
]

# Gemeenten per arbeidsmarktregio (2026), the admin can edit these later.
MUNICIPALITIES = {
    "MU": ["Bunnik", "De Bilt", "De Ronde Venen", "Houten", "IJsselstein", "Lopik", "Montfoort",
           "Nieuwegein", "Oudewater", "Stichtse Vecht", "Utrecht", "Utrechtse Heuvelrug",
           "Vijfheerenlanden", "Wijk bij Duurstede", "Woerden", "Zeist"],
    "AM": ["Amersfoort", "Baarn", "Bunschoten", "Leusden", "Soest", "Woudenberg"],
    "GV": ["Blaricum", "Eemnes", "Gooise Meren", "Hilversum", "Huizen", "Laren", "Wijdemeren"],
    "FV": ["Barneveld", "Ede", "Nijkerk", "Renswoude", "Rhenen", "Scherpenzeel", "Veenendaal",
           "Wageningen"],
}


def upgrade():
    region = sa.table("region", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(region, [{"code": code, "name": name} for code, name in REGIONS])
    municipality = sa.table(
        "municipality", sa.column("name", sa.String), sa.column("region_code", sa.String)
    )
    op.bulk_insert(
        municipality,
        [{"name": name, "region_code": code} for code, names in MUNICIPALITIES.items()
         for name in names],
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_entry is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entry_no_update")
        op.execute("DROP TRIGGER audit_entry_no_delete")
    op.execute("DELETE FROM municipality")
    op.execute("DELETE FROM region")
