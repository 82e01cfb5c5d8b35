"""Log-in, token refresh, log-out, the caller's sessions, and the published signing keys."""
from __future__ import annotations

from flask import g, request

from ragem.auth import keys, sessions, throttle
from ragem.auth.guards import login_required
from ragem.auth.schemas import AuthSessionPageSchema, JwksSchema, LoginSchema, RefreshSchema, TokenSchema
from ragem.blueprint import Blueprint
from ragem.extensions import db, limiter
from ragem.pagination import PageArgsSchema
from ragem.schemas import ErrorSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Log-in, tokens and sessions")
jwks_blp = Blueprint("jwks", __name__, description="Public signing keys")

# Tokens are credentials: no proxy or browser cache may keep a copy.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _device() -> str | None:
    return request.user_agent.string or None


@blp.route("/login", methods=["POST"])
@limiter.limit(throttle.LOGIN_IP_LIMITS)
@throttle.limit_per_identifier
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Unknown account or wrong password (invalid_credentials)")
@blp.alt_response(403, schema=ErrorSchema, description="Right password, phone not verified yet (phone_not_verified)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many failures for this identifier (too_many_attempts) or requests (rate_limited); see Retry-After")
def login(credentials):
    """Exchange a phone number (08..., 62..., +62...), NIK or email and the password for tokens.

    Opens a session (one per device) listed under ``/api/v1/auth/sessions``.
    """
    tokens = sessions.log_in(
        credentials["identifier"], credentials["password"],
        device=credentials.get("device") or _device(), ip=request.remote_addr,
    )
    db.session.commit()
    return tokens, 200, NO_STORE


@blp.route("/refresh", methods=["POST"])
@limiter.limit(throttle.REFRESH_IP_LIMIT)
@blp.arguments(RefreshSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Unknown, expired or revoked refresh token; one reused after the grace also revokes its session (invalid_refresh_token)")
def refresh_tokens(body):
    """Exchange the refresh token for a new access token and a new refresh token (one use each; a
    repeat within a few seconds gets the same refresh token the first answer carried)."""
    tokens = sessions.refresh(body["refresh_token"], ip=request.remote_addr)
    db.session.commit()
    return tokens, 200, NO_STORE


@blp.route("/logout", methods=["POST"])
@login_required
@blp.response(204)
def logout():
    """End this session now: its refresh token and access tokens stop working on every server."""
    sessions.revoke_session(sessions.current_session_id(), reason="logout")
    db.session.commit()


@blp.route("/sessions")
@login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, AuthSessionPageSchema)
def list_sessions(args):
    """The caller's active sessions (devices), newest first; ``current`` marks this one."""
    items, next_cursor = sessions.list_active_sessions(g.current_user.id, limit=args["limit"], cursor=args["cursor"])
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/sessions/<uuid:session_id>", methods=["DELETE"])
@login_required
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema, description="No such session among the caller's")
def revoke_session(session_id):
    """Log one of the caller's devices out now (the current one too, if asked)."""
    sessions.revoke_own_session(g.current_user.id, str(session_id))
    db.session.commit()


@jwks_blp.route("/.well-known/jwks.json")
@jwks_blp.response(200, JwksSchema)
def get_jwks():
    """The public keys that verify RAGEM access tokens (RFC 7517), so OPD systems verify offline.

    Retired keys stay listed until every token they signed has expired. Fetch again when a token
    names a ``kid`` you do not have: it may have been rotated in a moment ago.
    """
    return {"keys": keys.current().jwks}, 200, {"Cache-Control": "public, max-age=300"}
