"""What the receipt endpoints answer the gateways."""
from __future__ import annotations

from marshmallow import fields

from ragem import toolkit


class ReceiptAppliedSchema(toolkit.BaseSchema):
    """Whether the receipt named a message RAGEM sent (an unknown one is acknowledged and ignored)."""

    applied = fields.Boolean(required=True)
