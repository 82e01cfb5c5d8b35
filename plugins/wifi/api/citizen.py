"""A citizen's Wi-Fi: terms, one-step access, log-in tokens and devices."""
from __future__ import annotations

from ragem import toolkit

from plugins.wifi import settings
from plugins.wifi.access import USE
from plugins.wifi.schemas.access import AccessRequestSchema, AccessSchema, AccessStatusSchema, TermsSchema, \
    WifiTokenSchema
from plugins.wifi.schemas.devices import DeviceCreateSchema, DeviceListSchema, DeviceSchema, DeviceUpdateSchema
from plugins.wifi.services import devices, registration, terms

blp = toolkit.Blueprint("wifi_citizen", __name__, description="Wi-Fi: access, tokens and devices")


def _token(token, secret) -> dict:
    return {"username": token.username, "password": secret, "expires_at": token.expires_at}


@blp.route("/terms")
@blp.response(200, TermsSchema)
def get_wifi_terms():
    """The current terms of use (no log-in needed)."""
    return registration.current_terms()


@blp.route("/access")
@toolkit.permission_required(USE)
@blp.response(200, AccessStatusSchema)
def get_wifi_access():
    """Whether the citizen accepted the current terms (`accepted` false: show the terms and ask
    again; their devices and tokens are refused until then)."""
    return terms.acceptance_status(toolkit.current_user().id)


@blp.route("/access", methods=["POST"])
@toolkit.permission_required(USE)
@blp.arguments(AccessRequestSchema)
@blp.response(201, AccessSchema)
@blp.alt_response(409, response="CONFLICT", description="not the current terms version (`terms_outdated`)")
def accept_wifi_terms(body):
    """Accept the current terms and get a log-in token, in one step (403 `wifi_suspended`)."""
    acceptance, token, secret = registration.accept_terms(toolkit.current_user(), body["terms_version"])
    return {"terms_version": acceptance.terms_version, "accepted_at": acceptance.accepted_at,
            "token": _token(token, secret)}


@blp.route("/tokens", methods=["POST"])
@toolkit.permission_required(USE)
@blp.response(201, WifiTokenSchema)
def create_wifi_token():
    """A new single-use log-in token (403 `terms_not_accepted` or `wifi_suspended`)."""
    return _token(*registration.issue_token(toolkit.current_user()))


@blp.route("/devices")
@toolkit.permission_required(USE)
@blp.response(200, DeviceListSchema)
def list_wifi_devices():
    """The citizen's devices registered for automatic log-in."""
    return {"items": devices.list_devices(toolkit.current_user()), "max_devices": settings.MAX_DEVICES.value()}


@blp.route("/devices", methods=["POST"])
@toolkit.permission_required(USE)
@blp.arguments(DeviceCreateSchema)
@blp.response(201, DeviceSchema)
@blp.alt_response(409, response="CONFLICT", description="`device_limit` or `device_taken`")
def add_wifi_device(body):
    """Register a device by its MAC address (any common notation; 422 `invalid_mac`)."""
    return devices.add_device(toolkit.current_user(), **body)


@blp.route("/devices/<int:device_id>", methods=["PATCH"])
@toolkit.permission_required(USE)
@blp.arguments(DeviceUpdateSchema)
@blp.response(200, DeviceSchema)
def rename_wifi_device(body, device_id):
    """Change a device's label (404 for a device that is not the citizen's)."""
    return devices.rename_device(toolkit.current_user(), device_id, **body)


@blp.route("/devices/<int:device_id>", methods=["DELETE"])
@toolkit.permission_required(USE)
@blp.response(204)
@blp.alt_response(409, response="CONFLICT", description="the device is suspended (`device_suspended`)")
def remove_wifi_device(device_id):
    """Remove a device: it no longer logs in automatically."""
    devices.remove_device(toolkit.current_user(), device_id)
