"""What a citizen used today (the city's day, WIB) against the daily quotas of a policy."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ragem import toolkit

from plugins.wifi.models import AccountingSession, Policy

#: The city's clock (WIB, UTC+7, no daylight saving): quotas restart at midnight there.
WIB = timedelta(hours=7)


def day_start(now: datetime | None = None) -> datetime:
    """Midnight WIB of ``now``'s day, as naive UTC."""
    now = now or toolkit.utcnow()
    local = now + WIB
    return datetime(local.year, local.month, local.day) - WIB


@dataclass(frozen=True)
class Usage:
    """Seconds and bytes (both directions) of the sessions active today."""

    seconds: int
    bytes: int
    sessions: int


def today(user_id: str) -> Usage:
    """The citizen's usage today: every session updated since midnight WIB counts whole (a session
    across midnight is counted on both days: the quota errs towards the city, never beyond it)."""
    row = toolkit.db.session.execute(
        select(func.coalesce(func.sum(AccountingSession.session_seconds), 0),
               func.coalesce(func.sum(AccountingSession.input_bytes + AccountingSession.output_bytes), 0),
               func.count())
        .where(AccountingSession.user_id == user_id, AccountingSession.updated_at >= day_start())
    ).one()
    return Usage(seconds=int(row[0]), bytes=int(row[1]), sessions=int(row[2]))


def remaining(policy: Policy, used: Usage) -> tuple[int, int]:
    """Seconds and bytes left today under ``policy`` (never below zero)."""
    return max(0, policy.daily_seconds - used.seconds), max(0, policy.daily_bytes - used.bytes)
