"""Writing and verifying the hash-chained audit log.

Each entry's hash covers the previous entry's hash and the entry's own canonical JSON, so editing
or deleting any row breaks the chain from that row on. The hash is an HMAC-SHA256 with a key
kept outside the database (``RMT_AUDIT_KEY`` or ``instance/audit_key``): someone who can write
to the database but does not have the key cannot recompute the chain after changing a row.
Entries written before the chain was keyed carry ``scheme = 'sha256'`` and are checked with
plain SHA-256; once a keyed entry has been seen, a plain one is a forgery. The end of the chain
is anchored outside the database by checkpoints (:mod:`rmt.audit.anchor`), so cutting off the
newest rows is noticed too. Appends are serialised: PostgreSQL takes a
transaction-level advisory lock; SQLite allows only one writer at a time, so a second writer that
read an older chain end fails instead of forking the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_login import current_user

from rmt import transaction
from rmt.audit.models import GENESIS_HASH, KEYED_SCHEME, LEGACY_SCHEME, AuditEntry
from rmt.db_types import utcnow
from rmt.extensions import db

_ADVISORY_LOCK_KEY = 0x524D5441  # "RMTA"


_CANONICAL_FIELDS = ("user_id", "user_email", "action", "object_type", "object_id",
                     "region_code", "ip", "summary")


def canonical(entry: AuditEntry | dict[str, Any]) -> str:
    """The exact text the hash covers; stable across engines. ``entry``: an entry, or the
    column values of one not yet written (:func:`record_many`)."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    return json.dumps(
        {"at": get("at").isoformat(timespec="microseconds"),
         **{name: get(name) for name in _CANONICAL_FIELDS}},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


#: The key of the first app built in this process, for work that runs outside an app context
#: (a worker thread given only a database session). A process serves one app.
_process_key: str | None = None


def init_app(app: Flask) -> None:
    """Remember the app's audit key for work outside an app context (see ``_process_key``)."""
    global _process_key
    if _process_key is None:
        _process_key = app.config["RMT_AUDIT_KEY"]


def _key() -> bytes:
    key = current_app.config.get("RMT_AUDIT_KEY") if has_app_context() else _process_key
    if not key:
        raise RuntimeError("RMT_AUDIT_KEY is not set (create_app generates one)")
    return key.encode()


def compute_hash(prev_hash: str, entry: AuditEntry | dict[str, Any],
                 key: bytes | None = None) -> str:
    """The entry's hash under its own scheme (HMAC with the key, or legacy plain SHA-256)."""
    message = (prev_hash + canonical(entry)).encode()
    scheme = entry.get("scheme") if isinstance(entry, dict) else entry.scheme
    if scheme == LEGACY_SCHEME:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


# Every audited request runs these: built once.
#: The chain's end (without a lock: on PostgreSQL a read's entry checks it again under the lock).
_LAST_HASH = sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
#: PostgreSQL: the chain's transaction lock and then its last hash, in one round trip
#: (migration a7d3e9f1c205: the function reads the hash on a snapshot taken after the lock).
_LOCKED_CHAIN_END = sa.select(
    sa.func.audit_chain_end(sa.literal(_ADVISORY_LOCK_KEY, sa.BigInteger)))
_INSERT = sa.insert(AuditEntry.__table__)
#: PostgreSQL: lock the chain, append the entry if the chain still ends at ``expected_prev``,
#: else return the end it has (migration b8e4f2a6d913); one statement, its own transaction
#: after a read.
_APPEND_IF_END = sa.select(sa.func.audit_append(
    sa.literal(_ADVISORY_LOCK_KEY, sa.BigInteger), sa.bindparam("prev_hash"),
    *(sa.bindparam(name, type_=AuditEntry.__table__.c[name].type)
      for name in ("at", *_CANONICAL_FIELDS, "hash", "scheme"))))
#: Hashing against a chain end that moved costs one more statement; after this many the entry
#: is appended under the lock, in a transaction.
_APPEND_ATTEMPTS = 5


def _chain_end() -> str:
    """The hash to chain the next entry to, with the chain locked until the transaction ends:
    on PostgreSQL an advisory lock, on SQLite the write lock the transaction already holds."""
    if db.session.get_bind().dialect.name == "postgresql":
        transaction.ensure_transaction()  # the lock lasts to the commit, not one SELECT
        last = db.session.scalar(_LOCKED_CHAIN_END)
    else:
        last = db.session.scalar(_LAST_HASH)
    return last or GENESIS_HASH


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    region_code: str | None = None,
    summary: str = "",
    user: Any = None,
) -> AuditEntry | None:
    """Append an entry to the chain, in the request's unit of work.

    In a read-only unit (a page view, an API GET) the entry is written right after the read, in
    a short write transaction of its own (:func:`rmt.transaction.defer_write`; on PostgreSQL
    one statement, :func:`_append_after_read`): a read never fails because another request
    holds SQLite's write lock; then None is returned.
    """
    fields = _fields(action, object_type=object_type, object_id=object_id,
                     region_code=region_code, summary=summary, user=user)
    # After a read nobody gets the entry back: one INSERT, no new object in the session.
    return transaction.defer_write(lambda: _append(fields),
                                   later=lambda: _append_after_read(fields))


def _fields(action: str, *, object_type: str | None = None, object_id: Any = None,
            region_code: str | None = None, summary: str = "", user: Any = None) -> dict:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    return {
        "at": utcnow(),
        "user_id": getattr(user, "id", None) if user is not None else None,
        "user_email": getattr(user, "email", None) if user is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "region_code": region_code,
        "ip": request.remote_addr if has_request_context() else None,
        "summary": summary,
    }


def record_many(entries: Iterable[dict[str, Any]]) -> int:
    """Append many entries at once (an import): each dict holds the keyword arguments of
    :func:`record` (``action``, ``object_type``, ``object_id``, ``region_code``, ``summary``,
    ``user``). The same chain as one :func:`record` per entry, in order, but the chain is
    locked and its end read once, the hashes are computed in Python and the rows go in with
    one multi-row INSERT per batch. Returns how many were appended (after the read, like
    :func:`record`, in a read-only unit of work: then 0)."""
    rows = [_fields(**entry) for entry in entries]
    if not rows:
        return 0
    return transaction.defer_write(lambda: _append_many(rows)) or 0


def _chained(row: dict[str, Any], prev_hash: str, key: bytes) -> dict[str, Any]:
    """``row`` linked to ``prev_hash``: its previous hash, scheme and own hash set."""
    row["prev_hash"] = prev_hash
    row["scheme"] = KEYED_SCHEME
    row["hash"] = compute_hash(prev_hash, row, key)
    return row


def _append_many(rows: list[dict[str, Any]]) -> int:
    prev_hash = _chain_end()
    key = _key()
    for row in rows:
        prev_hash = _chained(row, prev_hash, key)["hash"]
    db.session.execute(_INSERT, rows)
    return len(rows)


def _append_after_read(fields: dict[str, Any]) -> None:
    """A read's entry, after the read. PostgreSQL: hashed against the chain's end, read without
    a lock, and appended by one statement that checks that end under the chain's lock: two
    statements, no BEGIN and COMMIT (one more when another entry came in between). SQLite: as
    every append."""
    if db.session.get_bind().dialect.name != "postgresql":
        _append_many([fields])
        return
    key = _key()
    prev_hash = db.session.scalar(_LAST_HASH) or GENESIS_HASH
    for _attempt in range(_APPEND_ATTEMPTS):
        chain_end = db.session.scalar(_APPEND_IF_END, _chained(dict(fields), prev_hash, key))
        if chain_end is None:  # appended
            return
        prev_hash = chain_end
    _append_many([fields])  # a busy chain: under its lock


def record_list_view(action: str, ids: Iterable[Any], *, object_type: str | None = None,
                     region_code: str | None = None, label: str = "ids") -> AuditEntry | None:
    """One entry for one view of a list page that shows people's names: the ids shown.

    Written after the read like every read entry (:func:`record`); an empty page writes none.
    """
    shown = [str(i) for i in ids]
    if not shown:
        return None
    return record(action, object_type=object_type, region_code=region_code,
                  summary=f"{label}: {','.join(shown)}")


def _append(fields: dict[str, Any]) -> AuditEntry:
    entry = AuditEntry(**fields, prev_hash=_chain_end(), scheme=KEYED_SCHEME)
    entry.hash = compute_hash(entry.prev_hash, entry)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def _entries_in_order(batch_size: int = 2000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        batch = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch_size)
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        db.session.expunge_all()


def verify_chain(checkpoints: dict[int, str] | None = None) -> VerifyResult:
    """Walk the whole chain and report the first entry whose link or content does not match.

    ``checkpoints`` (id → hash, from :func:`rmt.audit.anchor.read_checkpoints`) were written
    outside the database: every one must still be in the chain with the same hash, and the
    newest must exist (else the end of the chain was cut off).
    """
    checkpoints = checkpoints or {}
    expected_prev = GENESIS_HASH
    checked = 0
    keyed_seen = False
    unseen = set(checkpoints)
    for entry in _entries_in_order():
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                checked, entry.id, "prev_hash wijst niet naar de vorige regel (regel verwijderd?)"
            )
        if entry.scheme not in (LEGACY_SCHEME, KEYED_SCHEME) or (
                keyed_seen and entry.scheme == LEGACY_SCHEME):
            return VerifyResult(
                checked, entry.id, "regel zonder sleutel na een regel met sleutel (herberekend "
                "zonder de sleutel?)"
            )
        if compute_hash(entry.prev_hash, entry) != entry.hash:
            return VerifyResult(
                checked, entry.id, "inhoud komt niet overeen met de hash (gewijzigd, of "
                "herberekend zonder de sleutel?)"
            )
        if entry.id in checkpoints and checkpoints[entry.id] != entry.hash:
            return VerifyResult(
                checked, entry.id, "hash verschilt van het controlepunt buiten de database "
                "(keten herschreven?)"
            )
        unseen.discard(entry.id)
        keyed_seen = keyed_seen or entry.scheme == KEYED_SCHEME
        expected_prev = entry.hash
        checked += 1
    if unseen:
        return VerifyResult(
            checked, min(unseen), "regel van een controlepunt ontbreekt (einde van de keten "
            "afgeknipt?)"
        )
    return VerifyResult(checked)


def chain_end() -> tuple[int, str] | None:
    """The newest entry's id and hash (what a checkpoint anchors), or None for an empty log."""
    row = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash) if row else None


def entries_for_object(object_type: str, object_id: Any, limit: int = 200) -> list[AuditEntry]:
    """Who viewed or changed one record, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
