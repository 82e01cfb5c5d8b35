"""What the Open311 API-key routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit


class ApiKeyCreateSchema(toolkit.BaseSchema):
    """A new key for a third-party app."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120),
                         metadata={"example": "Dashboard Bappeda"})


class ApiKeySchema(toolkit.BaseSchema):
    """A key as admins see it: never the key itself."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "the key's first characters"})
    created_at = toolkit.UtcDateTime(required=True)
    last_used_at = toolkit.UtcDateTime(allow_none=True, required=True)
    revoked_at = toolkit.UtcDateTime(allow_none=True, required=True)


class ApiKeyCreatedSchema(ApiKeySchema):
    """The new key, shown this once."""

    key = fields.String(required=True, metadata={"description": "shown only in this answer: store it now"})


class ApiKeyListSchema(toolkit.BaseSchema):
    """Every key issued, newest first."""

    items = fields.List(fields.Nested(ApiKeySchema), required=True)
