"""Hotspots: the public list and the admins' management."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.wifi.models import HOTSPOT_STATUSES
from plugins.wifi.schemas.fields import LAT, LON, NAME_TEXT, NAS_TEXT, SHORT_TEXT, SSID_TEXT
from plugins.wifi.services import hotspots


class HotspotSchema(FromModel, toolkit.BaseSchema):
    """A hotspot on the app's map."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"example": "Taman Digital Alun-alun Serang"})
    kelurahan_code = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    address = fields.String(allow_none=True)
    ssids = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(HOTSPOT_STATUSES))


class HotspotListSchema(toolkit.BaseSchema):
    """Every hotspot not retired, by name."""

    items = fields.List(fields.Nested(HotspotSchema), required=True)


class HotspotAdminSchema(HotspotSchema):
    """A hotspot with its gear's RADIUS identities and its watch state."""

    computed = {"nas_identifiers": hotspots.nas_identifiers, "silent": lambda h: h.silent_since is not None}

    nas_identifiers = fields.List(fields.String(), required=True)
    quiet_hours = fields.Integer(required=True)
    last_seen_at = toolkit.UtcDateTime(allow_none=True)
    silent_since = toolkit.UtcDateTime(allow_none=True)
    silent = fields.Boolean(required=True)
    created_at = toolkit.UtcDateTime(required=True)
    updated_at = toolkit.UtcDateTime(required=True)


class HotspotCreateSchema(toolkit.BaseSchema):
    """A new hotspot."""

    name = fields.String(required=True, validate=NAME_TEXT)
    kelurahan_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    lat = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=LAT)
    lon = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=LON)
    address = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)
    ssids = fields.List(fields.String(validate=SSID_TEXT), load_default=list, validate=validate.Length(max=8))
    status = fields.String(load_default="active", validate=validate.OneOf(HOTSPOT_STATUSES))
    quiet_hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=24 * 30))
    nas_identifiers = fields.List(fields.String(validate=NAS_TEXT), load_default=list, validate=validate.Length(max=32),
                                  metadata={"description": "NAS-Identifier or Called-Station-Id values of its gear"})


class HotspotUpdateSchema(toolkit.BaseSchema):
    """Fields to change (absent ones stay)."""

    name = fields.String(validate=NAME_TEXT)
    kelurahan_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    lat = fields.Float(allow_none=True, allow_nan=False, validate=LAT)
    lon = fields.Float(allow_none=True, allow_nan=False, validate=LON)
    address = fields.String(allow_none=True, validate=SHORT_TEXT)
    ssids = fields.List(fields.String(validate=SSID_TEXT), validate=validate.Length(max=8))
    status = fields.String(validate=validate.OneOf(HOTSPOT_STATUSES))
    quiet_hours = fields.Integer(validate=validate.Range(min=1, max=24 * 30))
    nas_identifiers = fields.List(fields.String(validate=NAS_TEXT), validate=validate.Length(max=32))


HotspotPageSchema = toolkit.page_schema(HotspotAdminSchema, "WifiHotspotPage")
