"""Schemas of the auth API: log-in, tokens and sessions; registration and passwords; accounts and roles for admins."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from ragem.auth.models import ROLES
from ragem.auth.otp import CODE_DIGITS
from ragem.auth.passwords import MAX_LENGTH as PASSWORD_MAX, MIN_LENGTH as PASSWORD_MIN
from ragem.i18n import LANGUAGES
from ragem.pagination import PageArgsSchema, page_schema
from ragem.schemas import BaseSchema, UtcDateTime


class LoginSchema(BaseSchema):
    """Credentials: a phone number, NIK or email, and the password."""

    identifier = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))
    device = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "a name for this device in the session list (default: the User-Agent)"},
    )


class RefreshSchema(BaseSchema):
    """A refresh token to exchange (it is used up: the answer holds its successor)."""

    refresh_token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class TokenSchema(BaseSchema):
    """An access token, the session's refresh token, and their lifetimes in seconds."""

    access_token = fields.String(required=True, metadata={"description": "ES256 JWT; verify with /.well-known/jwks.json"})
    refresh_token = fields.String(required=True, metadata={"description": "one use only: refreshing returns a new one"})
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds the access token is valid"})
    refresh_expires_in = fields.Integer(required=True, metadata={"description": "seconds the refresh token is valid"})


class AuthSessionSchema(BaseSchema):
    """One logged-in device of the caller."""

    id = fields.String(required=True)
    device = fields.String(allow_none=True, required=True)
    ip = fields.String(allow_none=True, required=True, metadata={"description": "address of the last log-in or refresh"})
    created_at = UtcDateTime(required=True)
    last_used_at = UtcDateTime(required=True, metadata={"description": "updated at most once a minute"})
    current = fields.Boolean(required=True, metadata={"description": "the session of this request's token"})


class JwksSchema(BaseSchema):
    """A JSON Web Key Set (RFC 7517)."""

    keys = fields.List(fields.Dict(), required=True)


AuthSessionPageSchema = page_schema(AuthSessionSchema, "AuthSessionPage")


# -- registration, phone verification and passwords ---------------------------------------

# Passwords longer than the policy allows still parse, so the 422 can say which rule failed;
# anything beyond this is not a password.
_PASSWORD = {"required": True, "load_only": True, "validate": validate.Length(min=1, max=1024)}
# A password being set: the contract states the policy's lengths (so a client can check before
# sending), while parsing keeps the wider bound above so the 422 still names the rule that failed.
_NEW_PASSWORD = {**_PASSWORD, "metadata": {
    "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX,
    "description": f"{PASSWORD_MIN}-{PASSWORD_MAX} characters; a 422 names any password rule it breaks",
}}
_CODE = {"required": True, "load_only": True, "validate": validate.Regexp(rf"^[0-9]{{{CODE_DIGITS}}}$"),
         "metadata": {"description": f"the {CODE_DIGITS}-digit code sent by SMS"}}


class RegisterSchema(BaseSchema):
    """A citizen's registration; anything else (roles, verification state) is refused."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    nik = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=32),
                        metadata={"description": "16-digit NIK; birth date and sex are taken from it"})
    phone = fields.String(required=True, validate=validate.Length(min=1, max=32),
                          metadata={"example": "0812 3456 7890", "description": "Indonesian mobile number"})
    password = fields.String(**_NEW_PASSWORD)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    preferred_language = fields.String(load_default="id", validate=validate.OneOf(LANGUAGES))
    preferred_channel = fields.String(load_default="sms", validate=validate.OneOf(("sms", "whatsapp")), metadata={
        "description": "where texts (the one-time codes too) go first: sms, or whatsapp (an SMS follows a code "
                       "WhatsApp did not deliver in time)"})


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
    new_password = fields.String(**_NEW_PASSWORD)


class PasswordResetDoneSchema(BaseSchema):
    """The password was changed; every session was ended."""

    message = fields.String(required=True)


class ChangePasswordSchema(BaseSchema):
    """The current password and the new one."""

    current_password = fields.String(**_PASSWORD)
    new_password = fields.String(**_NEW_PASSWORD)


class OwnerProofSchema(BaseSchema):
    """Proof of the account's owner for a risky change: the current password, or the code that
    ``POST /api/v1/me/reauth-code`` texted to the current phone (one of the two).

    Without either the answer is 403 ``reauthentication_required``; a wrong one is 403
    ``wrong_password`` or ``invalid_code`` and counts as a failed log-in of the account.
    """

    password = fields.String(
        load_only=True, validate=validate.Length(min=1, max=1024),
        metadata={"description": "the account's current password"},
    )
    current_phone_code = fields.String(
        load_only=True, validate=validate.Regexp(rf"^[0-9]{{{CODE_DIGITS}}}$"),
        metadata={"description": "the code POST /api/v1/me/reauth-code texted to the account's current phone"},
    )

    @validates_schema
    def _one_proof(self, data, **kwargs):
        if data.get("password") and data.get("current_phone_code"):
            raise ValidationError("give the password or current_phone_code, not both", "current_phone_code")


class ReauthCodeSentSchema(BaseSchema):
    """Where the confirmation code went (the current phone, masked) and how long it is valid."""

    sent_to = fields.String(required=True, metadata={"example": "+62812*****890"})
    expires_at = UtcDateTime(required=True)
    code_expires_in = fields.Integer(required=True, metadata={"description": "seconds the code stays valid"})


class PasswordChangedSchema(BaseSchema):
    """When the password changed and how many other sessions were ended."""

    password_changed_at = UtcDateTime(required=True)
    other_sessions_revoked = fields.Integer(required=True)


# -- accounts and roles (admins) -------------------------------------------------------------

_REASON = validate.Length(min=3, max=500)


class UserQuerySchema(PageArgsSchema, BaseSchema):
    """Filters for the account list in the query string."""

    role = fields.String(validate=validate.OneOf(ROLES))
    q = fields.String(validate=validate.Length(min=1, max=120),
                      metadata={"description": "part of the name; a phone number or NIK is refused here (422 "
                                               "identifier_in_url): send it to POST /admin/users/search"})


class UserSearchSchema(UserQuerySchema):
    """The same filters in a request body, where a phone number or NIK may be searched for: a body
    is not written to proxy logs or browser history the way an address is."""

    q = fields.String(validate=validate.Length(min=1, max=120),
                      metadata={"description": "part of the name, or the exact phone number or NIK"})


class AdminUserSchema(BaseSchema):
    """An account as admins see it: the NIK masked, never the password hash."""

    id = fields.String()
    name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    nik = fields.String(attribute="nik_masked", allow_none=True, metadata={"example": "************1234"})
    roles = fields.List(fields.String())
    opd = fields.String(attribute="opd_code", allow_none=True)
    is_active = fields.Boolean()
    verified = fields.Boolean(attribute="is_verified")
    phone_verified_at = UtcDateTime(allow_none=True)
    password_changed_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


AdminUserPageSchema = page_schema(AdminUserSchema, "AdminUserPage")


class RoleGrantSchema(BaseSchema):
    """A role to give; an officer needs the code of an active OPD."""

    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    opd = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20))
    reason = fields.String(required=True, validate=_REASON)


class RoleRevokeQuerySchema(BaseSchema):
    """Why the role is taken away (kept in the audit log)."""

    reason = fields.String(required=True, validate=_REASON)


class AccountSuspensionSchema(BaseSchema):
    """Why an account is suspended or reinstated (kept in the audit log)."""

    reason = fields.String(required=True, validate=_REASON)
