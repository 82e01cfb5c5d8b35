"""The Wi-Fi service's permissions.

- citizens (``wifi.use``) accept the terms, get log-in tokens and register their devices;
- admins (``wifi.manage``) manage hotspots, policies and suspensions, and read the usage KPIs.

The FreeRADIUS endpoints are not behind an account: they check the shared bearer secret and the
caller's address (``services/gate.py``).
"""
from __future__ import annotations

from ragem import toolkit

USE, MANAGE = "wifi.use", "wifi.manage"

PERMISSIONS = (
    toolkit.Permission(USE, {"id": "Memakai Wi-Fi publik (token dan perangkat)",
                             "en": "Use the public Wi-Fi (tokens and devices)"}, ("citizen",)),
    toolkit.Permission(MANAGE, {"id": "Mengelola hotspot, kebijakan dan penangguhan Wi-Fi",
                                "en": "Manage Wi-Fi hotspots, policies and suspensions"}, ("admin",)),
)
