"""Base marshmallow schemas and fields shared by the core and plugins (through the toolkit)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, ClassVar

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


class FromModel:
    """Mixin of a response schema that dumps a model object (a table row), not a hand-built dict.

    Each field reads the object's attribute of its name (or the one its ``attribute=`` names),
    except the fields in ``computed``, whose value is ``function(obj)``: a signed photo link, a
    name in two languages, a derived deadline. Unlike ``fields.Method``, such a field keeps its
    declared type, so openapi.yaml still says what it holds.
    """

    computed: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """The computed value of ``attr`` when the schema has one, else the object's attribute."""
        compute = self.computed.get(attr)
        return compute(obj) if compute is not None else super().get_attribute(obj, attr, default)


class CommaSeparated(fields.String):
    """A query argument ``a,b,c`` -> ``["a", "b", "c"]``, each one of ``choices`` (blank items and
    repeats dropped); documented in openapi.yaml with the choices."""

    def __init__(self, choices, **kwargs):
        self.choices = tuple(str(choice) for choice in choices)
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("description", "comma-separated, any of: " + ", ".join(self.choices))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        items = list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))
        unknown = [item[:40] for item in items if item not in self.choices]
        if unknown or not items:
            raise ValidationError(f"one or more of {', '.join(self.choices)} (comma-separated); unknown: "
                                  f"{', '.join(unknown) or 'none given'}")
        return items


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
