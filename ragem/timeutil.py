"""UTC time helpers: everything is stored and sent in UTC."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what we store; SQLite keeps no zone)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def isoformat_z(value: datetime | None) -> str | None:
    """ISO 8601 with a ``Z`` suffix for a stored (naive UTC or aware) datetime."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"
