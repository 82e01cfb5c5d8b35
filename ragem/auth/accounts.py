"""The account life cycle, in one place: every change to an account row except its roles.

Create (operators), register and verify the phone (citizens), resend codes, forget, reset and
change the password, correct the profile, change the phone number or the email, and leave
(erasure). Changing the phone, the email or the password and leaving need proof of the owner in the request itself
(``ragem.auth.reauth``: the current password or a code sent to the current phone), because an
access token alone may be a stolen one. Roles are
``ragem.auth.roles``; reading identifiers is ``ragem.auth.identifiers``; the plugins hear of each
change through ``ragem.profile.service.emit_user_event``, called here after the commit.

Rules that protect the citizen:
- the NIK is stored encrypted with a keyed hash (look-ups, uniqueness), and is never logged; the
  phone number, the birth date and the address are stored encrypted too (docs/privacy.md);
- a NIK, phone or email already in use is refused with one ``already_registered`` that never
  says which account holds it; an email counts only once verified (a code sent to it was given
  back): until then it logs nobody in, receives no reset code, and blocks nobody, and whoever
  verifies the address first takes it;
- answers about password reset and resent codes are the same whether an account exists or not
  (a decoy code, throttled like a real one, stands in for a missing account);
- every function for the logged-in citizen acts on the account passed in; none takes an account
  id from the request, so one citizen can never reach another's account through these rules.

Self-registration is for people aged 17 and over (``MIN_AGE``): 17 is when Indonesians get their
KTP, and UU 27/2022 (art. 25) requires a parent's consent to process a child's data, which an app
sign-up cannot collect. Operators (``create_user``) may still create accounts for younger people.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any, Mapping

from sqlalchemy import and_, or_, select, update

from ragem.audit.service import record as audit
from ragem.auth import otp, reauth, sessions
from ragem.auth.identifiers import (
    find_account,
    mask_email,
    mask_phone,
    nik_columns,
    nik_hash,
    normalise_phone,
    user_nik,
)
from ragem.auth.models import ROLES, User, UserRole
from ragem.auth.nik import parse_nik
from ragem.auth.passwords import RULES as PASSWORD_RULES
from ragem.auth.passwords import check_password_policy, hash_password
from ragem.auth.otp import OtpThrottled
from ragem.errors import Conflict, ValidationError
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.i18n import translate
from ragem.notifications.outbox import deliver
from ragem.notifications.service import notify
from ragem.pii import keyed_hash
from ragem.profile.service import emit_user_event, erase_user
from ragem.regions.service import is_kelurahan
from ragem.timeutil import utcnow
from ragem.transactions import committed

log = logging.getLogger("ragem.auth")

MIN_AGE = 17
# A registration never verified for this long is erased when another one names its phone or NIK
# (its codes are long dead). Younger ones stay beside the new one until one of them is verified.
PENDING_REPLACEABLE_AFTER = timedelta(hours=24)

ALREADY_REGISTERED = {
    "id": "NIK, nomor ponsel atau email ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi.",
    "en": "This NIK, phone number or email is already registered. Log in or reset the password.",
}
CLAIM_TAKEN = {
    "id": "Nomor ponsel atau NIK ini sudah diverifikasi lebih dulu oleh akun lain, jadi pendaftaran ini dibatalkan. "
          "Silakan masuk atau atur ulang kata sandi.",
    "en": "Another account verified this phone number or NIK first, so this registration was cancelled. "
          "Log in or reset the password.",
}
TOO_YOUNG = {
    "id": f"Pendaftaran mandiri hanya untuk usia {MIN_AGE} tahun ke atas.",
    "en": f"Self-registration is for people aged {MIN_AGE} and over.",
}
CODE_SENT = {
    "id": "Jika nomor tersebut terdaftar, kode telah dikirim lewat SMS.",
    "en": "If the number is registered, a code was sent by SMS.",
}
RESET_SENT = {
    "id": "Jika akun ditemukan, kode untuk mengatur ulang kata sandi telah dikirim ke nomor ponselnya.",
    "en": "If the account exists, a password reset code was sent to its phone number.",
}

#: What ``PATCH /api/v1/me`` may change. The NIK only while the account has none.
EDITABLE = ("name", "kelurahan", "address", "preferred_language", "preferred_channel", "nik")

#: Why each field a client may see but not send is refused (``field_not_editable`` details).
READ_ONLY_REASONS = {
    "id": "assigned by RAGEM",
    "phone": "change it with POST /api/v1/me/phone (with the current password or a code sent to the current phone) and the code sent to the new number",
    "roles": "granted by an administrator",
    "opd": "set by an administrator",
    "opd_code": "set by an administrator",
    "phone_verified": "set by verifying the phone with a one-time code",
    "email": "change it with POST /api/v1/me/email (with the current password or a code sent to the current phone) and the code sent to the new address",
    "email_verified": "set by verifying the email with the code sent to it",
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
USED_BY_ANOTHER = {
    "id": "Data ini sudah dipakai oleh akun lain.",
    "en": "This is already used by another account.",
}
NOT_A_KELURAHAN = {
    "id": "Kelurahan tidak dikenal: pilih salah satu kelurahan di Kota Serang.",
    "en": "Unknown kelurahan: choose one of the kelurahan of Kota Serang.",
}
SAME_EMAIL = {"id": "Ini sudah email akun Anda.", "en": "This is already your account's email."}
SAME_PHONE = {"id": "Ini sudah nomor telepon akun Anda.", "en": "This is already your account's phone number."}
LAST_ADMIN = {
    "id": "Anda administrator terakhir RAGEM. Angkat administrator lain sebelum menghapus akun ini.",
    "en": "You are RAGEM's last administrator. Appoint another administrator before erasing this account.",
}
# Told to the old contact (and the inbox) when the phone number or email changes.
EMAIL_CHANGED = {
    "title": {"id": "Email diganti", "en": "Email changed"},
    "body": {
        "id": "Email akun RAGEM Anda telah diganti menjadi {new}, dan perangkat lain telah dikeluarkan dari akun. "
              "Jika bukan Anda yang menggantinya, segera ganti kata sandi Anda dan hubungi Diskominfo Kota Serang.",
        "en": "Your RAGEM account's email was changed to {new}, and every other device was logged out. "
              "If this was not you, change your password now and contact Diskominfo Kota Serang.",
    },
}
EMAIL_REMOVED = {
    "title": {"id": "Email dihapus", "en": "Email removed"},
    "body": {
        "id": "Email akun RAGEM Anda telah dihapus, dan perangkat lain telah dikeluarkan dari akun. "
              "Jika bukan Anda yang menghapusnya, segera ganti kata sandi Anda dan hubungi Diskominfo Kota Serang.",
        "en": "Your RAGEM account's email was removed, and every other device was logged out. "
              "If this was not you, change your password now and contact Diskominfo Kota Serang.",
    },
}
PHONE_CHANGED = {
    "title": {"id": "Nomor telepon diganti", "en": "Phone number changed"},
    "body": {
        "id": "Nomor telepon akun RAGEM Anda telah diganti menjadi {new}, dan perangkat lain telah dikeluarkan dari akun. "
              "Jika bukan Anda yang menggantinya, segera hubungi Diskominfo Kota Serang.",
        "en": "Your RAGEM account's phone number was changed to {new}, and every other device was logged out. "
              "If this was not you, contact Diskominfo Kota Serang at once.",
    },
}


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _normalise_email(raw: str | None) -> str | None:
    return raw.strip().lower() if raw and raw.strip() else None


def _email_destination(email: str) -> str:
    """The one-time-code destination of an email address: a keyed hash (the column is phone-sized)."""
    return "@" + keyed_hash(f"email\x1f{email}")[:19]


def _release_email_claims(email: str | None, *, keep: User | None = None) -> None:
    """Take ``email`` off every account that holds it unverified (but ``keep``): the address goes to
    whoever verifies it, or registers with it, and an unproved claim must not block them."""
    if not email:
        return
    stmt = update(User).where(User.email == email, User.email_verified_at.is_(None))
    if keep is not None and keep.id is not None:
        stmt = stmt.where(User.id != keep.id)
    db.session.execute(stmt.values(email=None).execution_options(synchronize_session="fetch"))


def _send_email_code(user: User, email: str):
    """Email a code that verifies ``email`` for ``user`` (joins the transaction); returns the code's row."""
    return otp.issue_code("verify_email", _email_destination(email), user_id=user.id, channel="email", address=email)


def _holders(*, phone: str | None, nik_hash_value: str | None, email: str | None) -> list[User]:
    """Accounts already holding any of the phone, NIK or (verified) email, pending ones included."""
    conditions = []
    if phone:
        conditions.append(User.phone == phone)
    if nik_hash_value:
        conditions.append(User.nik_hash == nik_hash_value)
    if email:  # an unverified email is a claim, not a holding
        conditions.append(and_(User.email == email, User.email_verified_at.is_not(None)))
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
    applies it). ``nik`` is validated and stored like a registration's. The phone and the email
    are taken as verified: an operator vouches for them.
    :raises ValidationError: invalid phone or NIK, unknown role, officer without OPD (422).
    :raises Conflict: ``already_registered`` (409) when a verified account holds the phone, NIK or email.
    """
    phone = normalise_phone(phone)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(details={"roles": f"unknown roles: {sorted(unknown)}"})
    if "officer" in roles and not opd_code:
        raise ValidationError(details={"opd": "an officer belongs to one OPD"})
    facts = parse_nik(nik) if nik else None
    email = _normalise_email(email)
    holders = _holders(phone=phone, nik_hash_value=nik_hash(facts.number) if facts else None, email=email)
    # The operator vouches for the phone, so the account is verified: it beats any registration
    # still waiting on the phone or NIK, which is refused when it tries to verify.
    if any(h.is_verified for h in holders):
        raise Conflict("already_registered", ALREADY_REGISTERED)
    _release_email_claims(email)
    now = utcnow()
    user = User(
        name=name, phone=phone, email=email, password_hash=password_hash or hash_password(password),
        opd_code=opd_code, phone_verified_at=now, password_changed_at=now,
        email_verified_at=now if email else None,
        **(nik_columns(facts) if facts else {}),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    return user


# -- self-registration -----------------------------------------------------------------------

def register(
    *, name: str, nik: str, phone: str, password: str, email: str | None = None,
    preferred_language: str = "id", preferred_channel: str = "sms",
) -> tuple[User, Any]:
    """Register a citizen (pending until the phone is verified) and text them a code; commits.

    Checks in this order, changing nothing when one fails: NIK (valid, holder 17 or older),
    phone, password policy, no verified account holds the NIK, phone or verified email. Another
    registration still waiting for its code does not block: both wait, each with its own code,
    and whoever verifies the phone first wins (``verify_phone``); one pending for more than 24
    hours is erased. The email, if given, is kept unverified and a code is emailed to it
    (``POST /api/v1/me/email/verify``); another account's unverified claim on it is dropped.
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
    email = _normalise_email(email)
    hashed_nik = nik_hash(facts.number)

    holders = _holders(phone=phone, nik_hash_value=hashed_nik, email=email)
    if any(h.is_verified for h in holders):
        raise Conflict("already_registered", ALREADY_REGISTERED)
    password_hash = hash_password(password)
    stale_before = utcnow() - PENDING_REPLACEABLE_AFTER
    for stale in holders:
        if stale.created_at <= stale_before:
            log.info("replacing a registration never verified", extra={"user_id": stale.id})
            erase_user(stale, actor=None)
    _release_email_claims(email)

    user = User(
        name=name, phone=phone, email=email, password_hash=password_hash,
        preferred_language=preferred_language, preferred_channel=preferred_channel, phone_verified_at=None, password_changed_at=utcnow(),
        **nik_columns(facts),
    )
    user.role_rows = [UserRole(role="citizen")]
    db.session.add(user)
    # Someone may register the same phone, NIK or email between our check and our commit.
    with committed(conflict=Conflict("already_registered", ALREADY_REGISTERED)):
        db.session.flush()
        code = otp.issue_code("verify_phone", phone, user_id=user.id)
        if email:
            try:
                _send_email_code(user, email)
            except OtpThrottled:  # the address got many codes lately: ask again from the app later
                log.info("email code not sent at registration (throttled)", extra={"user_id": user.id})
    emit_user_event("registered", user.id)
    return user, code


def verify_phone(phone: str, code: str, *, device: str | None = None, ip: str | None = None) -> dict[str, Any]:
    """Activate the pending account the code was texted for and log it in; commits.

    Whoever verifies first wins a contested phone or NIK: the code names its account (several
    registrations may wait on one phone, each with its own code). When another account verified
    the phone or the NIK first, this registration is erased and refused with ``already_registered``.
    Once this one is verified, other registrations still waiting on the same phone are erased
    (the phone's owner just chose this one); those on the same NIK with another phone are
    refused when they try to verify.
    :returns: the token response of a log-in (``sessions.issue_tokens``); the ``verified`` user
        event is sent after the commit.
    :raises ValidationError: ``invalid_code`` / ``code_expired`` (422), also when no account
        waits for this phone (the same answer as a wrong code).
    :raises Conflict: ``already_registered`` (409): another account verified the phone or NIK first.
    :raises ApiError: ``too_many_attempts`` (429).
    """
    phone = normalise_phone(phone)
    row = otp.check_code("verify_phone", phone, code)
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or user.is_verified or user.phone != phone or not user.is_active:
        db.session.rollback()
        raise ValidationError("invalid_code", otp.INVALID_CODE)
    user_id = user.id
    if _verified_rival(user) is not None:
        _drop_claim(user)
    user.phone_verified_at = utcnow()
    try:
        # The unique indexes over verified accounts decide a race between two verifications.
        with committed(conflict=Conflict("already_registered", CLAIM_TAKEN)):
            session, refresh_token = sessions.start_session(user, device=device, ip=ip)
            tokens = sessions.issue_tokens(user, session, refresh_token)
    except Conflict:
        beaten = db.session.get(User, user_id)
        if beaten is not None:
            _drop_claim(beaten)
        raise
    _erase_pending_on_phone(user)
    emit_user_event("verified", user.id)
    return tokens


def _verified_rival(user: User) -> User | None:
    """A verified account holding ``user``'s phone or NIK, if any."""
    same = User.phone_hash == user.phone_hash
    if user.nik_hash:
        same = or_(same, User.nik_hash == user.nik_hash)
    return db.session.scalars(
        select(User).where(same, User.id != user.id, User.phone_verified_at.is_not(None)).limit(1)
    ).first()


def _drop_claim(user: User) -> None:
    """Erase a registration another account beat to verification, and refuse it (409)."""
    db.session.rollback()
    log.info("registration beaten to verification, erased", extra={"user_id": user.id})
    erase_user(user, actor=None)
    raise Conflict("already_registered", CLAIM_TAKEN)


def _erase_pending_on_phone(winner: User) -> None:
    """After ``winner`` verified its phone, erase the other registrations still waiting on it.

    A failure is logged, not raised: the verification is done, and a leftover can never verify.
    """
    losers = db.session.scalars(
        select(User).where(User.phone_hash == winner.phone_hash, User.id != winner.id, User.phone_verified_at.is_(None))
    ).all()
    for loser in losers:
        try:
            erase_user(loser, actor=None)
        except Exception:  # noqa: BLE001 - see the docstring
            db.session.rollback()
            log.exception("could not erase a registration beaten to verification", extra={"user_id": loser.id})


def resend_code(phone: str, purpose: str = "verify_phone") -> dict[str, Any]:
    """Send a new verification code when an account waits for ``phone``; commits.

    The answer is the same whether or not such an account exists: otherwise a decoy code (never
    sent) is stored, so the throttle answers alike too.
    :raises ApiError: ``otp_throttled`` (429, with Retry-After).
    """
    phone = normalise_phone(phone)
    # The newest account on the phone: the registration its owner most likely waits for.
    user = db.session.scalars(select(User).where(User.phone == phone).order_by(User.created_at.desc()).limit(1)).first()
    with committed():
        if user is not None and not user.is_verified and user.is_active:
            otp.issue_code(purpose, phone, user_id=user.id)
        else:
            otp.issue_decoy(purpose, phone)
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
    user = find_account(identifier)
    return user if user is not None and user.is_active and user.is_verified else None


def forgot_password(identifier: str) -> dict[str, Any]:
    """Text a reset code to the account's phone; the same answer when there is no account; commits.

    :raises ApiError: ``otp_throttled`` (429), for existing and unknown identifiers alike.
    """
    user = _resettable(identifier)
    destination = _reset_destination(identifier, user)
    with committed():
        if user is not None:
            otp.issue_code("reset_password", destination, user_id=user.id)
        else:
            otp.issue_decoy("reset_password", destination)
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
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoked = sessions.revoke_user_sessions(user.id, reason="password_reset")
    audit("user.password_reset", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str, *, session_id: str | None) -> int:
    """Change the password of a logged-in ``user``; revokes their other sessions; commits.

    A wrong current password counts as a failed log-in of the account (the log-in throttle), and
    a locked account is refused before the password is looked at.
    :returns: how many other sessions were revoked.
    :raises Forbidden: ``wrong_password`` (403).
    :raises ApiError: ``too_many_attempts`` (429) while the log-in throttle locks the account.
    :raises ValidationError: ``weak_password`` (422).
    """
    # The account's log-in throttle guards this door too: a stolen access token must not let
    # anyone guess the password here faster than at the log-in.
    reauth.require(user, password=current_password)
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


# -- the citizen's own account ----------------------------------------------------------

def refuse_fields(names: list[str]) -> None:
    """Raise ``field_not_editable`` (422) naming each refused field and why."""
    raise ValidationError(
        "field_not_editable",
        FIELD_NOT_EDITABLE,
        details={"fields": {name: READ_ONLY_REASONS.get(name, "unknown field") for name in sorted(names)}},
    )


def update_profile(user: User, changes: Mapping[str, Any]) -> list[str]:
    """Apply a ``PATCH /api/v1/me`` body and commit; returns the names of the fields that changed
    (also sent to every service as the ``updated`` user event).

    Everything is checked before anything is written, so a refused request changes nothing.
    :raises ValidationError: ``field_not_editable`` (a field outside ``EDITABLE``),
        ``nik_locked`` (the account already has a NIK), ``invalid_nik``, ``validation_error``
        (unknown kelurahan).
    :raises Conflict: ``already_registered`` (the NIK belongs to another account; whose is not said).
    """
    refused = [name for name in changes if name not in EDITABLE]
    if refused:
        refuse_fields(refused)
    new: dict[str, Any] = {}
    if "name" in changes:
        new["name"] = changes["name"].strip()
    if "kelurahan" in changes:
        code = changes["kelurahan"]
        if code is not None and not is_kelurahan(code):
            raise ValidationError(message=NOT_A_KELURAHAN, details={"kelurahan": code})
        new["kelurahan_code"] = code
    if "address" in changes:
        new["address"] = changes["address"].strip() if changes["address"] else None
    if "preferred_language" in changes:
        new["preferred_language"] = changes["preferred_language"]
    if "preferred_channel" in changes:
        new["preferred_channel"] = changes["preferred_channel"]
    if "nik" in changes:
        new.update(_first_nik_columns(user, changes["nik"]))

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
    emit_user_event("updated", user.id, {"fields": changed})


def _field_name(column: str) -> str:
    """The API name of an account column (the NIK's columns are all "nik")."""
    if column.startswith("nik_") or column == "birth_date":
        return "nik"
    return "kelurahan" if column == "kelurahan_code" else column


def _first_nik_columns(user: User, raw: str) -> dict[str, Any]:
    """The attributes that store a first NIK: ciphertext, keyed hash, birth date."""
    if user.nik_hash:
        raise ValidationError("nik_locked", NIK_LOCKED, details={"nik": "already recorded"})
    columns = nik_columns(parse_nik(raw))  # the same look-up hash registration and log-in use
    # Only a verified account holds a NIK; a registration waiting on it is refused at its verification.
    if _taken(and_(User.nik_hash == columns["nik_hash"], User.phone_verified_at.is_not(None)), user):
        raise Conflict("already_registered", USED_BY_ANOTHER, details={"field": "nik"})
    return columns


def _taken(condition, user: User) -> bool:
    """Whether another account matches ``condition``."""
    return db.session.scalar(select(User.id).where(condition, User.id != user.id).limit(1)) is not None


def _commit_unique() -> None:
    """Commit; a unique value taken by another account in the meantime is the same 409."""
    with committed(conflict=Conflict("already_registered", USED_BY_ANOTHER)):
        pass  # the changes are already in the session


def _phone_free(phone: str, user: User) -> None:
    """Refuse a phone a verified account holds (a registration waiting on it is refused at its verification)."""
    if _taken(and_(User.phone == phone, User.phone_verified_at.is_not(None)), user):
        raise Conflict("already_registered", USED_BY_ANOTHER, details={"field": "phone"})


def send_reauth_code(user: User):
    """Text a confirmation code to the account's current phone; commits; returns the code's row.

    :raises OtpThrottled: ``otp_throttled`` (429) when the phone got too many codes lately.
    """
    row = reauth.send_code(user)
    db.session.commit()
    return row


def start_phone_change(user: User, raw_phone: str, *, password: str | None = None,
                       current_phone_code: str | None = None):
    """Send a ``change_phone`` code to the new number once the owner is proved; returns the code's row.

    The new number's form is checked first (no proof is spent on a typo); whether another account
    holds it is said only after the proof, so a stolen token cannot probe who is registered.
    :raises ValidationError: not a phone number, or the account's own number.
    :raises Forbidden: ``reauthentication_required``, ``wrong_password``, ``invalid_code`` (403).
    :raises Conflict: ``already_registered`` (another account has the number).
    """
    phone = normalise_phone(raw_phone)
    if phone == user.phone:
        raise ValidationError("same_phone", SAME_PHONE, details={"phone": "unchanged"})
    reauth.require(user, password=password, current_phone_code=current_phone_code)
    _phone_free(phone, user)
    code = otp.issue_code("change_phone", phone, user_id=user.id)
    db.session.commit()
    return code


def confirm_phone_change(user: User, raw_phone: str, code: str, *, session_id: str | None = None) -> int:
    """Switch the account to the new number once the code sent to it is given back; commits.

    Every other session of the account ends, and the old number is told by SMS (and the inbox),
    so a change the owner did not make does not go unnoticed and leaves no other device inside.
    :returns: how many other sessions were revoked.
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
    revoked = sessions.revoke_user_sessions(user.id, reason="phone_changed", except_session_id=session_id)
    # The action only: the numbers are personal data and the account holds the new one.
    audit("user.phone_change", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    notice = _contact_changed_notice(user, PHONE_CHANGED, kind="account.phone_changed", new=mask_phone(phone))
    _commit_unique()
    _tell_services(user, ["phone"])
    _send_after_commit(OutboundMessage(channel="sms", to=old_phone, body=notice, user_id=user.id, purpose="phone_changed"))
    return revoked


def _contact_changed_notice(user: User, texts: Mapping[str, Any], *, kind: str, new: str) -> str:
    """Put the change in the account's inbox (added, the caller commits); returns the text for the
    old contact, in the account's language."""
    body = {lang: text.format(new=new) for lang, text in texts["body"].items()}
    notify(user, kind=kind, title=texts["title"], body=body)
    return "RAGEM: " + translate(body, user.preferred_language)


def _send_after_commit(*messages: OutboundMessage) -> None:
    """Deliver warnings about a change already committed; a lost warning must not undo the change."""
    for message in messages:
        try:
            deliver(message)
            db.session.commit()
        except Exception:  # noqa: BLE001 - the change is done; log and carry on
            db.session.rollback()
            log.exception("could not warn the old contact", extra={"user_id": message.user_id, "purpose": message.purpose})


def start_email_change(user: User, raw_email: str, *, password: str | None = None,
                       current_phone_code: str | None = None):
    """Email a code to a new address once the owner is proved; commits; returns the code's row.

    The account keeps its current email until the code comes back (``confirm_email_change``).
    The same address, still unverified, gets a new code: that is how a registration's email is
    verified after its first code expired.
    :raises ValidationError: ``same_email`` (already the account's verified email).
    :raises Forbidden: ``reauthentication_required``, ``wrong_password``, ``invalid_code`` (403).
    :raises Conflict: ``already_registered`` (another account verified this address).
    :raises OtpThrottled: ``otp_throttled`` (429) when the address got too many codes lately.
    """
    email = _normalise_email(raw_email)
    if email is None:
        raise ValidationError(details={"email": "an email address"})
    if email == user.verified_email:
        raise ValidationError("same_email", SAME_EMAIL, details={"email": "unchanged"})
    reauth.require(user, password=password, current_phone_code=current_phone_code)
    if _taken(and_(User.email == email, User.email_verified_at.is_not(None)), user):
        raise Conflict("already_registered", USED_BY_ANOTHER, details={"field": "email"})
    row = _send_email_code(user, email)
    db.session.commit()
    return row


def confirm_email_change(user: User, raw_email: str, code: str, *, session_id: str | None = None) -> int:
    """Make ``raw_email`` the account's verified email with the code sent to it; commits.

    Verifying the address the account already holds (a registration's) changes nothing else. A new
    address is a change: every other session ends, and the old address (if verified), the phone
    and the inbox are told. Another account's unverified claim on the address is dropped.
    :returns: how many other sessions were revoked.
    :raises ValidationError: ``invalid_code`` (also for a code sent for another account).
    :raises Conflict: ``already_registered`` (another account verified the address meanwhile).
    """
    email = _normalise_email(raw_email) or ""
    issued = otp.check_code("verify_email", _email_destination(email), code)
    if issued.user_id != user.id:
        db.session.commit()  # keep the code consumed: a code is good for one try
        raise ValidationError("invalid_code", otp.INVALID_CODE)
    if _taken(and_(User.email == email, User.email_verified_at.is_not(None)), user):
        raise Conflict("already_registered", USED_BY_ANOTHER, details={"field": "email"})
    changed = user.email != email
    old_email = user.verified_email
    _release_email_claims(email, keep=user)
    user.email = email
    user.email_verified_at = utcnow()
    if not changed:
        audit("user.email_verify", "user", user.id, actor=user)
        _commit_unique()
        _tell_services(user, ["email"])
        return 0
    revoked = sessions.revoke_user_sessions(user.id, reason="email_changed", except_session_id=session_id)
    audit("user.email_change", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    notice = _contact_changed_notice(user, EMAIL_CHANGED, kind="account.email_changed", new=mask_email(email))
    _commit_unique()
    _tell_services(user, ["email"])
    _warn_old_contacts(user, notice, purpose="email_changed", old_email=old_email)
    return revoked


def remove_email(user: User, *, password: str | None = None, current_phone_code: str | None = None,
                 session_id: str | None = None) -> int:
    """Take the email off the account once the owner is proved; commits; returns the sessions revoked.

    A change like any other: every other session ends; the old address (if verified), the phone
    and the inbox are told.
    :raises Forbidden: ``reauthentication_required``, ``wrong_password``, ``invalid_code`` (403).
    """
    reauth.require(user, password=password, current_phone_code=current_phone_code)
    if user.email is None:
        return 0
    old_email = user.verified_email
    user.email = None
    user.email_verified_at = None
    revoked = sessions.revoke_user_sessions(user.id, reason="email_changed", except_session_id=session_id)
    audit("user.email_remove", "user", user.id, after={"sessions_revoked": revoked}, actor=user)
    notice = _contact_changed_notice(user, EMAIL_REMOVED, kind="account.email_changed", new="")
    db.session.commit()
    _tell_services(user, ["email"])
    _warn_old_contacts(user, notice, purpose="email_changed", old_email=old_email)
    return revoked


def _warn_old_contacts(user: User, notice: str, *, purpose: str, old_email: str | None) -> None:
    """After an email change: tell the phone by SMS and the old address (if it was verified) by email."""
    messages = [OutboundMessage(channel="sms", to=user.phone, body=notice, user_id=user.id, purpose=purpose)]
    if old_email:
        messages.append(OutboundMessage(channel="email", to=old_email, body=notice, user_id=user.id, purpose=purpose))
    _send_after_commit(*messages)


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


def erase_own_account(user: User, *, password: str | None = None,
                      current_phone_code: str | None = None) -> dict[str, Any]:
    """``DELETE /api/v1/me``: once the owner is proved, end every session and erase the account everywhere.

    The sessions are revoked inside the erasure's transaction (which then deletes their rows with
    the account): either the account is gone and no access token of it is accepted again, on any
    worker, or a service failed and nothing changed, sessions included.
    :raises Forbidden: ``reauthentication_required``, ``wrong_password``, ``invalid_code`` (403).
    :raises Conflict: ``last_admin``.
    :raises DataRightsFailed: a service could not erase; nothing was changed.
    """
    reauth.require(user, password=password, current_phone_code=current_phone_code)
    ensure_may_leave(user)
    sessions.revoke_user_sessions(user.id, reason="account_erased")
    return erase_user(user, actor=user)
