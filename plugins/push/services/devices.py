"""Registering and forgetting the app's push tokens."""
from __future__ import annotations

from sqlalchemy import delete, select

from ragem import toolkit

from plugins.push.models import PushDevice


def register(user_id: str, token: str, platform: str) -> PushDevice:
    """Keep ``token`` for ``user_id``; commits. A token registered before (by this or another
    account: the phone changed hands, or logged in as someone else) now belongs to ``user_id`` only."""
    session = toolkit.db.session
    session.execute(delete(PushDevice).where(PushDevice.token == token))
    device = PushDevice(user_id=user_id, platform=platform)
    device.token = token
    session.add(device)
    session.commit()
    return device


def forget(user_id: str, token: str) -> bool:
    """Forget the caller's own ``token`` (log-out on that phone); commits; whether it was there."""
    gone = toolkit.db.session.execute(
        delete(PushDevice).where(PushDevice.token == token, PushDevice.user_id == user_id)).rowcount
    toolkit.db.session.commit()
    return bool(gone)


def tokens_of(user_id: str) -> list[PushDevice]:
    """The devices of ``user_id``, oldest first."""
    return list(toolkit.db.session.scalars(
        select(PushDevice).where(PushDevice.user_id == user_id).order_by(PushDevice.id)))


def drop(device_id: int) -> None:
    """Forget a device FCM says is no longer registered (the caller commits)."""
    toolkit.db.session.execute(delete(PushDevice).where(PushDevice.id == device_id))


def export(user_id: str) -> dict | None:
    """What the citizen's export shows: the platforms and dates, never the tokens."""
    rows = tokens_of(user_id)
    return {"devices": [{"platform": r.platform, "registered_at": r.created_at} for r in rows]} if rows else None


def erase(user_id: str) -> toolkit.ErasureReport:
    """Delete every device of the account."""
    deleted = toolkit.db.session.execute(delete(PushDevice).where(PushDevice.user_id == user_id)).rowcount
    return toolkit.ErasureReport(deleted=deleted)
