"""Accounts for admins: finding accounts and granting or revoking roles (audited).

The account life cycle itself (creation, registration, passwords, phone, erasure) is
``ragem.auth.accounts``; this module changes nothing but roles and the officer's OPD.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ragem.audit.service import record as audit
from ragem.auth.identifiers import nik_hash, normalise_identifier
from ragem.auth.models import ROLES, User, UserRole
from ragem.errors import Conflict, NotFound, ValidationError
from ragem.extensions import db
from ragem.opds.service import opd_exists
from ragem.pagination import paginate

LAST_ADMIN = {
    "id": "Admin terakhir platform tidak dapat dicabut perannya.",
    "en": "The platform's last admin cannot be demoted.",
}
LAST_ROLE = {
    "id": "Akun harus memiliki setidaknya satu peran.",
    "en": "An account needs at least one role.",
}
UNKNOWN_OPD = {
    "id": "OPD tidak ditemukan atau tidak aktif.",
    "en": "The OPD does not exist or is not active.",
}
USER_NOT_FOUND = {"id": "Akun tidak ditemukan.", "en": "Account not found."}


def _role_snapshot(user: User) -> dict[str, Any]:
    return {"roles": user.roles, "opd": user.opd_code}


def get_user(user_id: str) -> User:
    """The account with ``user_id``; 404 when there is none."""
    user = db.session.get(User, user_id) if isinstance(user_id, str) and len(user_id) <= 36 else None
    if user is None:
        raise NotFound(message=USER_NOT_FOUND)
    return user


IDENTIFIER_IN_URL = {
    "id": "NIK dan nomor telepon dicari lewat formulir (POST /api/v1/admin/users/search), bukan di alamat (URL), "
          "agar tidak tercatat di log proksi dan riwayat peramban.",
    "en": "Search for a NIK or phone number with the form (POST /api/v1/admin/users/search), not in the address "
          "(URL), so that it stays out of proxy logs and browser history.",
}


def refuse_identifier_in_url(q: str | None) -> None:
    """Refuse a NIK or phone number as a query-string search: addresses end up in the logs of every
    proxy on the way and in the browser's history; such searches are sent in a request body.

    :raises ValidationError: ``identifier_in_url`` (422).
    """
    if q and q.strip() and normalise_identifier(q)[0] in ("nik", "phone"):
        raise ValidationError("identifier_in_url", IDENTIFIER_IN_URL, details={"q": ["identifier_in_url"]})


def list_users(*, role: str | None, q: str | None, limit: int, cursor: str | None):
    """A page of accounts, newest first; ``q`` matches part of the name, or the exact phone or NIK."""
    stmt = select(User)
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if q and q.strip():
        text = q.strip()
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions = [func.lower(User.name).like(f"%{escaped}%", escape="\\")]
        kind, value = normalise_identifier(text)
        if kind == "nik":
            conditions.append(User.nik_hash == nik_hash(value))  # the NIK is found by its keyed hash only
        elif kind == "phone":
            conditions.append(User.phone == value)
        stmt = stmt.where(or_(*conditions))
    return paginate(db.session, stmt, [User.created_at, User.id], limit=limit, cursor=cursor)


def account_ids_with_role(role: str, *, opd: str | None = None) -> list[str]:
    """Ids of the active accounts holding ``role`` (and belonging to OPD ``opd`` when given), oldest first."""
    stmt = select(User.id).where(
        User.is_active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role == role))
    )
    if opd is not None:
        stmt = stmt.where(User.opd_code == opd)
    return list(db.session.scalars(stmt.order_by(User.created_at, User.id)))


def account_is_active(account_id: str) -> bool:
    """Whether an active account has id ``account_id`` (nothing of the account is read)."""
    if not isinstance(account_id, str) or not account_id or len(account_id) > 36:
        return False
    return db.session.scalar(select(User.id).where(User.id == account_id, User.is_active.is_(True))) is not None


def account_id_with_verified_phone(phone: str) -> str | None:
    """The id of the active account whose *verified* phone is ``phone`` (E.164), or ``None``.

    A registration still waiting for its code does not count: anybody may type any number, and
    only a verified one proves the person holds it (the number belongs to one verified account).
    """
    if not isinstance(phone, str) or not phone:
        return None
    return db.session.scalar(select(User.id).where(
        User.phone == phone, User.phone_verified_at.is_not(None), User.is_active.is_(True)))


def verified_phone_hash(account_id: str) -> str | None:
    """The keyed hash of the account's phone if it is verified (``None`` otherwise or without such an
    account): what a plugin stored as ``sealed(..., lookup=lookup_hash)`` matches it; never the number."""
    if not isinstance(account_id, str) or not account_id or len(account_id) > 36:
        return None
    return db.session.scalar(select(User.phone_hash).where(User.id == account_id, User.phone_verified_at.is_not(None)))


def account_ids_in_kelurahan(codes) -> list[str]:
    """Ids of the active accounts whose profile kelurahan is one of ``codes``, oldest first.

    ``kelurahan_code`` is kept in clear precisely so services can find the citizens of an area
    (docs/privacy.md); only ids leave here, never the kelurahan or anything else of the profile.
    """
    wanted = sorted({code for code in codes if code})
    if not wanted:
        return []
    stmt = select(User.id).where(User.is_active.is_(True), User.kelurahan_code.in_(wanted))
    return list(db.session.scalars(stmt.order_by(User.created_at, User.id)))


def grant_role(user_id: str, role: str, *, opd: str | None, reason: str, actor: User) -> User:
    """Give ``role`` to an account (an officer needs an active OPD), audited; commits.

    Granting a role already held (same OPD) changes nothing and leaves no audit entry; granting
    ``officer`` again with another OPD moves the officer.
    :raises ValidationError: unknown role, OPD missing, unknown or inactive, or given for a
        role other than officer (422).
    """
    user = get_user(user_id)
    if role not in ROLES:
        raise ValidationError(details={"role": f"one of {', '.join(ROLES)}"})
    if role == "officer":
        if not opd:
            raise ValidationError(details={"opd": "an officer belongs to one OPD"})
        if not opd_exists(opd, active_only=True):
            raise ValidationError("unknown_opd", UNKNOWN_OPD, details={"opd": opd})
    elif opd:
        raise ValidationError(details={"opd": "only officers belong to an OPD"})
    before = _role_snapshot(user)
    if role not in user.roles:
        user.role_rows.append(UserRole(role=role))
    if role == "officer":
        user.opd_code = opd
    db.session.flush()
    after = _role_snapshot(user)
    if after == before:
        return user
    audit("role.grant", "user", user.id, before=before, after=after, reason=reason, actor=actor)
    db.session.commit()
    return user


def revoke_role(user_id: str, role: str, *, reason: str, actor: User) -> User:
    """Take ``role`` from an account, audited; commits. Revoking ``officer`` clears the OPD.

    Revoking a role the account does not hold changes nothing; revoking its only role leaves a
    citizen (only ``citizen`` itself cannot be revoked when it is the last). An admin may drop their own admin
    role while another active admin remains; the last one cannot be demoted, by themselves or
    anyone. Guards read roles from the database, not from the token: the change applies to the
    account's next request on this worker, and on every other within ``RAGEM_STATE_TTL``.
    :raises Conflict: ``last_admin`` or ``last_role`` (409).
    """
    user = get_user(user_id)
    if role not in ROLES:
        raise ValidationError(details={"role": f"one of {', '.join(ROLES)}"})
    if role not in user.roles:
        return user
    if role == "admin":
        # Lock the active admins' rows: two admins demoting each other (or themselves) at the
        # same moment must not leave the platform with none.
        admins = db.session.scalars(
            select(UserRole).join(User, User.id == UserRole.user_id)
            .where(UserRole.role == "admin", User.is_active.is_(True))
            .with_for_update(of=UserRole)
        ).all()
        if not [row for row in admins if row.user_id != user.id]:
            raise Conflict("last_admin", LAST_ADMIN)
    if user.roles == ["citizen"]:
        raise Conflict("last_role", LAST_ROLE)
    before = _role_snapshot(user)
    user.role_rows = [r for r in user.role_rows if r.role != role]
    if not user.role_rows:
        user.role_rows.append(UserRole(role="citizen"))  # demoted, not locked out: a citizen again
    if role == "officer":
        user.opd_code = None
    db.session.flush()
    audit("role.revoke", "user", user.id, before=before, after=_role_snapshot(user), reason=reason, actor=actor)
    db.session.commit()
    return user
