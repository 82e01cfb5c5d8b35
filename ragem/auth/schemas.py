"""Schemas of the log-in API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.schemas import BaseSchema


class LoginSchema(BaseSchema):
    """Credentials: a phone number, NIK or email, and the password."""

    identifier = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class TokenSchema(BaseSchema):
    """An access token and its lifetime in seconds."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True)


class JwksSchema(BaseSchema):
    """A JSON Web Key Set (RFC 7517)."""

    keys = fields.List(fields.Dict(), required=True)
