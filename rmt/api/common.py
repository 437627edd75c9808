"""What every API blueprint shares: the JSON body check.

A blueprint registers it with ``blp.before_request(require_json_body)`` right after
``authenticate_bearer``, so an unauthenticated request is a 401 before its body is looked at.
"""

from __future__ import annotations

import json

from flask import request
from flask_smorest import abort

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
