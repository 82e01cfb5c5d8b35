"""The Wi-Fi service's routes, one module per resource."""
from plugins.wifi.api import admin, citizen, hotspots, radius, captive  # noqa: F401
