"""``/api/v1/me`` and ``/api/v1/regions``."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from rmt.api.auth import authenticate_bearer
from rmt.auth.models import Role
from rmt.extensions import db
from rmt.regions.models import Region

blp = Blueprint("api_core", __name__, description="Gebruiker en regio's")
blp.before_request(authenticate_bearer)


class RegionSchema(Schema):
    code = fields.String(metadata={"example": "MU"})
    name = fields.String(metadata={"example": "Midden-Utrecht"})


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": [role.value for role in Role]})
    regions = fields.List(fields.String(), attribute="region_list")


class RegionListSchema(Schema):
    items = fields.List(fields.Nested(RegionSchema))
    total = fields.Integer()
    page = fields.Integer()


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The signed-in user, their role and regions."""
    return {
        "id": current_user.id,
        "email": current_user.email,
        "name": current_user.name,
        "role": current_user.role.value,
        "region_list": sorted(current_user.region_codes),
    }


@blp.route("/regions")
@blp.response(200, RegionListSchema)
def regions():
    """All four regions (reference data, not region-scoped)."""
    items = db.session.scalars(sa.select(Region).order_by(Region.code)).all()
    return {"items": items, "total": len(items), "page": 1}
