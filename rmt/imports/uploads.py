"""Where an uploaded file waits between the steps of the web flow (upload → mapping → dry run →
import): the instance folder, under a random token, readable only by the one who uploaded it.
Files older than a day are removed at the next upload."""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import current_app

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE_SECONDS = 24 * 60 * 60


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(user_id: int, meta: dict[str, Any], data: bytes) -> str:
    folder = _folder()
    _remove_old(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({**meta, "user_id": user_id}))
    return token


def load(token: str, user_id: int) -> tuple[dict[str, Any], bytes] | None:
    """The upload's details and bytes, or None (unknown token, or someone else's upload)."""
    if not TOKEN_RE.match(token or ""):
        return None
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != user_id:
        return None
    return meta, data


def update(token: str, **changes: Any) -> None:
    path = _folder() / f"{token}.json"
    meta = json.loads(path.read_text())
    meta.update(changes)
    path.write_text(json.dumps(meta))


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
