"""The accounts pages (admins): find an account, see its roles and OPD, change them, suspend it.

Every change goes through the admin API's own service functions and schemas, so the rules and the
audit entries are the same whichever door an admin used.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from ragem.auth import roles, suspension
from ragem.auth.identifiers import mask_phone
from ragem.auth.models import ROLES
from ragem.auth.schemas import AccountSuspensionSchema, RoleGrantSchema, RoleRevokeQuerySchema, UserQuerySchema
from ragem.console import listing, pages
from ragem.console.texts import TEXTS
from ragem.console.views import FORM, _render, _require, api_message, blp
from ragem.errors import ApiError
from ragem.extensions import db
from ragem.http_guards import accepts_media_types
from ragem.opds.service import list_opds

PAGE = "console.accounts"


@blp.route("/accounts", methods=["GET", "POST"])
@accepts_media_types(FORM)
def accounts():
    """Find accounts by part of the name, or the exact phone number or NIK; newest first.

    The search form is posted (with its CSRF token) and the results answer the post: a phone number
    or NIK in the address would be written to every proxy's log and the browser's history. A link
    may still filter by role or name (``GET ?role=&q=``); a phone number or NIK there is refused.
    """
    account, refusal = _require(pages.core_page(PAGE))
    if refusal:
        return refusal
    posted = request.method == "POST"
    source = request.form if posted else request.args
    query = {key: value for key in ("q", "role") if (value := source.get(key, "").strip())}
    error = None
    try:
        filters = UserQuerySchema(only=("q", "role")).load(query)
        if not posted:
            roles.refuse_identifier_in_url(filters.get("q"))
    except ValidationError:
        filters, error = {}, TEXTS["bad_search"]
    except ApiError:
        filters, error = {}, TEXTS["search_by_form"]
    items, next_cursor = [], None
    if not error:
        items, next_cursor = listing.one_page(roles.list_users, form=posted, q=filters.get("q"),
                                              role=filters.get("role"))
    return _render("console/accounts.html", account, 422 if error else 200, items=items, next_cursor=next_cursor,
                   query=query, posted=posted, roles=ROLES, error=error, mask_phone=mask_phone)


@blp.route("/accounts/<user_id>")
def account_page(user_id):
    """One account: its roles and OPD, with the forms that change them and the suspension switch."""
    account, refusal = _require(pages.core_page(PAGE))
    if refusal:
        return refusal
    return _account_page(account, user_id)


def _account_page(account, user_id, status: int = 200, error=None):
    try:
        user = roles.get_user(user_id)
    except ApiError:
        return _render("console/error.html", account, 404, message=TEXTS["not_found"])
    return _render("console/account.html", account, status, user=user, roles=ROLES, error=error,
                   opds=list_opds(active=True))


def _change(user_id, schema, action, done_message):
    """Check the form with the API's ``schema``, then run ``action(body)``; the page again on refusal."""
    account, refusal = _require(pages.core_page(PAGE))
    if refusal:
        return refusal
    form = {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}
    if form.get("opd") == "":
        form["opd"] = None
    try:
        body = schema.load({key: form.get(key) for key in schema.fields if key in form})
    except ValidationError:
        return _account_page(account, user_id, 422, TEXTS["reason_required_only"])
    try:
        action(account, body)
    except ApiError as failure:
        db.session.rollback()
        status = 404 if failure.status == 404 else 422
        return _account_page(account, user_id, status, api_message(failure))
    flash(done_message)
    return redirect(url_for("console.account_page", user_id=user_id))


@blp.route("/accounts/<user_id>/roles", methods=["POST"])
@accepts_media_types(FORM)
def grant_role(user_id):
    """Give a role (an officer with its OPD), as ``POST /api/v1/admin/users/<id>/roles``."""
    return _change(user_id, RoleGrantSchema(), lambda actor, body: roles.grant_role(
        user_id, body["role"], opd=body["opd"], reason=body["reason"], actor=actor), TEXTS["account_changed"])


@blp.route("/accounts/<user_id>/roles/<role>/revoke", methods=["POST"])
@accepts_media_types(FORM)
def revoke_role(user_id, role):
    """Take a role away, as ``DELETE /api/v1/admin/users/<id>/roles/<role>``."""
    return _change(user_id, RoleRevokeQuerySchema(), lambda actor, body: roles.revoke_role(
        user_id, role, reason=body["reason"], actor=actor), TEXTS["account_changed"])


@blp.route("/accounts/<user_id>/suspend", methods=["POST"])
@accepts_media_types(FORM)
def suspend(user_id):
    """Suspend the account, as ``POST /api/v1/admin/users/<id>/suspend``."""
    return _change(user_id, AccountSuspensionSchema(), lambda actor, body: suspension.suspend_account(
        user_id, reason=body["reason"], actor=actor), TEXTS["account_suspended"])


@blp.route("/accounts/<user_id>/reinstate", methods=["POST"])
@accepts_media_types(FORM)
def reinstate(user_id):
    """Lift the suspension, as ``POST /api/v1/admin/users/<id>/reinstate``."""
    return _change(user_id, AccountSuspensionSchema(), lambda actor, body: suspension.reinstate_account(
        user_id, reason=body["reason"], actor=actor), TEXTS["account_reinstated"])
