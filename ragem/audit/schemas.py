"""Schemas of the audit log API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.pagination import PageArgsSchema, page_schema
from ragem.schemas import BaseSchema, UtcDateTime


class AuditQuerySchema(PageArgsSchema, BaseSchema):
    """Filters for ``GET /api/v1/admin/audit``."""

    actor = fields.String(validate=validate.Length(max=36), metadata={"description": "actor user id"})
    action = fields.String(validate=validate.Length(max=80), metadata={"description": "e.g. service.disable"})
    target_type = fields.String(validate=validate.Length(max=40))
    target_id = fields.String(validate=validate.Length(max=80))
    since = UtcDateTime(metadata={"description": "inclusive lower bound (ISO 8601)"})
    until = UtcDateTime(metadata={"description": "exclusive upper bound (ISO 8601)"})


class AuditEntrySchema(BaseSchema):
    """One audit entry."""

    id = fields.Integer()
    at = UtcDateTime()
    actor_id = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")
