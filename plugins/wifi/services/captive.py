"""The captive-portal API (RFC 8908): is this client captive, and how much of its session is left.

The client is found, in this order, by the logged-in citizen (the RAGEM app asks with its bearer
token: their open session) or by the client's address (a device inside a hotspot network that
reaches RAGEM without address translation: the open session with that Framed-IP-Address).
Without an open session the client is captive and is sent to the portal.

Behind NAT (most hotspots) the address RAGEM sees is the router's, which matches no session: such a
device is told it is captive. docs/wifi.md names the deployments where the address works.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ragem import toolkit

from plugins.wifi import settings
from plugins.wifi.models import AccountingSession
from plugins.wifi.services import policies, usage


def _open_session(user_id: str | None, address: str | None) -> AccountingSession | None:
    stmt = select(AccountingSession).where(AccountingSession.state == "open")
    if user_id:
        stmt = stmt.where(AccountingSession.user_id == user_id)
    elif address:
        stmt = stmt.where(AccountingSession.framed_ip == address[:45])
    else:
        return None
    # A session with no packet for two interim periods and more has ended without its Stop.
    fresh = toolkit.utcnow() - timedelta(minutes=15)
    return toolkit.db.session.scalar(stmt.where(AccountingSession.updated_at >= fresh)
                                     .order_by(AccountingSession.updated_at.desc()).limit(1))


def status(user, address: str | None) -> dict:
    """The RFC 8908 answer for the client."""
    answer = {"captive": True, "user-portal-url": settings.PORTAL_URL.value()}
    session = _open_session(user.id if user is not None else None, address)
    if session is None:
        return answer
    policy = policies.effective_policy(session.hotspot_id)
    seconds_left, bytes_left = (policy.session_seconds, policy.daily_bytes)
    if session.user_id:
        day_seconds, bytes_left = usage.remaining(policy, usage.today(session.user_id))
        seconds_left = min(max(0, policy.session_seconds - session.session_seconds), day_seconds)
    answer.update({"captive": False, "seconds-remaining": seconds_left, "bytes-remaining": bytes_left,
                   "can-extend-session": False})
    return answer
