"""The NIK (Nomor Induk Kependudukan): validation and what it tells about its holder.

python-stdnum knows the structure: 16 digits, a known province code, a real birth date with 40
added to the day for women. The first six digits say where the NIK was first issued, not where the
person lives now, so RAGEM never infers residence from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from ragem.errors import ValidationError


@dataclass(frozen=True)
class NikFacts:
    """What a valid NIK says: the compact number, birth date and sex (``M``/``F``)."""

    number: str
    birth_date: date
    sex: str


def parse_nik(raw: str, *, field: str = "nik") -> NikFacts:
    """Validate a NIK and derive birth date and sex; raises a 422 naming ``field`` when invalid."""
    try:
        number = stdnum_nik.validate(raw)
        birth = _birth_date(number)
    except (StdnumError, ValueError, TypeError):
        raise ValidationError(
            "invalid_nik",
            {"id": "NIK tidak valid.", "en": "The NIK is not valid."},
            details={field: "16 digits: province code, birth date (+40 on the day for women), serial"},
        ) from None
    sex = "F" if int(number[6:8]) > 40 else "M"
    return NikFacts(number=number, birth_date=birth, sex=sex)


def _birth_date(number: str) -> date:
    """The birth date in a valid NIK, in the latest century that does not put it in the future.

    The NIK holds only two digits of the year; python-stdnum always picks the 1900s, which would
    make a citizen born in 2005 120 years old. The day is 01-31 for men and 41-71 for women;
    anything else (stdnum takes the day modulo 40, so 85 would pass as the 5th) is refused.
    """
    day_field, month, year = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if not (1 <= day_field <= 31 or 41 <= day_field <= 71):
        raise ValueError("day out of range")
    today = datetime.now(timezone.utc).date()
    for century in (2000, 1900):
        try:
            born = date(century + year, month, day_field % 40)
        except ValueError:
            continue  # 29 February exists in 2000 but not in 1900
        if born <= today:
            return born
    raise ValueError("no real birth date")
