"""Error responses: Dutch HTML pages for people, application/problem+json for the API.

Nothing internal leaks: no stack traces, no SQL, no object ids beyond the URL requested.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from rmt.errors_domain import DomainError
from rmt.extensions import db
from rmt.web.uploads import stated_limit

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
    503: "Tijdelijk niet beschikbaar",
}
EXPLANATIONS = {
    400: "Het verzoek kon niet worden verwerkt. Controleer de invoer en probeer het opnieuw.",
    401: "U bent niet aangemeld.",
    403: "U hebt geen toegang tot deze pagina.",
    404: "De pagina bestaat niet of u hebt er geen toegang toe.",
    405: "Deze actie is op deze pagina niet mogelijk.",
    409: "De gegevens zijn intussen gewijzigd of de actie is nu niet toegestaan.",
    413: "Het verzoek is groter dan toegestaan.",
    415: "Het verzoek heeft een formaat dat niet wordt ondersteund.",
    422: "De invoer is niet juist.",
    429: "U hebt te veel verzoeken gedaan. Wacht even en probeer het opnieuw.",
    500: (
        "Er ging aan onze kant iets mis. Uw wijziging is niet opgeslagen. "
        "Probeer het later opnieuw."
    ),
    503: (
        "De database is even niet bereikbaar of te druk. Uw wijziging is niet opgeslagen. "
        "Probeer het over enkele seconden opnieuw."
    ),
}
CONFLICT_DETAIL = ("Dit conflicteert met gegevens die intussen door iemand anders zijn opgeslagen. "
                   "Er is niets opgeslagen; haal de gegevens opnieuw op en probeer het nog eens.")
RETRY_AFTER_SECONDS = 5


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


def _too_large() -> str:
    """The 413 explanation with the limit of the view that was asked (uploads allow more)."""
    limit = stated_limit(current_app)
    if not limit:
        return EXPLANATIONS[413]
    if limit < 1024 * 1024:
        return f"Het verzoek is groter dan toegestaan (maximaal {-(-limit // 1024)} kB)."
    size = f"{limit / (1024 * 1024):.1f}".replace(".0", "").replace(".", ",")
    return f"Het verzoek is groter dan toegestaan (maximaal {size} MB)."


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if is_api_request():
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        errors = _flatten_webargs_messages(messages) if messages else None
        detail = data.get("message") if isinstance(data, dict) else None
        if status == 413:
            detail = _too_large()
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
    detail = _too_large() if status == 413 else None
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


def _nest(errors: dict[str, Any], path: str, message: str) -> None:
    """``"candidate.first_name"`` -> ``{"candidate": {"first_name": [message]}}``."""
    *parents, name = path.split(".")
    for parent in parents:
        errors = errors.setdefault(parent, {})
    errors.setdefault(name, []).append(message)


def domain_problem(error: DomainError) -> Response:
    """A refused service action as problem+json: 422 (a field), 409 (the state), 403 (the role),
    404 (a record it refers to). Per-field messages under ``errors``, spelled as the blueprint's
    ``field_aliases`` say; extra facts of the refusal (``allowed``, ``current_version``, ...) as
    members."""
    blueprint = current_app.blueprints.get(request.blueprint or "")
    aliases: dict[str, str] = getattr(blueprint, "field_aliases", {})
    errors: dict[str, Any] = {}
    for item in error.extra.get("problems") or ():
        field = item.field or getattr(blueprint, "default_problem_field", "to")
        _nest(errors, aliases.get(field, field), item.message)
    if not errors and error.field and error.status not in (403, 404):
        _nest(errors, aliases.get(error.field, error.field), error.message)
    extra = {key: value for key, value in error.extra.items() if key != "problems"}
    return problem(error.status, error.message, errors or None, code=error.code, **extra)


def handle_domain_error(error: DomainError) -> Response | tuple[str, int]:
    """A refusal nobody turned into a form error: problem+json for the API, an error page for
    people (views show rule refusals at their fields; what reaches here is mostly a 403)."""
    db.session.rollback()
    if is_api_request():
        return domain_problem(error)
    return _error_page(error.status, error.message)


def handle_conflict(error: Exception) -> Response | tuple[str, int]:
    """A row someone else saved at the same moment (unique key, version) found at commit."""
    db.session.rollback()
    if is_api_request():
        code = "stale_version" if isinstance(error, StaleDataError) else "conflict"
        return problem(409, CONFLICT_DETAIL, code=code)
    return _error_page(409, CONFLICT_DETAIL)


def handle_database_unavailable(error: sa.exc.DBAPIError) -> Response | tuple[str, int, dict]:
    """A lost connection (a restarted database, a killed backend) or a lock that outlasted the
    busy timeout: 503 with Retry-After, never a 500. Nothing the request changed was committed
    (a read's audit entry may have been: the read happened).

    Other database errors are bugs and stay 500s."""
    if not _is_unavailable(error):
        raise error
    current_app.logger.warning("Database unavailable on %s %s: %s", request.method,
                               request.path, error.orig)
    try:
        db.session.rollback()
    except sa.exc.DBAPIError:
        db.session.close()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request():
        response = problem(503)
        response.headers.update(headers)
        return response
    body, status = _error_page(503, None)
    return body, status, headers


def _is_unavailable(error: sa.exc.DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    return isinstance(error, sa.exc.OperationalError) and any(
        phrase in text for phrase in ("database is locked", "server closed the connection",
                                      "terminating connection", "connection refused",
                                      "could not connect", "connection is lost",
                                      "the database system is", "consuming input failed"))


def _error_page(status: int, detail: str | None) -> tuple[str, int]:
    body = render_template("errors/error.html", status=status, title=TITLES.get(status, "Fout"),
                           explanation=detail or EXPLANATIONS.get(status, EXPLANATIONS[400]))
    return body, status


def handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(StaleDataError, handle_conflict)
    app.register_error_handler(sa.exc.IntegrityError, handle_conflict)
    app.register_error_handler(sa.exc.OperationalError, handle_database_unavailable)
    app.register_error_handler(sa.exc.InterfaceError, handle_database_unavailable)
    if not app.config.get("PROPAGATE_EXCEPTIONS") and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
