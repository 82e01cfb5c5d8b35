"""Account rules: creating and registering accounts, verifying phones, passwords, roles.

Rules that protect the citizen:
- the NIK is stored encrypted, as a keyed hash (look-ups, uniqueness) and its last four digits,
  and is never logged;
- a NIK, phone or email already in use is refused with one ``already_registered`` that never
  says which account holds it;
- answers about password reset and resent codes are the same whether an account exists or not
  (a decoy code, throttled like a real one, stands in for a missing account).

Self-registration is for people aged 17 and over (``MIN_AGE``): 17 is when Indonesians get their
KTP, and UU 27/2022 (art. 25) requires a parent's consent to process a child's data, which an app
sign-up cannot collect. Operators (``create_user``) may still create accounts for younger people.
"""
from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ragem.audit.service import record as audit
from ragem.auth import otp
from ragem.auth.models import ROLES, User, UserRole
from ragem.auth.nik import NikFacts, parse_nik
from ragem.auth.passwords import RULES as PASSWORD_RULES
from ragem.auth.passwords import check_password_policy, hash_password, verify_password
from ragem.auth.pii import decrypt, encrypt, keyed_hash
from ragem.errors import Conflict, Forbidden, ValidationError
from ragem.extensions import db
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth")

MIN_AGE = 17
# A registration never verified for this long may be replaced by a new one for the same phone,
# NIK or email (its codes are long dead; the number may have changed hands).
PENDING_REPLACEABLE_AFTER = timedelta(hours=24)

# Indonesian mobile numbers: +62 8xx, 9 to 12 digits after the country code.
_MOBILE = re.compile(r"^\+628[1-9][0-9]{7,10}$")

INVALID_PHONE = {
    "id": "Nomor ponsel tidak valid. Gunakan nomor seluler Indonesia, misalnya 0812 3456 7890.",
    "en": "The phone number is not valid. Use an Indonesian mobile number, e.g. 0812 3456 7890.",
}
ALREADY_REGISTERED = {
    "id": "NIK, nomor ponsel atau email ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi.",
    "en": "This NIK, phone number or email is already registered. Log in or reset the password.",
}
TOO_YOUNG = {
    "id": f"Pendaftaran mandiri hanya untuk usia {MIN_AGE} tahun ke atas.",
    "en": f"Self-registration is for people aged {MIN_AGE} and over.",
}
WRONG_PASSWORD = {"id": "Kata sandi sekarang salah.", "en": "The current password is wrong."}
CODE_SENT = {
    "id": "Jika nomor tersebut terdaftar, kode telah dikirim lewat SMS.",
    "en": "If the number is registered, a code was sent by SMS.",
}
RESET_SENT = {
    "id": "Jika akun ditemukan, kode untuk mengatur ulang kata sandi telah dikirim ke nomor ponselnya.",
    "en": "If the account exists, a password reset code was sent to its phone number.",
}


# -- look-ups --------------------------------------------------------------------------------

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


def nik_hash(number: str) -> str:
    """The keyed hash that finds an account by its NIK (the NIK itself is never searchable)."""
    return keyed_hash(number)


def _nik_fields(facts: NikFacts) -> dict[str, Any]:
    return {
        "nik_ciphertext": encrypt(facts.number),
        "nik_hash": nik_hash(facts.number),
        "nik_last4": facts.number[-4:],
        "birth_date": facts.birth_date,
        "sex": facts.sex,
    }


def user_nik(user: User) -> str | None:
    """The account's NIK in clear (for rules that need it, never for responses or logs)."""
    return decrypt(user.nik_ciphertext) if user.nik_ciphertext else None


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _holders(*, phone: str | None, nik_hash_value: str | None, email: str | None) -> list[User]:
    """Accounts already holding any of the phone, NIK or email."""
    conditions = []
    if phone:
        conditions.append(User.phone == phone)
    if nik_hash_value:
        conditions.append(User.nik_hash == nik_hash_value)
    if email:
        conditions.append(User.email == email)
    if not conditions:
        return []
    return list(db.session.scalars(select(User).where(or_(*conditions))))


# -- operator-made accounts ------------------------------------------------------------------

def create_user(
    *, name: str, phone: str, password: str, roles=("citizen",), opd_code: str | None = None,
    email: str | None = None, password_hash: str | None = None, nik: str | None = None,
) -> User:
    """Create a verified account (operators, demo data, tests); added and flushed, caller commits.

    ``password_hash`` (an argon2 hash of ``password``) spares re-hashing when many accounts share
    one password, as the demo accounts do. The password policy is the caller's choice (the CLI
    applies it). ``nik`` is validated and stored like a registration's.
    :raises ValidationError: invalid phone or NIK, unknown role, officer without OPD (422).
    :raises Conflict: ``already_registered`` (409) when the phone, NIK or email is taken.
    """
    phone = normalise_phone(phone)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(details={"roles": f"unknown roles: {sorted(unknown)}"})
    if "officer" in roles and not opd_code:
        raise ValidationError(details={"opd": "an officer belongs to one OPD"})
    facts = parse_nik(nik) if nik else None
    email = email.strip().lower() if email else None
    if _holders(phone=phone, nik_hash_value=nik_hash(facts.number) if facts else None, email=email):
        raise Conflict("already_registered", ALREADY_REGISTERED)
    now = utcnow()
    user = User(
        name=name, phone=phone, email=email, password_hash=password_hash or hash_password(password),
        opd_code=opd_code, phone_verified_at=now, password_changed_at=now,
        **(_nik_fields(facts) if facts else {}),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


# -- self-registration -----------------------------------------------------------------------

def register(
    *, name: str, nik: str, phone: str, password: str, email: str | None = None,
    preferred_language: str = "id",
) -> tuple[User, Any]:
    """Register a citizen (pending until the phone is verified) and text them a code; commits.

    Checks in this order, changing nothing when one fails: NIK (valid, holder 17 or older),
    phone, password policy, nobody else holds the NIK, phone or email. A registration pending
    for more than 24 hours on any of them is erased to make room.
    :returns: ``(user, one_time_code)``; the ``registered`` user event is sent after the commit.
    :raises ValidationError: ``invalid_nik``, ``too_young``, ``invalid_phone``, ``weak_password``.
    :raises Conflict: ``already_registered`` (409), the same whichever field clashed.
    :raises ApiError: ``otp_throttled`` (429) when the phone got too many codes lately.
    """
    facts = parse_nik(nik)
    if _age(facts.birth_date, utcnow().date()) < MIN_AGE:
        raise ValidationError("too_young", TOO_YOUNG, details={"nik": f"the holder must be {MIN_AGE} or older"})
    phone = normalise_phone(phone)
    name = name.strip()
    check_password_policy(password, name=name, phone=phone, nik=facts.number)
    email = email.strip().lower() if email else None
    hashed_nik = nik_hash(facts.number)

    holders = _holders(phone=phone, nik_hash_value=hashed_nik, email=email)
    stale_before = utcnow() - PENDING_REPLACEABLE_AFTER
    if any(h.is_verified or h.created_at > stale_before for h in holders):
        raise Conflict("already_registered", ALREADY_REGISTERED)
    password_hash = hash_password(password)
    if holders:
        from ragem.profile.service import erase_user

        for stale in holders:
            log.info("replacing a registration never verified", extra={"user_id": stale.id})
            erase_user(stale, actor=None)

    user = User(
        name=name, phone=phone, email=email, password_hash=password_hash,
        preferred_language=preferred_language, phone_verified_at=None, password_changed_at=utcnow(),
        **_nik_fields(facts),
    )
    user.role_rows = [UserRole(role="citizen")]
    db.session.add(user)
    try:
        db.session.flush()
        code = otp.issue_code("verify_phone", phone, user_id=user.id)
        db.session.commit()
    except IntegrityError:
        # Someone registered the same phone, NIK or email between our check and our commit.
        db.session.rollback()
        raise Conflict("already_registered", ALREADY_REGISTERED) from None
    except Exception:
        db.session.rollback()
        raise
    _emit("registered", user.id)
    return user, code


def verify_phone(phone: str, code: str, *, device: str | None = None, ip: str | None = None) -> dict[str, Any]:
    """Activate the pending account of ``phone`` with the code texted to it and log it in; commits.

    :returns: the token response of a log-in (``sessions.issue_tokens``); the ``verified`` user
        event is sent after the commit.
    :raises ValidationError: ``invalid_code`` / ``code_expired`` (422), also when no account
        waits for this phone (the same answer as a wrong code).
    :raises ApiError: ``too_many_attempts`` (429).
    """
    from ragem.auth import sessions

    phone = normalise_phone(phone)
    row = otp.check_code("verify_phone", phone, code)
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or user.is_verified or user.phone != phone or not user.is_active:
        db.session.rollback()
        raise ValidationError("invalid_code", otp.INVALID_CODE)
    user.phone_verified_at = utcnow()
    try:
        session, refresh_token = sessions.start_session(user, device=device, ip=ip)
        tokens = sessions.issue_tokens(user, session, refresh_token)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _emit("verified", user.id)
    return tokens


def resend_code(phone: str, purpose: str = "verify_phone") -> dict[str, Any]:
    """Send a new verification code when an account waits for ``phone``; commits.

    The answer is the same whether or not such an account exists: otherwise a decoy code (never
    sent) is stored, so the throttle answers alike too.
    :raises ApiError: ``otp_throttled`` (429, with Retry-After).
    """
    phone = normalise_phone(phone)
    user = db.session.scalar(select(User).where(User.phone == phone))
    try:
        if user is not None and not user.is_verified and user.is_active:
            otp.issue_code(purpose, phone, user_id=user.id)
        else:
            otp.issue_decoy(purpose, phone)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"message": CODE_SENT, "code_expires_in": otp.TTL_SECONDS}


# -- passwords -------------------------------------------------------------------------------

def _reset_destination(identifier: str, user: User | None) -> str:
    """Where a reset code for ``identifier`` goes: the account's phone, or a decoy destination."""
    if user is not None:
        return user.phone
    try:
        return normalise_phone(identifier)
    except ValidationError:
        # An unknown email or NIK: a stand-in destination (20 characters) that no phone can be.
        return "#" + keyed_hash(f"reset\x1f{identifier.strip().lower()}")[:19]


def _resettable(identifier: str) -> User | None:
    from ragem.auth.sessions import find_account

    user = find_account(identifier)
    return user if user is not None and user.is_active and user.is_verified else None


def forgot_password(identifier: str) -> dict[str, Any]:
    """Text a reset code to the account's phone; the same answer when there is no account; commits.

    :raises ApiError: ``otp_throttled`` (429), for existing and unknown identifiers alike.
    """
    user = _resettable(identifier)
    destination = _reset_destination(identifier, user)
    try:
        if user is not None:
            otp.issue_code("reset_password", destination, user_id=user.id)
        else:
            otp.issue_decoy("reset_password", destination)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return {"message": RESET_SENT, "code_expires_in": otp.TTL_SECONDS}


def reset_password(identifier: str, code: str, new_password: str) -> User:
    """Set a new password with a reset code, revoke every session, audit it; commits.

    The rules that need no account are checked before the code, so a weak password does not
    spend a try; the personal ones (name, phone, NIK) after it, rolled back so the code stays
    usable.
    :raises ValidationError: ``weak_password``, ``invalid_code``, ``code_expired`` (422).
    :raises ApiError: ``too_many_attempts`` (429).
    """
    check_password_policy(new_password, field="new_password")
    user = _resettable(identifier)
    destination = _reset_destination(identifier, user)
    row = otp.check_code("reset_password", destination, code)
    if user is None or row.user_id != user.id:
        db.session.rollback()
        raise ValidationError("invalid_code", otp.INVALID_CODE)
    try:
        check_password_policy(new_password, name=user.name, phone=user.phone, nik=user_nik(user), field="new_password")
    except ValidationError:
        db.session.rollback()
        raise
    from ragem.auth import sessions

    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoked = sessions.revoke_user_sessions(user.id, reason="password_reset")
    audit("user.password_reset", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str, *, session_id: str | None) -> int:
    """Change the password of a logged-in ``user``; revokes their other sessions; commits.

    A wrong current password counts as a failed log-in for the account's phone (the log-in
    throttle), and a locked account is refused before the password is looked at.
    :returns: how many other sessions were revoked.
    :raises Forbidden: ``wrong_password`` (403).
    :raises ApiError: ``too_many_attempts`` (429) while the log-in throttle locks the account.
    :raises ValidationError: ``weak_password`` (422).
    """
    from ragem.auth import sessions, throttle

    # The account's log-in throttle guards this door too: a stolen access token must not let
    # anyone guess the password here faster than at the log-in.
    key = throttle.identifier_key(user.phone)
    throttle.check(key)
    if not verify_password(user.password_hash, current_password):
        throttle.record_failure(key)
        db.session.commit()  # the failure counts even though the request fails
        raise Forbidden("wrong_password", WRONG_PASSWORD)
    throttle.reset(key)
    if current_password == new_password:
        raise ValidationError("weak_password", PASSWORD_RULES["same_as_current"],
                              details={"new_password": "same_as_current", "rules": ["same_as_current"]})
    check_password_policy(new_password, name=user.name, phone=user.phone, nik=user_nik(user), field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoked = sessions.revoke_user_sessions(user.id, reason="password_changed", except_session_id=session_id)
    audit("user.password_change", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    db.session.commit()
    return revoked


# -- roles (admins) --------------------------------------------------------------------------

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
    from ragem.errors import NotFound

    user = db.session.get(User, user_id) if isinstance(user_id, str) and len(user_id) <= 36 else None
    if user is None:
        raise NotFound(message=USER_NOT_FOUND)
    return user


def list_users(*, role: str | None, q: str | None, limit: int, cursor: str | None):
    """A page of accounts, newest first; ``q`` matches part of the name or the exact phone."""
    from ragem.pagination import paginate

    stmt = select(User)
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if q and q.strip():
        text = q.strip()
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions = [func.lower(User.name).like(f"%{escaped}%", escape="\\")]
        try:
            conditions.append(User.phone == normalise_phone(text))
        except ValidationError:
            pass
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


def grant_role(user_id: str, role: str, *, opd: str | None, reason: str, actor: User) -> User:
    """Give ``role`` to an account (an officer needs an active OPD), audited; commits.

    Granting a role already held (same OPD) changes nothing and leaves no audit entry; granting
    ``officer`` again with another OPD moves the officer.
    :raises ValidationError: unknown role, OPD missing, unknown or inactive, or given for a
        role other than officer (422).
    """
    from ragem.opds.service import opd_exists

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
    anyone. Guards read roles from the database on every request, so the change applies to the
    account's next request already.
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


def _emit(name: str, user_id: str) -> None:
    """Broadcast a user event after the commit (a failing plugin never fails the request)."""
    from ragem.profile.service import emit_user_event

    emit_user_event(name, user_id)

