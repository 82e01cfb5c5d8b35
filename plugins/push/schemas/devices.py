"""What the device routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit


class PushDeviceSchema(toolkit.BaseSchema):
    """An app installation's FCM registration token."""

    token = fields.String(required=True, load_only=True, validate=validate.Length(min=20, max=4096),
                          metadata={"description": "the FCM registration token the app got from Firebase"})
    platform = fields.String(required=True, validate=validate.OneOf(["android", "ios", "web"]))


class PushDeviceForgetSchema(toolkit.BaseSchema):
    """The token to forget."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=4096))


class PushDeviceRegisteredSchema(toolkit.BaseSchema):
    """A device registered for notifications (the token is never sent back)."""

    id = fields.Integer(required=True)
    platform = fields.String(required=True)
    created_at = toolkit.UtcDateTime(required=True)
