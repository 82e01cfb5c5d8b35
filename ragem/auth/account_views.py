"""Accounts: registration, phone verification, resent codes, password reset and change."""
from __future__ import annotations

from flask import g, request
from marshmallow import fields, validate

from ragem.auth import service
from ragem.auth.guards import login_required
from ragem.auth.models import User
from ragem.auth.otp import CODE_DIGITS, TTL_SECONDS
from ragem.auth.schemas import TokenSchema
from ragem.blueprint import Blueprint
from ragem.extensions import limiter
from ragem.i18n import LANGUAGES, translate
from ragem.schemas import BaseSchema, ErrorSchema, UtcDateTime

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Registration, phone verification and passwords")

# Passwords longer than the policy allows still parse, so the 422 can say which rule failed;
# anything beyond this is not a password.
_PASSWORD = {"required": True, "load_only": True, "validate": validate.Length(min=1, max=1024)}
_CODE = {"required": True, "load_only": True, "validate": validate.Regexp(rf"^[0-9]{{{CODE_DIGITS}}}$"),
         "metadata": {"description": f"the {CODE_DIGITS}-digit code sent by SMS"}}


class RegisterSchema(BaseSchema):
    """A citizen's registration; anything else (roles, verification state) is refused."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    nik = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=32),
                        metadata={"description": "16-digit NIK; birth date and sex are taken from it"})
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"example": "0812 3456 7890", "description": "Indonesian mobile number"})
    password = fields.String(**_PASSWORD)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    preferred_language = fields.String(load_default="id", validate=validate.OneOf(LANGUAGES))


class RegisteredSchema(BaseSchema):
    """A registration waiting for its phone to be verified."""

    user_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"example": "pending_verification"})
    code_expires_in = fields.Integer(required=True, metadata={"description": "seconds the code stays valid"})


class VerifyPhoneSchema(BaseSchema):
    """The phone number and the code texted to it."""

    phone = fields.String(required=True, validate=validate.Length(min=1, max=32))
    code = fields.String(**_CODE)


class ResendCodeSchema(BaseSchema):
    """Ask for a new verification code."""

    phone = fields.String(required=True, validate=validate.Length(min=1, max=32))
    purpose = fields.String(load_default="verify_phone", validate=validate.OneOf(["verify_phone"]))


class CodeSentSchema(BaseSchema):
    """The same answer whether or not an account exists."""

    message = fields.String(required=True)
    code_expires_in = fields.Integer(required=True)


class ForgotPasswordSchema(BaseSchema):
    """A phone number, email or NIK."""

    identifier = fields.String(required=True, validate=validate.Length(min=3, max=254))


class ResetPasswordSchema(BaseSchema):
    """The reset code and the new password."""

    identifier = fields.String(required=True, validate=validate.Length(min=3, max=254))
    code = fields.String(**_CODE)
    new_password = fields.String(**_PASSWORD)


class PasswordResetDoneSchema(BaseSchema):
    """The password was changed; every session was ended."""

    message = fields.String(required=True)


class ChangePasswordSchema(BaseSchema):
    """The current password and the new one."""

    current_password = fields.String(**_PASSWORD)
    new_password = fields.String(**_PASSWORD)


class PasswordChangedSchema(BaseSchema):
    """When the password changed and how many other sessions were ended."""

    password_changed_at = UtcDateTime(required=True)
    other_sessions_revoked = fields.Integer(required=True)


# Tokens are credentials: no proxy or browser cache may keep a copy.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

RESET_DONE = {
    "id": "Kata sandi telah diganti. Silakan masuk kembali di semua perangkat.",
    "en": "The password was changed. Please log in again on every device.",
}


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
    user, _code = service.register(**body)
    return {"user_id": user.id, "status": "pending_verification", "code_expires_in": TTL_SECONDS}


@blp.route("/auth/verify-phone", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(VerifyPhoneSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Wrong, used or expired code (invalid_code, code_expired)")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: the code is dead (too_many_attempts)")
def verify_phone(body):
    """Activate the account with the texted code and log in (same answer as log-in)."""
    return service.verify_phone(body["phone"], body["code"], **_client()), 200, NO_STORE


@blp.route("/auth/resend-code", methods=["POST"])
@limiter.limit("10 per minute")
@blp.arguments(ResendCodeSchema)
@blp.response(202, CodeSentSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent lately (otp_throttled; see Retry-After)")
def resend_code(body):
    """Text a new verification code (the answer does not tell whether the account exists)."""
    result = service.resend_code(body["phone"], body["purpose"])
    return {**result, "message": translate(result["message"])}


@blp.route("/auth/password/forgot", methods=["POST"])
@limiter.limit("10 per minute")
@blp.arguments(ForgotPasswordSchema)
@blp.response(202, CodeSentSchema)
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes sent lately (otp_throttled; see Retry-After)")
def forgot_password(body):
    """Text a password reset code to the account's phone (same answer for unknown accounts)."""
    result = service.forgot_password(body["identifier"])
    return {**result, "message": translate(result["message"])}


@blp.route("/auth/password/reset", methods=["POST"])
@limiter.limit("20 per minute")
@blp.arguments(ResetPasswordSchema)
@blp.response(200, PasswordResetDoneSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Wrong or expired code, or a weak new password")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: the code is dead (too_many_attempts)")
def reset_password(body):
    """Set a new password with the texted code; every session of the account ends."""
    service.reset_password(body["identifier"], body["code"], body["new_password"])
    return {"message": translate(RESET_DONE)}


@blp.route("/me/password", methods=["POST"])
@login_required
@blp.arguments(ChangePasswordSchema)
@blp.response(200, PasswordChangedSchema)
@blp.alt_response(422, schema=ErrorSchema, description="The new password breaks a rule (weak_password)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many wrong passwords for this account (too_many_attempts)")
def change_password(body):
    """Change the password (the current one is required); the other sessions end."""
    from ragem.auth.sessions import current_session_id

    user: User = g.current_user
    revoked = service.change_password(
        user, body["current_password"], body["new_password"], session_id=current_session_id()
    )
    return {"password_changed_at": user.password_changed_at, "other_sessions_revoked": revoked}

