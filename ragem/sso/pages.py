"""The citizen's pages: the authorization endpoint (log-in, consent) and RP-initiated logout.

Server-rendered, Indonesian first (English by Accept-Language or the page's switch), every form
with a CSRF token. Log-in uses the API's own ``authenticate`` (the same throttling and lockout).
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from ragem.auth import sessions, throttle
from ragem.console import csrf
from ragem.errors import ApiError
from ragem.extensions import db, limiter
from ragem.http_guards import accepts_media_types, private_page_headers
from ragem.i18n import MESSAGES
from ragem.opds.service import get_opd
from ragem.sso import browser, clients, consents
from ragem.sso.claims import SCOPE_NAMES, scope_list
from ragem.sso.server import server
from ragem.sso.texts import page_language, t
from ragem.timeutil import utcnow

FORM = "application/x-www-form-urlencoded"

blp = Blueprint("sso_pages", __name__, url_prefix="/sso", template_folder="templates")


@blp.before_request
def _guard():
    """NUL bytes refused; CSRF on every form post but logout's (checked there: an RP may post it)."""
    if any("\x00" in k or "\x00" in v for k, v in request.values.items(multi=True)):
        abort(400)
    if request.method == "POST" and request.endpoint != "sso_pages.logout":
        csrf.protect()
    return None


blp.after_request(private_page_headers)


def _render(template: str, status: int = 200, **context):
    return render_template(template, t=t, lang=page_language, **context), status


def _error_page(message: str, status: int = 400):
    return _render("sso/error.html", status, message=message)


@blp.errorhandler(CSRFError)
def _csrf_refused(_error):
    return _error_page(t("csrf_refused"))


@blp.errorhandler(400)
@blp.errorhandler(404)
@blp.errorhandler(429)
def _refused(error):
    key = {400: "csrf_refused", 404: "not_found", 429: "too_many"}[error.code]
    return _error_page(t(key), error.code)


def _oauth_refusal(error: OAuth2Error):
    """Back to the client with the error when its redirect URI was verified; a page otherwise
    (a wrong redirect URI is never redirected to)."""
    if error.redirect_uri:
        return server().handle_error_response(None, error)
    return _error_page(t("bad_request", reason=error.description or error.error))


def _opd_name(code: str) -> str:
    opd = get_opd(code)
    if opd is None:
        return code
    return opd.name_id if page_language() == "id" else opd.name_en


def _needs_new_login(signed_in: browser.SignedIn, prompts: list[str], max_age) -> bool:
    """Whether the client asks for a password typed more recently than this sign-in's
    (``prompt=login``, or ``max_age`` seconds, OpenID Connect Core 3.1.2.1). The request the
    log-in page sends the browser back to is satisfied by that log-in (no loop)."""
    if browser.take_fresh_login():
        return False
    age = utcnow() - signed_in.auth_time
    if "login" in prompts:
        return True
    try:
        limit = int(max_age) if max_age not in (None, "") else None
    except (TypeError, ValueError):
        return False
    return limit is not None and 0 <= limit < 10**9 and age > timedelta(seconds=limit)


@blp.route("/authorize", methods=["GET", "POST"])
@accepts_media_types(FORM)
def authorize():
    """The authorization endpoint: log in if needed, ask consent unless remembered, then redirect
    to the client with a code (or ``access_denied``)."""
    signed_in = browser.signed_in()
    try:
        grant = server().get_consent_grant(end_user=signed_in)
    except OAuth2Error as error:
        return _oauth_refusal(error)
    prompts = (grant.request.payload.data.get("prompt") or "").split()
    if signed_in is None or _needs_new_login(signed_in, prompts, grant.request.payload.data.get("max_age")):
        if "none" in prompts:
            return server().handle_error_response(None, LoginRequiredError(
                redirect_uri=grant.request.payload.redirect_uri, state=grant.request.payload.state))
        return redirect(url_for(".login", next=request.full_path))
    client = grant.client.row
    scope = grant.request.scope
    if request.method == "POST":
        if request.form.get("decision") == "allow":
            consents.remember(signed_in.user.id, client.client_id, scope)
            db.session.commit()
            return server().create_authorization_response(grant=grant, grant_user=signed_in)
        return server().create_authorization_response(grant=grant, grant_user=None)  # access_denied
    if consents.covers(signed_in.user.id, client.client_id, scope) and "consent" not in prompts:
        return server().create_authorization_response(grant=grant, grant_user=signed_in)
    if "none" in prompts:
        # The system asked for no page at all: say consent is needed (OpenID Connect Core 3.1.2.6).
        return server().handle_error_response(None, ConsentRequiredError(
            redirect_uri=grant.request.payload.redirect_uri, state=grant.request.payload.state))
    return _render(
        "sso/consent.html", system=client.name, opd=_opd_name(client.opd_code), name=signed_in.user.name,
        scopes=[(s, t(SCOPE_NAMES[s])) for s in scope_list(scope)], action=request.full_path,
    )


def _safe_next(target: str | None) -> str | None:
    """Only the authorization endpoint of this site is a place to go back to after log-in."""
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or parts.path != url_for(".authorize"):
        return None
    return target


def _system_of(target: str | None) -> str | None:
    """``<system> (<OPD>)`` of the authorization request the log-in page will go back to."""
    client = clients.find((parse_qs(urlsplit(target or "").query).get("client_id") or [None])[0])
    return f"{client.name} ({_opd_name(client.opd_code)})" if client else None


@blp.route("/login", methods=["GET", "POST"])
@accepts_media_types(FORM)
@limiter.limit(throttle.LOGIN_IP_LIMITS, methods=["POST"])
def login():
    """Log in with the RAGEM account (phone, NIK or email and password), then back to the request."""
    target = _safe_next(request.args.get("next"))
    system = _system_of(target)
    if request.method == "GET":
        return _render("sso/login.html", system=system, error=None)
    identifier = request.form.get("identifier", "")[:254]
    password = request.form.get("password", "")[:1024]
    try:
        user = sessions.authenticate(identifier, password)
    except ApiError as error:
        message = error.message or MESSAGES.get(error.code) or MESSAGES["bad_request"]
        response = _render("sso/login.html", error.status, system=system, error=t(message))
        return (*response, error.headers) if error.headers else response
    record, _refresh = sessions.start_session(user, device=f"sso: {request.user_agent.string}"[:120], ip=request.remote_addr)
    db.session.commit()
    browser.begin(user.id, record.id)
    return redirect(target or url_for(".logout"))


@blp.route("/language", methods=["POST"])
@accepts_media_types(FORM)
def set_language():
    """Switch the pages between Indonesian and English (kept in the cookie)."""
    if request.form.get("lang") in ("id", "en"):
        session["lang"] = request.form["lang"]
    next_path = request.form.get("next") or ""
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or "\\" in next_path or not parts.path.startswith("/sso/"):
        next_path = url_for(".login")
    return redirect(next_path)


@blp.route("/logout", methods=["GET", "POST"])
@accepts_media_types(FORM)
def logout():
    """RP-initiated logout: with a valid ``id_token_hint`` at once (then back to a registered
    ``post_logout_redirect_uri`` with ``state``); without one, after the citizen confirms."""
    try:
        end = server().validate_endpoint_request("end_session")
    except OAuth2Error as error:
        return _error_page(t("bad_request", reason=error.description or error.error))
    if end.needs_confirmation:
        if request.method == "GET" or request.form.get("confirm") != "1":
            return _render("sso/logout.html", done=False)
        csrf.protect()
    response = server().create_endpoint_response("end_session", end)
    return response or _render("sso/logout.html", done=True)
