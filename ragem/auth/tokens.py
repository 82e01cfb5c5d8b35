"""Access tokens: flask-jwt-extended, ES256, a ``kid`` header and a session id in every token.

Keys come from ``ragem.auth.keys`` (rotating, shared through the database). Every authenticated
request checks that the token's session (``sid``) is still active: one primary-key look-up, so a
log-out or a revoked session stops its tokens at once on every worker and host.
"""
from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from datetime import timedelta

from flask import Flask, current_app, g
from flask_jwt_extended import create_access_token
from jwt.exceptions import InvalidTokenError

from ragem.auth import keys
from ragem.auth.active_session import check_request_session, touch_after_request
from ragem.auth.models import User
from ragem.errors import error_response
from ragem.extensions import db, jwt

# The key set chosen for the token being encoded: the header loader picks it, the key loader
# signs with the same one, so a rotation between the two calls cannot mismatch kid and key.
_encoding_with: ContextVar[keys.KeySet | None] = ContextVar("ragem_encoding_keys", default=None)

ISSUER = "ragem"


def configure(app: Flask, settings: dict) -> None:
    """Bind flask-jwt-extended to the rotating key set and route its errors to our envelope."""
    keys.check_configured(settings)
    app.config.update(
        JWT_ALGORITHM=keys.ALGORITHM,
        # Only ES256 verifies: "none", HS256 keyed with the public key and friends are refused.
        JWT_DECODE_ALGORITHMS=[keys.ALGORITHM],
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=settings["ACCESS_TOKEN_MINUTES"]),
        JWT_TOKEN_LOCATION=["headers"],
        JWT_IDENTITY_CLAIM="sub",
        JWT_ENCODE_ISSUER=ISSUER,
        JWT_DECODE_ISSUER=ISSUER,
        # Every access token names RAGEM's API as its audience, and only such tokens are accepted:
        # a token RAGEM's key signed for another party (or one without aud) is refused here, as an
        # OPD system refuses tokens not meant for it (docs/tokens.md).
        JWT_ENCODE_AUDIENCE=settings["TOKEN_AUDIENCE"],
        JWT_DECODE_AUDIENCE=settings["TOKEN_AUDIENCE"],
        JWT_ENCODE_NBF=False,  # iat says the same; one clock-sensitive claim is enough for verifiers
        JWT_COOKIE_CSRF_PROTECT=False,  # tokens travel in the Authorization header only: no csrf claim
    )
    app.extensions["ragem.keys"] = keys.KeyCache()
    app.extensions["ragem.verified_tokens"] = VerifiedTokens()
    jwt.init_app(app)
    _remember_verified_tokens()
    app.teardown_request(touch_after_request)


class VerifiedTokens:
    """Claims of access tokens this worker has verified, kept until each token's ``exp``.

    A mobile app sends the same token for up to 15 minutes; checking its ES256 signature and
    re-parsing it on every request was a third of an authenticated request's cost. Only the
    signature and claim checks are remembered: the session check (revocation) and the account
    look-up still run on every request. The key is the whole token, so only its holder hits it.
    """

    MAX_ENTRIES = 4096

    def __init__(self) -> None:
        self._claims: dict[str, dict] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> dict | None:
        """The claims of ``token`` if it was verified and has not expired since, else ``None``."""
        claims = self._claims.get(token)
        if claims is None or claims.get("exp", 0) <= time.time():
            return None
        return dict(claims)  # a copy: callers may not change what the next request sees

    def put(self, token: str, claims: dict) -> None:
        """Remember ``claims`` of a token that just passed verification."""
        with self._lock:
            if len(self._claims) >= self.MAX_ENTRIES:
                now = time.time()
                self._claims = {t: c for t, c in self._claims.items() if c.get("exp", 0) > now}
                if len(self._claims) >= self.MAX_ENTRIES:
                    self._claims.clear()
            self._claims[token] = dict(claims)


def _remember_verified_tokens() -> None:
    """Put ``VerifiedTokens`` in front of flask-jwt-extended's decoding (once per process).

    flask-jwt-extended has no hook between "token read" and "signature checked", so its
    ``_decode_jwt_from_config`` is wrapped on our ``JWTManager`` instance; failures are never
    remembered and fall through to the library's own errors.
    """
    if getattr(jwt, "_ragem_remembers_tokens", False):
        return
    verify = type(jwt)._decode_jwt_from_config

    def decode(encoded_token, csrf_value=None, allow_expired=False):
        remembered = current_app.extensions.get("ragem.verified_tokens")
        if remembered is None or allow_expired or not isinstance(encoded_token, str):
            return verify(jwt, encoded_token, csrf_value, allow_expired)
        claims = remembered.get(encoded_token)
        if claims is None:
            claims = verify(jwt, encoded_token, csrf_value, allow_expired)
            remembered.put(encoded_token, claims)
        return claims

    jwt._decode_jwt_from_config = decode
    jwt._ragem_remembers_tokens = True


def issue_access_token(user, *, session_id: str) -> str:
    """A short-lived access token: sub (UUID), roles, opd, sid, aud (RAGEM's API); no personal data."""
    return create_access_token(
        identity=user.id,
        additional_claims={"roles": user.roles, "opd": user.opd_code, "sid": session_id},
    )


def access_token_seconds() -> int:
    """The access-token lifetime in seconds."""
    return int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())


@jwt.additional_headers_loader
def _kid_header(_identity):
    chosen = keys.current()
    _encoding_with.set(chosen)
    return {"kid": chosen.signing_kid}


@jwt.encode_key_loader
def _signing_key(_identity):
    chosen = _encoding_with.get() or keys.current()
    _encoding_with.set(None)
    return chosen.signing_key


@jwt.decode_key_loader
def _verifying_key(header, _payload):
    key = keys.verifying_key(header.get("kid"))
    if key is None:
        raise InvalidTokenError("unknown or missing kid")  # -> 401 invalid_token
    return key


@jwt.token_in_blocklist_loader
def _session_revoked(_header, payload) -> bool:
    return not check_request_session(payload.get("sid"), payload.get("sub"))


@jwt.user_lookup_loader
def _load_user(_header, payload):
    user = g.get("ragem_request_user")  # loaded with the session check, in the same statement
    if user is None or user.id != payload.get("sub"):
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
