"""Base marshmallow schemas and fields shared by the core and plugins (through the toolkit)."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ragem.timeutil import isoformat_z


class BaseSchema(Schema):
    """Refuses unknown fields: a client that sends a field we ignore would think it was applied."""

    class Meta:
        unknown = RAISE
        ordered = True


class UtcDateTime(fields.DateTime):
    """A UTC timestamp, sent as ISO 8601 with ``Z``; accepts any offset and stores naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return isoformat_z(value)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            try:
                parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:  # 0001-01-01T00:00+14:00 and the like fall off the calendar in UTC
                raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
        return parsed


class StrictBoolean(fields.Boolean):
    """Only JSON ``true``/``false``: ``"yes"`` or ``1`` for a switch is a client bug, not a yes."""

    truthy = {True}
    falsy = {False}

    def _deserialize(self, value, attr, data, **kwargs):
        # 1 == True and hash(1) == hash(True), so the sets above alone would let 1 and 0 through.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class I18nTextSchema(BaseSchema):
    """A text in Indonesian and English."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    en = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ErrorBodySchema(Schema):
    """The inside of the error envelope."""

    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "human text, Indonesian or English"})
    details = fields.Dict(required=True)
    request_id = fields.String(allow_none=True, required=True)


class ErrorSchema(Schema):
    """``{"error": {...}}``: the body of every failed response."""

    error = fields.Nested(ErrorBodySchema, required=True)


def parse_datetime(value: str) -> datetime:
    """Parse an ISO 8601 timestamp into naive UTC; raises marshmallow ``ValidationError``."""
    return UtcDateTime().deserialize(value)


__all__ = ["BaseSchema", "StrictBoolean", "UtcDateTime", "I18nTextSchema", "ErrorSchema", "ValidationError", "fields", "validate"]
