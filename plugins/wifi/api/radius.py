"""The endpoints FreeRADIUS's rest module (rlm_rest) calls: authorize, authenticate, post-auth and
accounting. Bodies are rlm_rest JSON (``body = 'json'``); answers follow the module's status-code
table (see ``services/radius.py``). Guarded by the shared bearer secret and the address allow-list,
not by a citizen's log-in.

Exempt from the per-client rate limit: every hotspot of the city reaches RAGEM through the same
FreeRADIUS address, and a limit meant for one phone would reject a park full of log-ins. The secret
and the allow-list are what keep everyone else out."""
from __future__ import annotations

from flask import request

from ragem import toolkit

from plugins.wifi.services import accounting, gate, radius
from plugins.wifi.services.radius_json import decode

blp = toolkit.Blueprint("wifi_radius", __name__, url_prefix="/radius",
                        description="Wi-Fi: FreeRADIUS rest module (rlm_rest) endpoints")

_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "rlm_rest JSON: each attribute as {\"type\": ..., \"value\": [...]}",
    "additionalProperties": {"type": "object", "properties": {
        "type": {"type": "string"}, "value": {"type": "array", "items": {}}}, "required": ["value"]}}}}}
_REPLY = {"description": "reply attributes (`reply:Session-Timeout`, `control:Auth-Type`...)",
          "content": {"application/json": {"schema": {"type": "object", "additionalProperties": {}}}}}
_AUTH_RESPONSES = {
    "200": _REPLY, "204": {"description": "ok"},
    "401": {"description": "reject, with `reply:Reply-Message`", "content": _REPLY["content"]},
    "403": {"description": "suspended (userlock), or not the configured FreeRADIUS (`radius_forbidden`)"},
    "404": {"description": "no token or device by that User-Name (notfound)"},
}


def _attributes() -> dict:
    gate.check()
    return decode(request.get_data(cache=False))


@blp.route("/authorize", methods=["POST"])
@toolkit.limiter.exempt
@blp.doc(operationId="authorizeWifiRadius", requestBody=_BODY, responses=_AUTH_RESPONSES)
def authorize_wifi_radius():
    """rlm_rest authorize: decide a log-in (hotspot, token or device, suspensions, quota) and set
    Session-Timeout, bandwidth and Reply-Message."""
    return radius.authorize(_attributes())


@blp.route("/authenticate", methods=["POST"])
@toolkit.limiter.exempt
@blp.doc(operationId="authenticateWifiRadius", requestBody=_BODY, responses=_AUTH_RESPONSES)
def authenticate_wifi_radius():
    """rlm_rest authenticate: check a token's secret (User-Password, PAP) and use the token up."""
    return radius.authenticate(_attributes())


@blp.route("/post-auth", methods=["POST"])
@toolkit.limiter.exempt
@blp.doc(operationId="postAuthWifiRadius", requestBody=_BODY, responses={"204": {"description": "ok"}})
def post_auth_wifi_radius():
    """rlm_rest post-auth: the hotspot's gear is alive; an accepted device was seen. The shipped
    module passes ``?result=Reject`` from the site's Post-Auth-Type REJECT section."""
    attributes = _attributes()
    return radius.post_auth(attributes, rejected=request.args.get("result", "").lower() == "reject")


@blp.route("/accounting", methods=["POST"])
@toolkit.limiter.exempt
@blp.doc(operationId="accountWifiRadius", requestBody=_BODY,
         responses={"204": {"description": "recorded (once, whatever the retries)"},
                    "422": {"description": "absurd counters (`absurd_counters`), nothing recorded"}})
def account_wifi_radius():
    """rlm_rest accounting: Start, Interim-Update, Stop (idempotent on Acct-Unique-Session-Id),
    Accounting-On/Off."""
    return accounting.record(_attributes())
