"""Schemas of the jobs admin API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.pagination import PageArgsSchema, page_schema
from ragem.schemas import BaseSchema, UtcDateTime


class PeriodicJobSchema(BaseSchema):
    """A periodic job and its last run."""

    name = fields.String(required=True, metadata={"example": "rabeg.escalate"})
    service = fields.String(required=True)
    every_seconds = fields.Integer(required=True)
    at = fields.String(allow_none=True, metadata={
        "description": "the WIB time of day a daily or longer job runs (HH:MM); null for shorter ones",
        "example": "02:00"})
    last_started_at = UtcDateTime(allow_none=True)
    last_finished_at = UtcDateTime(allow_none=True)
    last_ok = fields.Boolean(allow_none=True, metadata={"description": "null while running or if it never ran"})


class PeriodicJobListSchema(BaseSchema):
    """All registered periodic jobs."""

    items = fields.List(fields.Nested(PeriodicJobSchema), required=True)


class FailedJobQuerySchema(PageArgsSchema, BaseSchema):
    """Filters for the failed-job list."""

    name = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "exact job name"})


class FailedJobSchema(BaseSchema):
    """A job that failed on its last try."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    args = fields.String(required=True, metadata={"description": "the arguments' repr, truncated"})
    error = fields.String(required=True, metadata={"description": "the last traceback, truncated"})
    attempts = fields.Integer(required=True)
    failed_at = UtcDateTime(required=True)
    retryable = fields.Function(lambda row: bool(row.replay), dump_only=True, metadata={
        "type": "boolean", "description": "whether POST .../retry can run it again"})


FailedJobPageSchema = page_schema(FailedJobSchema, "FailedJobPage")
