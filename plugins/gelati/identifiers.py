"""The business identifiers Indonesian UMKM commonly hold, checked for shape (no registry is asked).

- NIB (Nomor Induk Berusaha, from OSS): 13 digits.
- P-IRT (Sertifikat Produksi Pangan Industri Rumah Tangga): 15 digits, often printed with a dash
  before the last two (``2063604010207-23``); stored as the 15 digits.
- Halal certificate: BPJPH's numbers are ``ID`` and 17 digits (``ID36110000123450223``); older MUI
  certificates are 14 digits. Stored upper-case without spaces.
"""
from __future__ import annotations

import re

_NIB = re.compile(r"^\d{13}$")
_PIRT = re.compile(r"^\d{15}$")
_HALAL = re.compile(r"^(ID\d{17}|\d{14})$")


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text or "").upper()


def nib(text: str) -> str:
    """The NIB as 13 digits; ``ValueError`` for any other shape."""
    value = _compact(text)
    if not _NIB.match(value):
        raise ValueError("NIB: 13 digits")
    return value


def pirt(text: str) -> str:
    """The P-IRT number as 15 digits (a dash or spaces are dropped); ``ValueError`` otherwise."""
    value = _compact(text)
    if not _PIRT.match(value):
        raise ValueError("P-IRT: 15 digits")
    return value


def halal(text: str) -> str:
    """The halal certificate number (``ID`` + 17 digits, or 14 digits); ``ValueError`` otherwise."""
    value = _compact(text)
    if not _HALAL.match(value):
        raise ValueError("halal certificate: ID followed by 17 digits (BPJPH), or 14 digits (MUI)")
    return value
