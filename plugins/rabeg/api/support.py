"""Nearby open complaints before filing, and "me too" support for one of them."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import FILE
from plugins.rabeg.schemas.support import NearbyArgsSchema, NearbyListSchema, SupportSchema
from plugins.rabeg.services import nearby

blp = toolkit.Blueprint("rabeg_support", __name__, description='RABEG: nearby complaints and "me too"')


@blp.route("/complaints/nearby")
@toolkit.login_required
@blp.arguments(NearbyArgsSchema, location="query")
@blp.response(200, NearbyListSchema)
def nearby_complaints(args):
    """Open complaints of the category within 250 m, nearest first (at most 20), without personal data."""
    return {"items": nearby.nearby(args["lat"], args["lon"], args["category"])}


@blp.route("/complaints/<int:complaint_id>/support", methods=["POST"])
@toolkit.permission_required(FILE)
@blp.response(201, SupportSchema)
@blp.alt_response(200, schema=SupportSchema, description="already supported: nothing changed")
def support_complaint(complaint_id):
    """Say "me too" on an open complaint (not one's own; 409 if closed, rejected or a duplicate)."""
    answer, added = nearby.support(complaint_id, toolkit.current_user())
    return answer, 201 if added else 200


@blp.route("/complaints/<int:complaint_id>/support", methods=["DELETE"])
@toolkit.permission_required(FILE)
@blp.response(200, SupportSchema)
def withdraw_complaint_support(complaint_id):
    """Take back one's "me too" (200 either way)."""
    return nearby.withdraw(complaint_id, toolkit.current_user())
