"""Evaluation periods on Kota Serang's calendar (WIB, UTC+7): a month (``2026-11``), a quarter
(``2026-Q4``), a year (``2026``) or a five-year Renstra period (``2025-2029``).

A period begins at midnight WIB on its first day, which is 17:00 UTC the day before: a complaint
filed at 06:00 WIB on 1 November (23:00 UTC on 31 October) counts in November.
"""
from __future__ import annotations

import re

from ragem.errors import ValidationError
from ragem.hooktypes import Period
from ragem.timeutil import wib_midnight

MIN_YEAR, MAX_YEAR = 2000, 2100
RENSTRA_YEARS = 5
# [0-9], not \d: \d also matches other scripts' digits, which int() would happily read.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-[Qq]([1-4])")
_YEAR = re.compile(r"([0-9]{4})")
_RENSTRA = re.compile(r"([0-9]{4})-([0-9]{4})")
# How many years' worth of a yearly target each kind covers: how much of it a count must reach.
SHARE_OF_YEAR = {"month": 1 / 12, "quarter": 1 / 4, "year": 1.0, "renstra": float(RENSTRA_YEARS)}
EXPECTED = ["YYYY-MM", "YYYY-Qn", "YYYY", "YYYY-YYYY (five years)"]


def _invalid(raw: object, reason: str) -> ValidationError:
    return ValidationError(
        "invalid_period", details={"period": str(raw)[:40], "reason": reason, "expected": EXPECTED},
    )


def parse_period(raw: str) -> Period:
    """Parse ``2026-11``, ``2026-Q4``, ``2026`` or ``2025-2029`` into a ``Period``.

    ``start`` is inclusive and ``end`` exclusive: the instants midnight WIB begins the first day
    and the day after the last, as naive UTC datetimes (like stored timestamps). A Renstra period
    spans five calendar years; its ``year`` is the first.

    :raises ValidationError: ``invalid_period`` (422) for anything else, naming the reason.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if match := _MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _invalid(raw, "month must be 01-12")
        kind, key, first, months = "month", f"{year}-{month:02d}", month, 1
    elif match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        kind, key, first, months = "quarter", f"{year}-Q{quarter}", 3 * quarter - 2, 3
    elif match := _YEAR.fullmatch(text):
        year = int(match[1])
        kind, key, first, months = "year", str(year), 1, 12
    elif match := _RENSTRA.fullmatch(text):
        year, last = int(match[1]), int(match[2])
        if last - year != RENSTRA_YEARS - 1:
            raise _invalid(raw, f"a Renstra period spans {RENSTRA_YEARS} years, e.g. 2025-2029")
        kind, key, first, months = "renstra", f"{year}-{last}", 1, 12 * RENSTRA_YEARS
    else:
        raise _invalid(raw, "not a month, quarter, year or Renstra period")
    last_year = year + (first - 1 + months - 1) // 12
    if not MIN_YEAR <= year <= MAX_YEAR or last_year > MAX_YEAR:
        raise _invalid(raw, f"years must be {MIN_YEAR}-{MAX_YEAR}")
    after = first - 1 + months  # months since January of `year` at which the period ends
    return Period(key=key, kind=kind, year=year, start=wib_midnight(year, first),
                  end=wib_midnight(year + after // 12, after % 12 + 1))


def period_years(period: Period) -> range:
    """The calendar years the period lies in (one, or five for a Renstra period)."""
    return range(period.year, period.year + (RENSTRA_YEARS if period.kind == "renstra" else 1))


def share_of_year(period: Period) -> float:
    """How many years' worth of a yearly target the period covers (1/12, 1/4, 1, or 5)."""
    return SHARE_OF_YEAR[period.kind]
