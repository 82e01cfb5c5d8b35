"""The CKAN Action API routes, root-mounted at ``/satudata`` (``api/3/action/<name>`` and ``api/action/<name>``).

Every answer under ``/satudata`` is CKAN's envelope ``{"help", "success", "result"}``, and every
failure CKAN's error (the blueprint's handlers replace the core envelope there, the admin switch's
503 included), because CKAN clients read nothing else.
"""
from __future__ import annotations

import json
import logging

from flask import jsonify, request
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from ragem import toolkit

from plugins.sikondang.ckan import actions
from plugins.sikondang.ckan.errors import BadRequest, CkanError, NotAuthorized
from plugins.sikondang.services import stats

log = logging.getLogger("plugins.sikondang.ckan")

PREFIX = "/satudata"
# ``<path:action>``: whatever follows action/ reaches the view, so even a path with slashes gets
# CKAN's "Action name not known" rather than the core's 404 envelope a CKAN client cannot read.
blp = toolkit.Blueprint("sikondang_ckan", __name__, url_prefix=PREFIX, root_mount=True,
                        description="SIKONDANG for CKAN harvesters: a read-only subset of CKAN's Action API")

ACTION = [{"in": "path", "name": "action", "required": True, "description": "the CKAN action",
           "schema": {"type": "string", "enum": sorted(actions.ACTIONS)}}]


class CkanEnvelopeSchema(toolkit.BaseSchema):
    """CKAN's answer: ``result`` on success, ``error`` (``__type``, ``message``...) on failure."""

    help = fields.String(required=True)
    success = fields.Boolean(required=True)
    result = fields.Raw()
    error = fields.Raw()


#: CKAN's error envelope, not the core's: every failure under ``/satudata`` answers with it.
CKAN_FAILURE = {"responses": {"default": {
    "description": "CKAN's error: success false and error (__type, message)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CkanEnvelope"}}},
}}}


def _help_url(action: str) -> str:
    return f"{request.host_url.rstrip('/')}{PREFIX}/api/3/action/help_show?name={action[:60]}"


def _action_name() -> str:
    return str((request.view_args or {}).get("action") or "")


def _answer(status: int, success: bool, payload, headers=None):
    body = {"help": _help_url(_action_name()), "success": success}
    body["result" if success else "error"] = payload
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@blp.errorhandler(CkanError)
def _ckan_error(exc: CkanError):
    return _answer(exc.status, False, exc.body())


@blp.errorhandler(toolkit.ApiError)
def _api_error(exc: toolkit.ApiError):
    message = toolkit.translate(exc.message) if exc.message else exc.code
    return _answer(exc.status, False, {"__type": exc.code.replace("_", " ").title(), "message": message or exc.code},
                   exc.headers)


@blp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if exc.code == 429 and retry_after:
        headers["Retry-After"] = str(retry_after)
    return _answer(exc.code or 400, False, {"__type": exc.name, "message": exc.name}, headers)


@blp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("CKAN action failed", extra={"error_type": type(exc).__name__})
    toolkit.db.session.rollback()
    return _answer(500, False, {"__type": "Internal Server Error", "message": "Internal Server Error"})


def _params() -> dict:
    """The call's parameters: the JSON body of a POST (as CKAN clients send), else the query string."""
    if request.method == "POST" and request.get_data(cache=True):
        try:
            body = json.loads(request.get_data(cache=True).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadRequest("JSON Error: could not parse the request body") from None
        if not isinstance(body, dict):
            raise BadRequest("JSON Error: the request body must be a JSON object")
        return body
    params = {}
    for name in request.args:
        values = request.args.getlist(name)
        params[name] = values[0] if len(values) == 1 else values
    return params


def _call(action: str):
    function = actions.ACTIONS.get(action)
    if function is None:
        if action in actions.WRITE_ACTIONS:
            raise NotAuthorized("this CKAN API is read-only")
        raise BadRequest(f"Action name not known: {action[:60]}")
    params = _params()
    if any("\x00" in str(value) for value in params.values()):
        raise BadRequest("NUL characters are not accepted")
    result = function(params, request.host_url.rstrip("/"))
    stats.count("ckan_call")
    return _answer(200, True, result)


@blp.route("/api/3/action/<path:action>", methods=["GET", "POST"], parameters=ACTION)
@toolkit.accepts_media_types("application/x-www-form-urlencoded", "text/plain")
@blp.response(200, CkanEnvelopeSchema, description="CKAN's envelope (errors: success false and error)")
@blp.doc(**CKAN_FAILURE)
def call_ckan_action(action):
    """Call a CKAN action (API version 3): parameters in the query string or a JSON body."""
    return _call(action)


@blp.route("/api/action/<path:action>", methods=["GET", "POST"], parameters=ACTION)
@toolkit.accepts_media_types("application/x-www-form-urlencoded", "text/plain")
@blp.response(200, CkanEnvelopeSchema, description="CKAN's envelope (errors: success false and error)")
@blp.doc(**CKAN_FAILURE)
def call_ckan_action_unversioned(action):
    """Call a CKAN action (the version-less path CKAN clients use by default)."""
    return _call(action)
