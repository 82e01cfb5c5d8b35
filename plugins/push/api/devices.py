"""``/api/v1/push/devices``: the app registers (and forgets) the phone it runs on."""
from __future__ import annotations

from ragem import toolkit

from plugins.push.schemas.devices import PushDeviceForgetSchema, PushDeviceRegisteredSchema, PushDeviceSchema
from plugins.push.services import devices

blp = toolkit.Blueprint("push_devices", __name__, description="Devices that receive push notifications")


@blp.route("/devices", methods=["POST"])
@toolkit.login_required
@blp.arguments(PushDeviceSchema)
@blp.response(201, PushDeviceRegisteredSchema)
def register_push_device(body):
    """Receive notifications on this phone (a token another account registered moves to the caller)."""
    return devices.register(toolkit.current_user().id, body["token"], body["platform"])


@blp.route("/devices", methods=["DELETE"])
@toolkit.login_required
@blp.arguments(PushDeviceForgetSchema)
@blp.response(204)
def forget_push_device(body):
    """Stop notifications on this phone (only the caller's own token is forgotten)."""
    devices.forget(toolkit.current_user().id, body["token"])
