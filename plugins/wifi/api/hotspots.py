"""The public list of hotspots (the app's map)."""
from __future__ import annotations

from ragem import toolkit

from plugins.wifi.schemas.hotspots import HotspotListSchema
from plugins.wifi.services import hotspots

blp = toolkit.Blueprint("wifi_hotspots", __name__, description="Wi-Fi: hotspots")


@blp.route("/hotspots")
@blp.response(200, HotspotListSchema)
def list_wifi_hotspots():
    """Every hotspot not retired (active or in maintenance), by name: no log-in needed."""
    return {"items": hotspots.list_public()}
