"""The admins' KPI report: overall and per hotspot."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit


class WifiKpiArgsSchema(toolkit.BaseSchema):
    """``period``: a month (``2026-12``), a quarter (``2026-Q4``) or a year (``2026``)."""

    period = fields.String(required=True, validate=validate.Length(min=4, max=7), metadata={"example": "2026-12"})


class WifiFiguresSchema(toolkit.BaseSchema):
    """Sessions started in the period: how many, by how many citizens, hours connected, data moved."""

    sessions = fields.Integer(required=True)
    users = fields.Integer(required=True)
    hours = fields.Float(required=True)
    gigabytes = fields.Float(required=True)


class WifiOverallFiguresSchema(WifiFiguresSchema):
    """The overall figures and the citizens who registered (first accepted the terms) in the period."""

    new_registrations = fields.Integer(required=True)


class WifiHotspotFiguresSchema(WifiFiguresSchema):
    """One hotspot's figures."""

    hotspot_id = fields.Integer(required=True)
    name = fields.String(required=True)


class WifiKpiReportSchema(toolkit.BaseSchema):
    """The period's figures, overall and per hotspot."""

    period = fields.String(required=True)
    overall = fields.Nested(WifiOverallFiguresSchema, required=True)
    hotspots = fields.List(fields.Nested(WifiHotspotFiguresSchema), required=True)
