"""Schemas of the log-in, token and session API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.schemas import BaseSchema, UtcDateTime


class LoginSchema(BaseSchema):
    """Credentials: a phone number, NIK or email, and the password."""

    identifier = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))
    device = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "a name for this device in the session list (default: the User-Agent)"},
    )


class RefreshSchema(BaseSchema):
    """A refresh token to exchange (it is used up: the answer holds its successor)."""

    refresh_token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenSchema(BaseSchema):
    """An access token, the session's refresh token, and their lifetimes in seconds."""

    access_token = fields.String(required=True, metadata={"description": "ES256 JWT; verify with /.well-known/jwks.json"})
    refresh_token = fields.String(required=True, metadata={"description": "one use only: refreshing returns a new one"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds the access token is valid"})
    refresh_expires_in = fields.Integer(required=True, metadata={"description": "seconds the refresh token is valid"})


class AuthSessionSchema(BaseSchema):
    """One logged-in device of the caller."""

    id = fields.String(required=True)
    device = fields.String(allow_none=True, required=True)
    ip = fields.String(allow_none=True, required=True, metadata={"description": "address of the last log-in or refresh"})
    created_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(required=True, metadata={"description": "updated at most once a minute"})
    current = fields.Boolean(required=True, metadata={"description": "the session of this request's token"})


class JwksSchema(BaseSchema):
    """A JSON Web Key Set (RFC 7517)."""

    keys = fields.List(fields.Dict(), required=True)
