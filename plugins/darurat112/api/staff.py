"""Admins grant and revoke the rights of supervisors and telephony systems."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.schemas.staff import (
    StaffGrantArgsSchema, StaffGrantCreateSchema, StaffGrantPageSchema, StaffGrantRevokeSchema, StaffGrantSchema,
)
from plugins.darurat112.services import staff

blp = toolkit.Blueprint("darurat112_staff", __name__, description="112: supervisors and telephony accounts")


@blp.route("/staff-grants")
@toolkit.roles_required("admin")
@blp.arguments(StaffGrantArgsSchema, location="query")
@blp.response(200, StaffGrantPageSchema)
def list_staff_grants(args):
    """Supervisor and telephony grants, newest first (those in force unless `active=false`); admins only."""
    items, next_cursor = staff.list_grants(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/staff-grants", methods=["POST"])
@toolkit.roles_required("admin")
@blp.arguments(StaffGrantCreateSchema)
@blp.response(201, StaffGrantSchema)
def grant_staff(body):
    """Grant `darurat112.supervise` or `darurat112.telephony` to an active account (audited); admins only.
    404 for no such active account, 409 `already_granted`."""
    return staff.grant(toolkit.current_user(), **body)


@blp.route("/staff-grants/<int:grant_id>/revoke", methods=["POST"])
@toolkit.roles_required("admin")
@blp.arguments(StaffGrantRevokeSchema)
@blp.response(200, StaffGrantSchema)
def revoke_staff_grant(body, grant_id):
    """Revoke a grant (audited; it stays listed with `active=false`); 409 `grant_revoked` when already done."""
    return staff.revoke(toolkit.current_user(), grant_id, **body)
