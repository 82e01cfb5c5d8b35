"""Response schemas of the health routes."""
from __future__ import annotations

from marshmallow import fields

from ragem.schemas import BaseSchema


class LivenessSchema(BaseSchema):
    """``/healthz``: the process answers."""

    status = fields.String(required=True, metadata={"example": "ok"})


class CheckResultSchema(BaseSchema):
    """The outcome of one readiness check."""

    status = fields.String(required=True, metadata={"description": "ok or failed"})
    latency_ms = fields.Float(required=True)
    error = fields.String(metadata={"description": "type of the error when the check failed"})
    advisory = fields.Boolean(metadata={
        "description": "reported only: a failed advisory check (a message gateway) leaves the process ready"})


class ReadinessSchema(BaseSchema):
    """``/readyz``: every dependency answered."""

    status = fields.String(required=True, metadata={"example": "ready", "description": "ready, or degraded when an advisory check failed"})
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckResultSchema), required=True)


# /metrics answers Prometheus text, not JSON: documented as a plain string.
METRICS_TEXT = {"type": "string", "description": "Prometheus text exposition format"}
