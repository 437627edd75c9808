"""The keyed chain (HMAC with a key outside the database) and its checkpoints outside it.

The attacks are those of the security review: someone with write access to the database, but
not to the key or the checkpoint file, drops the append-only triggers and rewrites rows.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket

import pytest
import sqlalchemy as sa

from rmt import create_app
from rmt.audit import anchor
from rmt.audit.models import GENESIS_HASH, KEYED_SCHEME, LEGACY_SCHEME, AuditEntry
from rmt.audit.service import canonical, compute_hash, verify_chain
from rmt.db_types import utcnow
from rmt.extensions import db
from tests.audit.test_chain import without_append_only_guard, write_entries


@pytest.fixture
def checkpoint_file(app, tmp_path, monkeypatch):
    path = tmp_path / "audit-checkpoints.log"
    monkeypatch.setitem(app.config, "RMT_AUDIT_CHECKPOINT_PATH", str(path))
    return path


def plain_sha256(prev_hash: str, entry: AuditEntry) -> str:
    """What a forger without the key can compute: the old, unkeyed scheme."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


def rehash_from(first_id: int, *, scheme: str | None = None) -> None:
    """Recompute every hash from ``first_id`` on with plain SHA-256, as the review's script did."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id >= first_id)
                              .order_by(AuditEntry.id)).all()
    prev = rows[0].prev_hash
    for row in rows:
        if scheme:
            row.scheme = scheme
        new_hash = plain_sha256(prev, row)
        db.session.execute(sa.text("UPDATE audit_entry SET prev_hash = :p, hash = :h, "
                                   "scheme = :s WHERE id = :id"),
                           {"p": prev, "h": new_hash, "s": row.scheme, "id": row.id})
        prev = new_hash
    db.session.expire_all()


def test_new_entries_are_hmac_with_the_key(app):
    entry = write_entries(1)[0]
    assert entry.scheme == KEYED_SCHEME
    key = app.config["RMT_AUDIT_KEY"].encode()
    message = (entry.prev_hash + canonical(entry)).encode()
    assert entry.hash == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert entry.hash != hashlib.sha256(message).hexdigest()


def test_changed_who_read_and_recomputed_chain_without_key_is_reported():
    entries = write_entries(5)
    target = entries[2]
    without_append_only_guard()
    db.session.execute(sa.text("UPDATE audit_entry SET user_id = 999, user_email = "
                               "'iemand@anders.nl' WHERE id = :id"), {"id": target.id})
    rehash_from(target.id)
    result = verify_chain()
    assert result.broken_id == target.id
    assert "zonder de sleutel" in result.problem


def test_recomputed_chain_posing_as_old_unkeyed_entries_is_reported():
    entries = write_entries(5)
    target = entries[2]
    without_append_only_guard()
    db.session.execute(sa.text("UPDATE audit_entry SET summary = 'vervalst' WHERE id = :id"),
                       {"id": target.id})
    rehash_from(target.id, scheme=LEGACY_SCHEME)
    result = verify_chain()
    assert result.broken_id == target.id
    assert "zonder sleutel na een regel met sleutel" in result.problem


def test_entries_from_before_the_key_stay_verifiable():
    """An existing database: its entries are plain SHA-256 (the migration's default scheme)
    up to the re-key point, and keyed after it."""
    write_entries(1)
    without_append_only_guard()
    db.session.execute(sa.text("DELETE FROM audit_entry"))
    prev = GENESIS_HASH
    for i in range(3):
        old = AuditEntry(at=utcnow(), action="oud.event", summary=f"oud {i}", prev_hash=prev,
                         scheme=LEGACY_SCHEME)
        old.hash = compute_hash(prev, old)
        assert old.hash == plain_sha256(prev, old)
        db.session.add(old)
        db.session.flush()
        prev = old.hash
    keyed = write_entries(2)
    assert keyed[0].prev_hash == prev and keyed[0].scheme == KEYED_SCHEME
    result = verify_chain()
    assert result.ok and result.checked == 5


def test_checkpoint_writes_the_chain_end_outside_the_database(app, checkpoint_file):
    entries = write_entries(3)
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert f"regel {entries[-1].id}" in result.output
    line = checkpoint_file.read_text().splitlines()[-1]
    assert f"id={entries[-1].id} hash={entries[-1].hash}" in line
    assert line[:4].isdigit()  # starts with the time
    assert oct(os.stat(checkpoint_file).st_mode & 0o777) == "0o600"
    assert anchor.read_checkpoints() == {entries[-1].id: entries[-1].hash}


def test_checkpoint_goes_to_syslog(app, monkeypatch):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    monkeypatch.setitem(app.config, "RMT_AUDIT_CHECKPOINT_PATH", "-")
    monkeypatch.setitem(app.config, "RMT_AUDIT_CHECKPOINT_SYSLOG",
                        f"127.0.0.1:{receiver.getsockname()[1]}")
    entry = write_entries(1)[0]
    try:
        result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
        message = receiver.recv(4096).decode()
    finally:
        receiver.close()
    assert result.exit_code == 0, result.output
    assert anchor.SYSLOG_PREFIX in message and f"id={entry.id} hash={entry.hash}" in message


def test_cut_off_end_is_reported_against_the_last_checkpoint(app, checkpoint_file):
    entries = [(e.id, e.hash) for e in write_entries(5)]
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    without_append_only_guard()
    db.session.execute(sa.text("DELETE FROM audit_entry WHERE id >= :id"), {"id": entries[3][0]})
    db.session.expire_all()
    assert verify_chain().ok  # what is left is a consistent chain ...
    result = verify_chain(anchor.read_checkpoints())  # ... but the checkpoint's entry is gone
    assert result.broken_id == entries[4][0]
    assert "afgeknipt" in result.problem
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"regel {entries[4][0]}" in cli.output and "afgeknipt" in cli.output


def test_chain_rewritten_from_the_start_differs_from_the_checkpoint(app, checkpoint_file):
    """Without the key a forger can only rewrite the whole chain as old, unkeyed entries; it
    is consistent in itself, but the checkpoint outside the database still has the real hash."""
    ids = [e.id for e in write_entries(4)]
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
    without_append_only_guard()
    first = db.session.scalar(sa.select(sa.func.min(AuditEntry.id)))
    db.session.execute(sa.text("UPDATE audit_entry SET summary = 'vervalst' WHERE id = :id"),
                       {"id": ids[1]})
    rehash_from(first, scheme=LEGACY_SCHEME)
    assert verify_chain().ok
    result = verify_chain(anchor.read_checkpoints())
    assert result.broken_id == ids[-1]
    assert "controlepunt" in result.problem


def test_verify_accepts_a_copy_of_the_syslog(app, tmp_path):
    entry_id = write_entries(1)[0].id
    copy = tmp_path / "syslog"
    copy.write_text(f"Dec  4 05:40:00 host rmt.audit: {anchor.SYSLOG_PREFIX} "
                    f"2026-12-04T05:40:00+00:00 id={entry_id} hash={'f' * 64}\n")
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(copy)])
    assert result.exit_code == 1 and "controlepunt" in result.output


def test_retention_run_ends_with_a_checkpoint(app, checkpoint_file):
    write_entries(1)
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Controlepunt auditlogboek" in result.output
    newest = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert f"id={newest.id} hash={newest.hash}" in checkpoint_file.read_text()


def test_audit_key_generated_into_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RMT_INSTANCE_PATH", str(tmp_path))
    config = {"SECRET_KEY": "x", "RMT_AUDIT_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first, second = create_app(config), create_app(config)
    key_file = tmp_path / "audit_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.config["RMT_AUDIT_KEY"] == second.config["RMT_AUDIT_KEY"] == key_file.read_text()
    assert first.config["RMT_AUDIT_KEY"] != first.config["SECRET_KEY"]
    given = create_app({**config, "RMT_AUDIT_KEY": "from-the-environment"})
    assert given.config["RMT_AUDIT_KEY"] == "from-the-environment"
