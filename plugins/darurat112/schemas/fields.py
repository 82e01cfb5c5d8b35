"""What several 112 schemas share: dumping model objects, comma lists, Kota Serang's bounds, text."""
from __future__ import annotations

from typing import Any, Callable, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from plugins.darurat112.services.intake import LAT_RANGE, LON_RANGE

#: A row id (an integer column: larger numbers name nothing).
ID = validate.Range(min=1, max=2**31 - 1)
# Blank text is no message; NUL and other control characters never reach the database (PostgreSQL
# refuses NUL in text: a 500). Tabs and line breaks are fine.
PLAIN_TEXT = validate.Regexp(r"^(?=\s*\S)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="not blank, without control characters")
TEXT = [validate.Length(min=1, max=2000), PLAIN_TEXT]
SHORT_TEXT = [validate.Length(min=1, max=300), PLAIN_TEXT]
# A person's name: ``Incident.caller_name`` is String(120), so a longer one would fail on
# PostgreSQL (a 500) or be cut on other databases.
NAME_TEXT = [validate.Length(min=1, max=120), PLAIN_TEXT]


def latitude(**kwargs) -> fields.Float:
    """A latitude inside Kota Serang's bounding box (the service checks the pair)."""
    return fields.Float(validate=validate.Range(*LAT_RANGE, error="inside Kota Serang ({min} to {max})"),
                        allow_nan=False, metadata={"description": "latitude inside Kota Serang", "example": -6.12},
                        **kwargs)


def longitude(**kwargs) -> fields.Float:
    """A longitude inside Kota Serang's bounding box."""
    return fields.Float(validate=validate.Range(*LON_RANGE, error="inside Kota Serang ({min} to {max})"),
                        allow_nan=False, metadata={"description": "longitude inside Kota Serang", "example": 106.15},
                        **kwargs)


def accuracy(**kwargs) -> fields.Float:
    """The phone's location accuracy in metres: above 5 km the point says nothing useful."""
    return fields.Float(validate=validate.Range(min=0, max=5000, min_inclusive=False), allow_nan=False,
                        metadata={"description": "radius of the location's uncertainty in metres (0 < m <= 5000)",
                                  "example": 12.5}, **kwargs)


class FromModel:
    """Mixin of a response schema that dumps a model object: each field reads the attribute of its
    name, except those in ``computed``, whose value is ``function(obj)`` (keeping the field's type)."""

    computed: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """The computed value of ``attr`` when the schema has one, else the object's attribute."""
        compute = self.computed.get(attr)
        return compute(obj) if compute is not None else super().get_attribute(obj, attr, default)


class CommaSeparated(fields.String):
    """``a,b,c`` -> ``["a", "b", "c"]``, each one of ``choices``."""

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
            raise ValidationError(f"one or more of {', '.join(self.choices)}; unknown: {', '.join(unknown) or 'none'}")
        return items


class IncidentIdempotencyHeaderSchema(Schema):
    """The ``Idempotency-Key`` header (other headers are ignored)."""

    class Meta:
        unknown = EXCLUDE

    idempotency_key = fields.String(
        data_key="Idempotency-Key", required=True,
        validate=[validate.Length(min=1, max=100), validate.Regexp(r"^[^\x00-\x1f\x7f]*$",
                                                                   error="no control characters")],
        metadata={"description": "required: a retry with the same key and body returns the first incident (200); "
                                 "the same key with another body is 422 idempotency_key_reused"})
