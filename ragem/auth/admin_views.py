"""Accounts for admins: find users, grant or revoke roles, suspend and reinstate (audited)."""
from __future__ import annotations

from flask import g

from ragem.auth import roles, suspension
from ragem.auth.guards import roles_required
from ragem.auth.schemas import (
    AccountSuspensionSchema,
    AdminUserPageSchema,
    AdminUserSchema,
    RoleGrantSchema,
    RoleRevokeQuerySchema,
    UserQuerySchema,
    UserSearchSchema,
)
from ragem.blueprint import Blueprint

blp = Blueprint("admin_users", __name__, url_prefix="/api/v1/admin/users", description="Accounts and roles (admins)")


@blp.route("")
@roles_required("admin")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, AdminUserPageSchema)
def list_users(args):
    """Accounts, newest first, filtered by role and by part of the name (422 `identifier_in_url` for
    a phone number or NIK: `POST /admin/users/search` takes those)."""
    roles.refuse_identifier_in_url(args.get("q"))
    items, next_cursor = roles.list_users(
        role=args.get("role"), q=args.get("q"), limit=args["limit"], cursor=args.get("cursor")
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/search", methods=["POST"])
@roles_required("admin")
@blp.arguments(UserSearchSchema)
@blp.response(200, AdminUserPageSchema)
def search_users(body):
    """Accounts, newest first, by role and by part of the name or the exact phone number or NIK, sent
    in the body so that they stay out of addresses and logs."""
    items, next_cursor = roles.list_users(
        role=body.get("role"), q=body.get("q"), limit=body["limit"], cursor=body.get("cursor")
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<string:user_id>")
@roles_required("admin")
@blp.response(200, AdminUserSchema)
def get_user(user_id):
    """One account."""
    return roles.get_user(user_id)


@blp.route("/<string:user_id>/roles", methods=["POST"])
@roles_required("admin")
@blp.arguments(RoleGrantSchema)
@blp.response(200, AdminUserSchema)
def grant_role(body, user_id):
    """Give a role (audited as ``role.grant``); takes effect on the account's next request."""
    return roles.grant_role(user_id, body["role"], opd=body["opd"], reason=body["reason"], actor=g.current_user)


@blp.route("/<string:user_id>/roles/<string:role>", methods=["DELETE"])
@roles_required("admin")
@blp.arguments(RoleRevokeQuerySchema, location="query")
@blp.response(200, AdminUserSchema)
def revoke_role(args, user_id, role):
    """Take a role away (audited as ``role.revoke``); the last admin cannot be demoted."""
    return roles.revoke_role(user_id, role, reason=args["reason"], actor=g.current_user)


@blp.route("/<string:user_id>/suspend", methods=["POST"])
@roles_required("admin")
@blp.arguments(AccountSuspensionSchema)
@blp.response(200, AdminUserSchema)
def suspend_user(body, user_id):
    """Suspend an account (audited as ``account.suspend``): its sessions end, its tokens are refused,
    it cannot log in. Not oneself, nor the platform's last admin."""
    return suspension.suspend_account(user_id, reason=body["reason"], actor=g.current_user)


@blp.route("/<string:user_id>/reinstate", methods=["POST"])
@roles_required("admin")
@blp.arguments(AccountSuspensionSchema)
@blp.response(200, AdminUserSchema)
def reinstate_user(body, user_id):
    """Lift a suspension (audited as ``account.reinstate``); the account may log in again."""
    return suspension.reinstate_account(user_id, reason=body["reason"], actor=g.current_user)
