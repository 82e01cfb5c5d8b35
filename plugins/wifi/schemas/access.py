"""Terms, one-step access and log-in tokens."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel


class TermsSchema(FromModel, toolkit.BaseSchema):
    """The current Wi-Fi terms of use, in the request's language."""

    computed = {"text": lambda t: toolkit.translate({"id": t.text_id, "en": t.text_en})}

    version = fields.String(required=True, metadata={"example": "2026-12"})
    text = fields.String(required=True)
    published_at = toolkit.UtcDateTime(required=True)


class AccessRequestSchema(toolkit.BaseSchema):
    """The terms version the citizen read and accepts."""

    terms_version = fields.String(required=True, validate=validate.Length(min=1, max=20))


class WifiTokenSchema(toolkit.BaseSchema):
    """A single-use log-in for the captive portal: post ``username`` and ``password`` (PAP) before
    ``expires_at``. The password is shown only in this answer."""

    username = fields.String(required=True, metadata={"example": "rgm-5f2c9a01b7e34d10"})
    password = fields.String(required=True)
    expires_at = toolkit.UtcDateTime(required=True)


class AccessSchema(toolkit.BaseSchema):
    """The accepted terms version and a log-in token."""

    terms_version = fields.String(required=True)
    accepted_at = toolkit.UtcDateTime(required=True)
    token = fields.Nested(WifiTokenSchema, required=True)
