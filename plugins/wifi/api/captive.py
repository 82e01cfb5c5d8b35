"""The captive-portal API (RFC 8908), answered as ``application/captive+json``."""
from __future__ import annotations

import json

from flask import Response, request

from ragem import toolkit

from plugins.wifi.services import captive

blp = toolkit.Blueprint("wifi_captive", __name__, description="Wi-Fi: captive portal API (RFC 8908)")

_ANSWER = {"type": "object", "required": ["captive"], "properties": {
    "captive": {"type": "boolean"}, "user-portal-url": {"type": "string", "format": "uri"},
    "seconds-remaining": {"type": "integer"}, "bytes-remaining": {"type": "integer"},
    "can-extend-session": {"type": "boolean"}}}


@blp.route("/captive-portal")
@blp.doc(responses={"200": {"description": "the client's captive state (RFC 8908)",
                            "content": {"application/captive+json": {"schema": _ANSWER}}}})
def get_wifi_captive_portal():
    """Whether the client is captive, the portal to log in at, and what is left of its session.

    The app asks with its log-in (the citizen's session); a device asks without one and is found by
    its address. Never cached: the answer changes as the session runs."""
    answer = captive.status(toolkit.current_user(), request.remote_addr)
    response = Response(json.dumps(answer), status=200, mimetype="application/captive+json")
    response.headers["Cache-Control"] = "private, no-store"
    return response
