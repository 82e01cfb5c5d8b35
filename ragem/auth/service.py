"""Account rules: creating accounts, checking credentials."""
from __future__ import annotations

import re

from sqlalchemy import or_, select

from ragem.auth.models import ROLES, User, UserRole
from ragem.auth.passwords import hash_password, verify_password
from ragem.errors import Conflict, Unauthorized, ValidationError
from ragem.extensions import db

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


def normalise_phone(raw: str) -> str:
    """An Indonesian phone number in E.164 (``08..``, ``62..`` and ``+62..`` all become ``+62..``)."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if not _PHONE.match(digits):
        raise ValidationError(details={"phone": "not a phone number"})
    if digits.startswith("+"):
        return digits
    if digits.startswith("0"):
        return "+62" + digits[1:]
    if digits.startswith("62"):
        return "+" + digits
    return "+62" + digits


def create_user(
    *, name: str, phone: str, password: str, roles=("citizen",), opd_code: str | None = None,
    email: str | None = None, password_hash: str | None = None,
) -> User:
    """Create a verified account (operators, demo data, tests); refuses a phone already in use.

    ``password_hash`` (an argon2 hash of ``password``) spares re-hashing when many accounts share
    one password, as the demo accounts do.
    """
    phone = normalise_phone(phone)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(details={"roles": f"unknown roles: {sorted(unknown)}"})
    if "officer" in roles and not opd_code:
        raise ValidationError(details={"opd": "an officer belongs to one OPD"})
    if db.session.scalar(select(User.id).where(User.phone == phone)):
        raise Conflict(details={"phone": "already registered"})
    user = User(name=name, phone=phone, email=email, password_hash=password_hash or hash_password(password),
                opd_code=opd_code)
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(identifier: str, password: str) -> User:
    """The active account matching the identifier and password; one answer for every failure."""
    candidates = [identifier.strip().lower()]
    try:
        candidates.append(normalise_phone(identifier))
    except ValidationError:
        pass
    user = db.session.scalar(
        select(User).where(or_(User.phone.in_(candidates), User.email.in_(candidates)))
    )
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise Unauthorized("invalid_credentials")
    return user
