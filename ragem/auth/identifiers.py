"""How an account is named and found: phone numbers, NIKs and emails.

The bottom of the account code: the throttle, the log-in and the account life cycle all read an
identifier the same way here, so ``0812...``, ``62812...`` and ``+62812...`` are one phone
everywhere, and a NIK is only ever searched through its keyed hash.
"""
from __future__ import annotations

import re
from typing import Any

import phonenumbers

from sqlalchemy import select

from ragem.auth.models import User
from ragem.auth.nik import NikFacts, parse_nik
from ragem.errors import ValidationError
from ragem.extensions import db
from ragem.pii import decrypt, encrypt, keyed_hash

# Indonesian mobile numbers: +62 8xx, 9 to 12 digits after the country code.
_MOBILE = re.compile(r"^\+628[1-9][0-9]{7,10}$")

INVALID_PHONE = {
    "id": "Nomor ponsel tidak valid. Gunakan nomor seluler Indonesia, misalnya 0812 3456 7890.",
    "en": "The phone number is not valid. Use an Indonesian mobile number, e.g. 0812 3456 7890.",
}


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    """An Indonesian mobile number in E.164: ``0812..``, ``62812..``, ``+62 812-..`` -> ``+62812..``.

    :raises ValidationError: ``invalid_phone`` (422) for a malformed or non-Indonesian number.
    """
    digits = re.sub(r"[\s\-().]", "", raw if isinstance(raw, str) else "")
    if digits.startswith("+"):
        candidate = digits
    elif digits.startswith("62"):
        candidate = "+" + digits
    elif digits.startswith("0"):
        candidate = "+62" + digits[1:]
    elif digits.startswith("8"):
        candidate = "+62" + digits
    else:
        candidate = ""
    if not _MOBILE.match(candidate):
        raise ValidationError("invalid_phone", INVALID_PHONE, details={field: "an Indonesian mobile number (+62 8...)"})
    return candidate


INVALID_NUMBER = {
    "id": "Nomor telepon tidak valid. Gunakan nomor Indonesia, misalnya 0254 200112 atau 0812 3456 7890.",
    "en": "The phone number is not valid. Use an Indonesian number, e.g. 0254 200112 or 0812 3456 7890.",
}

#: What a caller can dial from: fixed lines (with their area code, 0254 for Serang) and mobiles.
_CALLER_TYPES = frozenset({
    phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, phonenumbers.PhoneNumberType.VOIP,
})


def normalise_any_phone(raw: str, *, field: str = "phone") -> str:
    """An Indonesian fixed-line or mobile number in E.164: ``0254-200112``, ``(0254) 200112``,
    ``+62 254 200112`` -> ``+62254200112``; mobiles as ``normalise_phone`` reads them.

    Google's libphonenumber metadata (the ``phonenumbers`` package) knows Indonesia's area codes
    and number lengths, which change; a hand-written rule would not. Digits written without the
    trunk ``0`` that start with ``62`` are read as the country code, as ``normalise_phone`` does.
    :raises ValidationError: ``invalid_phone`` (422) for a malformed, non-Indonesian or
        non-dialling number (toll-free, premium, an extension).
    """
    try:  # a mobile the core accepts for an account is the same string here, whatever the metadata says
        return normalise_phone(raw, field=field)
    except ValidationError:
        pass
    text = raw.strip() if isinstance(raw, str) else ""
    compact = re.sub(r"[\s\-().]", "", text)
    if compact.startswith("62"):
        text = "+" + compact
    try:
        number = phonenumbers.parse(text, "ID") if 0 < len(text) <= 40 else None
    except phonenumbers.NumberParseException:
        number = None
    if (number is None or number.extension or not phonenumbers.is_valid_number(number)
            or phonenumbers.region_code_for_number(number) != "ID"
            or phonenumbers.number_type(number) not in _CALLER_TYPES):
        raise ValidationError("invalid_phone", INVALID_NUMBER,
                              details={field: "an Indonesian fixed-line or mobile number (+62 254 ..., +62 8...)"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """``+6281234567890`` -> ``+62812*****890``: enough for the owner to recognise the number."""
    return phone[:6] + "*" * max(0, len(phone) - 9) + phone[-3:]


def mask_email(email: str) -> str:
    """``budi.santoso@example.id`` -> ``b***@example.id``."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def normalise_identifier(raw: str) -> tuple[str, str]:
    """What kind of identifier was typed and its canonical form: email, NIK, phone (E.164) or other."""
    text = (raw or "").strip()
    if "@" in text:
        return "email", text.lower()
    compact = re.sub(r"[\s.\-]", "", text)
    if compact.isdigit() and len(compact) == 16:
        return "nik", compact  # a NIK has 16 digits; no E.164 number is that long
    try:
        return "phone", normalise_phone(text)
    except ValidationError:
        return "other", text.lower()


def nik_hash(number: str) -> str:
    """The keyed hash that finds an account by its NIK (the NIK itself is never searchable)."""
    return keyed_hash(number)


def nik_columns(facts: NikFacts) -> dict[str, Any]:
    """The account attributes that store a NIK: ciphertext, keyed hash and the (encrypted) birth date.

    Nothing else: the masked form and the sex are read from the decrypted NIK, so no clear column
    holds a piece of it (docs/privacy.md).
    """
    return {
        "nik_ciphertext": encrypt(facts.number),
        "nik_hash": nik_hash(facts.number),
        "birth_date": facts.birth_date,
    }


def user_nik(user: User) -> str | None:
    """The account's NIK in clear (for rules that need it, never for responses or logs)."""
    return decrypt(user.nik_ciphertext) if user.nik_ciphertext else None


def find_account(identifier: str) -> User | None:
    """The account a phone number (any format), NIK or verified email names, or ``None``; the
    verified one when registrations still waiting for their code share the phone or NIK."""
    kind, value = normalise_identifier(identifier)
    if kind == "phone":
        return _first(select(User).where(User.phone == value))
    if kind == "email":
        # Only a verified email names an account: an unproved one could be anybody's address.
        return db.session.scalar(
            select(User).where(User.email.in_({value, identifier.strip()}), User.email_verified_at.is_not(None))
        )
    if kind == "nik":
        try:
            number = parse_nik(value).number
        except ValidationError:
            return None  # an invalid NIK simply names nobody
        return _first(select(User).where(User.nik_hash == nik_hash(number)))
    return None


def _first(stmt) -> User | None:
    """The verified account among those ``stmt`` finds, else the oldest registration waiting on it.

    A phone or NIK belongs to at most one verified account, but registrations still waiting for
    their code may share it with it or with each other (``accounts.verify_phone``).
    """
    return db.session.scalars(stmt.order_by(User.phone_verified_at.is_(None), User.created_at).limit(1)).first()
