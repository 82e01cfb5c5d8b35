"""What the staff-grant routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.darurat112.models import GRANTABLE
from plugins.darurat112.schemas.fields import SHORT_TEXT


class StaffGrantSchema(FromModel, toolkit.BaseSchema):
    """A 112 permission granted to one account."""

    computed = {"active": lambda g: g.revoked_at is None}

    id = fields.Integer(required=True)
    account_id = fields.String(required=True)
    permission = fields.String(required=True, validate=validate.OneOf(GRANTABLE))
    reason = fields.String(required=True)
    granted_by = fields.String(allow_none=True, metadata={"description": "the admin; null when converted from "
                                                                         "the former settings"})
    granted_at = toolkit.UtcDateTime(required=True)
    revoked_at = toolkit.UtcDateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class StaffGrantCreateSchema(toolkit.BaseSchema):
    """Who gets which permission, and why (audited)."""

    account_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    permission = fields.String(required=True, validate=validate.OneOf(GRANTABLE),
                               metadata={"description": "darurat112.supervise (a command-centre supervisor) or "
                                                        "darurat112.telephony (a telephony system's account)"})
    reason = fields.String(required=True, validate=SHORT_TEXT)


class StaffGrantRevokeSchema(toolkit.BaseSchema):
    """Why the grant ends (audited)."""

    reason = fields.String(required=True, validate=SHORT_TEXT)


class StaffGrantArgsSchema(toolkit.PageArgsSchema):
    """``active=true`` (the default): only grants in force; ``permission`` one of the grantable ones."""

    active = fields.Boolean(load_default=True)
    permission = fields.String(load_default=None, validate=validate.OneOf(GRANTABLE))


StaffGrantPageSchema = toolkit.page_schema(StaffGrantSchema, "Darurat112StaffGrantPage")
