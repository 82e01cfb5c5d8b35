"""One-time codes sent by SMS (or email, to verify an address): 6 digits, valid 5 minutes, stored hashed, at most 5 tries.

A code is stored only as an HMAC (``pii.keyed_hash`` over purpose, destination and code), so a
copy of the table reveals no code, and the destination as a keyed hash and a ciphertext. Only the
newest code of a purpose, destination and account counts: a new one silently retires the
previous. Two accounts may wait on one destination at once (two registrations on one phone,
until one of them is verified): each keeps its own code, and a try is counted against every live
code of the destination, so two live codes never give a guesser more than five tries each. Every
try is counted with an atomic ``UPDATE`` before the comparison, so parallel guesses cannot
share a try; after five a code is dead (429).
Sending is throttled per destination (one a minute, five an hour, every purpose together), which
caps both the SMS bill and the number of codes an attacker can ask to guess at.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, text, update

from ragem.auth.models import OneTimeCode, User
from ragem.errors import ApiError, ServiceUnavailable, ValidationError
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.messaging.gateways import CODE_CHANNELS, can_send_codes
from ragem.notifications.outbox import deliver
from ragem.pii import keyed_hash
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.auth.otp")

PURPOSES = ("verify_phone", "reset_password", "change_phone", "reauthenticate", "verify_email")
CODE_DIGITS = 6
TTL_SECONDS = 5 * 60
MAX_ATTEMPTS = 5
RESEND_INTERVAL_SECONDS = 60
HOURLY_LIMIT = 5
# Codes older than this are deleted when a new one is issued (they no longer count for anything).
KEEP_FOR = timedelta(days=1)

INVALID_CODE = {
    "id": "Kode salah atau sudah tidak berlaku.",
    "en": "The code is wrong or no longer valid.",
}
CODE_EXPIRED = {
    "id": "Kode sudah kedaluwarsa. Minta kode baru.",
    "en": "The code has expired. Ask for a new one.",
}
TOO_MANY_ATTEMPTS = {
    "id": "Terlalu banyak percobaan yang salah. Minta kode baru.",
    "en": "Too many wrong attempts. Ask for a new code.",
}
CODES_UNAVAILABLE = {
    "id": "Kode verifikasi tidak dapat dikirim: layanan SMS dan WhatsApp belum tersedia. Hubungi pengelola RAGEM.",
    "en": "Verification codes cannot be sent: no SMS or WhatsApp service is available. Contact RAGEM's operators.",
}
THROTTLED = {
    "id": "Kode baru belum dapat dikirim. Tunggu sebentar lalu coba lagi.",
    "en": "A new code cannot be sent yet. Please wait and try again.",
}

# What the SMS says, per purpose and language. Never more than one SMS segment of text around it.
_TEXTS = {
    "verify_phone": {
        "id": "RAGEM: kode verifikasi Anda {code}. Berlaku 5 menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas.",
        "en": "RAGEM: your verification code is {code}. Valid for 5 minutes. Never share it with anyone, officers included.",
    },
    "reset_password": {
        "id": "RAGEM: kode untuk mengatur ulang kata sandi {code}. Berlaku 5 menit. Abaikan jika Anda tidak memintanya.",
        "en": "RAGEM: your password reset code is {code}. Valid for 5 minutes. Ignore this if you did not ask for it.",
    },
    "change_phone": {
        "id": "RAGEM: kode untuk mengganti nomor ponsel {code}. Berlaku 5 menit. Jangan berikan kode ini kepada siapa pun.",
        "en": "RAGEM: your code to change your phone number is {code}. Valid for 5 minutes. Never share it.",
    },
    # Sent by email (the destination is a keyed hash of the address: the column is phone-sized).
    "verify_email": {
        "id": "RAGEM: kode untuk memverifikasi email ini pada akun RAGEM Anda {code}. Berlaku 5 menit. Jika Anda tidak memintanya, abaikan email ini.",
        "en": "RAGEM: your code to verify this email address for your RAGEM account is {code}. Valid for 5 minutes. If you did not ask for it, ignore this email.",
    },
    # Sent to the account's current phone before a change of phone, email or password or an
    # erasure: it names what it unlocks, so an owner who did not ask for it knows to act.
    "reauthenticate": {
        "id": "RAGEM: kode konfirmasi {code} untuk mengubah nomor ponsel, email, atau kata sandi, atau menghapus akun Anda. Berlaku 5 menit. Jika bukan Anda yang meminta, segera ganti kata sandi Anda.",
        "en": "RAGEM: confirmation code {code} to change your phone number, email or password, or to erase your account. Valid for 5 minutes. If you did not ask for it, change your password now.",
    },
}


class OtpThrottled(ApiError):
    """Too many codes sent to one destination lately (429, with ``Retry-After``)."""

    status = 429
    code = "otp_throttled"


def _code_hash(purpose: str, destination: str, code: str) -> str:
    # Purpose and destination are mixed in so that one code's hash says nothing about another's.
    return keyed_hash(f"otp\x1f{purpose}\x1f{destination}\x1f{code}")


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown one-time code purpose {purpose!r} (known: {', '.join(PURPOSES)})")


def _lock_destination(destination: str) -> None:
    """Serialise issuing for one destination until commit (PostgreSQL), so the throttle holds
    under parallel requests; SQLite already runs one writer at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = int(keyed_hash(f"otp-lock\x1f{destination}")[:15], 16)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _throttle(destination: str, now: datetime) -> None:
    """Refuse (429 ``otp_throttled``) when a code went to ``destination`` under a minute ago or
    five went there within the hour; ``Retry-After`` says when the next one may go."""
    window = now - timedelta(hours=1)
    count, oldest, newest = db.session.execute(
        select(func.count(OneTimeCode.id), func.min(OneTimeCode.created_at), func.max(OneTimeCode.created_at))
        .where(OneTimeCode.destination == destination, OneTimeCode.created_at > window)
    ).one()
    waits = []
    if newest is not None and newest > now - timedelta(seconds=RESEND_INTERVAL_SECONDS):
        waits.append(newest + timedelta(seconds=RESEND_INTERVAL_SECONDS) - now)
    if count >= HOURLY_LIMIT:
        waits.append(oldest + timedelta(hours=1) - now)
    if waits:
        seconds = max(1, int(max(waits).total_seconds() + 0.999))
        raise OtpThrottled(message=THROTTLED, details={"retry_after": seconds}, headers={"Retry-After": str(seconds)})


def _store(purpose: str, destination: str, user_id: str | None) -> tuple[OneTimeCode, str]:
    """Throttle, retire the previous code, and add a new one; returns it with its plain digits."""
    _check_purpose(purpose)
    now = utcnow()
    _lock_destination(destination)
    _throttle(destination, now)
    db.session.execute(
        OneTimeCode.__table__.delete().where(
            OneTimeCode.destination == destination, OneTimeCode.created_at < now - KEEP_FOR
        )
    )
    # The previous live code of this purpose and account dies now; the row stays, the throttle
    # counts it. Another account's code for the destination lives on (see the module's docstring).
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.purpose == purpose, OneTimeCode.destination == destination,
            OneTimeCode.consumed_at.is_(None), OneTimeCode.expires_at > now,
            OneTimeCode.user_id == user_id if user_id is not None else OneTimeCode.user_id.is_(None),
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = OneTimeCode(
        purpose=purpose, destination=destination, user_id=user_id, attempts=0,
        code_hash=_code_hash(purpose, destination, code),
        created_at=now, expires_at=now + timedelta(seconds=TTL_SECONDS),
    )
    db.session.add(row)
    db.session.flush()
    return row, code


def issue_code(purpose: str, destination: str, *, user_id: str | None = None, channel: str = "sms",
               address: str | None = None) -> OneTimeCode:
    """Create a code for ``destination`` (E.164) and send it through the message-delivery hook.

    Resends are throttled (429 with Retry-After); a new code invalidates the previous one. The
    SMS is in the account's preferred language when ``user_id`` is given, else Indonesian. The
    row and any outbox message join the current transaction: the caller commits. An email code
    goes with ``channel="email"`` to ``address``, and ``destination`` is then a stand-in of at most
    20 characters that the caller derives from the address (the throttle and the look-up use it).
    :raises OtpThrottled: ``otp_throttled`` (429); nothing was stored or sent.
    """
    _require_a_way_to_send(channel)
    row, code = _store(purpose, destination, user_id)
    language = "id"
    if user_id:
        language = db.session.scalar(select(User.preferred_language).where(User.id == user_id)) or "id"
    body = _TEXTS[purpose].get(language, _TEXTS[purpose]["id"]).format(code=code)
    sent = deliver(OutboundMessage(
        channel=channel, to=address or destination, body=body, user_id=user_id, purpose=f"otp.{purpose}",
        # A WhatsApp authentication template takes the code as its parameter; never stored.
        data={"code": code},
    ))
    if not sent:
        # Never the code nor the number: the purpose is enough to notice a gateway outage.
        log.warning("one-time code not delivered", extra={"purpose": purpose})
    return row


def _require_a_way_to_send(channel: str) -> None:
    """Refuse (503 ``codes_unavailable``, nothing stored) a code by phone that nothing could send:
    production declared ``RAGEM_MESSAGES_WITHOUT_CODES`` and has no SMS or WhatsApp gateway."""
    settings = current_app.config["RAGEM"]
    if channel in CODE_CHANNELS and settings["ENV"] == "production" and not can_send_codes():
        raise ServiceUnavailable("codes_unavailable", CODES_UNAVAILABLE)


def issue_decoy(purpose: str, destination: str) -> OneTimeCode:
    """Store a code that is never sent, throttled exactly like a real one.

    Used where a real code would only go to an existing account (password reset, resend): the
    caller stores a decoy for anyone else, so the answers (202, then 429 when throttled, then
    ``too_many_attempts`` after five guesses) never tell whether the account exists.
    """
    row, _code = _store(purpose, destination, None)
    return row


def check_code(purpose: str, destination: str, code: str) -> OneTimeCode:
    """Consume the valid code for ``destination``; 422 when wrong or expired, 429 after 5 tries.

    Only the newest code of ``purpose`` for ``destination`` and each account is considered (one
    account in all but a contested registration). A failed try is committed at once (together
    with anything else pending in the session, so call this before changing anything), so that
    rolling the request back never gives a guess back. On success the code is marked consumed in
    the session; the caller commits it with its own change.
    :returns: the code's row; its ``user_id`` says which account the code was sent for.
    :raises ValidationError: ``invalid_code`` (wrong, used or none) or ``code_expired`` (422).
    :raises ApiError: ``too_many_attempts`` (429) once five tries were spent.
    """
    _check_purpose(purpose)
    now = utcnow()
    rows = db.session.scalars(
        select(OneTimeCode)
        .where(OneTimeCode.purpose == purpose, OneTimeCode.destination == destination)
        .order_by(OneTimeCode.id.desc())
        .limit(HOURLY_LIMIT * 2)  # the throttle caps how many codes one destination has lately
    ).all()
    live = [row for row in rows if row.consumed_at is None and row.expires_at > now and row.attempts < MAX_ATTEMPTS]
    if not live:
        newest = rows[0] if rows else None
        if newest is None or newest.consumed_at is not None:
            raise ValidationError("invalid_code", INVALID_CODE)
        if newest.attempts >= MAX_ATTEMPTS:
            raise ApiError("too_many_attempts", TOO_MANY_ATTEMPTS, status=429)
        if newest.expires_at <= now:
            raise ValidationError("code_expired", CODE_EXPIRED)
        raise ValidationError("invalid_code", INVALID_CODE)
    # Count the try on every live code before looking at the code: the WHERE makes the fifth try
    # the last one even when several requests guess at the same time.
    counted = [row for row in live if db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.attempts < MAX_ATTEMPTS, OneTimeCode.consumed_at.is_(None))
        .values(attempts=OneTimeCode.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1]
    if not counted:
        db.session.commit()
        raise ApiError("too_many_attempts", TOO_MANY_ATTEMPTS, status=429)
    given = _code_hash(purpose, destination, str(code or "").strip())
    match = next((row for row in counted if hmac.compare_digest(row.code_hash, given)), None)
    if match is None:
        db.session.commit()
        newest = counted[0]
        db.session.refresh(newest)
        raise ValidationError(
            "invalid_code", INVALID_CODE, details={"attempts_left": max(0, MAX_ATTEMPTS - newest.attempts)}
        )
    consumed = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == match.id, OneTimeCode.consumed_at.is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if consumed != 1:  # another request used it a moment ago
        db.session.commit()
        raise ValidationError("invalid_code", INVALID_CODE)
    db.session.refresh(match)
    return match
