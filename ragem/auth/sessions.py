"""Log-in sessions: refresh-token rotation with reuse detection, and revocation.

(Interface fixed; the implementation is being written.)
"""
from __future__ import annotations

from ragem.auth.models import AuthSession, User


def start_session(user: User, *, device: str | None, ip: str | None) -> tuple[AuthSession, str]:
    """Open a session for ``user`` and return it with its first refresh token (plain text, shown once)."""
    raise NotImplementedError


def issue_tokens(user: User, session: AuthSession, refresh_token: str) -> dict:
    """The token response: access_token, refresh_token, token_type, expires_in, refresh_expires_in."""
    raise NotImplementedError


def rotate_refresh(refresh_token: str, *, ip: str | None = None) -> tuple[AuthSession, str]:
    """Exchange a refresh token for a new one; a rotated token presented again revokes the session (401)."""
    raise NotImplementedError


def revoke_session(session_id: str, *, reason: str) -> None:
    """Revoke one session at once: its refresh token and every access token carrying its ``sid``."""
    raise NotImplementedError


def revoke_user_sessions(user_id: str, *, reason: str, except_session_id: str | None = None) -> int:
    """Revoke every session of ``user_id`` (except one); returns how many were revoked."""
    raise NotImplementedError


def is_session_active(session_id: str) -> bool:
    """Whether the session exists and is not revoked (checked on every authenticated request)."""
    raise NotImplementedError


def current_session_id() -> str | None:
    """The ``sid`` claim of the request's access token, if any."""
    raise NotImplementedError
