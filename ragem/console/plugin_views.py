"""How a plugin's console page is served: its path and query values, its view, its form actions.

The routes are added to the console's blueprint here, with what they do, so the page contract
(``toolkit.ConsolePage`` / ``toolkit.ConsoleAction``) is kept in one place. Every answer is a page:
a plugin's refusal (``toolkit.ApiError``) is shown in the user's language with its status, a bug in
a plugin is logged and shown as a notice (503), a switched-off service says so (503).
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import abort, flash, redirect, request, url_for
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ragem.auth.guards import can
from ragem.catalog.state import snapshot
from ragem.console import login_state as state
from ragem.console import pages
from ragem.console.views import FORM, _render, _require, blp, to_login
from ragem.console.texts import TEXTS, console_language
from ragem.errors import ApiError
from ragem.extensions import db
from ragem.http_guards import accepts_media_types
from ragem.hooktypes import ConsoleRedirect
from ragem.i18n import MESSAGES

log = logging.getLogger("ragem.console")

#: Shown above a form whose fields did not pass the plugin's schema.
FORM_INVALID = {"id": "Periksa kembali isian formulir.", "en": "Check the form's fields."}
QUERY_INVALID = {"id": "Filter tidak valid.", "en": "The filters are not valid."}


def _page_and_values(slug: str, name: str, tail: str | None) -> tuple[pages.RegisteredPage, dict[str, Any]]:
    """The registered page at ``/console/p/<slug>/<name>[/<tail>]`` and its path values; 404 otherwise."""
    page = pages.plugin_page(slug, name)
    if page is None:
        abort(404)
    declared = page.plugin_page.path
    if declared is None:
        if tail:
            abort(404)
        return page, {}
    if not tail:
        abort(404)
    try:
        _endpoint, values = pages.path_rules(page.plugin_page).match("/" + tail, method="GET")
    except (HTTPException, RequestRedirect):
        abort(404)
    return page, values


def page_url(slug: str, name: str, /, **values: Any) -> str:
    """The address of the plugin page ``name`` of ``slug`` with its path values (query: the rest)."""
    page = pages.plugin_page(slug, name)
    if page is None or page.plugin_page.path is None:
        return url_for("console.plugin_page", slug=slug, name=name, **values)
    adapter = pages.path_rules(page.plugin_page)
    tail = adapter.build(name, values, append_unknown=True).lstrip("/")
    path, _, query = tail.partition("?")
    target = url_for("console.plugin_detail", slug=slug, name=name, tail=path)
    return f"{target}?{query}" if query else target


def action_url(slug: str, name: str, action: str, /, **values: Any) -> str:
    """The address a page's form posts ``action`` to."""
    base = page_url(slug, name, **values).partition("?")[0]
    return f"{base}/act/{action}"


def _with_language():
    # Core texts (error messages, the plugin's translate calls) follow the console's language choice,
    # not the browser's Accept-Language.
    request._ragem_language = console_language()  # type: ignore[attr-defined]


def _message(error: ApiError) -> Any:
    return error.message or MESSAGES.get(error.code) or MESSAGES["bad_request"]


def _load(schema_class: Any, source: Mapping[str, list[str]],
          files: Mapping[str, list[Any]] | None = None) -> dict[str, Any]:
    """What ``schema_class`` loads from form or query values: lists for list fields, empty fields left out.

    ``files`` are a multipart form's uploads (Werkzeug ``FileStorage``): a file input left empty
    is left out like an empty field; the rest are given to the schema as they are (``Upload`` fields).
    """
    schema: Schema = schema_class() if isinstance(schema_class, type) else schema_class
    data: dict[str, Any] = {}
    for key, uploads in (files or {}).items():
        chosen = [upload for upload in uploads if upload.filename]
        if chosen:
            field = schema.fields.get(key)
            data[key] = chosen if isinstance(field, fields.List) else chosen[0]
    for key, values in source.items():
        if key == "csrf_token":
            continue
        field = schema.fields.get(key) or next((f for f in schema.fields.values() if f.data_key == key), None)
        if any("\x00" in value for value in values):
            # PostgreSQL cannot store or compare NUL: refused here like the console's forms.
            raise ValidationError({key: ["NUL bytes are not allowed"]})
        kept = [value.strip() for value in values if value.strip()]
        if not kept:
            continue
        data[key] = kept if isinstance(field, fields.List) else kept[0]
    return schema.load(data)


def _refusal(account, error: ApiError, page, values, **context):
    """A plugin's refusal as the console shows it: 404/403 as the console's own pages, else on the page."""
    if error.status == 404:
        return _render("console/error.html", account, 404, message=TEXTS["not_found"])
    if error.status == 403:
        return _render("console/error.html", account, 403, message=_message(error) or TEXTS["forbidden_page"])
    return _show(page, account, values, error.status, form_error=_message(error), form_details=error.details, **context)


def _show(page: pages.RegisteredPage, account, values: dict[str, Any], status: int = 200, **extra):
    """Render the page: call its view with the path values (and the loaded query), wrap it in the frame."""
    plugin = page.plugin_page
    kwargs = dict(values)
    if plugin.query is not None:
        try:
            kwargs["query"] = _load(plugin.query, request.args.to_dict(flat=False))
        except ValidationError as invalid:
            return _render("console/plugin_page.html", account, 400, page=page, context=None,
                                 plugin_template=None, query_args=request.args.to_dict(), form_error=QUERY_INVALID, form_details=invalid.messages)
    helpers = {
        "page_url": lambda name, /, **v: page_url(page.slug, name, **v),
        "action_url": lambda action, /, **v: action_url(page.slug, plugin.name, action, **({**values, **v})),
        "query_args": request.args.to_dict(),
    }
    try:
        context = dict(plugin.view(account, **kwargs) or {})
        # Rendered here, inside the guard: a bug in the plugin's template is a notice too, not a 500.
        return _render("console/plugin_page.html", account, status, page=page, context=context,
                             plugin_template=pages.plugin_template(page.slug, plugin.template),
                             form_error=extra.pop("form_error", None), form_details=extra.pop("form_details", None),
                             **helpers, **extra)
    except ApiError as error:
        db.session.rollback()
        if error.status in (403, 404):
            return _refusal(account, error, page, values)
        return _render("console/plugin_page.html", account, error.status, page=page, context=None,
                             plugin_template=None, form_error=_message(error), form_details=error.details,
                             query_args=request.args.to_dict())
    except Exception:  # noqa: BLE001 - a broken plugin page must not break the console (no 500)
        db.session.rollback()
        log.exception("console page failed", extra={"plugin": page.slug, "page": plugin.name})
        return _render("console/error.html", account, 503, message=TEXTS["page_failed"])


def _open(slug: str, name: str, tail: str | None):
    """The page, its path values and the account allowed to open it; or the answer refusing them."""
    if state.current_staff() is None:
        # Before anything is looked up: a caller without a staff session learns nothing of which
        # plugin pages or records exist (a 404 here would tell), it is sent to log in.
        return None, {}, None, to_login()
    page, values = _page_and_values(slug, name, tail)
    account, refusal = _require(page)
    if refusal:
        return page, values, None, refusal
    switch = snapshot(slug)
    if not switch.enabled:
        # Neither the view nor an action runs while the service is off.
        return page, values, account, _render("console/service_off.html", account, 503, page=page,
                                                       message=switch.message)
    _with_language()
    return page, values, account, None


def show(slug: str, name: str, tail: str | None = None):
    """GET a plugin page."""
    page, values, account, refusal = _open(slug, name, tail)
    return refusal or _show(page, account, values)


def act(slug: str, name: str, action_name: str, tail: str | None = None):
    """POST one of a plugin page's actions: check, run the plugin's handler, redirect back with a message."""
    page, values, account, refusal = _open(slug, name, tail)
    if refusal:
        return refusal
    action = next((a for a in page.plugin_page.actions if a.name == action_name), None)
    if action is None:
        abort(404)
    permission = action.permission or page.permission
    if permission and not can(account, permission):
        return _render("console/error.html", account, 403, message=TEXTS["forbidden_page"])
    submitted = request.form.to_dict(flat=False)
    kept = {key: value[0] if len(value) == 1 else value for key, value in submitted.items() if key != "csrf_token"}
    form: dict[str, Any] = {}
    if action.schema is not None:
        try:
            form = _load(action.schema, submitted, request.files.to_dict(flat=False))
        except ValidationError as invalid:
            return _show(page, account, values, 422, form_error=FORM_INVALID, form_details=invalid.messages,
                         failed_action=action.name, form_values=kept)
    try:
        result = action.handler(account, form, **values)
    except ApiError as error:
        db.session.rollback()
        return _refusal(account, error, page, values, failed_action=action.name, form_values=kept)
    except Exception:  # noqa: BLE001 - a broken plugin action must not break the console (no 500)
        db.session.rollback()
        log.exception("console action failed", extra={"plugin": slug, "page": name, "action": action_name})
        return _render("console/error.html", account, 503, message=TEXTS["page_failed"])
    flash(dict(action.done))
    if isinstance(result, ConsoleRedirect):
        try:
            return redirect(page_url(slug, result.page, **dict(result.values)))
        except Exception:  # noqa: BLE001 - a redirect to a page that is not there: the work is done, back to this page
            log.exception("console action redirect failed", extra={"plugin": slug, "page": name, "action": action_name})
    return redirect(page_url(slug, name, **values))


@blp.route("/p/<slug>/<name>")
def plugin_page(slug, name):
    """A page a plugin contributed; while its service is switched off, a notice instead."""
    return show(slug, name)


@blp.route("/p/<slug>/<name>/<path:tail>")
def plugin_detail(slug, name, tail):
    """A plugin page with a path value (a complaint's page); not listed, reached from links."""
    return show(slug, name, tail)


@blp.route("/p/<slug>/<name>/act/<action>", methods=["POST"])
@accepts_media_types(FORM)
def plugin_action(slug, name, action):
    """A form action of a plugin page (CSRF-checked): run it, then back to the page with a message."""
    return act(slug, name, action)


@blp.route("/p/<slug>/<name>/<path:tail>/act/<action>", methods=["POST"])
@accepts_media_types(FORM)
def plugin_detail_action(slug, name, tail, action):
    """A form action of a plugin page with a path value."""
    return act(slug, name, action, tail)
