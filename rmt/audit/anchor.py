"""Checkpoints: the end of the audit chain, written outside the database.

``flask --app rmt audit checkpoint`` (from cron, and after every retention run) appends the
newest entry's id and hash, with the time, to a file and/or sends it to syslog. Someone who can
write to the database cannot reach these: ``audit verify`` then notices a chain that was cut off
at the end (the checkpoint's entry is gone) or rewritten (its hash differs).

A line of the file: ``<ISO time UTC> id=<id> hash=<64 hex>``; syslog gets the same text with
the prefix ``rmt-audit-checkpoint:``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from rmt import clock
from rmt.audit.service import chain_end
from rmt.transaction import unit_of_work

LINE_RE = re.compile(r"\bid=(\d+) hash=([0-9a-f]{64})\b")
SYSLOG_PREFIX = "rmt-audit-checkpoint:"


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    hash: str

    def line(self) -> str:
        at = clock.now().isoformat(timespec="seconds")
        return f"{at} id={self.entry_id} hash={self.hash}"


def checkpoint_path() -> Path | None:
    """Where checkpoints are appended (``RMT_AUDIT_CHECKPOINT_PATH``; "-": nowhere)."""
    configured = current_app.config.get("RMT_AUDIT_CHECKPOINT_PATH")
    if configured == "-":
        return None
    return Path(configured) if configured else Path(current_app.instance_path) / (
        "audit-checkpoints.log")


def _syslog_address() -> str | tuple[str, int] | None:
    address = current_app.config.get("RMT_AUDIT_CHECKPOINT_SYSLOG")
    if not address:
        return None
    if address.startswith("/"):
        return address
    host, _, port = address.rpartition(":")
    return (host or "localhost", int(port or 514)) if port.isdigit() else (address, 514)


def write(checkpoint: Checkpoint) -> list[str]:
    """Append the checkpoint to every configured target; returns where it went."""
    text = checkpoint.line()
    targets = []
    path = checkpoint_path()
    if path is not None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
        targets.append(str(path))
    address = _syslog_address()
    if address is not None:
        handler = logging.handlers.SysLogHandler(
            address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH)
        try:
            handler.emit(logging.LogRecord("rmt.audit", logging.INFO, __file__, 0,
                                           f"{SYSLOG_PREFIX} {text}", None, None))
        finally:
            handler.close()
        targets.append(f"syslog {address}")
    return targets


def read_checkpoints(path: Path | None = None) -> dict[int, str]:
    """Every checkpoint in the file (id → hash); none when the file does not exist.

    Syslog lines work as well (the pattern is searched anywhere in a line), so a copy of the
    syslog server's log can be passed to ``audit verify --checkpoints``.
    """
    path = path if path is not None else checkpoint_path()
    if path is None or not path.exists():
        return {}
    found: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = LINE_RE.search(line)
        if match:
            found[int(match.group(1))] = match.group(2)
    return found


def checkpoint_now() -> tuple[Checkpoint | None, list[str]]:
    """Read the chain's end (its own short read transaction) and write it out.

    For CLI commands only (``audit checkpoint``, the end of ``retention run``).
    """
    with unit_of_work(write=False):
        end = chain_end()
    if end is None:
        return None, []
    checkpoint = Checkpoint(*end)
    return checkpoint, write(checkpoint)
