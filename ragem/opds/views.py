"""``/api/v1/opds`` (public) and ``/api/v1/admin/opds`` (admins manage OPDs and agencies)."""
from __future__ import annotations

from flask import g
from marshmallow import RAISE

from ragem.auth.guards import roles_required
from ragem.blueprint import Blueprint
from ragem.opds import service
from ragem.opds.schemas import (
    AdminOpdListSchema,
    AdminOpdQuerySchema,
    AdminOpdSchema,
    OpdCreateSchema,
    OpdListSchema,
    OpdQuerySchema,
    OpdReasonSchema,
    OpdSchema,
    OpdUpdateSchema,
)

blp = Blueprint("opds", __name__, url_prefix="/api/v1", description="OPDs and agencies of Kota Serang")
admin_blp = Blueprint("admin_opds", __name__, url_prefix="/api/v1/admin", description="OPDs and agencies (admins)")

# Query strings: webargs ignores unknown parameters unless told otherwise, and a misspelt filter
# would silently return everything.


@blp.route("/opds")
@blp.arguments(OpdQuerySchema, location="query", unknown=RAISE)
@blp.response(200, OpdListSchema)
def list_opds(args):
    """Active OPDs and agencies, ordered by code (a few dozen at most: not paginated)."""
    return {"items": service.list_opds(kind=args.get("kind"))}


@blp.route("/opds/<string:code>")
@blp.response(200, OpdSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No OPD has this code")
def get_opd(code):
    """One OPD or agency; deactivated ones are still found (``active`` is false)."""
    return service.opd_detail(code)


@admin_blp.route("/opds")
@roles_required("admin")
@admin_blp.arguments(AdminOpdQuerySchema, location="query", unknown=RAISE)
@admin_blp.response(200, AdminOpdListSchema)
def admin_list_opds(args):
    """Every OPD and agency, deactivated ones included (filter with ``active``, ``kind``)."""
    return {"items": service.list_opds(kind=args.get("kind"), active=args.get("active"), admin=True)}


@admin_blp.route("/opds", methods=["POST"])
@roles_required("admin")
@admin_blp.arguments(OpdCreateSchema)
@admin_blp.response(201, AdminOpdSchema)
@admin_blp.alt_response(409, response="CONFLICT", description="The code is taken (code opd_exists)")
def create_opd(body):
    """Add an OPD or agency (audited; a taken code answers 409)."""
    return service.create_opd(actor=g.current_user, **body)


@admin_blp.route("/opds/<string:code>", methods=["PATCH"])
@roles_required("admin")
@admin_blp.arguments(OpdUpdateSchema)
@admin_blp.response(200, AdminOpdSchema)
@admin_blp.alt_response(404, response="NOT_FOUND", description="No OPD has this code")
def update_opd(body, code):
    """Change names, kind or active flag (audited); the code is permanent."""
    return service.update_opd(code, actor=g.current_user, **body)


@admin_blp.route("/opds/<string:code>", methods=["DELETE"])
@roles_required("admin")
@admin_blp.arguments(OpdReasonSchema, location="query", unknown=RAISE)
@admin_blp.response(200, AdminOpdSchema)
@admin_blp.alt_response(404, response="NOT_FOUND", description="No OPD has this code")
def deactivate_opd(args, code):
    """Deactivate an OPD (audited). The row stays: officers and services refer to its code."""
    return service.deactivate_opd(code, actor=g.current_user, reason=args.get("reason"))
