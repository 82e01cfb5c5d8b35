"""Session policies and suspensions."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.wifi.models import SUSPENSION_KINDS
from plugins.wifi.schemas.fields import ID, SHORT_TEXT


class PolicySchema(FromModel, toolkit.BaseSchema):
    """The global policy (``hotspot_id`` null) or a hotspot's own."""

    hotspot_id = fields.Integer(allow_none=True, required=True)
    session_seconds = fields.Integer(required=True)
    daily_seconds = fields.Integer(required=True)
    daily_bytes = fields.Integer(required=True)
    down_kbps = fields.Integer(required=True)
    up_kbps = fields.Integer(required=True)
    updated_at = toolkit.UtcDateTime(required=True)


class PolicyListSchema(toolkit.BaseSchema):
    """The global policy first, then the hotspots' own."""

    items = fields.List(fields.Nested(PolicySchema), required=True)


class PolicyInputSchema(toolkit.BaseSchema):
    """Limits of a session: length, daily time and data, bandwidth."""

    session_seconds = fields.Integer(required=True, validate=validate.Range(min=60, max=24 * 3600))
    daily_seconds = fields.Integer(required=True, validate=validate.Range(min=60, max=24 * 3600))
    daily_bytes = fields.Integer(required=True, validate=validate.Range(min=1024 ** 2, max=2**40))
    down_kbps = fields.Integer(required=True, validate=validate.Range(min=64, max=1_000_000))
    up_kbps = fields.Integer(required=True, validate=validate.Range(min=64, max=1_000_000))


class SuspensionSchema(FromModel, toolkit.BaseSchema):
    """A suspension of a citizen or a device."""

    computed = {"active": lambda s: s.lifted_at is None and (s.until is None or s.until > toolkit.utcnow())}

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SUSPENSION_KINDS))
    user_id = fields.String(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    reason = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    until = toolkit.UtcDateTime(allow_none=True)
    lifted_at = toolkit.UtcDateTime(allow_none=True)
    lift_reason = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class SuspensionCreateSchema(toolkit.BaseSchema):
    """Suspend a citizen (``kind=user``, ``user_id``) or a device (``kind=device``, ``device_id``)."""

    kind = fields.String(required=True, validate=validate.OneOf(SUSPENSION_KINDS))
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))
    device_id = fields.Integer(load_default=None, validate=ID)
    reason = fields.String(required=True, validate=SHORT_TEXT)
    until = toolkit.UtcDateTime(load_default=None, allow_none=True)


class SuspensionLiftSchema(toolkit.BaseSchema):
    """Why the suspension is lifted (audited)."""

    reason = fields.String(required=True, validate=SHORT_TEXT)


class SuspensionArgsSchema(toolkit.PageArgsSchema):
    """``active=true`` (the default): only those in force; ``user_id``: one citizen's."""

    active = fields.Boolean(load_default=True)
    user_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36))


SuspensionPageSchema = toolkit.page_schema(SuspensionSchema, "WifiSuspensionPage")
