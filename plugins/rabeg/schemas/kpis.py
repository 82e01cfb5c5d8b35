"""What the KPI route accepts and answers."""
from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema

from ragem import toolkit

from plugins.rabeg.schemas.fields import DateOrDateTime, check_range


class KpiArgsSchema(Schema):
    """``from`` (inclusive) and ``to`` (exclusive): dates (WIB days) or ISO datetimes; optional grouping."""

    from_ = DateOrDateTime(required=True, data_key="from", metadata={"example": "2026-11-01"})
    to = DateOrDateTime(required=True, metadata={"example": "2026-12-01"})
    group_by = fields.String(load_default=None, validate=validate.OneOf(("opd", "category", "channel")),
                             metadata={"description": "channel: app, open311, in_person, phone, letter, social_media"})

    @validates_schema
    def _range(self, data, **_kwargs):
        check_range(data, "from_", "to")


class KpiFiguresSchema(Schema):
    """The figures of one group (or overall) for the complaints received in the period."""

    received = fields.Integer(required=True)
    resolved = fields.Integer(required=True, metadata={"description": "of those received, resolved since"})
    median_hours_to_first_response = fields.Float(allow_none=True)
    median_hours_to_resolve = fields.Float(allow_none=True)
    first_response_within_target = fields.Float(allow_none=True, metadata={"description": "share 0-1"})
    resolution_within_target = fields.Float(allow_none=True, metadata={"description": "share 0-1"})
    rerouted_share = fields.Float(allow_none=True)
    reopened_share = fields.Float(allow_none=True)
    average_rating = fields.Float(allow_none=True)


class KpiGroupSchema(KpiFiguresSchema):
    """The figures of one OPD or category."""

    key = fields.String(required=True, metadata={"description": "the OPD code, the category code or the channel"})


class KpiReportSchema(Schema):
    """The KPIs of a period, overall and (when asked) per OPD, category or channel."""

    from_ = toolkit.UtcDateTime(required=True, data_key="from")
    to = toolkit.UtcDateTime(required=True)
    opd = fields.String(allow_none=True, metadata={"description": "set when an officer sees only their OPD"})
    overall = fields.Nested(KpiFiguresSchema, required=True)
    group_by = fields.String(allow_none=True)
    groups = fields.List(fields.Nested(KpiGroupSchema), required=True)
