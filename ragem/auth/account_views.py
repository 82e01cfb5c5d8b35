"""Accounts: registration, phone verification, resent codes, password reset and change."""
from __future__ import annotations

from flask import current_app, g, request

from ragem.auth import accounts
from ragem.auth.guards import current_account, login_required
from ragem.auth.identifiers import mask_phone
from ragem.auth.models import User
from ragem.auth.otp import TTL_SECONDS
from ragem.auth.schemas import (
    ChangePasswordSchema,
    CodeSentSchema,
    ForgotPasswordSchema,
    PasswordChangedSchema,
    PasswordResetDoneSchema,
    ReauthCodeSentSchema,
    RegisteredSchema,
    RegisterSchema,
    ResendCodeSchema,
    ResetPasswordSchema,
    TokenSchema,
    VerifyPhoneSchema,
)
from ragem.auth.sessions import current_session_id
from ragem.blueprint import Blueprint
from ragem.extensions import limiter
from ragem.i18n import translate
from ragem.schemas import ErrorSchema

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Registration, phone verification and passwords")

# Tokens are credentials: no proxy or browser cache may keep a copy.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

RESET_DONE = {
    "id": "Kata sandi telah diganti. Silakan masuk kembali di semua perangkat.",
    "en": "The password was changed. Please log in again on every device.",
}


def _per_account() -> str:
    """Rate-limit key: the logged-in account (the limit sits inside the log-in guard)."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', 'ragem')}:account:{g.current_user.id}"


def _client() -> dict[str, str | None]:
    """The device label and address a new session records."""
    return {"device": (request.user_agent.string or None) and request.user_agent.string[:200],
            "ip": request.remote_addr}


@blp.route("/auth/register", methods=["POST"])
@limiter.limit("10 per minute")
@blp.arguments(RegisterSchema)
@blp.response(201, RegisteredSchema)
@blp.alt_response(409, schema=ErrorSchema, description="NIK, phone or email already registered (already_registered; never says whose)")
@blp.alt_response(422, schema=ErrorSchema, description="invalid_nik, too_young, invalid_phone, weak_password (details name the rule)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent to this phone lately (otp_throttled; see Retry-After)")
def register(body):
    """Register with name, NIK, phone and password; a code is texted to verify the phone.

    The NIK gives the birth date and sex; self-registration is for people aged 17 and over
    (``too_young``). Until the phone is verified the account cannot log in; a registration never
    verified for 24 hours may be replaced by a new one with the same phone, NIK or email.
    """
    user, _code = accounts.register(**body)
    return {"user_id": user.id, "status": "pending_verification", "code_expires_in": TTL_SECONDS}


@blp.route("/auth/verify-phone", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(VerifyPhoneSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Wrong, used or expired code (invalid_code, code_expired)")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: the code is dead (too_many_attempts)")
def verify_phone(body):
    """Activate the account with the texted code and log in (same answer as log-in)."""
    return accounts.verify_phone(body["phone"], body["code"], **_client()), 200, NO_STORE


@blp.route("/auth/resend-code", methods=["POST"])
@limiter.limit("10 per minute")
@blp.arguments(ResendCodeSchema)
@blp.response(202, CodeSentSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent lately (otp_throttled; see Retry-After)")
def resend_code(body):
    """Text a new verification code (the answer does not tell whether the account exists)."""
    result = accounts.resend_code(body["phone"], body["purpose"])
    return {**result, "message": translate(result["message"])}


@blp.route("/auth/password/forgot", methods=["POST"])
@limiter.limit("10 per minute")
@blp.arguments(ForgotPasswordSchema)
@blp.response(202, CodeSentSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent lately (otp_throttled; see Retry-After)")
def forgot_password(body):
    """Text a password reset code to the account's phone (same answer for unknown accounts)."""
    result = accounts.forgot_password(body["identifier"])
    return {**result, "message": translate(result["message"])}


@blp.route("/auth/password/reset", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(ResetPasswordSchema)
@blp.response(200, PasswordResetDoneSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Wrong or expired code, or a weak new password")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: the code is dead (too_many_attempts)")
def reset_password(body):
    """Set a new password with the texted code; every session of the account ends."""
    accounts.reset_password(body["identifier"], body["code"], body["new_password"])
    return {"message": translate(RESET_DONE)}


@blp.route("/me/password", methods=["POST"])
@login_required
@blp.arguments(ChangePasswordSchema)
@blp.response(200, PasswordChangedSchema)
@blp.alt_response(422, schema=ErrorSchema, description="The new password breaks a rule (weak_password)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many wrong passwords for this account (too_many_attempts)")
def change_password(body):
    """Change the password (the current one is required); the other sessions end."""
    user: User = current_account()
    revoked = accounts.change_password(
        user, body["current_password"], body["new_password"], session_id=current_session_id()
    )
    return {"password_changed_at": user.password_changed_at, "other_sessions_revoked": revoked}



@blp.route("/me/reauth-code", methods=["POST"])
@login_required
@limiter.limit("10 per hour", key_func=_per_account)
@blp.response(202, ReauthCodeSentSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent to this phone lately (otp_throttled; see Retry-After)")
def send_reauth_code():
    """Text a confirmation code to the account's current phone.

    Give it back as ``current_phone_code`` to change the phone number or the email, or to erase
    the account, when the password is not at hand. The code is valid 5 minutes, for one change.
    """
    row = accounts.send_reauth_code(current_account())
    return {"sent_to": mask_phone(row.destination), "expires_at": row.expires_at, "code_expires_in": TTL_SECONDS}
