"""JSON API v1: Bearer-token authentication, OpenAPI document, problem+json errors.

flask-smorest is used for the API (see docs/decisions.md): it validates input with marshmallow
schemas, serialises output and writes the OpenAPI document from the same schemas. Every API
blueprint calls ``blp.before_request(authenticate_bearer)`` where it is defined.
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask_smorest import Blueprint

from rmt.extensions import api, csrf

#: The API of every feature package (``blp`` of each module). Imported by name when the app is
#: built: the feature modules import ``rmt.api.auth`` themselves, so importing them here at the
#: top would start a circular import through this package.
API_MODULES = ("rmt.api.core", "rmt.cases.api", "rmt.employers.api", "rmt.praktijkverklaring.api",
               "rmt.vouchers.api", "rmt.stats.api", "rmt.imports.api", "rmt.documents.api")


def api_blueprints() -> tuple[Blueprint, ...]:
    """The API blueprints of every feature package."""
    return tuple(importlib.import_module(name).blp for name in API_MODULES)


def register_api(app: Flask) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "rmt_…"}
    )
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blueprint in api_blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1")
