"""Password hashing with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile) and the policy."""
from __future__ import annotations

import re

from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from ragem.errors import ValidationError

# The profile names of RAGEM_PASSWORD_HASHING. Each hash carries its own parameters, so a hash made
# under one profile still verifies under another.
_PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "test-cheapest": profiles.CHEAPEST}


@lru_cache(maxsize=None)
def _hasher_and_dummy(profile: str) -> tuple[PasswordHasher, str]:
    """The hasher of ``profile`` and a hash verified against when the account does not exist
    (so both paths of a log-in cost the same time)."""
    hasher = PasswordHasher.from_parameters(_PROFILES[profile])
    return hasher, hasher.hash("ragem-timing-equaliser")


def _profile() -> str:
    if has_app_context():
        return current_app.config["RAGEM"].get("PASSWORD_HASHING") or "rfc9106-low-memory"
    return "rfc9106-low-memory"


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (cost from ``RAGEM_PASSWORD_HASHING``)."""
    return _hasher_and_dummy(_profile())[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same time when ``password_hash`` is None."""
    hasher, dummy = _hasher_and_dummy(_profile())
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# -- the password policy -----------------------------------------------------------------------

MIN_LENGTH = 8
MAX_LENGTH = 128

# The passwords tried first by anyone guessing: the global top of the leaked-password lists and
# the Indonesian favourites (religious phrases, terms of endearment, the country, football clubs).
# Short on purpose: the rule catches the obvious, argon2 and the log-in throttle do the rest.
COMMON_PASSWORDS = frozenset({
    "123456", "1234567", "12345678", "123456789", "1234567890", "0123456789", "12341234", "87654321",
    "11111111", "00000000", "88888888", "12121212", "123123123", "147258369", "password", "passw0rd",
    "password1", "qwerty", "qwertyuiop", "qwerty123", "asdfghjkl", "zxcvbnm", "iloveyou", "abc123",
    "abcd1234", "1q2w3e4r", "1qaz2wsx", "admin", "administrator", "welcome", "letmein", "sunshine",
    "princess", "football", "superman", "monkey", "dragon", "master", "secret", "rahasia",
    "bismillah", "alhamdulillah", "subhanallah", "assalamualaikum", "insyaallah", "allahuakbar",
    "sayang", "sayangku", "cinta", "cintaku", "akucintakamu", "kasih", "indonesia", "merdeka",
    "garuda", "jakarta", "bandung", "banten", "serang", "persib", "persija", "doraemon", "kucing",
    "ragem", "katasandi", "katakunci", "sandi", "masuk", "rahasiaku", "bidadari", "anakku",
})

# rule -> the message a citizen reads when the rule fails.
RULES = {
    "too_short": {
        "id": f"Kata sandi minimal {MIN_LENGTH} karakter.",
        "en": f"The password needs at least {MIN_LENGTH} characters.",
    },
    "too_long": {
        "id": f"Kata sandi maksimal {MAX_LENGTH} karakter.",
        "en": f"The password can have at most {MAX_LENGTH} characters.",
    },
    "only_digits": {
        "id": "Kata sandi tidak boleh hanya berisi angka; tambahkan huruf.",
        "en": "The password cannot be digits only; add letters.",
    },
    "common": {
        "id": "Kata sandi ini terlalu umum dan mudah ditebak.",
        "en": "This password is too common and easy to guess.",
    },
    "contains_phone": {
        "id": "Kata sandi tidak boleh memuat nomor ponsel Anda.",
        "en": "The password cannot contain your phone number.",
    },
    "contains_nik": {
        "id": "Kata sandi tidak boleh memuat NIK Anda.",
        "en": "The password cannot contain your NIK.",
    },
    "contains_name": {
        "id": "Kata sandi tidak boleh memuat nama Anda.",
        "en": "The password cannot contain your name.",
    },
    "same_as_current": {
        "id": "Kata sandi baru harus berbeda dari kata sandi sekarang.",
        "en": "The new password must differ from the current one.",
    },
}

# Name parts shorter than this are too likely to occur by chance inside an unrelated word.
_NAME_PART_MIN = 4


def _strip_decoration(lowered: str) -> str:
    """The password without the digits and symbols people append (``sayang123!`` -> ``sayang``)."""
    return re.sub(r"[\d\W_]+$", "", lowered)


def password_problems(
    password: str, *, name: str | None = None, phone: str | None = None, nik: str | None = None,
) -> list[str]:
    """The policy rules ``password`` breaks, in the order a citizen should fix them (empty: fine).

    ``phone`` is E.164 (``+62...``); the national number (without ``+62`` or the leading 0) may not
    appear among the password's digits. ``name`` parts of four letters or more may not appear.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append("too_short")
    if len(password) > MAX_LENGTH:
        problems.append("too_long")
    if password.isdigit():
        problems.append("only_digits")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or _strip_decoration(lowered) in COMMON_PASSWORDS:
        problems.append("common")
    digits = re.sub(r"\D", "", password)
    national = re.sub(r"\D", "", phone or "")
    national = national[2:] if national.startswith("62") else national.lstrip("0")
    if len(national) >= 6 and national in digits:
        problems.append("contains_phone")
    if nik and re.sub(r"\D", "", nik) in digits and len(re.sub(r"\D", "", nik)) == 16:
        problems.append("contains_nik")
    parts = [p for p in re.split(r"[^a-z]+", (name or "").lower()) if len(p) >= _NAME_PART_MIN]
    squashed = re.sub(r"[^a-z]", "", lowered)
    if any(part in squashed for part in parts):
        problems.append("contains_name")
    return problems


def check_password_policy(
    password: str, *, name: str | None = None, phone: str | None = None, nik: str | None = None,
    field: str = "password",
) -> None:
    """Refuse a weak password with a 422 ``weak_password`` naming the first rule it breaks.

    ``details`` holds ``{field: rule, "rules": [every rule broken]}``; the message explains the
    first rule in the request's language.
    """
    problems = password_problems(password, name=name, phone=phone, nik=nik)
    if problems:
        raise ValidationError("weak_password", RULES[problems[0]], details={field: problems[0], "rules": problems})
