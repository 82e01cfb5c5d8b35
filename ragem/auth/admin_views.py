"""Accounts for admins: find users and grant or revoke roles (audited)."""
from __future__ import annotations

from flask import g
from marshmallow import fields, validate

from ragem.auth import service
from ragem.auth.guards import roles_required
from ragem.auth.models import ROLES
from ragem.blueprint import Blueprint
from ragem.pagination import PageArgsSchema, page_schema
from ragem.schemas import BaseSchema, UtcDateTime

blp = Blueprint("admin_users", __name__, url_prefix="/api/v1/admin/users", description="Accounts and roles (admins)")

_REASON = validate.Length(min=3, max=500)


class UserQuerySchema(PageArgsSchema, BaseSchema):
    """Filters for the account list."""

    role = fields.String(validate=validate.OneOf(ROLES))
    q = fields.String(validate=validate.Length(min=1, max=120),
                      metadata={"description": "part of the name, or the exact phone number"})


class AdminUserSchema(BaseSchema):
    """An account as admins see it: the NIK masked, never the password hash."""

    id = fields.String()
    name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    nik = fields.String(attribute="nik_masked", allow_none=True, metadata={"example": "************1234"})
    roles = fields.List(fields.String())
    opd = fields.String(attribute="opd_code", allow_none=True)
    is_active = fields.Boolean()
    verified = fields.Boolean(attribute="is_verified")
    phone_verified_at = UtcDateTime(allow_none=True)
    password_changed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


AdminUserPageSchema = page_schema(AdminUserSchema, "AdminUserPage")


class RoleGrantSchema(BaseSchema):
    """A role to give; an officer needs the code of an active OPD."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    opd = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20))
    reason = fields.String(required=True, validate=_REASON)


class RoleRevokeQuerySchema(BaseSchema):
    """Why the role is taken away (kept in the audit log)."""

    reason = fields.String(required=True, validate=_REASON)


@blp.route("")
@roles_required("admin")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, AdminUserPageSchema)
def list_users(args):
    """Accounts, newest first, filtered by role and by name or phone."""
    items, next_cursor = service.list_users(
        role=args.get("role"), q=args.get("q"), limit=args["limit"], cursor=args.get("cursor")
    )
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/<string:user_id>")
@roles_required("admin")
@blp.response(200, AdminUserSchema)
def get_user(user_id):
    """One account."""
    return service.get_user(user_id)


@blp.route("/<string:user_id>/roles", methods=["POST"])
@roles_required("admin")
@blp.arguments(RoleGrantSchema)
@blp.response(200, AdminUserSchema)
def grant_role(body, user_id):
    """Give a role (audited as ``role.grant``); takes effect on the account's next request."""
    return service.grant_role(user_id, body["role"], opd=body["opd"], reason=body["reason"], actor=g.current_user)


@blp.route("/<string:user_id>/roles/<string:role>", methods=["DELETE"])
@roles_required("admin")
@blp.arguments(RoleRevokeQuerySchema, location="query")
@blp.response(200, AdminUserSchema)
def revoke_role(args, user_id, role):
    """Take a role away (audited as ``role.revoke``); the last admin cannot be demoted."""
    return service.revoke_role(user_id, role, reason=args["reason"], actor=g.current_user)
