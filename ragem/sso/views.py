"""The provider's JSON endpoints: discovery, token, userinfo, revoke.

Errors follow OAuth 2.0 (``{"error", "error_description"}``), as RPs' libraries expect; the
browser endpoints (authorize, log-in, consent, logout) are pages (``ragem.sso.pages``).
"""
from __future__ import annotations

from flask import jsonify, request, url_for

from ragem.auth import keys
from ragem.auth.models import User
from ragem.blueprint import Blueprint
from ragem.extensions import db, limiter
from ragem.http_guards import accepts_media_types
from ragem.i18n import LANGUAGES
from ragem.sso import claims as sso_claims
from ragem.sso import client_keys, clients, rp_tokens
from ragem.sso.schemas import (
    DiscoverySchema,
    OAuthErrorSchema,
    RevokeFormSchema,
    TokenFormSchema,
    TokenResponseSchema,
    UserInfoSchema,
)
from ragem.sso.server import CLIENT_AUTH_METHODS, server

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

blp = Blueprint("sso", __name__, url_prefix="/sso", description="Single sign-on for OPD systems (OpenID Connect)")
discovery_blp = Blueprint("sso_discovery", __name__, description="Single sign-on discovery")


def _oauth_errors(*statuses: int):
    return blp.doc(responses={status: {"description": "OAuth 2.0 error",
                                       "content": {"application/json": {"schema": OAuthErrorSchema}}}
                              for status in statuses})


def _form_body(schema):
    return blp.doc(requestBody={"required": True, "content": {FORM: {"schema": schema}}})


@discovery_blp.route("/.well-known/openid-configuration")
@discovery_blp.response(200, DiscoverySchema)
def openid_configuration():
    """OpenID Provider metadata: where an OPD system finds every endpoint and what RAGEM supports."""
    base = rp_tokens.issuer()

    def at(endpoint: str) -> str:
        return base + url_for(endpoint)

    body = {
        "issuer": base,
        "authorization_endpoint": at("sso_pages.authorize"),
        "token_endpoint": at("sso.token"),
        "userinfo_endpoint": at("sso.userinfo"),
        "jwks_uri": at("jwks.get_jwks"),
        "revocation_endpoint": at("sso.revoke"),
        "end_session_endpoint": at("sso_pages.logout"),
        "scopes_supported": list(sso_claims.SCOPE_CLAIMS),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "token_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": client_keys.ALGORITHMS,
        "revocation_endpoint_auth_signing_alg_values_supported": client_keys.ALGORITHMS,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "amr",
                             *[c for names in sso_claims.SCOPE_CLAIMS.values() for c in names]],
        "ui_locales_supported": list(LANGUAGES),
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }
    return body, 200, {"Cache-Control": "public, max-age=300"}


@blp.route("/token", methods=["POST"])
@accepts_media_types(FORM)
@limiter.limit("600 per minute")  # one OPD server signs many citizens in
@_form_body(TokenFormSchema)
@_oauth_errors(400, 401)
@blp.response(200, TokenResponseSchema)
def token():
    """Exchange a code (with its PKCE verifier) or a refresh token for tokens; refresh tokens rotate."""
    return server().create_token_response()


@blp.route("/revoke", methods=["POST"])
@accepts_media_types(FORM)
@limiter.limit("600 per minute")  # one OPD server signs many citizens in
@_form_body(RevokeFormSchema)
@_oauth_errors(400, 401)
@blp.response(200, description="revoked (also for an unknown token, RFC 7009)")
def revoke():
    """Revoke an access or refresh token: every token of that sign-in ends (RFC 7009)."""
    return server().create_endpoint_response("revocation")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.form.get("access_token") if request.mimetype == FORM else None


def _refused():
    response = jsonify(error="invalid_token", error_description="The access token is not valid for userinfo.")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    response.headers.update(NO_STORE)
    return response


@blp.route("/userinfo", methods=["GET", "POST"])
@accepts_media_types(FORM)
@blp.doc(security=[{"bearerAuth": []}])
@_oauth_errors(401)
@blp.response(200, UserInfoSchema)
def userinfo():
    """The claims the access token's scopes release about the citizen (recorded in their access log).

    Only access tokens RAGEM gave an OPD system are accepted; a RAGEM app token is refused.
    """
    presented = _bearer()
    verified = rp_tokens.verify_access_token(presented) if presented else None
    if verified is None:
        return _refused()
    claims, row = verified
    client = clients.find(row.client_id)
    user = db.session.get(User, row.user_id)
    if client is None or user is None or not user.is_active:
        return _refused()
    answer = {"sub": user.id, **sso_claims.user_claims(user, row.scope)}
    sso_claims.record_release(user, client, answer, via="userinfo")
    return answer, 200, NO_STORE
