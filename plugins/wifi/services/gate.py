"""Who may call the FreeRADIUS endpoints: a caller inside ``RAGEM_WIFI_RADIUS_ALLOWED_NETWORKS``
presenting ``Authorization: Bearer <RAGEM_WIFI_RADIUS_SECRET>``. Without a configured secret the
endpoints refuse everyone (production refuses to start without one)."""
from __future__ import annotations

import hmac
import ipaddress

from flask import request

from ragem import toolkit

from plugins.wifi import settings

MSG_FORBIDDEN = {"id": "Hanya server RADIUS yang terdaftar yang boleh memanggil layanan ini.",
                 "en": "Only the registered RADIUS server may call this endpoint."}


def check() -> None:
    """Raise 403 ``radius_forbidden`` unless the caller is the configured FreeRADIUS.

    (403, not 401: rlm_rest reads the body of a 401 as reply attributes, and this refusal is for the
    FreeRADIUS operator, not for the person logging in.)
    """
    secret = settings.RADIUS_SECRET.value()
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    allowed = address is not None and any(address in network for network in settings.RADIUS_ALLOWED_NETWORKS.value())
    header = request.headers.get("Authorization", "")
    presented = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not (secret and allowed and hmac.compare_digest(presented.encode("utf-8", "replace"), secret.encode("utf-8"))):
        raise toolkit.Forbidden("radius_forbidden", MSG_FORBIDDEN)
