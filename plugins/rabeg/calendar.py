"""The working calendar of Kota Serang's OPDs: Mon-Fri 08:00-16:00 WIB, minus public holidays.

Service-level deadlines count only working time, so a complaint filed on Friday evening is not
"late" on Monday morning. Times in and out are naive UTC, as stored; WIB is UTC+7 (no DST).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable

from ragem import toolkit

WIB = timedelta(hours=7)
DAY_START, DAY_END = time(8, 0), time(16, 0)
HOURS_PER_DAY = 8

#: Indonesian national holidays and collective leave of 2026 (SKB 3 Menteri); operators replace the
#: list with RAGEM_RABEG_HOLIDAYS as the government publishes the next year's.
DEFAULT_HOLIDAYS = (
    "2026-01-01", "2026-01-16", "2026-02-16", "2026-02-17", "2026-03-18", "2026-03-19", "2026-03-20",
    "2026-03-23", "2026-03-24", "2026-04-03", "2026-04-05", "2026-05-01", "2026-05-14", "2026-05-15",
    "2026-05-27", "2026-05-28", "2026-05-31", "2026-06-01", "2026-06-16", "2026-08-17", "2026-08-25",
    "2026-12-24", "2026-12-25",
)

_DEFAULT_DATES: frozenset[date] = frozenset(date.fromisoformat(d) for d in DEFAULT_HOLIDAYS)


def _parse_holidays_strict(raw: str) -> frozenset[date]:
    """The setting's parser: every item must be an ISO date (``ValueError`` names the first bad one)."""
    dates, problems = parse_holidays(raw)
    if problems:
        raise ValueError("; ".join(problem.split(": ", 1)[1] for problem in problems))
    return dates


def parse_holidays(raw: str | Iterable[str] | None) -> tuple[frozenset[date], list[str]]:
    """Holidays from a comma-separated string of ISO dates; returns ``(dates, problems)``."""
    if raw is None:
        return _DEFAULT_DATES, []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    dates, problems = set(), []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            dates.add(date.fromisoformat(item))
        except ValueError:
            problems.append(f"RAGEM_RABEG_HOLIDAYS: {item!r} is not an ISO date (YYYY-MM-DD)")
    return frozenset(dates), problems


#: RAGEM_RABEG_HOLIDAYS: the public holidays, comma-separated ISO dates (the built-in list if unset).
#: Set but empty, it means no holidays at all.
HOLIDAYS = toolkit.PluginSetting("RABEG_HOLIDAYS", parse=_parse_holidays_strict, default=_DEFAULT_DATES,
                                 help="public holidays, comma-separated ISO dates (YYYY-MM-DD)",
                                 empty_means_default=False)


def app_holidays() -> frozenset[date]:
    """The public holidays of the current app (RAGEM_RABEG_HOLIDAYS, else the built-in list).

    Read per app through the toolkit, never a module global: two apps in one process (tests, or a
    host serving two cities) must not share one list. Outside an app context, the built-in list.
    """
    return HOLIDAYS.value()


def is_working_day(day: date, holidays: Iterable[date] | None = None) -> bool:
    """Whether ``day`` is a weekday that is not a public holiday (``holidays``: the app's when omitted)."""
    off = app_holidays() if holidays is None else holidays
    return day.weekday() < 5 and day not in off


def add_working_time(start_utc: datetime, amount: int, unit: str, holidays: Iterable[date] | None = None) -> datetime:
    """The moment (naive UTC) ``amount`` working hours or days after ``start_utc``.

    A working day is 8 working hours, so "1 working day" filed Monday 10:00 WIB is due Tuesday
    10:00 WIB; filed outside office hours, the clock starts at the next opening.
    """
    if unit == "working_days":
        remaining = timedelta(hours=amount * HOURS_PER_DAY)
    elif unit == "working_hours":
        remaining = timedelta(hours=amount)
    else:
        raise ValueError(f"unknown unit {unit!r}")
    off = frozenset(app_holidays() if holidays is None else holidays)
    local = start_utc + WIB
    while True:
        day = local.date()
        opens, closes = datetime.combine(day, DAY_START), datetime.combine(day, DAY_END)
        if not is_working_day(day, off) or local >= closes:
            local = datetime.combine(day + timedelta(days=1), DAY_START)
            continue
        if local < opens:
            local = opens
        available = closes - local
        if remaining <= available:
            return local + remaining - WIB
        remaining -= available
        local = datetime.combine(day + timedelta(days=1), DAY_START)
