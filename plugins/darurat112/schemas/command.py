"""What the command centre's routes accept and answer: the queue and its change feed, triage, marks,
dispatch and closing."""
from __future__ import annotations

from marshmallow import fields, validate, validates_schema, ValidationError

from ragem import toolkit
from ragem.toolkit import CommaSeparated

from plugins.darurat112.models import CHANNELS, OPEN_STATES, PRIORITIES, STATES, TYPES
from plugins.darurat112.schemas.fields import ID, NAME_TEXT, SHORT_TEXT, TEXT, latitude, longitude
from plugins.darurat112.schemas.incidents import IncidentSummarySchema

AGENCY_CODE = [validate.Length(min=1, max=20), validate.Regexp(r"^[A-Za-z0-9_]+$", error="an OPD code")]


class IncidentQueueArgsSchema(toolkit.PageArgsSchema):
    """The queue's filters (all optional)."""

    state = CommaSeparated(STATES, load_default=None,
                           metadata={"description": "comma-separated; default the open ones: " + ", ".join(OPEN_STATES)})
    type = CommaSeparated(TYPES, load_default=None)
    channel = CommaSeparated(CHANNELS, load_default=None)
    kecamatan = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                              metadata={"example": "36.73.01"})
    agency = fields.String(load_default=None, validate=AGENCY_CODE, metadata={"example": "DAMKAR"})
    flagged = fields.Boolean(load_default=None)


class IncidentChangesArgsSchema(toolkit.BaseSchema):
    """The change feed's cursor."""

    changed_since = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                                  metadata={"description": "the `cursor` of the previous answer; without it the "
                                                           "feed starts now"})


class IncidentChangeFeedSchema(toolkit.BaseSchema):
    """Incidents changed since the cursor, oldest change first."""

    items = fields.List(fields.Nested(IncidentSummarySchema), required=True)
    cursor = fields.String(required=True, metadata={"description": "pass as `changed_since` on the next poll"})
    more = fields.Boolean(required=True, metadata={"description": "a full page: poll again at once"})


class IncidentTriageSchema(toolkit.BaseSchema):
    """What a call-taker learnt: priority, type, the verified location and kelurahan, a note."""

    priority = fields.Integer(load_default=None, validate=validate.OneOf(PRIORITIES))
    type = fields.String(load_default=None, validate=validate.OneOf(TYPES))
    lat = latitude(load_default=None)
    lon = longitude(load_default=None)
    kelurahan = fields.String(load_default=None, validate=validate.Length(min=1, max=20),
                              metadata={"example": "36.73.01.1001"})
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def _something(self, data, **_kwargs):
        if all(value is None for value in data.values()):
            raise ValidationError("send at least one of priority, type, lat/lon, kelurahan, note")


class IncidentMarkSchema(toolkit.BaseSchema):
    """Close as a prank, a silent call or a duplicate of another incident."""

    as_ = fields.String(data_key="as", required=True, validate=validate.OneOf(("prank", "silent", "duplicate")))
    duplicate_of = fields.Integer(load_default=None, validate=ID, metadata={"description": "id of the original"})
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def _original(self, data, **_kwargs):
        if (data.get("as_") == "duplicate") != (data.get("duplicate_of") is not None):
            raise ValidationError("duplicate_of goes with as=duplicate, and only with it", field_name="duplicate_of")


class IncidentDispatchCreateSchema(toolkit.BaseSchema):
    """The agencies to send (OPD codes)."""

    agencies = fields.List(fields.String(validate=AGENCY_CODE), required=True,
                           validate=validate.Length(min=1, max=10), metadata={"example": ["DAMKAR", "DINKES"]})
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class IncidentCloseSchema(toolkit.BaseSchema):
    """The outcome (prank, silent and duplicate go through `/mark`; a citizen cancels)."""

    outcome = fields.String(required=True, validate=validate.OneOf(("resolved", "no_action_needed", "false_alarm")))
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class EmergencyCallSchema(toolkit.BaseSchema):
    """A call (or SMS, or someone walking in) recorded by a call-taker."""

    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    caller_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=40),
                                  metadata={"description": "any common Indonesian notation (0812-..., +62 812...); "
                                                           "required for phone and sms", "example": "0812-3456-7890"})
    caller_name = fields.String(load_default=None, allow_none=True, validate=NAME_TEXT)
    type = fields.String(load_default="other", validate=validate.OneOf(TYPES))
    priority = fields.Integer(load_default=None, validate=validate.OneOf(PRIORITIES))
    lat = latitude(load_default=None)
    lon = longitude(load_default=None)
    accuracy_m = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=5000,
                                                                                          min_inclusive=False))
    address = fields.String(load_default=None, allow_none=True, validate=SHORT_TEXT)
    description = fields.String(load_default=None, allow_none=True, validate=TEXT)
    outcome = fields.String(load_default=None, validate=validate.OneOf(("silent", "prank")),
                            metadata={"description": "a silent or prank call: recorded and closed at once"})
