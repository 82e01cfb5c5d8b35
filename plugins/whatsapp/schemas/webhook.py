"""What the webhook answers Meta."""
from __future__ import annotations

from marshmallow import fields

from ragem import toolkit


class ReceiptsAppliedSchema(toolkit.BaseSchema):
    """How many statuses of the call named a message RAGEM sent (others are ignored)."""

    applied = fields.Integer(required=True)
