"""The one way a document leaves the application: as a download.

Always ``Content-Disposition: attachment`` (with an RFC 5987 ``filename*`` for non-ASCII
names), the content type found when it was uploaded (never HTML or SVG, which the upload
refuses), ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, so even
a browser that ignored the disposition would run nothing in the application's origin.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Response, send_file

from rmt.documents.service import Download

DOWNLOAD_CSP = "default-src 'none'; sandbox"


def attachment(download: Download) -> Response:
    response = send_file(io.BytesIO(download.data), mimetype=download.content_type,
                         as_attachment=True, download_name=download.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


def large_upload(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view (or MethodView class) that accepts a document upload: the app's request-size
    check allows ``RMT_DOCUMENT_MAX_BYTES`` plus the multipart envelope there, instead of the
    global ``MAX_CONTENT_LENGTH`` (rmt/__init__.py)."""
    view.rmt_large_upload = True  # type: ignore[attr-defined]
    return view
