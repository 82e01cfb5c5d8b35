"""Schemas of the notifications inbox API."""
from __future__ import annotations

from marshmallow import fields

from ragem.pagination import PageArgsSchema
from ragem.schemas import BaseSchema, UtcDateTime


class InboxQuerySchema(PageArgsSchema, BaseSchema):
    """``GET /api/v1/me/notifications`` query."""

    unread = fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={"description": "only unread notifications (true or false)"},
    )


class NotificationSchema(BaseSchema):
    """One notification, title and body in the request's language."""

    id = fields.Integer(required=True)
    service = fields.String(required=True, metadata={"description": "slug of the sending service, or core"})
    kind = fields.String(required=True, metadata={"example": "complaint.answered"})
    title = fields.String(required=True)
    body = fields.String(required=True)
    data = fields.Dict(required=True, metadata={"description": "details for the app (ids to open)"})
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True, required=True)
    read = fields.Boolean(required=True)


class InboxPageSchema(BaseSchema):
    """A page of the inbox with the unread count (for the app's badge)."""

    items = fields.List(fields.Nested(NotificationSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    unread_count = fields.Integer(required=True)


class ReadAllSchema(BaseSchema):
    """The result of marking everything read."""

    marked = fields.Integer(required=True, metadata={"description": "notifications marked read now"})
    unread_count = fields.Integer(required=True)
