"""The citizen's own account: reading and correcting the profile, changing the phone, leaving.

Every function acts on the logged-in account passed in; none takes an account id from the
request, so one citizen can never reach another's profile through these rules.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem.audit.service import record as audit
from ragem.auth import otp, pii
from ragem.auth.models import User, UserRole
from ragem.auth.nik import parse_nik
from ragem.auth.service import nik_hash, normalise_phone
from ragem.errors import Conflict, ValidationError
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.i18n import translate
from ragem.opds.service import get_opd
from ragem.regions.service import get_region, is_kelurahan
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.profile")

#: What ``PATCH /api/v1/me`` may change. The NIK only while the account has none.
EDITABLE = ("name", "email", "kelurahan", "address", "preferred_language", "nik")

#: Why each field a client may see but not send is refused (``field_not_editable`` details).
READ_ONLY_REASONS = {
    "id": "assigned by RAGEM",
    "phone": "change it with POST /api/v1/me/phone and the code sent to the new number",
    "roles": "granted by an administrator",
    "opd": "set by an administrator",
    "opd_code": "set by an administrator",
    "phone_verified": "set by verifying the phone with a one-time code",
    "phone_verified_at": "set by verifying the phone with a one-time code",
    "birth_date": "derived from the NIK",
    "sex": "derived from the NIK",
    "status": "not editable",
    "is_active": "set by an administrator",
    "created_at": "set by RAGEM",
    "updated_at": "set by RAGEM",
    "password": "change it with the password endpoints",
    "password_hash": "never editable",
}

FIELD_NOT_EDITABLE = {
    "id": "Sebagian data tidak dapat diubah di sini; tidak ada yang diubah.",
    "en": "Some fields cannot be changed here; nothing was changed.",
}
NIK_LOCKED = {
    "id": "NIK sudah tercatat dan tidak dapat diubah. Hubungi petugas bila NIK Anda keliru.",
    "en": "The NIK is already recorded and cannot be changed. Contact an officer if it is wrong.",
}
ALREADY_REGISTERED = {
    "id": "Data ini sudah dipakai oleh akun lain.",
    "en": "This is already used by another account.",
}
NOT_A_KELURAHAN = {
    "id": "Kelurahan tidak dikenal: pilih salah satu kelurahan di Kota Serang.",
    "en": "Unknown kelurahan: choose one of the kelurahan of Kota Serang.",
}
SAME_PHONE = {"id": "Ini sudah nomor telepon akun Anda.", "en": "This is already your account's phone number."}
LAST_ADMIN = {
    "id": "Anda administrator terakhir RAGEM. Angkat administrator lain sebelum menghapus akun ini.",
    "en": "You are RAGEM's last administrator. Appoint another administrator before erasing this account.",
}
PHONE_CHANGED_SMS = {
    "id": "RAGEM: nomor telepon akun Anda telah diganti. Bila bukan Anda yang menggantinya, segera hubungi Diskominfo Kota Serang.",
    "en": "RAGEM: your account's phone number was changed. If this was not you, contact Diskominfo Kota Serang at once.",
}


def refuse_fields(names: list[str]) -> None:
    """Raise ``field_not_editable`` (422) naming each refused field and why."""
    raise ValidationError(
        "field_not_editable",
        FIELD_NOT_EDITABLE,
        details={"fields": {name: READ_ONLY_REASONS.get(name, "unknown field") for name in sorted(names)}},
    )


def profile(user: User) -> dict[str, Any]:
    """``GET /api/v1/me``: the account as its owner sees it, the NIK masked."""
    return {
        "id": user.id,
        "name": user.name,
        "nik": user.nik_masked,
        "phone": user.phone,
        "email": user.email,
        "birth_date": user.birth_date,
        "sex": user.sex,
        "kelurahan": _kelurahan(user.kelurahan_code),
        "address": user.address,
        "preferred_language": user.preferred_language,
        "roles": user.roles,
        "opd": _opd(user.opd_code),
        "phone_verified": user.is_verified,
        "created_at": user.created_at,
    }


def _kelurahan(code: str | None) -> dict[str, Any] | None:
    """The kelurahan with its kecamatan, named from the region table."""
    kelurahan = get_region(code)
    if kelurahan is None:
        return None
    kecamatan = get_region(kelurahan.parent_code)
    return {
        "code": kelurahan.code,
        "name": kelurahan.name,
        "kecamatan": {"code": kecamatan.code, "name": kecamatan.name} if kecamatan else None,
    }


def _opd(code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    opd = get_opd(code)
    return {"code": code, "name": translate(opd.names) if opd else None}


def update_profile(user: User, changes: Mapping[str, Any]) -> list[str]:
    """Apply a ``PATCH /api/v1/me`` body and commit; returns the names of the fields that changed
    (also sent to every service as the ``updated`` user event).

    Everything is checked before anything is written, so a refused request changes nothing.
    :raises ValidationError: ``field_not_editable`` (a field outside ``EDITABLE``),
        ``nik_locked`` (the account already has a NIK), ``invalid_nik``, ``validation_error``
        (unknown kelurahan).
    :raises Conflict: ``already_registered`` (the email or NIK belongs to another account; whose
        is not said).
    """
    refused = [name for name in changes if name not in EDITABLE]
    if refused:
        refuse_fields(refused)
    new: dict[str, Any] = {}
    if "name" in changes:
        new["name"] = changes["name"].strip()
    if "email" in changes:
        new["email"] = changes["email"].strip().lower() if changes["email"] else None
        if new["email"] and _taken(User.email == new["email"], user):
            raise Conflict("already_registered", ALREADY_REGISTERED, details={"field": "email"})
    if "kelurahan" in changes:
        code = changes["kelurahan"]
        if code is not None and not is_kelurahan(code):
            raise ValidationError(message=NOT_A_KELURAHAN, details={"kelurahan": code})
        new["kelurahan_code"] = code
    if "address" in changes:
        new["address"] = changes["address"].strip() if changes["address"] else None
    if "preferred_language" in changes:
        new["preferred_language"] = changes["preferred_language"]
    if "nik" in changes:
        new.update(_nik_columns(user, changes["nik"]))

    changed = sorted({_field_name(column) for column, value in new.items() if getattr(user, column) != value})
    for column, value in new.items():
        setattr(user, column, value)
    if changed:
        _commit_unique()
        _tell_services(user, changed)
    return changed


def _tell_services(user: User, changed: list[str]) -> None:
    """The ``updated`` user event, after the commit, with the changed field names only: a service
    that needs a value reads it through ``read_profile``, where the citizen sees the read."""
    from ragem.profile.service import emit_user_event

    emit_user_event("updated", user.id, {"fields": changed})


def _field_name(column: str) -> str:
    """The API name of an account column (the NIK's columns are all "nik")."""
    if column.startswith("nik_") or column in ("birth_date", "sex"):
        return "nik"
    return "kelurahan" if column == "kelurahan_code" else column


def _nik_columns(user: User, raw: str) -> dict[str, Any]:
    """The columns that store a first NIK: ciphertext, keyed hash, last four, birth date, sex."""
    if user.nik_hash:
        raise ValidationError("nik_locked", NIK_LOCKED, details={"nik": "already recorded"})
    facts = parse_nik(raw)
    digest = nik_hash(facts.number)  # the same look-up hash registration and log-in use
    if _taken(User.nik_hash == digest, user):
        raise Conflict("already_registered", ALREADY_REGISTERED, details={"field": "nik"})
    return {
        "nik_ciphertext": pii.encrypt(facts.number),
        "nik_hash": digest,
        "nik_last4": facts.number[-4:],
        "birth_date": facts.birth_date,
        "sex": facts.sex,
    }


def _taken(condition, user: User) -> bool:
    """Whether another account matches ``condition``."""
    return db.session.scalar(select(User.id).where(condition, User.id != user.id).limit(1)) is not None


def _commit_unique() -> None:
    """Commit; a unique value taken by another account in the meantime is the same 409."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("already_registered", ALREADY_REGISTERED) from None


def _phone_free(phone: str, user: User) -> None:
    if _taken(User.phone == phone, user):
        raise Conflict("already_registered", ALREADY_REGISTERED, details={"field": "phone"})


def start_phone_change(user: User, raw_phone: str):
    """Send a ``change_phone`` code to the new number; returns the ``OneTimeCode`` row.

    :raises ValidationError: not a phone number, or the account's own number.
    :raises Conflict: ``already_registered`` (another account has the number).
    """
    phone = normalise_phone(raw_phone)
    if phone == user.phone:
        raise ValidationError("same_phone", SAME_PHONE, details={"phone": "unchanged"})
    _phone_free(phone, user)
    code = otp.issue_code("change_phone", phone, user_id=user.id)
    db.session.commit()
    return code


def confirm_phone_change(user: User, raw_phone: str, code: str) -> None:
    """Switch the account to the new number once the code sent to it is given back.

    The old number is told by SMS, so a stolen session cannot quietly take the account over.
    :raises ValidationError: ``invalid_code`` (also for a code issued to another account).
    :raises Conflict: ``already_registered`` (the number was taken in the meantime).
    """
    phone = normalise_phone(raw_phone)
    issued = otp.check_code("change_phone", phone, code)
    if issued.user_id != user.id:
        db.session.commit()  # keep the code consumed: a code is good for one try
        raise ValidationError("invalid_code", otp.INVALID_CODE)  # the very answer to a wrong code
    _phone_free(phone, user)
    old_phone = user.phone
    user.phone = phone
    user.phone_verified_at = utcnow()
    # The action only: the numbers are personal data and the account holds the new one.
    audit("user.phone_change", "user", user.id, actor=user)
    _commit_unique()
    _tell_services(user, ["phone"])
    try:
        from ragem.notifications.outbox import deliver

        deliver(OutboundMessage(
            channel="sms", to=old_phone, body=translate(PHONE_CHANGED_SMS, user.preferred_language),
            user_id=user.id, purpose="phone_changed",
        ))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the change is done; a lost warning must not undo it
        db.session.rollback()
        log.exception("could not tell the old phone about the change", extra={"user_id": user.id})


def ensure_may_leave(user: User) -> None:
    """Refuse erasing the platform's last active administrator (409 ``last_admin``).

    Nobody could then grant roles or switch services any more; officers may leave freely (the
    records they handled are kept, unlinked from them).
    """
    if not user.has_role("admin"):
        return
    # Locking the admin role rows makes two admins leaving at once take turns (PostgreSQL): the
    # second then sees the first gone and is refused, instead of both leaving nobody in charge.
    admins = db.session.scalars(
        select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == "admin", User.is_active.is_(True))
        .with_for_update(of=UserRole)
    ).all()
    if not any(admin_id != user.id for admin_id in admins):
        raise Conflict("last_admin", LAST_ADMIN)


def export_own_data(user: User) -> dict[str, Any]:
    """``GET /api/v1/me/export``: everything held on the account, and an audit entry saying so.

    The entry records who exported and when, nothing of what: an export taken with a stolen
    token then shows in the account's audit trail.
    :raises DataRightsFailed: ``export_failed`` naming the service that failed.
    """
    from ragem.profile.service import export_user

    data = export_user(user)
    audit("user.export", "user", user.id, actor=user)
    db.session.commit()
    return data


def erase_own_account(user: User) -> dict[str, Any]:
    """``DELETE /api/v1/me``: end every session of the account and erase it everywhere.

    The sessions are revoked inside the erasure's transaction (which then deletes their rows with
    the account): either the account is gone and no access token of it is accepted again, on any
    worker, or a service failed and nothing changed, sessions included.
    :raises Conflict: ``last_admin``.
    :raises DataRightsFailed: a service could not erase; nothing was changed.
    """
    from ragem.auth.sessions import revoke_user_sessions
    from ragem.profile.service import erase_user

    ensure_may_leave(user)
    revoke_user_sessions(user.id, reason="account_erased")
    return erase_user(user, actor=user)
