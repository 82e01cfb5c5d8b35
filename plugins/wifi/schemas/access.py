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


class TermsPublishSchema(toolkit.BaseSchema):
    """A new terms version: its name, the text in both languages, and when it takes effect (now
    when left out; a later moment schedules it)."""

    version = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$", error="1-20 letters, digits, '.', '_' or '-'"),
        metadata={"example": "2027-01"})
    text_id = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    text_en = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    published_at = toolkit.UtcDateTime(load_default=None, allow_none=True)


class TermsAdminSchema(FromModel, toolkit.BaseSchema):
    """A terms version with both texts."""

    version = fields.String(required=True)
    text_id = fields.String(required=True)
    text_en = fields.String(required=True)
    published_at = toolkit.UtcDateTime(required=True)


class TermsListSchema(toolkit.BaseSchema):
    """Every terms version, newest first."""

    items = fields.List(fields.Nested(TermsAdminSchema), required=True)


class AccessStatusSchema(toolkit.BaseSchema):
    """Whether the citizen accepted the current terms: until they do, their devices and tokens do
    not get on the Wi-Fi. ``accepted_version`` is the last version they accepted, if any."""

    current_version = fields.String(required=True)
    accepted = fields.Boolean(required=True)
    accepted_version = fields.String(required=True, allow_none=True)
