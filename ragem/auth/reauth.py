"""Proof of the owner at the moment of a risky change: the current password, or a code sent to the
current phone.

An access token proves that someone holds a session, not that the account's owner is there: a
token copied from a phone, a log file or a proxy works for 15 minutes, a stolen refresh token for
a month, and a recent log-in says nothing about who holds the token now. So changing the phone
number, the email address or the password, and erasing the account, each ask for a proof in the
request itself (``password`` or ``current_phone_code``), never a state of the session.

A wrong proof counts as a failed log-in of the account (``ragem.auth.throttle``): a stolen token
cannot guess the password here faster than at the log-in, and a locked account is refused
before the proof is looked at. A code goes only to the phone the account has now, where its owner
sees it (and an unasked-for code warns them).
"""
from __future__ import annotations

from ragem.auth import otp, throttle
from ragem.auth.models import OneTimeCode, User
from ragem.auth.passwords import verify_password
from ragem.errors import ApiError, Forbidden, ValidationError
from ragem.extensions import db

PURPOSE = "reauthenticate"
#: The request fields that may carry the proof.
FIELDS = ("password", "current_phone_code")
CODE_ROUTE = "/api/v1/me/reauth-code"

REAUTHENTICATION_REQUIRED = {
    "id": "Demi keamanan, konfirmasi dengan kata sandi Anda sekarang atau kode yang dikirim ke nomor ponsel Anda.",
    "en": "For your security, confirm with your current password or a code sent to your phone number.",
}
WRONG_PASSWORD = {"id": "Kata sandi sekarang salah.", "en": "The current password is wrong."}


def send_code(user: User) -> OneTimeCode:
    """Text a confirmation code to the account's current phone; the caller commits.

    :raises OtpThrottled: ``otp_throttled`` (429) when the phone got too many codes lately.
    """
    return otp.issue_code(PURPOSE, user.phone, user_id=user.id)


def _failed(key: str, error: ApiError) -> None:
    """Count a wrong proof as a failed log-in, keep the count although the request fails, raise."""
    db.session.rollback()
    throttle.record_failure(key)
    db.session.commit()
    raise error


def require(user: User, *, password: str | None = None, current_phone_code: str | None = None) -> None:
    """Refuse unless the request proves the owner: the current password or a confirmation code.

    Call before changing anything: a wrong proof commits its failure count.
    :raises Forbidden: ``reauthentication_required`` (403) when neither is given; ``wrong_password``
        or ``invalid_code`` / ``code_expired`` (403) when the proof is wrong.
    :raises ApiError: ``too_many_attempts`` (429) while the log-in throttle locks the account, or
        once the code's five tries are spent.
    """
    if not password and not current_phone_code:
        raise Forbidden(
            "reauthentication_required", REAUTHENTICATION_REQUIRED,
            details={"accepts": list(FIELDS), "code_route": CODE_ROUTE},
        )
    key = throttle.account_key(user)
    throttle.check(key)
    if password:
        if not verify_password(user.password_hash, password):
            _failed(key, Forbidden("wrong_password", WRONG_PASSWORD))
    else:
        try:
            issued = otp.check_code(PURPOSE, user.phone, current_phone_code)
        except ValidationError as wrong:  # wrong, used, expired: a failed proof, not bad input
            _failed(key, Forbidden(wrong.code, wrong.message, details=wrong.details))
        if issued.user_id != user.id:  # a code of a former holder of the number
            _failed(key, Forbidden("invalid_code", otp.INVALID_CODE))
    throttle.reset(key)
