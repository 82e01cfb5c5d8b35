"""What the public-alert routes accept and answer (the CAP enumerations come from the models)."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.darurat112.models import (
    CAP_CATEGORIES, CAP_CERTAINTIES, CAP_MSG_TYPES, CAP_SEVERITIES, CAP_URGENCIES,
)
from plugins.darurat112.schemas.fields import PLAIN_TEXT, SHORT_TEXT

HEADLINE = [validate.Length(min=1, max=160), PLAIN_TEXT]
LONG_TEXT = [validate.Length(min=1, max=4000), PLAIN_TEXT]


def region_code() -> fields.String:
    """A Kemendagri region code (``36.73.01``, ``36.73.01.1002``); whether Kota Serang has it at the right
    level is the service's check."""
    return fields.String(validate=[validate.Length(min=2, max=20),
                                   validate.Regexp(r"^\d{2}(\.\d{2}){1,2}(\.\d{4})?$", error="a Kemendagri code")])


class AlertHeadlineSchema(toolkit.BaseSchema):
    """A headline in Indonesian and English (CAP ``<headline>`` of each ``<info>``)."""

    id = fields.String(required=True, validate=HEADLINE)
    en = fields.String(required=True, validate=HEADLINE)


class AlertTextSchema(toolkit.BaseSchema):
    """A longer text in Indonesian and English (``<description>``, ``<instruction>``)."""

    id = fields.String(required=True, validate=LONG_TEXT)
    en = fields.String(required=True, validate=LONG_TEXT)


class AlertAreaSchema(toolkit.BaseSchema):
    """Where the alert applies: kecamatan and/or kelurahan of Kota Serang, optionally a circle or polygon."""

    kecamatan = fields.List(region_code(), load_default=list, validate=validate.Length(max=100),
                            metadata={"description": "Kemendagri kecamatan codes", "example": ["36.73.01"]})
    kelurahan = fields.List(region_code(), load_default=list, validate=validate.Length(max=100),
                            metadata={"description": "Kemendagri kelurahan codes", "example": ["36.73.01.1002"]})
    circle = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=80),
                           metadata={"description": "CAP circle: 'lat,lon radius_km', centre inside Kota Serang",
                                     "example": "-6.12,106.15 2.5"})
    polygon = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=8000),
                            metadata={"description": "CAP polygon: at least 4 'lat,lon' points separated by "
                                                     "spaces, the last repeating the first",
                                      "example": "-6.11,106.14 -6.11,106.16 -6.13,106.16 -6.11,106.14"})


class AlertIssueSchema(toolkit.BaseSchema):
    """A new alert, or the whole new content of an update."""

    event = fields.String(required=True, validate=[validate.Length(min=1, max=120), PLAIN_TEXT],
                          metadata={"example": "Banjir"})
    category = fields.String(required=True, validate=validate.OneOf(CAP_CATEGORIES))
    urgency = fields.String(required=True, validate=validate.OneOf(CAP_URGENCIES))
    severity = fields.String(required=True, validate=validate.OneOf(CAP_SEVERITIES))
    certainty = fields.String(required=True, validate=validate.OneOf(CAP_CERTAINTIES))
    headline = fields.Nested(AlertHeadlineSchema, required=True)
    description = fields.Nested(AlertTextSchema, required=True)
    instruction = fields.Nested(AlertTextSchema, load_default=None, allow_none=True)
    effective = toolkit.UtcDateTime(load_default=None, allow_none=True,
                                    metadata={"description": "when it takes effect (now when omitted)"})
    expires = toolkit.UtcDateTime(required=True, metadata={"description": "when it ends: future, at most 30 days on"})
    area = fields.Nested(AlertAreaSchema, required=True)


class AlertCancelSchema(toolkit.BaseSchema):
    """Why the alert is withdrawn (CAP ``<note>``, audited)."""

    note = fields.String(required=True, validate=SHORT_TEXT)


class AlertSchema(FromModel, toolkit.BaseSchema):
    """A public alert message and where to read it as CAP."""

    computed = {
        "headline": lambda a: {"id": a.headline_id, "en": a.headline_en},
        "description": lambda a: {"id": a.description_id, "en": a.description_en},
        "instruction": lambda a: ({"id": a.instruction_id, "en": a.instruction_en}
                                  if a.instruction_id and a.instruction_en else None),
        "area": lambda a: {"kecamatan": a.kecamatan_codes, "kelurahan": a.kelurahan_codes, "circle": a.circle,
                           "polygon": a.polygon},
        "references_identifier": lambda a: a.references.identifier if a.references is not None else None,
        "current": lambda a: (a.superseded_at is None and a.msg_type != "Cancel"
                              and a.expires > toolkit.utcnow()),
        "cap_url": lambda a: f"/api/v1/darurat112/alerts/{a.id}.cap",
    }

    id = fields.Integer(required=True)
    identifier = fields.String(required=True)
    sender = fields.String(required=True)
    sent = toolkit.UtcDateTime(required=True)
    msg_type = fields.String(required=True, validate=validate.OneOf(CAP_MSG_TYPES))
    references_id = fields.Integer(allow_none=True, required=True)
    references_identifier = fields.String(allow_none=True, required=True)
    superseded_at = toolkit.UtcDateTime(allow_none=True, required=True)
    current = fields.Boolean(required=True, metadata={"description": "in force now: not replaced, not expired"})
    note = fields.String(allow_none=True)
    event = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CAP_CATEGORIES))
    urgency = fields.String(required=True, validate=validate.OneOf(CAP_URGENCIES))
    severity = fields.String(required=True, validate=validate.OneOf(CAP_SEVERITIES))
    certainty = fields.String(required=True, validate=validate.OneOf(CAP_CERTAINTIES))
    headline = fields.Nested(AlertHeadlineSchema, required=True)
    description = fields.Nested(AlertTextSchema, required=True)
    instruction = fields.Nested(AlertTextSchema, allow_none=True)
    effective = toolkit.UtcDateTime(required=True)
    expires = toolkit.UtcDateTime(required=True)
    area = fields.Nested(AlertAreaSchema, required=True)
    cap_url = fields.String(required=True, metadata={"description": "the CAP 1.2 document of this message"})


class AlertArgsSchema(toolkit.PageArgsSchema):
    """``active=true`` (the default): only alerts in force; ``false``: every message, newest first."""

    active = fields.Boolean(load_default=True)


AlertPageSchema = toolkit.page_schema(AlertSchema, "Darurat112AlertPage")
