"""Masking personal numbers and addresses that citizens type into text the public will read.

A complaint's description, the messages on its timeline and the notes Open311 shows are written by
people, and people type their NIK, their phone number or their email into them ("hubungi saya di
0812-3456-7890"). Before such text leaves through a public view, ``mask_personal_data`` replaces:

- a **NIK-shaped** number, 16 digits with or without spaces, dots or dashes between groups
  (``3673011204900001``, ``3673 0112 0490 0001``, ``36.73.01.120490.0001``): ``[NIK disembunyikan]``;
  a family card number (Kartu Keluarga, also 16 digits) is masked the same way;
- an **Indonesian phone number**, ``08...`` or ``+62``/``62`` followed by the number, with spaces,
  dots, dashes or ``(0)`` between groups of digits (``0812-3456-7890``, ``+62 812 3456 7890``,
  ``6281234567890``): ``[telepon disembunyikan]``;
- an **email address**: ``[email disembunyikan]``.

The placeholders are in Indonesian, the language the text around them is written in, and say what
was there so the sentence still reads. Ordinary numbers stay: RT/RW numbers, street names
(``Jl. 17 Agustus``), years, dates and times (``08.00-16.00``), prices (``Rp 1.500.000``) and
Kemendagri region codes (``36.73.01.1001``) have too few digits, or groups too short, to match.

Only the public views call this; the reporter and the OPD's staff read the text as it was written.
"""
from __future__ import annotations

import re

NIK_PLACEHOLDER = "[NIK disembunyikan]"
PHONE_PLACEHOLDER = "[telepon disembunyikan]"
EMAIL_PLACEHOLDER = "[email disembunyikan]"

# Between two groups of digits: nothing, one space, or a dot or dash (with a space on either side).
_SEPARATOR = r"(?:[ \u00a0]?[.\-][ \u00a0]?|[ \u00a0])?"
# 16 digits, not glued to more digits on either side (a 20-digit bank account is not a NIK); a
# number after a space ("NIK 3673... 2 orang") does not save the NIK from the mask.
_NIK = re.compile(rf"(?<!\d)(?<!\d[.\-])\d(?:{_SEPARATOR}\d){{15}}(?!\d)(?![.\-]\d)")

_PHONE = re.compile(
    r"(?<![\d+])(?<!\d[.\-])"  # not the tail of a longer number (glued to a word is fine: "wa0812...")
    r"(?:"
    rf"\(?\+[ \u00a0]?62\)?{_SEPARATOR}(?:\(0\){_SEPARATOR})?"  # +62, (+62), +62 (0)
    r"|62(?=8)"  # 62 without the plus, glued to a mobile number (6281...; never Rp 62.850.000)
    r"|\(?0(?=8)"  # 08..., (0812)
    r")"
    # The number: a first group, then groups of at least three digits (times such as 08.00 have two).
    rf"\d{{1,4}}\)?(?:{_SEPARATOR}\d{{3,5}}){{0,4}}"
    r"(?!\d)(?![.\-]\d)"
)
# Digits after the country code or the leading 0: mobile numbers have 9-12, fixed lines 8-11.
_PHONE_DIGITS = range(8, 13)

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}")


def _phone(match: re.Match) -> str:
    """The placeholder, when the match has as many digits as a phone number (else the text as it was)."""
    digits = re.sub(r"\D", "", match.group())
    national = digits[2:] if digits.startswith("62") else digits[1:]  # after +62/62, or after the 0
    national = national.removeprefix("0")  # +62 (0)812...
    return PHONE_PLACEHOLDER if len(national) in _PHONE_DIGITS else match.group()


def mask_personal_data(text: str | None) -> str | None:
    """``text`` with NIK-, phone- and email-shaped strings replaced by placeholders (``None`` stays ``None``)."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)  # first: an address may hold digits (0812@mail.id)
    text = _NIK.sub(NIK_PLACEHOLDER, text)  # before phones: a NIK of province 62 starts like a phone
    return _PHONE.sub(_phone, text)
