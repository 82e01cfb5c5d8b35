"""Access tokens: flask-jwt-extended configured for ES256 with a ``kid`` header."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, g
from flask_jwt_extended import create_access_token

from ragem.auth import keys
from ragem.errors import error_response
from ragem.extensions import db, jwt


def configure(app: Flask, settings: dict) -> None:
    """Bind flask-jwt-extended to the signing key and route its errors to our envelope."""
    private_pem = keys.load_private_pem(settings)
    app.config.update(
        JWT_ALGORITHM=keys.ALGORITHM,
        JWT_DECODE_ALGORITHMS=[keys.ALGORITHM],
        JWT_PRIVATE_KEY=private_pem,
        JWT_PUBLIC_KEY=keys.public_pem(private_pem),
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=settings["ACCESS_TOKEN_MINUTES"]),
        JWT_TOKEN_LOCATION=["headers"],
        JWT_IDENTITY_CLAIM="sub",
        JWT_ENCODE_ISSUER="ragem",
        JWT_DECODE_ISSUER="ragem",
    )
    app.extensions["ragem.jwk"] = keys.public_jwk(private_pem)
    jwt.init_app(app)


def issue_access_token(user) -> str:
    """A short-lived access token for ``user``: UUID, roles and OPD, no personal data."""
    return create_access_token(
        identity=user.id,
        additional_claims={"roles": user.roles, "opd": user.opd_code},
    )


@jwt.additional_headers_loader
def _kid_header(identity):
    from flask import current_app

    return {"kid": current_app.extensions["ragem.jwk"]["kid"]}


@jwt.user_lookup_loader
def _load_user(_header, payload):
    from ragem.auth.models import User

    user = db.session.get(User, payload.get("sub"))
    if user is None or not user.is_active:
        return None
    g.current_user = user
    return user


@jwt.user_lookup_error_loader
def _user_gone(_header, _payload):
    return error_response(401, "invalid_token")


@jwt.unauthorized_loader
def _missing(_reason):
    return error_response(401, "unauthorized")


@jwt.invalid_token_loader
def _invalid(_reason):
    return error_response(401, "invalid_token")


@jwt.expired_token_loader
def _expired(_header, _payload):
    return error_response(401, "invalid_token", details={"reason": "expired"})


@jwt.revoked_token_loader
def _revoked(_header, _payload):
    return error_response(401, "invalid_token", details={"reason": "revoked"})


@jwt.needs_fresh_token_loader
def _needs_fresh(_header, _payload):
    return error_response(401, "invalid_token", details={"reason": "fresh_login_required"})
