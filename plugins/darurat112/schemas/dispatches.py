"""What the agencies' dispatch routes accept and answer."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit

from plugins.darurat112.models import DISPATCH_STATES
from plugins.darurat112.schemas.fields import TEXT
from plugins.darurat112.schemas.incidents import IncidentDispatchSummarySchema


class AgencyDispatchSchema(IncidentDispatchSummarySchema):
    """A dispatch with its incident's number, type and priority."""

    computed = {**IncidentDispatchSummarySchema.computed,
                "incident_number": lambda d: d.incident.number, "incident_type": lambda d: d.incident.type,
                "priority": lambda d: d.incident.priority}

    incident_id = fields.Integer(required=True)
    incident_number = fields.String(required=True)
    incident_type = fields.String(required=True)
    priority = fields.Integer(required=True)


class AgencyDispatchUpdateSchema(toolkit.BaseSchema):
    """The agency's next step (or a cancellation)."""

    state = fields.String(required=True, validate=validate.OneOf(DISPATCH_STATES[1:]))
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class AgencyDispatchArgsSchema(toolkit.PageArgsSchema):
    """``active=true`` (the default): only dispatches still running."""

    active = fields.Boolean(load_default=True)


DispatchPageSchema = toolkit.page_schema(AgencyDispatchSchema, "Darurat112DispatchPage")
