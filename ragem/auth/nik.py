"""The NIK (Nomor Induk Kependudukan): validation and what it tells about its holder.

python-stdnum knows the structure: 16 digits, a known province code, a real birth date with 40
added to the day for women. The first six digits say where the NIK was first issued, not where the
person lives now, so RAGEM never infers residence from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
        birth = stdnum_nik.get_birth_date(number)
    except (StdnumError, ValueError, TypeError):
        raise ValidationError(
            "invalid_nik",
            {"id": "NIK tidak valid.", "en": "The NIK is not valid."},
            details={field: "16 digits: province code, birth date (+40 on the day for women), serial"},
        ) from None
    sex = "F" if int(number[6:8]) > 40 else "M"
    return NikFacts(number=number, birth_date=birth, sex=sex)
