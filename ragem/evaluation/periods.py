"""Evaluation periods: a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``)."""
from __future__ import annotations

import re
from datetime import datetime

from ragem.errors import ValidationError
from ragem.hooktypes import Period

MIN_YEAR, MAX_YEAR = 2000, 2100
# [0-9], not \d: \d also matches other scripts' digits, which int() would happily read.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER = re.compile(r"([0-9]{4})-[Qq]([1-4])")
_YEAR = re.compile(r"([0-9]{4})")
# Share of the year each kind covers: how much of a yearly target a count must reach.
SHARE_OF_YEAR = {"month": 1 / 12, "quarter": 1 / 4, "year": 1.0}


def _invalid(raw: object, reason: str) -> ValidationError:
    return ValidationError(
        "invalid_period",
        details={"period": str(raw)[:40], "reason": reason, "expected": ["YYYY-MM", "YYYY-Qn", "YYYY"]},
    )


def parse_period(raw: str) -> Period:
    """Parse ``2026-11``, ``2026-Q4`` or ``2026`` into a ``Period``.

    ``start`` is inclusive and ``end`` exclusive, both naive UTC midnights (like stored timestamps).

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
    else:
        raise _invalid(raw, "not a month, quarter or year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _invalid(raw, f"year must be {MIN_YEAR}-{MAX_YEAR}")
    start = datetime(year, first, 1)
    after = first - 1 + months  # months since January of `year` at which the period ends
    end = datetime(year + after // 12, after % 12 + 1, 1)
    return Period(key=key, kind=kind, year=year, start=start, end=end)


def share_of_year(period: Period) -> float:
    """The fraction of its year the period covers (1/12, 1/4 or 1)."""
    return SHARE_OF_YEAR[period.kind]
