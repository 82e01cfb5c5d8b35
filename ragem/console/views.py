"""The console's routes: log-in and out, language, dashboard, services, plugin pages. Views stay thin."""
from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from ragem.auth import sessions, throttle
from ragem.catalog import service as catalog
from ragem.catalog.schemas import ServiceToggleSchema
from ragem.audit import service as audit_log
from ragem.console import csrf, listing, pages
from ragem.console import login_state as state
from ragem.console.open_items import open_items
from ragem.console.texts import TEXTS, console_language
from ragem.errors import ApiError
from ragem.extensions import db, limiter
from ragem.http_guards import accepts_media_types, private_page_headers
from ragem.i18n import MESSAGES, translate
from ragem.timeutil import to_wib
from ragem.sso import clients as sso_registry
from ragem.sso.schemas import SsoClientCreateSchema, SsoClientUpdateSchema

FORM = "application/x-www-form-urlencoded"
log = logging.getLogger("ragem.console")

blp = Blueprint(
    "console", __name__, url_prefix="/console",
    template_folder="templates", static_folder="static", static_url_path="/static",
)


@blp.before_request
def _guard():
    """CSRF on every form post; NUL bytes refused (PostgreSQL cannot store them)."""
    if request.method == "POST":
        if any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            abort(400)
        csrf.protect()
    return None


blp.after_request(private_page_headers)


@blp.app_context_processor
def _template_helpers():
    def t(key_or_text):
        text = TEXTS.get(key_or_text, key_or_text) if isinstance(key_or_text, str) else key_or_text
        return translate(text, console_language())

    def wib(value):
        # People read times on the city's clock; the database keeps UTC.
        local = to_wib(value)
        return local.strftime("%Y-%m-%d %H:%M WIB") if local else ""

    return {"t": t, "lang": console_language, "wib": wib}


@blp.errorhandler(CSRFError)
def _csrf_refused(error):
    return render_template("console/error.html", message=TEXTS["csrf_refused"], account=None, nav=[]), 400


@blp.errorhandler(400)
@blp.errorhandler(404)
@blp.errorhandler(413)
@blp.errorhandler(429)
def _refused(error):
    """The console's refusals as pages, not the API's JSON envelope."""
    key = {400: "bad_form", 404: "not_found", 413: "form_too_large", 429: "too_many"}[error.code]
    return render_template("console/error.html", message=TEXTS[key], account=None, nav=[]), error.code


def api_message(failure: ApiError):
    """What a refusal of a core service function says to people (its own words, else its code's)."""
    return failure.message or MESSAGES.get(failure.code) or MESSAGES["bad_request"]


def _nav(account):
    return [(page, url_for(page.endpoint, **page.kwargs)) for page in pages.all_pages() if pages.allowed(account, page)]


def _render(template: str, account, status: int = 200, **context):
    return render_template(template, account=account, nav=_nav(account), **context), status


def to_login():
    """The redirect to the log-in page (and back here after it), for a caller without a staff session."""
    if g.get("console_expired"):
        flash(TEXTS["session_ended"])
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def _require(page: pages.RegisteredPage):
    """The logged-in staff account allowed to open ``page``; a redirect or 403 page otherwise."""
    account = state.current_staff()
    if account is None:
        return None, to_login()
    # Names the core translates (OPDs, KPIs, errors) follow the console's language, not the browser's.
    request._ragem_language = console_language()  # type: ignore[attr-defined]
    if not pages.allowed(account, page):
        return None, _render("console/error.html", account, 403, message=TEXTS["forbidden_page"])
    return account, None


def _safe_next(target: str | None) -> str:
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or ".." in parts.path or not state.is_console_path(parts.path):
        return url_for("console.dashboard")
    return target


@blp.route("/login", methods=["GET", "POST"])
@accepts_media_types(FORM)
@limiter.limit(throttle.LOGIN_IP_LIMITS, methods=["POST"])
@throttle.limit_per_identifier
def login():
    """Log in with the same identifier (phone, NIK, email) and password as the app; staff only."""
    if request.method == "GET":
        if state.current_staff() is not None:
            return redirect(url_for("console.dashboard"))
        return render_template("console/login.html", account=None, nav=[], error=None)
    identifier = request.form.get("identifier", "")[:254]
    password = request.form.get("password", "")[:1024]
    try:
        user = sessions.authenticate(identifier, password)
    except ApiError as error:
        return render_template("console/login.html", account=None, nav=[], error=api_message(error)), error.status
    if not any(role in STAFF for role in user.roles):
        return render_template("console/login.html", account=None, nav=[], error=TEXTS["citizen_use_app"]), 403
    record, _refresh = sessions.start_session(user, device=f"console: {request.user_agent.string}"[:120], ip=request.remote_addr)
    db.session.commit()
    state.begin(user.id, record.id)
    return redirect(_safe_next(request.args.get("next")))


STAFF = frozenset(state.STAFF_ROLES)


@blp.route("/logout", methods=["POST"])
@accepts_media_types(FORM)
def logout():
    """End the console log-in: its core session is revoked like an API log-out."""
    state.end("logout")
    flash(TEXTS["logged_out"])
    return redirect(url_for("console.login"))


@blp.route("/language", methods=["POST"])
@accepts_media_types(FORM)
def set_language():
    """Switch the console between Indonesian and English (kept in the session)."""
    if request.form.get("lang") in ("id", "en"):
        session["lang"] = request.form["lang"]
    return redirect(_safe_next(request.form.get("next")))


@blp.route("/")
def dashboard():
    """Services and their state, open items per service for this account, plugins that failed to start."""
    account, refusal = _require(pages.CORE_PAGES[0])
    if refusal:
        return refusal
    registry = current_app.extensions["ragem.plugins"]
    failing = [r for r in sorted(registry.records.values(), key=lambda r: r.name) if r.status == "failed"]
    return _render("console/dashboard.html", account, services=catalog.admin_catalog(), failing=failing,
                   open_items=open_items(account))


@blp.route("/services")
def services():
    """Every service with its switch (admins)."""
    account, refusal = _require(pages.CORE_PAGES[1])
    if refusal:
        return refusal
    return _services_page(account)


def _services_page(account, status: int = 200, error=None):
    """The services with their switches, and the past switches from the audit log, newest first."""
    history, next_cursor = listing.one_page(audit_log.list_entries, target_type="service")
    return _render("console/services.html", account, status, services=catalog.admin_catalog(), error=error,
                   history=history, next_cursor=next_cursor,
                   names=listing.account_names(entry.actor_id for entry in history))


@blp.route("/services/<slug>", methods=["POST"])
@accepts_media_types(FORM)
def switch_service(slug):
    """Switch a service on or off through the admin API's own service function (audited the same)."""
    account, refusal = _require(pages.CORE_PAGES[1])
    if refusal:
        return refusal
    message_id = request.form.get("message_id", "").strip()
    message_en = request.form.get("message_en", "").strip()
    form = {
        "enabled": request.form.get("enabled") == "1",
        "reason": request.form.get("reason", "").strip(),
        "confirm": request.form.get("confirm") == "1",
        # Indonesian alone is enough in the form; English falls back to it.
        "message": {"id": message_id, "en": message_en or message_id} if message_id else None,
    }
    error = None
    try:
        # The admin API's own schema: the console accepts exactly what PATCH /admin/services accepts.
        body = ServiceToggleSchema().load(form)
    except ValidationError:
        error = TEXTS["reason_required"]
    else:
        try:
            catalog.set_service_state(slug, actor=account, **body)
        except ApiError as failure:
            db.session.rollback()
            error = TEXTS["confirm_critical"] if failure.code == "confirmation_required" else api_message(failure)
    if error:
        return _services_page(account, 422, error)
    flash(TEXTS["service_switched"])
    return redirect(url_for("console.services"))


@blp.route("/sso-clients", methods=["GET", "POST"])
@accepts_media_types(FORM)
def sso_clients():
    """OPD systems registered for single sign-on, and the form to register one (admins, audited)."""
    account, refusal = _require(pages.core_page("console.sso_clients"))
    if refusal:
        return refusal
    if request.method == "GET":
        return _sso_page(account)
    form = _sso_form()
    form["opd"] = request.form.get("opd", "").strip().upper()
    method = request.form.get("method")
    form["token_endpoint_auth_method"] = method if method in sso_registry.AUTH_METHODS else "client_secret_basic"
    if form["token_endpoint_auth_method"] != "private_key_jwt":
        form.pop("jwks")
    # The admin API's own schema and service: the console accepts exactly what it accepts.
    result, error = _sso_change(lambda: sso_registry.register(SsoClientCreateSchema().load(form), actor=account))
    if error is None:
        flash(TEXTS["sso_registered"])
    return _sso_page(account, error=error, secret=result[1] if result else None)


def _sso_page(account, *, error=None, secret=None, secret_for=None):
    """The SSO systems page; a secret just issued is shown this once (never kept in a flash cookie)."""
    items = [sso_registry.view(c) for c in sso_registry.list_all()]
    return _render("console/sso_clients.html", account, 422 if error else 200, clients=items, error=error,
                   secret=secret, secret_for=secret_for, scopes=sso_registry.SCOPES,
                   auth_methods=sso_registry.AUTH_METHODS)


def _sso_form() -> dict:
    """The fields the register and edit forms share, as the admin API's JSON would carry them."""
    lines = lambda name: [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]  # noqa: E731
    jwks_text = request.form.get("jwks", "").strip()
    try:
        jwks = json.loads(jwks_text) if jwks_text else None
    except ValueError:
        jwks = jwks_text  # the schema refuses it, naming the field
    return {
        "name": request.form.get("name", "").strip(),
        "redirect_uris": lines("redirect_uris"),
        "post_logout_redirect_uris": lines("post_logout_redirect_uris"),
        "allowed_scopes": request.form.getlist("scopes"),
        "nik_entitled": request.form.get("nik_entitled") == "1",
        "jwks": jwks,
    }


def _sso_change(change):
    """Run ``change`` (a registry function) and commit; ``(result, None)``, or ``(None, message)``
    when the admin API would have answered 422 (nothing changed then)."""
    try:
        result = change()
        db.session.commit()
        return result, None
    except ValidationError as failure:
        db.session.rollback()
        return None, translate(TEXTS["sso_invalid"], console_language()).format(problems=failure.messages)
    except ApiError as failure:
        db.session.rollback()
        if failure.status == 404:
            abort(404)
        return None, translate(TEXTS["sso_invalid"], console_language()).format(problems=failure.details)


@blp.route("/sso-clients/<client_id>/edit", methods=["POST"])
@accepts_media_types(FORM)
def edit_sso_client(client_id):
    """Change a system's name, URIs, scopes, NIK entitlement or keys (the admin API's PATCH, audited)."""
    account, refusal = _require(pages.core_page("console.sso_clients"))
    if refusal:
        return refusal
    form = _sso_form()
    if form["jwks"] is None:
        form.pop("jwks")  # left empty: the registered keys stay
    _client, error = _sso_change(
        lambda: sso_registry.update(client_id, SsoClientUpdateSchema().load(form), actor=account))
    if error is not None:
        return _sso_page(account, error=error)
    flash(TEXTS["sso_updated"])
    return redirect(url_for("console.sso_clients"))


@blp.route("/sso-clients/<client_id>/secret", methods=["POST"])
@accepts_media_types(FORM)
def new_sso_client_secret(client_id):
    """Issue a new secret (the old one stops working at once), shown on this answer only."""
    account, refusal = _require(pages.core_page("console.sso_clients"))
    if refusal:
        return refusal
    result, error = _sso_change(lambda: sso_registry.new_secret(client_id, actor=account))
    if error is not None:
        return _sso_page(account, error=error)
    return _sso_page(account, secret=result[1], secret_for=result[0].client_id)


@blp.route("/sso-clients/<client_id>/delete", methods=["POST"])
@accepts_media_types(FORM)
def delete_sso_client(client_id):
    """Remove an OPD system with its tokens and consents (audited like the admin API's delete)."""
    account, refusal = _require(pages.core_page("console.sso_clients"))
    if refusal:
        return refusal
    try:
        sso_registry.remove(client_id, actor=account)
    except ApiError:
        abort(404)
    db.session.commit()
    flash(TEXTS["sso_removed"])
    return redirect(url_for("console.sso_clients"))
