from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt import audit
from rmt.audit.models import GENESIS_HASH, AuditEntry
from rmt.audit.service import verify_chain
from rmt.extensions import db


def write_entries(n: int = 5) -> list[AuditEntry]:
    return [audit.record("test.event", object_type="thing", object_id=i, summary=f"nummer {i}")
            for i in range(n)]


def without_append_only_guard() -> None:
    """Simulate someone with database rights: drop the trigger inside this test's transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
    else:
        db.session.execute(sa.text("DROP TRIGGER audit_entry_no_update"))
        db.session.execute(sa.text("DROP TRIGGER audit_entry_no_delete"))


def test_chain_links_every_entry():
    entries = write_entries()
    assert entries[1].prev_hash == entries[0].hash
    first_ever = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id).limit(1))
    assert first_ever.prev_hash == GENESIS_HASH
    result = verify_chain()
    assert result.ok and result.checked >= 5


@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET summary = 'x'",
                                       "DELETE FROM audit_entry"])
def test_database_refuses_update_and_delete(statement):
    write_entries(1)
    with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
        db.session.execute(sa.text(statement))


@pytest.mark.parametrize(
    ("column", "value"),
    [("summary", "onschuldig"), ("user_email", "iemand@anders.nl"), ("action", "case.view"),
     ("object_id", "999")],
)
def test_edited_row_is_reported(column, value):
    entries = write_entries()
    target = entries[2]
    without_append_only_guard()
    db.session.execute(sa.text(f"UPDATE audit_entry SET {column} = :v WHERE id = :id"),  # noqa: S608
                       {"v": value, "id": target.id})
    db.session.expire_all()
    result = verify_chain()
    assert not result.ok
    assert result.broken_id == target.id
    assert "gewijzigd" in result.problem


def test_deleted_row_is_reported():
    entries = write_entries()
    without_append_only_guard()
    db.session.execute(sa.text("DELETE FROM audit_entry WHERE id = :id"), {"id": entries[2].id})
    db.session.expire_all()
    result = verify_chain()
    assert result.broken_id == entries[3].id
    assert "verwijderd" in result.problem


def test_rehashed_row_still_breaks_the_next_link():
    entries = write_entries()
    without_append_only_guard()
    forged = entries[1]
    forged.summary = "vervalst"
    from rmt.audit.service import compute_hash

    new_hash = compute_hash(forged.prev_hash, forged)
    db.session.execute(sa.text("UPDATE audit_entry SET summary = 'vervalst', hash = :h "
                               "WHERE id = :id"), {"h": new_hash, "id": forged.id})
    db.session.expire_all()
    assert verify_chain().broken_id == entries[2].id


def test_cli_verify_reports_ok_and_broken(app):
    entries = write_entries(3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "in orde" in ok.output
    without_append_only_guard()
    db.session.execute(sa.text("UPDATE audit_entry SET summary = 'x' WHERE id = :id"),
                       {"id": entries[1].id})
    db.session.expire_all()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"regel {entries[1].id}" in broken.output


def test_sign_in_failures_and_admin_reads_are_audited(client, auth, login_as):
    from tests.factories import UserFactory

    target = UserFactory(email="doel@test.nl")
    auth.login("doel@test.nl", "fout")
    admin = login_as("admin")
    client.get(f"/beheer/gebruikers/{target.id}")
    rows = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.user_id, AuditEntry.ip)
        .where(AuditEntry.object_id == str(target.id)).order_by(AuditEntry.id)
    ).all()
    assert [r.action for r in rows] == ["auth.sign_in_failed", "user.view"]
    assert rows[1].user_id == admin.id and rows[1].ip == "127.0.0.1"
