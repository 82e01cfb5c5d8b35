"""Schemas of the catalog and admin service/plugin APIs."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.schemas import BaseSchema, I18nTextSchema, StrictBoolean, UtcDateTime

STATUSES = ("available", "maintenance")


class ServiceSchema(BaseSchema):
    """A service in the catalog."""

    slug = fields.String(required=True, metadata={"example": "rabeg"})
    name = fields.String(required=True)
    description = fields.String(required=True)
    opd = fields.String(required=True, metadata={"description": "code of the owning OPD"})
    icon = fields.String(required=True)
    version = fields.String(required=True)
    critical = fields.Boolean(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    maintenance_message = fields.String(allow_none=True)


class ServiceListSchema(BaseSchema):
    """The catalog."""

    items = fields.List(fields.Nested(ServiceSchema), required=True)


class AdminServiceSchema(ServiceSchema):
    """A service as admins see it: its switch and the last change."""

    enabled = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)
    message = fields.Nested(I18nTextSchema, allow_none=True)
    updated_at = UtcDateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class AdminServiceListSchema(BaseSchema):
    """Every service with its switch."""

    items = fields.List(fields.Nested(AdminServiceSchema), required=True)


class ServiceToggleSchema(BaseSchema):
    """Switch a service on or off."""

    enabled = StrictBoolean(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))
    message = fields.Nested(
        I18nTextSchema, load_default=None, allow_none=True,
        metadata={"description": "maintenance message shown to citizens (id and en)"},
    )
    confirm = StrictBoolean(load_default=False, metadata={"description": "required to disable a critical service"})


class PluginSchema(BaseSchema):
    """An installed plugin and how it is doing."""

    name = fields.String(required=True, metadata={"description": "entry-point name"})
    slug = fields.String(required=True)
    version = fields.String(allow_none=True)
    distribution = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(("enabled", "disabled", "failed")))
    reason = fields.String(allow_none=True)
    hooks = fields.List(fields.String(), required=True)
    critical = fields.Boolean(required=True)


class PluginListSchema(BaseSchema):
    """Every plugin the platform tried to load."""

    items = fields.List(fields.Nested(PluginSchema), required=True)
