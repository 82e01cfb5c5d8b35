"""What the nearby and "me too" routes accept and answer."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ragem import toolkit

from plugins.rabeg.schemas.fields import LAT_RANGE, LON_RANGE


class NearbyArgsSchema(Schema):
    """``GET /complaints/nearby?lat=&lon=&category=``."""

    class Meta:
        unknown = EXCLUDE  # cache busters and the like are ignored

    lat = fields.Float(required=True, validate=validate.Range(*LAT_RANGE))
    lon = fields.Float(required=True, validate=validate.Range(*LON_RANGE))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))


class NearbyComplaintSchema(toolkit.BaseSchema):
    """An open published complaint near the citizen: what it says and how far it is, nothing about who filed it."""

    id = fields.Integer(required=True)
    public_number = fields.String(required=True)
    description = fields.String(required=True, metadata={
        "description": "the public text: moderated when moderated, NIK, phone numbers and email addresses masked"})
    distance_m = fields.Integer(required=True)
    supporters_count = fields.Integer(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    state = fields.String(required=True)


class NearbyListSchema(toolkit.BaseSchema):
    """Open complaints of the category within 250 m, nearest first (at most 20)."""

    items = fields.List(fields.Nested(NearbyComplaintSchema), required=True)


class SupportSchema(toolkit.BaseSchema):
    """The caller's "me too" on a complaint."""

    complaint_id = fields.Integer(required=True)
    supporting = fields.Boolean(required=True)
    supporters_count = fields.Integer(required=True)
