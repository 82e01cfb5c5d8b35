"""The tokens RAGEM gives OPD systems: ES256 access tokens with the system as audience, and
refresh tokens that rotate with reuse detection.

An access token is a JWT (``typ: at+jwt``) signed with RAGEM's keys whose ``aud`` is the
client's id: RAGEM's own API refuses it (its audience is ``ragem-api``), and ``userinfo``
accepts only tokens found here, so an app access token is refused there. Both tokens are kept as
SHA-256 hashes. Every token issued from one authorization code shares a ``grant_id``; presenting
a refresh token that was already exchanged revokes the whole grant (it was copied).
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt
from flask import current_app
from sqlalchemy import update

from ragem.auth import keys
from ragem.extensions import db
from ragem.sso.models import SsoToken
from ragem.timeutil import utcnow

ACCESS_TOKEN_TYPE = "at+jwt"


def hash_token(token: str) -> str:
    """SHA-256 (hex) of a token or code: what the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def access_seconds() -> int:
    """Lifetime of access and ID tokens: the app's access-token lifetime (a retired signing key
    stays published exactly that long, so every token stays verifiable until it expires)."""
    return int(keys.access_lifetime().total_seconds())


def refresh_lifetime() -> timedelta:
    """Refresh tokens live as long as the app's (``RAGEM_REFRESH_TOKEN_DAYS``)."""
    return timedelta(days=current_app.config["RAGEM"]["REFRESH_TOKEN_DAYS"])


def sign(claims: dict[str, Any], *, typ: str = "JWT") -> str:
    """``claims`` signed with the current ES256 key (``kid`` in the header)."""
    key_set = keys.current()
    return jwt.encode(claims, key_set.signing_key, algorithm=keys.ALGORITHM,
                      headers={"kid": key_set.signing_kid, "typ": typ})


def issuer() -> str:
    """The provider's issuer URL: ``RAGEM_SSO_ISSUER``, else the URL this request came to."""
    from flask import request  # noqa: PLC0415

    configured = current_app.config["RAGEM"].get("SSO_ISSUER")
    return (configured or request.host_url).rstrip("/")


def generate(grant_type, client, user=None, scope=None, expires_in=None, include_refresh_token=True) -> dict:
    """The token response for ``client`` (Authlib's token generator signature)."""
    now = int(utcnow().timestamp())
    lifetime = access_seconds()
    claims = {
        "iss": issuer(), "sub": user.id, "aud": client.get_client_id(), "client_id": client.get_client_id(),
        "scope": scope or "", "iat": now, "exp": now + lifetime, "jti": secrets.token_urlsafe(16),
    }
    token = {"token_type": "Bearer", "access_token": sign(claims, typ=ACCESS_TOKEN_TYPE),
             "expires_in": lifetime, "scope": scope or ""}
    if include_refresh_token:
        token["refresh_token"] = secrets.token_urlsafe(32)
    return token


def save(token: dict, *, client_id: str, user_id: str, grant_id: str | None, auth_time: datetime,
         session_id: str | None) -> SsoToken:
    """Keep the hashes of a token response just issued (a new grant when ``grant_id`` is ``None``)."""
    now = utcnow()
    row = SsoToken(
        grant_id=grant_id or str(uuid.uuid4()),
        client_id=client_id,
        user_id=user_id,
        scope=token.get("scope") or "",
        access_hash=hash_token(token["access_token"]),
        refresh_hash=hash_token(token["refresh_token"]) if token.get("refresh_token") else None,
        issued_at=now,
        access_expires_at=now + timedelta(seconds=token["expires_in"]),
        refresh_expires_at=now + refresh_lifetime() if token.get("refresh_token") else None,
        auth_time=auth_time,
        session_id=session_id,
    )
    db.session.add(row)
    db.session.flush()
    return row


def by_refresh_token(refresh_token: str) -> SsoToken | None:
    """The token row of ``refresh_token`` (whatever its state), or ``None``."""
    if not isinstance(refresh_token, str) or not refresh_token or len(refresh_token) > 512:
        return None
    return db.session.query(SsoToken).filter_by(refresh_hash=hash_token(refresh_token)).one_or_none()


def by_access_token(access_token: str) -> SsoToken | None:
    """The token row of ``access_token`` (whatever its state), or ``None``."""
    if not isinstance(access_token, str) or not access_token or len(access_token) > 4096:
        return None
    return db.session.query(SsoToken).filter_by(access_hash=hash_token(access_token)).one_or_none()


def revoke_where(*conditions) -> int:
    """Revoke every live token matching ``conditions``; returns how many. The caller commits."""
    result = db.session.execute(
        update(SsoToken).where(*conditions, SsoToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount or 0


def revoke_grant(grant_id: str) -> int:
    """Revoke every token issued from one authorization code (reuse detected, code replayed, revoked)."""
    return revoke_where(SsoToken.grant_id == grant_id)


def verify_access_token(token: str) -> tuple[dict, SsoToken] | None:
    """The claims and row of a live access token RAGEM gave a client, or ``None``.

    Checks the ES256 signature by ``kid``, ``iss``, ``exp``, the ``at+jwt`` type, that ``aud``
    names the client the token was given to, and that the token was neither revoked nor expired.
    A RAGEM app token (audience ``ragem-api``, no row here) is refused.
    """
    row = by_access_token(token)
    if row is None or row.revoked_at is not None or row.access_expires_at <= utcnow():
        return None
    try:
        header = jwt.get_unverified_header(token)
        key = keys.verifying_key(header.get("kid"))
        if key is None or header.get("typ") != ACCESS_TOKEN_TYPE:
            return None
        claims = jwt.decode(token, key, algorithms=[keys.ALGORITHM], audience=row.client_id, issuer=issuer(),
                            options={"require": ["exp", "iat", "sub", "aud", "iss"]})
    except jwt.InvalidTokenError:
        return None
    if claims.get("sub") != row.user_id:
        return None
    return claims, row
