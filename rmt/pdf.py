"""PDFs made on the server with WeasyPrint (trajectplan, werkprofiel, praktijkverklaring,
voucher decision letter): a Jinja template extending ``pdf/base.html`` becomes an A4 PDF with
the stylesheet ``rmt/static/css/pdf.css``, tagged (PDF/UA structure) where WeasyPrint allows.

A shared module: it imports no feature. Nothing is fetched over the network: the templates
reference no URLs, the stylesheet is read from disk, and a URL fetcher that refuses everything
keeps user text (always escaped) from ever making WeasyPrint load a resource.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, render_template
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

STYLESHEET = Path(__file__).parent / "static" / "css" / "pdf.css"


class NoFetching(URLFetcher):
    """Refuses every URL (WeasyPrint then leaves the resource out): no network, no files."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"PDF rendering fetches no resources ({url[:40]})")


def render(template: str, **context: Any) -> bytes:
    """The PDF of ``template`` rendered with ``context``."""
    return render_html(render_template(template, **context))


def render_html(html: str) -> bytes:
    """The PDF of an HTML text."""
    document = HTML(string=html, url_fetcher=NoFetching())
    return document.write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))], pdf_tags=True)


def download(template: str, filename: str, **context: Any) -> Response:
    """The PDF as a download (``Content-Disposition: attachment``)."""
    response = Response(render(template, **context), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
