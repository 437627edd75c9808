"""Error responses: Dutch HTML pages for people, application/problem+json for the API.

Nothing internal leaks: no stack traces, no SQL, no object ids beyond the URL requested.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from rmt.extensions import db

TITLES = {
    400: "Verzoek niet te verwerken",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Verkeerd formaat",
    422: "Invoer onjuist",
    429: "Te veel verzoeken",
    500: "Er ging iets mis",
}
EXPLANATIONS = {
    400: "Het verzoek kon niet worden verwerkt. Controleer de invoer en probeer het opnieuw.",
    401: "U bent niet aangemeld.",
    403: "U hebt geen toegang tot deze pagina.",
    404: "De pagina bestaat niet of u hebt er geen toegang toe.",
    405: "Deze actie is op deze pagina niet mogelijk.",
    409: "De gegevens zijn intussen gewijzigd of de actie is nu niet toegestaan.",
    413: "Het verzoek is groter dan toegestaan (maximaal 1 MB).",
    415: "Het verzoek heeft een formaat dat niet wordt ondersteund.",
    422: "De invoer is niet juist.",
    429: "U hebt te veel verzoeken gedaan. Wacht even en probeer het opnieuw.",
    500: (
        "Er ging aan onze kant iets mis. Uw wijziging is niet opgeslagen. "
        "Probeer het later opnieuw."
    ),
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, errors: dict[str, Any] | None = None,
            **extra: Any) -> Response:
    """An RFC 9457 problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail or EXPLANATIONS.get(status, ""),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        errors = _flatten_webargs_messages(messages) if messages else None
        detail = data.get("message") if isinstance(data, dict) else None
        if isinstance(error.description, str) and not detail and status in (409, 404, 401):
            detail = error.description if error.description != type(error).description else None
        response = problem(status, detail, errors)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="rmt"'
        if status == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = error.description if isinstance(error, CSRFError) else None
    if isinstance(error, CSRFError):
        detail = ("Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het "
                  "nog eens; uw invoer is niet opgeslagen.")
    body = render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status, "Fout"),
        explanation=detail or EXPLANATIONS.get(status, EXPLANATIONS[400]),
    )
    return body, status, headers


def _flatten_webargs_messages(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location (json/query); the API reports them per field."""
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    if not app.config.get("PROPAGATE_EXCEPTIONS") and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
