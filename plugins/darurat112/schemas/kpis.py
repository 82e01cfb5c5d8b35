"""What the KPI route accepts and answers."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validates_schema

from ragem import toolkit

from plugins.darurat112.models import CHANNELS

#: Kota Serang's clock: a bare date is a WIB calendar day.
WIB = timedelta(hours=7)


class DateOrDateTime(fields.String):
    """A date (a WIB day, its start) or an ISO datetime (zone-less means UTC) -> naive UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), datetime.min.time()) - WIB
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is not None:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError):
            raise ValidationError("a date (YYYY-MM-DD) or an ISO 8601 datetime") from None
        return moment


class IncidentKpiArgsSchema(Schema):
    """``from`` (inclusive) and ``to`` (exclusive): dates (WIB days) or ISO datetimes."""

    start = DateOrDateTime(required=True, data_key="from", metadata={"example": "2026-11-01"})
    end = DateOrDateTime(required=True, data_key="to", metadata={"example": "2026-12-01"})

    @validates_schema
    def _range(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["start"] >= data["end"]:
            raise ValidationError("must be before to", field_name="from")


class IncidentKpiFiguresSchema(Schema):
    """The figures of one group (or overall) for the incidents raised in the period."""

    incidents = fields.Integer(required=True)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                             metadata={"description": "incidents per channel: " + ", ".join(CHANNELS)})
    nuisance_share = fields.Float(allow_none=True, metadata={"description": "prank and silent, share 0-1"})
    median_minutes_to_claim = fields.Float(allow_none=True)
    p90_minutes_to_claim = fields.Float(allow_none=True)
    median_minutes_to_dispatch = fields.Float(allow_none=True)
    p90_minutes_to_dispatch = fields.Float(allow_none=True)
    median_minutes_to_on_scene = fields.Float(allow_none=True)
    p90_minutes_to_on_scene = fields.Float(allow_none=True)
    median_minutes_to_close = fields.Float(allow_none=True)
    p90_minutes_to_close = fields.Float(allow_none=True)
    on_scene_within_target = fields.Float(allow_none=True, metadata={
        "description": "of the dispatched incidents, the share with a team on scene within the target (0-1)"})


class IncidentKpiGroupSchema(IncidentKpiFiguresSchema):
    """The figures of one agency or type."""

    key = fields.String(required=True, metadata={"description": "the agency's OPD code, or the type"})


class IncidentKpiReportSchema(Schema):
    """The KPIs of a period: overall, per agency and per type."""

    start = toolkit.UtcDateTime(required=True, data_key="from")
    end = toolkit.UtcDateTime(required=True, data_key="to")
    target_minutes = fields.Integer(required=True)
    overall = fields.Nested(IncidentKpiFiguresSchema, required=True)
    agencies = fields.List(fields.Nested(IncidentKpiGroupSchema), required=True)
    types = fields.List(fields.Nested(IncidentKpiGroupSchema), required=True)
