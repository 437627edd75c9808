"""What every API blueprint shares: the JSON body check, answering, paging and the documented
problem answers. Refusals (``DomainError``) become problem+json in :mod:`rmt.errors`, once for
the whole API; a blueprint only declares how its fields are spelled (``blp.field_aliases``).

A blueprint registers it with ``blp.before_request(require_json_body)`` right after
``authenticate_bearer``, so an unauthenticated request is a 401 before its body is looked at.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, jsonify, request
from flask_smorest import Blueprint, abort
from marshmallow import Schema

from rmt.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

BODY_METHODS = ("POST", "PUT", "PATCH")


def require_json_body() -> None:
    """Bodies are JSON; anything else is refused before it is parsed (415).

    Malformed JSON is a 400 with a Dutch message. Absurdly deep nesting would exhaust Python's
    recursion limit inside the JSON parser (a 500 otherwise), so it is refused here as well.
    """
    if request.method not in BODY_METHODS:
        return
    if not request.is_json:
        abort(415, message="Stuur de gegevens als JSON (Content-Type: application/json).")
    try:
        json.loads(request.get_data(cache=True) or b"null")
    except (RecursionError, ValueError):
        abort(400, message="De inhoud is geen geldige JSON.")


def problem_documenter(blp: Blueprint, schema: type[Schema], descriptions: dict[int, str]
                       ) -> Callable[..., Callable[[F], F]]:
    """A decorator factory that documents an endpoint's problem+json answers in OpenAPI.

    ``problems = problem_documenter(blp, ProblemSchema, DESCRIPTIONS)`` and then
    ``@problems(401, 404)`` on a view; ``schemas={409: OtherSchema}`` overrides one answer's body.
    """

    def problems(*codes: int, schemas: dict[int, type[Schema]] | None = None
                 ) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            for code in codes:
                body = (schemas or {}).get(code, schema)
                func = blp.alt_response(code, schema=body, description=descriptions[code],
                                        content_type="application/problem+json")(func)
            return func

        return decorator

    return problems


def respond(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Answer with an already dumped body.

    Dump before returning: the unit of work commits after the view, which expires the objects.
    """
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def page(query: sa.Select, args: dict[str, Any]) -> tuple[list[Any], int]:
    """One page of ``query`` (``args`` from :class:`rmt.api.schemas.PageArgsSchema`) and the
    total number of rows: two statements."""
    total = db.session.scalar(
        query.order_by(None).with_only_columns(sa.func.count(), maintain_column_froms=True))
    number, per_page = args["page"], args["per_page"]
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return list(items), total or 0
