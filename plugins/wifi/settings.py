"""The Wi-Fi service's settings (``RAGEM_WIFI_*``): the FreeRADIUS endpoints' secret and allow-list,
device and token limits, the captive portal's address and who hears about silent hotspots."""
from __future__ import annotations

import ipaddress

from ragem import toolkit


def networks(text: str) -> list:
    """Comma-separated IP networks (``127.0.0.1/32,10.0.0.0/8``) as ``ipaddress`` networks."""
    result = []
    for part in toolkit.text_list(text):
        try:
            result.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return result


def secret(text: str) -> str:
    """A shared secret long enough not to be guessed."""
    value = text.strip()
    if len(value) < 24:
        raise ValueError("use at least 24 characters (e.g. `openssl rand -hex 32`)")
    return value


def url(text: str) -> str:
    """An http(s) URL."""
    value = text.strip()
    if not value.startswith(("https://", "http://")):
        raise ValueError("expected an http:// or https:// URL")
    return value


#: Bearer secret FreeRADIUS sends to the rlm_rest endpoints. No default in production.
RADIUS_SECRET = toolkit.PluginSetting(
    "WIFI_RADIUS_SECRET", parse=secret, default=None,
    help="bearer secret FreeRADIUS's rest module sends (required in production)")
#: Where FreeRADIUS may call from.
RADIUS_ALLOWED_NETWORKS = toolkit.PluginSetting(
    "WIFI_RADIUS_ALLOWED_NETWORKS", parse=networks, default=networks("127.0.0.1/32,::1/128"),
    help="comma-separated IP networks FreeRADIUS calls the rest endpoints from")
MAX_DEVICES = toolkit.PluginSetting(
    "WIFI_MAX_DEVICES", parse=toolkit.positive_int, default=3, help="devices a citizen may register")
TOKEN_MINUTES = toolkit.PluginSetting(
    "WIFI_TOKEN_MINUTES", parse=toolkit.positive_int, default=10,
    help="minutes a Wi-Fi log-in token stays valid")
PORTAL_URL = toolkit.PluginSetting(
    "WIFI_PORTAL_URL", parse=url, default="https://wifi.serangkota.go.id/",
    help="the captive portal's log-in page (RFC 8908 user-portal-url)")
#: Officers of these OPDs hear about silent hotspots.
COMMAND_CENTRE_OPDS = toolkit.PluginSetting(
    "WIFI_COMMAND_CENTRE_OPDS", parse=toolkit.text_list, default=["DISKOMINFO"],
    help="comma-separated OPD codes whose officers are told about silent hotspots")

ALL = (RADIUS_SECRET, RADIUS_ALLOWED_NETWORKS, MAX_DEVICES, TOKEN_MINUTES, PORTAL_URL, COMMAND_CENTRE_OPDS)


def problems(settings) -> list[str]:
    """Every malformed ``RAGEM_WIFI_*`` value, and a missing RADIUS secret in production."""
    found = [problem for setting in ALL for problem in setting.problems(settings)]
    if settings.get("ENV") == "production" and not RADIUS_SECRET.problems(settings) \
            and not RADIUS_SECRET.read(settings):
        found.append("RAGEM_WIFI_RADIUS_SECRET is not set: production needs the FreeRADIUS bearer secret")
    return found
