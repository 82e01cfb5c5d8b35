"""A citizen's devices for automatic log-in."""
from __future__ import annotations

from marshmallow import fields

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.wifi.schemas.fields import LABEL_TEXT
from plugins.wifi.services import suspensions


class DeviceSchema(FromModel, toolkit.BaseSchema):
    """A registered device."""

    computed = {"suspended": lambda d: suspensions.device_suspension(d.id) is not None}

    id = fields.Integer(required=True)
    mac = fields.String(required=True, metadata={"example": "AA:BB:CC:DD:EE:FF"})
    label = fields.String(allow_none=True)
    created_at = toolkit.UtcDateTime(required=True)
    last_seen_at = toolkit.UtcDateTime(allow_none=True)
    suspended = fields.Boolean(required=True)


class DeviceCreateSchema(toolkit.BaseSchema):
    """A MAC address in any common notation (``aa:bb:cc:dd:ee:ff``, ``AA-BB-..``, ``aabb.ccdd.eeff``,
    ``aabbccddeeff``) and an optional label."""

    mac = fields.String(required=True, metadata={"example": "aa-bb-cc-dd-ee-ff"})
    label = fields.String(load_default=None, allow_none=True, validate=LABEL_TEXT)


class DeviceUpdateSchema(toolkit.BaseSchema):
    """A new label (``null`` clears it)."""

    label = fields.String(required=True, allow_none=True, validate=LABEL_TEXT)


class DeviceListSchema(toolkit.BaseSchema):
    """The citizen's devices and how many they may have."""

    items = fields.List(fields.Nested(DeviceSchema), required=True)
    max_devices = fields.Integer(required=True)
