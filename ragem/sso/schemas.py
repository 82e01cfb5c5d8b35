"""Schemas of the single sign-on JSON endpoints (they document ``openapi.yaml`` too)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ragem.schemas import BaseSchema, UtcDateTime
from ragem.sso.clients import AUTH_METHODS, SCOPES

_URI = fields.String(validate=validate.Length(min=8, max=500))


class OAuthErrorSchema(Schema):
    """An OAuth 2.0 / OpenID Connect error (RFC 6749 section 5.2), as RPs' libraries expect it."""

    error = fields.String(required=True, metadata={"example": "invalid_grant"})
    error_description = fields.String()


class TokenFormSchema(Schema):
    """``POST /sso/token`` (form-encoded). A confidential client authenticates with HTTP Basic
    (client_secret_basic) or a signed client assertion (private_key_jwt)."""

    grant_type = fields.String(required=True, metadata={"enum": ["authorization_code", "refresh_token"]})
    code = fields.String(metadata={"description": "authorization_code: the code from the redirect"})
    redirect_uri = fields.String(metadata={"description": "authorization_code: the same redirect URI"})
    code_verifier = fields.String(metadata={"description": "authorization_code: the PKCE verifier (required)"})
    refresh_token = fields.String(metadata={"description": "refresh_token: the latest refresh token"})
    client_id = fields.String(metadata={"description": "a public client's id (confidential: HTTP Basic)"})
    client_assertion_type = fields.String(metadata={
        "enum": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"], "description": "private_key_jwt"})
    client_assertion = fields.String(metadata={
        "description": "private_key_jwt: ES256/RS256 JWT, iss = sub = client_id, aud, exp (1 hour at most), jti (once)"})


class TokenResponseSchema(Schema):
    """Tokens for an OPD system (RFC 6749 section 5.1; ``id_token`` from the code grant)."""

    access_token = fields.String(required=True, metadata={"description": "ES256 JWT, typ at+jwt, aud = client_id"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True)
    scope = fields.String(required=True)
    refresh_token = fields.String(metadata={"description": "single use: each refresh answers a new one"})
    id_token = fields.String(metadata={"description": "ES256 JWT: aud = client_id, nonce, at_hash, auth_time"})


class RevokeFormSchema(Schema):
    """``POST /sso/revoke`` (form-encoded, RFC 7009)."""

    token = fields.String(required=True)
    token_type_hint = fields.String(metadata={"enum": ["access_token", "refresh_token"]})
    client_id = fields.String()
    client_assertion_type = fields.String(metadata={"description": "private_key_jwt, as at the token endpoint"})
    client_assertion = fields.String(metadata={"description": "private_key_jwt, as at the token endpoint"})


class AddressClaimSchema(Schema):
    """The ``address`` claim."""

    formatted = fields.String()
    region = fields.String(metadata={"description": "the kelurahan's code"})
    country = fields.String()


class UserInfoSchema(Schema):
    """What the token's scopes release (``openid``: sub only)."""

    sub = fields.String(required=True)
    name = fields.String()
    birthdate = fields.String()
    gender = fields.String()
    locale = fields.String()
    phone_number = fields.String()
    phone_number_verified = fields.Boolean()
    address = fields.Nested(AddressClaimSchema)
    nik = fields.String(metadata={"description": "only for clients an admin marked as entitled"})


class DiscoverySchema(Schema):
    """OpenID Provider metadata (OpenID Connect Discovery 1.0)."""

    class Meta:
        # Discovery carries many standard fields; RPs read them by name.
        unknown = "include"

    issuer = fields.String(required=True)
    authorization_endpoint = fields.String(required=True)
    token_endpoint = fields.String(required=True)
    userinfo_endpoint = fields.String(required=True)
    jwks_uri = fields.String(required=True)
    revocation_endpoint = fields.String()
    end_session_endpoint = fields.String()
    scopes_supported = fields.List(fields.String())
    response_types_supported = fields.List(fields.String())
    grant_types_supported = fields.List(fields.String())
    code_challenge_methods_supported = fields.List(fields.String())
    id_token_signing_alg_values_supported = fields.List(fields.String())
    token_endpoint_auth_methods_supported = fields.List(fields.String())
    revocation_endpoint_auth_methods_supported = fields.List(fields.String())
    token_endpoint_auth_signing_alg_values_supported = fields.List(fields.String())
    revocation_endpoint_auth_signing_alg_values_supported = fields.List(fields.String())
    subject_types_supported = fields.List(fields.String())
    claims_supported = fields.List(fields.String())
    ui_locales_supported = fields.List(fields.String())


class SsoClientOpdSchema(Schema):
    """The OPD owning a system."""

    code = fields.String(required=True)
    name = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    kind = fields.String()
    active = fields.Boolean()


class ScopeLabelSchema(Schema):
    """A scope and what it releases, in the request's language."""

    scope = fields.String(required=True)
    label = fields.String(required=True)


class ConnectedAppSchema(Schema):
    """A system the citizen signed in to, and what they agreed it may read."""

    client_id = fields.String(required=True)
    name = fields.String(required=True)
    opd = fields.Nested(SsoClientOpdSchema, required=True)
    scopes = fields.List(fields.Nested(ScopeLabelSchema), required=True)
    granted_at = UtcDateTime(required=True)


class ConnectedAppListSchema(Schema):
    """The citizen's connected systems."""

    items = fields.List(fields.Nested(ConnectedAppSchema), required=True)


class SsoClientCreateSchema(BaseSchema):
    """Register an OPD system."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    opd = fields.String(required=True, validate=validate.Length(min=1, max=20))
    redirect_uris = fields.List(_URI, required=True, validate=validate.Length(min=1, max=10))
    post_logout_redirect_uris = fields.List(_URI, validate=validate.Length(max=10), load_default=list)
    token_endpoint_auth_method = fields.String(
        load_default="client_secret_basic", validate=validate.OneOf(AUTH_METHODS),
        metadata={"description": "client_secret_basic (server, a secret), private_key_jwt (server, its own key) "
                                 "or none (public, PKCE only)"})
    jwks = fields.Dict(load_default=None, metadata={
        "description": 'private_key_jwt only: the system\'s public keys, {"keys": [...]}, 1 to 4 ES256 (P-256) '
                       "or RS256 (2048+ bits) keys"})
    allowed_scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), validate=validate.Length(max=len(SCOPES)),
                                 load_default=lambda: ["openid", "profile"])
    nik_entitled = fields.Boolean(load_default=False, metadata={"description": "may ask for the nik scope"})


class SsoClientUpdateSchema(BaseSchema):
    """Change an OPD system (only the fields sent)."""

    name = fields.String(validate=validate.Length(min=2, max=120))
    opd = fields.String(validate=validate.Length(min=1, max=20))
    redirect_uris = fields.List(_URI, validate=validate.Length(min=1, max=10))
    post_logout_redirect_uris = fields.List(_URI, validate=validate.Length(max=10))
    allowed_scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), validate=validate.Length(max=len(SCOPES)))
    nik_entitled = fields.Boolean()
    jwks = fields.Dict(metadata={"description": "private_key_jwt only: replaces the system's public keys"})


class SsoClientSchema(Schema):
    """A registered OPD system (never its secret)."""

    client_id = fields.String(required=True)
    name = fields.String(required=True)
    opd = fields.Nested(SsoClientOpdSchema, required=True)
    redirect_uris = fields.List(fields.String(), required=True)
    post_logout_redirect_uris = fields.List(fields.String(), required=True)
    token_endpoint_auth_method = fields.String(required=True)
    jwks = fields.Dict(allow_none=True, metadata={"description": "private_key_jwt: the registered public keys"})
    allowed_scopes = fields.List(fields.String(), required=True)
    nik_entitled = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class SsoClientCreatedSchema(SsoClientSchema):
    """A client just registered (or given a new secret): the secret is shown this once."""

    client_secret = fields.String(allow_none=True, metadata={
        "description": "shown once; null for a public client and a private_key_jwt client"})


class SsoClientListSchema(Schema):
    """Every registered OPD system."""

    items = fields.List(fields.Nested(SsoClientSchema), required=True)


