"""Access tokens: flask-jwt-extended, ES256, a ``kid`` header and a session id in every token.

Keys come from ``ragem.auth.keys`` (rotating, shared through the database). Every authenticated
request checks that the token's session (``sid``) is still active and its account too
(``ragem.auth.active_session``: read at most once per ``RAGEM_STATE_TTL`` per session and worker),
so a log-out or a revoked session stops its tokens on every worker and host within that bound.
A token this worker has verified once is remembered until it expires (``VerifiedTokens``).
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from datetime import timedelta

from flask import Flask, current_app, g, request
from flask_jwt_extended import create_access_token, verify_jwt_in_request
from flask_jwt_extended.exceptions import RevokedTokenError, UserLookupError
from jwt.exceptions import InvalidTokenError

from ragem.auth import active_session, keys
from ragem.auth.active_session import check_request_session, touch_after_request
from ragem.errors import error_response
from ragem.extensions import jwt

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
    active_session.init_app(app)
    jwt.init_app(app)
    app.teardown_request(touch_after_request)


class VerifiedTokens:
    """Access tokens this worker has fully verified, by SHA-256 of the token, until each one's ``exp``.

    A mobile app sends the same token for up to 15 minutes; checking its ES256 signature and
    parsing it on every request was a third of an authenticated request's cost. A token is
    remembered only after flask-jwt-extended accepted it (signature, ``iss``, ``aud``, ``exp``,
    type, session, account), with its header and claims; what can change while it is valid (the
    session and the account) is still checked on every request (``check_request_session``). At
    most ``MAX_ENTRIES`` tokens, the least recently used dropped first; never one past its ``exp``.
    """

    MAX_ENTRIES = 8192

    def __init__(self) -> None:
        self._tokens: OrderedDict[bytes, tuple[dict, dict]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, token: str) -> tuple[dict, dict] | None:
        """``(header, claims)`` of ``token`` if it was verified and has not expired since, else ``None``."""
        key = self._key(token)
        with self._lock:
            found = self._tokens.get(key)
            if found is None:
                return None
            if found[1].get("exp", 0) <= time.time():
                del self._tokens[key]
                return None
            self._tokens.move_to_end(key)
        return found

    def put(self, token: str, header: dict, claims: dict) -> None:
        """Remember a token that just passed every check (copies: callers may not change them)."""
        key = self._key(token)
        with self._lock:
            self._tokens[key] = (dict(header), dict(claims))
            self._tokens.move_to_end(key)
            while len(self._tokens) > self.MAX_ENTRIES:
                self._tokens.popitem(last=False)


def verify_request_token(optional: bool = False) -> None:
    """Check the request's bearer token like ``verify_jwt_in_request``, from memory when it can.

    A token this worker verified before (``VerifiedTokens``) skips signature and parsing; its
    session and account are checked as on the first request (``check_request_session``), with
    the same refusals: 401 ``invalid_token`` with reason ``revoked`` for an ended session, 401
    ``invalid_token`` for a deactivated or erased account. Anything else (no header, another
    form, a token not seen yet) goes through flask-jwt-extended and its errors.
    Sets ``g.current_user`` (a ``SessionAccount``) and what ``get_jwt()`` reads.
    """
    token = _plain_bearer(request.headers.get("Authorization"))
    remembered = current_app.extensions["ragem.verified_tokens"]
    found = remembered.get(token) if token is not None and request.method != "OPTIONS" else None
    if found is None:
        verified = verify_jwt_in_request(optional=optional)
        if verified is not None and token is not None:
            header, claims = verified
            remembered.put(token, header, claims)
        account = g.get("_jwt_extended_jwt_user", {}).get("loaded_user")
        if account is not None:
            g.current_user = account
        return
    header, claims = found
    if _session_revoked(header, claims):
        raise RevokedTokenError(header, claims)
    account = _load_user(header, claims)
    if account is None:
        raise UserLookupError("account not found or inactive", header, claims)
    # What flask-jwt-extended's own verification leaves behind, so get_jwt() and friends work
    # (copies: a view changing get_jwt() must not change what the next request reads).
    g._jwt_extended_jwt_user = {"loaded_user": account}
    g._jwt_extended_jwt_header = dict(header)
    g._jwt_extended_jwt = dict(claims)
    g._jwt_extended_jwt_location = "headers"


def _plain_bearer(value: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` in its plain form, else ``None``."""
    if not value or not value.startswith("Bearer "):
        return None
    token = value[7:]
    if not token or " " in token or "," in token or "\t" in token:
        return None
    return token


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
    account = check_request_session(payload.get("sid"), payload.get("sub"))
    g.ragem_session_account = account  # read by _load_user, which runs next
    return account is None


@jwt.user_lookup_loader
def _load_user(_header, payload):
    account = g.pop("ragem_session_account", None)  # what the session check read, account included
    if account is None or account.id != payload.get("sub") or not account.is_active:
        return None
    g.current_user = account
    return account


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
