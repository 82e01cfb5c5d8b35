"""Log-in and the published signing key."""
from __future__ import annotations

from flask import current_app

from ragem.auth import service
from ragem.auth.schemas import JwksSchema, LoginSchema, TokenSchema
from ragem.auth.tokens import issue_access_token
from ragem.blueprint import Blueprint
from ragem.extensions import db, limiter

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log-in and tokens")
jwks_blp = Blueprint("jwks", __name__, description="Public signing keys")


@blp.route("/login", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
def login(credentials):
    """Exchange a phone number (or email) and password for an access token."""
    user = service.authenticate(credentials["identifier"], credentials["password"])
    token = issue_access_token(user)
    db.session.commit()
    expires = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return {"access_token": token, "token_type": "Bearer", "expires_in": int(expires.total_seconds())}


@jwks_blp.route("/.well-known/jwks.json")
@jwks_blp.response(200, JwksSchema)
def jwks():
    """The public keys that verify RAGEM access tokens (RFC 7517), so OPD systems verify offline."""
    return {"keys": [current_app.extensions["ragem.jwk"]]}
