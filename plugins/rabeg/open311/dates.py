"""Dates as GeoReport v2 wants them: w3c datetimes with a time zone, shown in WIB (+07:00).

RAGEM stores naive UTC; Kota Serang's clients read local time, so every datetime leaves as
``2026-11-28T09:15:00+07:00`` (the same instant as ``02:15:00Z``).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from plugins.rabeg import calendar

# The working calendar's offset, as a zone for isoformat().
WIB = timezone(calendar.WIB, "WIB")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# In a query string an unencoded "+07:00" arrives as " 07:00": read that space as the plus sign.
_SPACE_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


def w3c(moment: datetime | None) -> str | None:
    """A stored naive-UTC moment as a w3c datetime in WIB, or ``None``."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc, microsecond=0).astimezone(WIB).isoformat()


def parse_w3c(text: str) -> datetime:
    """A w3c datetime with its zone (or a bare date, taken as midnight WIB) as naive UTC.

    :raises ValueError: not such a datetime, or a time without a zone.
    """
    text = (text or "").strip()
    if len(text) > 40:
        raise ValueError("too long")
    if _DATE_ONLY.match(text):
        moment = datetime.fromisoformat(text).replace(tzinfo=WIB)
    else:
        text = _SPACE_OFFSET.sub(r"+\1", text)
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        if "T" not in text and "t" not in text:
            raise ValueError("not a w3c datetime")
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("the time zone is missing")
    return moment.astimezone(timezone.utc).replace(tzinfo=None)
