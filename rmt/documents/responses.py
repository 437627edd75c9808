"""The one way a document leaves the application: as a download.

Always ``Content-Disposition: attachment`` (with an RFC 5987 ``filename*`` for non-ASCII
names), the content type found when it was uploaded (never HTML or SVG, which the upload
refuses), ``X-Content-Type-Options: nosniff`` and a sandboxing Content-Security-Policy, so even
a browser that ignored the disposition would run nothing in the application's origin.
"""

from __future__ import annotations

import io

from flask import Response, send_file

from rmt.documents.service import Download
from rmt.web.uploads import accepts_large_body

DOWNLOAD_CSP = "default-src 'none'; sandbox"


def attachment(download: Download) -> Response:
    response = send_file(io.BytesIO(download.data), mimetype=download.content_type,
                         as_attachment=True, download_name=download.filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


#: Marks a view (or MethodView class) that accepts a document upload (rmt.web.uploads).
large_upload = accepts_large_body("RMT_DOCUMENT_MAX_BYTES")
