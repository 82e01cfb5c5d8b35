"""UTC time helpers: everything is stored and sent in UTC."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: Kota Serang's clock: Western Indonesia Time, UTC+7, no daylight saving.
WIB = timezone(timedelta(hours=7), "WIB")


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


def wib_midnight(year: int, month: int, day: int = 1) -> datetime:
    """The instant midnight WIB begins ``year-month-day``, as a naive UTC datetime (17:00 the day before)."""
    return datetime(year, month, day, tzinfo=WIB).astimezone(timezone.utc).replace(tzinfo=None)


def to_wib(value: datetime | None) -> datetime | None:
    """A stored (naive UTC or aware) datetime on Kota Serang's clock, for people to read."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(WIB)
