"""Schemas of the delivery-attempt admin API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.hooktypes import DELIVERY_STATUSES, MESSAGE_CHANNELS
from ragem.pagination import PageArgsSchema, page_schema
from ragem.schemas import BaseSchema, UtcDateTime


class AttemptQuerySchema(PageArgsSchema, BaseSchema):
    """Filters of the attempt list."""

    channel = fields.String(validate=validate.OneOf(MESSAGE_CHANNELS))
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    provider = fields.String(validate=validate.Length(min=1, max=32))
    user_id = fields.String(validate=validate.Length(min=1, max=36), metadata={"description": "one account's attempts"})


class AttemptSchema(BaseSchema):
    """One try at delivering a message: never its text nor the number it went to."""

    id = fields.Integer(required=True)
    channel = fields.String(required=True, metadata={"example": "whatsapp"})
    provider = fields.String(required=True, metadata={"example": "whatsapp-cloud"})
    provider_message_id = fields.String(allow_none=True, required=True)
    purpose = fields.String(required=True, metadata={"example": "otp.verify_phone"})
    user_id = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"description": "sent, delivered, read or failed"})
    cost_units = fields.Float(allow_none=True, required=True, metadata={"description": "as the provider reported it"})
    error = fields.String(allow_none=True, required=True)
    fallback_of = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the attempt this one replaced (a code WhatsApp did not deliver in time, sent by SMS)"})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    delivered_at = UtcDateTime(allow_none=True, required=True)
    read_at = UtcDateTime(allow_none=True, required=True)
    failed_at = UtcDateTime(allow_none=True, required=True)


AttemptPageSchema = page_schema(AttemptSchema, "DeliveryAttemptPage")
