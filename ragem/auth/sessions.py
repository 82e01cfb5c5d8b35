"""Log-in sessions: log-in, refresh-token rotation with reuse detection, and revocation.

A session is one logged-in device. Its first refresh token is a random 256-bit URL-safe string;
each refresh replaces it with its successor (a keyed HMAC of it, see ``successor_token``). Tokens
are stored only as SHA-256 hashes, and the replaced hash is kept in ``auth_rotated_refresh``.
Presented again within a few seconds (a mobile app firing two refreshes at once, or retrying one
whose answer was lost), a rotated token answers the session's current token; presented later, it
means two parties hold the session (a stolen token), so the whole session is revoked. Access
tokens carry the session id (``sid``); every authenticated request checks that the session is
still active (``ragem.auth.active_session``), so revoking a session stops its access tokens on
every worker and host within ``RAGEM_STATE_TTL``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from flask import current_app
from flask_jwt_extended import get_jwt, verify_jwt_in_request
from sqlalchemy import delete, or_, select, update

from ragem.auth import throttle
from ragem.auth.identifiers import find_account
from ragem.auth.models import AuthSession, RotatedRefreshToken, User
from ragem.auth.passwords import verify_password
from ragem.auth.tokens import access_token_seconds, issue_access_token
from ragem.errors import Forbidden, NotFound, Unauthorized
from ragem.extensions import db
from ragem.pagination import paginate
from ragem.hooktypes import PeriodicJob
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")

# How long a rotated refresh token is remembered for reuse detection.
REUSE_MEMORY = timedelta(days=2)
# How long a revoked or expired session is kept before the account's next log-in deletes it.
DEAD_SESSION_KEPT = timedelta(days=7)
DEVICE_MAX = 200

PHONE_NOT_VERIFIED = {
    "id": "Nomor ponsel belum diverifikasi. Masukkan kode yang dikirim lewat SMS.",
    "en": "The phone number is not verified yet. Enter the code sent by SMS.",
}
INVALID_REFRESH = {
    "id": "Sesi berakhir atau tidak valid. Silakan masuk kembali.",
    "en": "The session has ended or is not valid. Please log in again.",
}

SUPERSEDED_REFRESH = {
    "id": "Token penyegaran ini sudah diganti lewat permintaan lain. Gunakan token terbaru yang Anda terima.",
    "en": "This refresh token was already replaced through another request. Use the newest one you received.",
}


def hash_token(token: str) -> str:
    """SHA-256 (hex) of a refresh token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _refresh_lifetime() -> timedelta:
    return timedelta(days=current_app.config["RAGEM"]["REFRESH_TOKEN_DAYS"])


def _new_refresh_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


# -- log-in ------------------------------------------------------------------------------------


def log_in(identifier: str, password: str, *, device: str | None, ip: str | None) -> dict:
    """Check the credentials and open a session; returns the token response. The caller commits.

    The checks are ``authenticate``'s (throttling and lockout included).
    """
    user = authenticate(identifier, password)
    session, refresh_token = start_session(user, device=device, ip=ip)
    return issue_tokens(user, session, refresh_token)


def authenticate(identifier: str, password: str) -> User:
    """The account these credentials prove, with the API's throttling and lockout; opens no session.

    Shared by the API's log-in and the console's, so both count failures against one lock.
    Unknown accounts and wrong passwords get the same 401 ``invalid_credentials`` after the same
    argon2 work; a locked account (or unknown identifier) gets 429 before any password is checked; an unverified phone
    gets 403 ``phone_not_verified``, but only once the password was right.
    """
    user = find_account(identifier)
    key = throttle.subject_key(identifier, user)  # phone, NIK and email of one account: one counter
    throttle.check(key)
    matches = verify_password(user.password_hash if user is not None else None, password)
    if not matches or user is None or not user.is_active:
        throttle.record_failure(key)
        db.session.commit()  # the failure must count even though the request fails
        raise Unauthorized("invalid_credentials")
    throttle.reset(key)
    if not user.is_verified:
        db.session.commit()
        raise Forbidden("phone_not_verified", PHONE_NOT_VERIFIED)
    return user


# -- sessions and tokens ------------------------------------------------------------------------


def start_session(user: User, *, device: str | None, ip: str | None) -> tuple[AuthSession, str]:
    """Open a session for ``user`` and return it with its first refresh token (plain text, shown once)."""
    now = utcnow()
    token = _new_refresh_token()
    session = AuthSession(
        user_id=user.id,
        device=(device or "").strip()[:DEVICE_MAX] or None,
        ip_address=(ip or None) and ip[:45],
        created_at=now,
        last_used_at=now,
        auth_time=now,
        refresh_hash=hash_token(token),
        refresh_expires_at=now + _refresh_lifetime(),
    )
    db.session.add(session)
    # The account's sessions that ended a while ago go now: nothing reads them any more, and
    # deleting them here (by user_id, indexed) keeps the table from growing without a cron job.
    db.session.execute(
        delete(AuthSession)
        .where(AuthSession.user_id == user.id)
        .where(or_(AuthSession.revoked_at < now - DEAD_SESSION_KEPT, AuthSession.refresh_expires_at < now - DEAD_SESSION_KEPT))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return session, token


def issue_tokens(user: User, session: AuthSession, refresh_token: str) -> dict:
    """The token response: access_token, refresh_token, token_type, expires_in, refresh_expires_in."""
    refresh_left = (session.refresh_expires_at - utcnow()).total_seconds()
    return {
        "access_token": issue_access_token(user, session_id=session.id),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": access_token_seconds(),
        "refresh_expires_in": max(0, int(refresh_left)),
    }


def rotate_refresh(refresh_token: str, *, ip: str | None = None) -> tuple[AuthSession, str]:
    """Exchange a refresh token for its successor. A token rotated moments ago (within the grace)
    answers the session's current token; a rotated token presented later revokes the session (401)."""
    presented = hash_token(refresh_token)
    now = utcnow()
    session = db.session.scalar(
        select(AuthSession).where(AuthSession.refresh_hash == presented).with_for_update()
    )
    if session is None:
        return _repeat(refresh_token, presented, now)
    user = db.session.get(User, session.user_id)
    if session.revoked_at is not None or session.refresh_expires_at <= now or user is None or not user.is_active:
        raise Unauthorized("invalid_refresh_token", INVALID_REFRESH)
    token = successor_token(refresh_token)
    # Conditional on the hash we read: of two refreshes racing with one token only one rotates; the
    # other is a repeat (PostgreSQL serialises on the row lock, SQLite on its single writer).
    changed = db.session.execute(
        update(AuthSession)
        .where(AuthSession.id == session.id, AuthSession.refresh_hash == presented, AuthSession.revoked_at.is_(None))
        .values(
            refresh_hash=hash_token(token), refresh_expires_at=now + _refresh_lifetime(), last_used_at=now,
            ip_address=(ip or None) and ip[:45],
        )
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed != 1:
        db.session.rollback()  # the winner committed its rotation: answer as to a repeat
        return _repeat(refresh_token, presented, utcnow())
    db.session.add(RotatedRefreshToken(token_hash=presented, session_id=session.id, rotated_at=now))
    # An app refreshing every quarter hour would pile up a hundred hashes a day per session. A
    # token rotated longer ago than REUSE_MEMORY is still dead when presented (it matches
    # nothing); remembering it would only add that a very late replay also ends the session.
    db.session.execute(
        delete(RotatedRefreshToken)
        .where(RotatedRefreshToken.session_id == session.id, RotatedRefreshToken.rotated_at < now - REUSE_MEMORY)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return session, token


def refresh(refresh_token: str, *, ip: str | None = None) -> dict:
    """Rotate ``refresh_token`` and answer like log-in (a new access and refresh token)."""
    session, token = rotate_refresh(refresh_token, ip=ip)
    return issue_tokens(db.session.get(User, session.user_id), session, token)


def successor_token(refresh_token: str) -> str:
    """The refresh token that replaces ``refresh_token``: HMAC-SHA256 of it under a key derived
    from RAGEM_DATA_KEY, URL-safe like a fresh one (43 characters).

    Deterministic so that a repeat within the grace can hand out the very token the first answer
    carried without it being stored anywhere: the database keeps only its SHA-256, as for every
    refresh token. Unpredictable without the key, so a session's chain cannot be walked ahead.
    """
    key = _successor_key(current_app.config["RAGEM"]["DATA_KEY"])
    digest = hmac.new(key, refresh_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def _successor_key(data_key: str) -> bytes:
    # Its own HKDF purpose: never the bytes that encrypt personal data or hash identifiers.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ragem-refresh", info=b"successor").derive(
        data_key.encode()
    )


def _reuse_grace() -> timedelta:
    return timedelta(seconds=current_app.config["RAGEM"]["REFRESH_REUSE_GRACE_SECONDS"])


def _repeat(refresh_token: str, presented_hash: str, now: datetime) -> tuple[AuthSession, str]:
    """Answer a refresh token that is not (or no longer) a session's current one.

    Unknown: 401. Rotated within the grace: the session's current token, which is the presented
    token's successor, so both racing requests carry the same live token. Rotated within the
    grace but its successor was rotated too: 401 ``superseded``, the session untouched; handing
    out the newest token would give whoever holds an old token the live one, and the client
    that rotated the successor already holds it. Rotated before the grace: two parties hold the
    session (a copied token), so it is revoked.
    """
    rotated = db.session.get(RotatedRefreshToken, presented_hash, populate_existing=True)
    if rotated is None:
        raise Unauthorized("invalid_refresh_token", INVALID_REFRESH)
    if now - rotated.rotated_at > _reuse_grace():
        _reuse_detected(rotated.session_id)
    session = db.session.get(AuthSession, rotated.session_id, populate_existing=True)
    user = db.session.get(User, session.user_id) if session is not None else None
    if session is None or session.revoked_at is not None or session.refresh_expires_at <= now \
            or user is None or not user.is_active:
        raise Unauthorized("invalid_refresh_token", INVALID_REFRESH)
    token = successor_token(refresh_token)
    if session.refresh_hash != hash_token(token):
        log.info("refresh repeated after its successor was rotated", extra={"session_id": session.id})
        raise Unauthorized("invalid_refresh_token", SUPERSEDED_REFRESH, details={"reason": "superseded"})
    return session, token


def _reuse_detected(session_id: str) -> None:
    log.warning("refresh token reused: session revoked", extra={"session_id": session_id})
    db.session.rollback()
    revoke_session(session_id, reason="refresh_reuse")
    db.session.commit()  # the revocation must stand although the request fails
    raise Unauthorized("invalid_refresh_token", INVALID_REFRESH, details={"reason": "reuse_detected"})


def revoke_session(session_id: str, *, reason: str) -> None:
    """Revoke one session: its refresh token at once, every access token carrying its ``sid`` within
    ``RAGEM_STATE_TTL`` on every worker (at once on this one, once the caller commits)."""
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason[:40], refresh_hash=None)
        .execution_options(synchronize_session="fetch")
    )


def revoke_user_sessions(user_id: str, *, reason: str, except_session_id: str | None = None) -> int:
    """Revoke every session of ``user_id`` (except one); returns how many were revoked."""
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if except_session_id is not None:
        stmt = stmt.where(AuthSession.id != except_session_id)
    result = db.session.execute(
        stmt.values(revoked_at=utcnow(), revoked_reason=reason[:40], refresh_hash=None)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def current_session_id() -> str | None:
    """The ``sid`` claim of the request's access token, if any."""
    try:
        return get_jwt().get("sid")
    except RuntimeError:  # the token was not verified yet in this request
        pass
    try:
        verify_jwt_in_request(optional=True)
        return get_jwt().get("sid")
    except Exception:  # noqa: BLE001 - no (valid) token: no session
        return None


def session_auth_time(session_id: str | None) -> datetime | None:
    """When the user last proved their password in this session (``None`` if it is not active)."""
    if not session_id:
        return None
    session = db.session.get(AuthSession, session_id)
    if session is None or session.revoked_at is not None:
        return None
    return session.auth_time


# -- the user's own sessions ----------------------------------------------------------------------


def list_active_sessions(user_id: str, *, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """The user's active sessions, most recently opened first, with the calling one flagged."""
    now = utcnow()
    stmt = select(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.refresh_expires_at > now
    )
    rows, next_cursor = paginate(
        db.session, stmt, [AuthSession.created_at, AuthSession.id], limit=limit, cursor=cursor
    )
    current = current_session_id()
    items = [
        {
            "id": row.id, "device": row.device, "ip": row.ip_address, "created_at": row.created_at,
            "last_used_at": row.last_used_at, "current": row.id == current,
        }
        for row in rows
    ]
    return items, next_cursor


def revoke_own_session(user_id: str, session_id: str) -> None:
    """Revoke one of the caller's sessions; another person's (or none) is a 404."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.user_id != user_id:
        raise NotFound()
    revoke_session(session_id, reason="revoked_by_user")


def purge_dead_sessions(now: datetime | None = None) -> int:
    """Delete sessions that ended (revoked, or refresh token expired) more than ``DEAD_SESSION_KEPT``
    ago, with their rotated refresh tokens; returns how many. A log-in already clears its own
    account's; this nightly job clears those of accounts that never come back."""
    cutoff = (now or utcnow()) - DEAD_SESSION_KEPT
    dead = select(AuthSession.id).where(or_(AuthSession.revoked_at < cutoff, AuthSession.refresh_expires_at < cutoff))
    ids = list(db.session.scalars(dead))
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        # Explicitly, not by ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
        db.session.execute(delete(RotatedRefreshToken).where(RotatedRefreshToken.session_id.in_(batch)))
        db.session.execute(delete(AuthSession).where(AuthSession.id.in_(batch)))
    db.session.commit()
    if ids:
        log.info("dead sessions purged", extra={"count": len(ids)})
    return len(ids)


#: Registered with the scheduler by ``ragem.auth.init_app``: every night at 03:00 WIB.
PURGE_JOB = PeriodicJob("sessions-purge", every_seconds=24 * 3600, func=purge_dead_sessions, at="03:00")
