"""JSON API v1: Bearer-token authentication, OpenAPI document, problem+json errors.

flask-smorest is used for the API (see docs/decisions.md): it validates input with marshmallow
schemas, serialises output and writes the OpenAPI document from the same schemas. Every API
blueprint calls ``blp.before_request(authenticate_bearer)`` where it is defined.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Blueprint

from rmt.extensions import api, csrf


def api_blueprints() -> tuple[Blueprint, ...]:
    """The API of every feature package.

    Imported here, not at module level: the feature modules import ``rmt.api.auth`` themselves,
    so importing one of them first must not start a circular import through this package.
    """
    from rmt.api.core import blp as core_blp
    from rmt.cases.api import blp as cases_blp
    from rmt.employers.api import blp as employers_blp
    from rmt.praktijkverklaring.api import blp as praktijkverklaring_blp
    from rmt.stats.api import blp as stats_blp
    from rmt.vouchers.api import blp as vouchers_blp

    return (core_blp, cases_blp, employers_blp, praktijkverklaring_blp, vouchers_blp, stats_blp)


def register_api(app: Flask) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "rmt_…"}
    )
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blueprint in api_blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1")
