"""Request bodies larger than ``MAX_CONTENT_LENGTH`` (1 MiB), for the few views that take files.

A view declares the config key of its own limit with :func:`accepts_large_body`; the app's first
``before_request`` hook (:func:`body_limit`) applies it before authentication, the CSRF check or
any form parsing reads the body. Every other route keeps the global limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request

V = TypeVar("V", bound=Callable[..., Any])

#: Room for the multipart envelope (boundaries, headers, the other fields) around the file.
UPLOAD_OVERHEAD = 64 * 1024


def accepts_large_body(setting: str) -> Callable[[V], V]:
    """Let a view (or MethodView class) accept bodies up to ``app.config[setting]`` plus the
    multipart envelope: ``@accepts_large_body("RMT_DOCUMENT_MAX_BYTES")``."""

    def mark(view: V) -> V:
        view.max_content_length_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


def _setting(app: Flask) -> str | None:
    view = app.view_functions.get(request.endpoint or "")
    return getattr(view, "max_content_length_setting", None) or getattr(
        getattr(view, "view_class", None), "max_content_length_setting", None)


def body_limit(app: Flask) -> int | None:
    """The largest body the current request's view accepts."""
    setting = _setting(app)
    if setting:
        return int(app.config[setting]) + UPLOAD_OVERHEAD
    return app.config.get("MAX_CONTENT_LENGTH")


def stated_limit(app: Flask) -> int | None:
    """The limit as users know it, for the 413 message: the file size for a view that takes
    files (its multipart envelope aside), otherwise the body limit."""
    setting = _setting(app)
    return int(app.config[setting]) if setting else app.config.get("MAX_CONTENT_LENGTH")
