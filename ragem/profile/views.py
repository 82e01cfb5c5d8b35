"""The profile API: ``/api/v1/me`` and the citizen's data rights.

No route takes an account id: every one acts on the account of the access token, so a citizen
can only ever reach their own profile, access record and export.
"""
from __future__ import annotations

from flask import Response, current_app, g

from ragem.auth import accounts
from ragem.auth.active_session import account_memo
from ragem.auth.guards import current_account, login_required
from ragem.auth.sessions import current_session_id
from ragem.blueprint import Blueprint
from ragem.extensions import limiter
from ragem.i18n import language
from ragem.profile import access, account, service
from ragem.profile.schemas import (
    AccessLogPageSchema,
    AccountErasureSchema,
    EmailChangeSchema,
    EmailChangeStartedSchema,
    EmailRemovalSchema,
    EmailVerifySchema,
    AccessLogQuerySchema,
    ExportSchema,
    MeSchema,
    MeUpdateSchema,
    PhoneChangeSchema,
    PhoneChangeStartedSchema,
    PhoneVerifySchema,
    ProfileSummarySchema,
)
from ragem.schemas import ErrorSchema
from ragem.timeutil import utcnow

blp = Blueprint("profile", __name__, url_prefix="/api/v1/me", description="The citizen's own profile")

def _per_account() -> str:
    """Rate-limit key: the logged-in account (these limits sit inside the log-in guard)."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "ragem")
    return f"{prefix}:account:{g.current_user.id}"


@blp.route("", methods=["GET"])
@login_required
@blp.response(200, MeSchema)
def get_me():
    """The logged-in account: profile, roles, OPD and verification state (NIK masked)."""
    # Asked on every screen of the app: the body is made once per language and RAGEM_STATE_TTL
    # (this worker's own changes to the account drop it at once, see auth.active_session).
    body = account_memo(g.current_user.id, ("me", language()), lambda: current_app.json.dumps(
        MeSchema().dump(account.profile(current_account()))).encode())
    return Response(body, status=200, mimetype="application/json")


@blp.route("", methods=["PATCH"])
@login_required
@blp.arguments(MeUpdateSchema)
@blp.response(200, MeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The NIK is used by another account (already_registered)")
def update_me(changes):
    """Correct name, kelurahan, address, language, or give the NIK once; other fields are refused.

    The phone number and the email change through their own routes, which ask for proof of the
    owner and verify the new contact with a code.
    """
    accounts.update_profile(current_account(), changes)
    return account.profile(current_account())


@blp.route("", methods=["DELETE"])
@login_required
@blp.arguments(AccountErasureSchema)
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema, description="No proof of the owner (reauthentication_required), or a wrong one (wrong_password, invalid_code)")
@blp.alt_response(409, schema=ErrorSchema, description="The platform's last administrator cannot leave (last_admin)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many wrong proofs or log-ins for this account (too_many_attempts); see Retry-After")
@blp.alt_response(503, schema=ErrorSchema, description="A service could not erase; nothing changed (erasure_failed)")
def delete_my_account(proof):
    """Erase the account and ask every service to erase or anonymise its data.

    The body proves the owner: ``{"password": current}`` or ``{"current_phone_code": code}`` (from
    ``POST /api/v1/me/reauth-code``). A valid access token alone is not enough.
    """
    accounts.erase_own_account(current_account(), **proof)
    return ""


@blp.route("/summary")
@login_required
@blp.response(200, ProfileSummarySchema)
def get_my_summary():
    """One section per available service for the logged-in account (counts, latest items)."""
    return {"sections": service.summary(g.current_user)}


@blp.route("/phone", methods=["POST"])
@login_required
@limiter.limit("10 per hour", key_func=_per_account)
@blp.arguments(PhoneChangeSchema)
@blp.response(202, PhoneChangeStartedSchema)
@blp.alt_response(403, schema=ErrorSchema, description="No proof of the owner (reauthentication_required), or a wrong one (wrong_password, invalid_code)")
@blp.alt_response(409, schema=ErrorSchema, description="Another account has this number (already_registered)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes, requests or wrong proofs; see Retry-After")
def change_phone(body):
    """Start a phone change: the owner proves it is them, then a code goes to the new number.

    The proof is the current ``password`` or a ``current_phone_code`` (from
    ``POST /api/v1/me/reauth-code``); a valid access token alone is not enough. A number of
    another account is refused.
    """
    phone = body.pop("phone")
    code = accounts.start_phone_change(current_account(), phone, **body)
    return {"phone": code.destination, "expires_at": code.expires_at}


@blp.route("/phone/verify", methods=["POST"])
@login_required
@blp.arguments(PhoneVerifySchema)
@blp.response(200, MeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The number was taken meanwhile (already_registered)")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: ask for a new code (too_many_attempts)")
def verify_phone_change(body):
    """Finish a phone change with the code sent to the new number.

    The old number is told by SMS (and the inbox), and every other session of the account ends.
    """
    accounts.confirm_phone_change(current_account(), body["phone"], body["code"], session_id=current_session_id())
    return account.profile(current_account())


@blp.route("/email", methods=["POST"])
@login_required
@limiter.limit("10 per hour", key_func=_per_account)
@blp.arguments(EmailChangeSchema)
@blp.response(202, EmailChangeStartedSchema)
@blp.alt_response(403, schema=ErrorSchema, description="No proof of the owner (reauthentication_required), or a wrong one (wrong_password, invalid_code)")
@blp.alt_response(409, schema=ErrorSchema, description="Another account verified this address (already_registered)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many codes, requests or wrong proofs; see Retry-After")
def change_email(body):
    """Start an email change (or verify the account's unverified email again): the owner proves it
    is them, then a code is emailed to the address.

    The proof is the current ``password`` or a ``current_phone_code`` (from
    ``POST /api/v1/me/reauth-code``). The account keeps its current email until the code comes back.
    """
    email = body.pop("email")
    code = accounts.start_email_change(current_account(), email, **body)
    return {"email": email.strip().lower(), "expires_at": code.expires_at}


@blp.route("/email/verify", methods=["POST"])
@login_required
@blp.arguments(EmailVerifySchema)
@blp.response(200, MeSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Another account verified the address meanwhile (already_registered)")
@blp.alt_response(429, schema=ErrorSchema, description="Five wrong tries: ask for a new code (too_many_attempts)")
def verify_email(body):
    """Verify the email with the code sent to it; from now on it logs in and receives reset codes.

    A new address replaces the old one: the old address (if verified), the phone and the inbox are
    told, and every other session of the account ends.
    """
    accounts.confirm_email_change(current_account(), body["email"], body["code"], session_id=current_session_id())
    return account.profile(current_account())


@blp.route("/email", methods=["DELETE"])
@login_required
@blp.arguments(EmailRemovalSchema)
@blp.response(200, MeSchema)
@blp.alt_response(403, schema=ErrorSchema, description="No proof of the owner (reauthentication_required), or a wrong one (wrong_password, invalid_code)")
@blp.alt_response(429, schema=ErrorSchema, description="Too many wrong proofs for this account (too_many_attempts)")
def remove_email(proof):
    """Take the email off the account (proof of the owner needed); every other session ends."""
    accounts.remove_email(current_account(), **proof, session_id=current_session_id())
    return account.profile(current_account())


@blp.route("/access-log")
@login_required
@blp.arguments(AccessLogQuerySchema, location="query")
@blp.response(200, AccessLogPageSchema)
def get_my_access_log(args):
    """Every read of the citizen's profile by a service, newest first (officers only by their OPD)."""
    return access.access_log(g.current_user, limit=args["limit"], cursor=args.get("cursor"))


@blp.route("/export")
@login_required
@limiter.limit("5 per hour", key_func=_per_account)
@blp.response(200, ExportSchema)
@blp.alt_response(429, schema=ErrorSchema, description="At most 5 exports an hour; see Retry-After")
@blp.alt_response(503, schema=ErrorSchema, description="A service could not export (export_failed)")
def export_my_data():
    """Everything RAGEM holds on the citizen as a JSON file, every service's part included.

    The only response with the NIK in full; it is never cached.
    """
    data = account.export_own_data(current_account())
    headers = {
        "Content-Disposition": f"attachment; filename=ragem-export-{utcnow().date().isoformat()}.json",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }
    return data, 200, headers
