"""The decisions behind FreeRADIUS's authorize, authenticate and post-auth calls.

Who is logging in is told by User-Name: ``rgm-...`` is a log-in token from the app (checked in
authenticate against User-Password, PAP), a MAC address in any common notation is a registered
device (MAC log-in: accepted in authorize). The hotspot is found by NAS-Identifier or
Called-Station-Id.

Answers follow rlm_rest's table: 200 with attributes (``updated``), 204 (``ok``), 401 with a
``Reply-Message`` (``reject``), 403 (``userlock``: a suspension), 404 (``notfound``: nobody by that
name); the admin switch makes the core answer 503 (``fail``), and FreeRADIUS rejects.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import Response
from sqlalchemy import or_, select, update

from ragem import toolkit

from plugins.wifi.models import Device, Hotspot, HotspotNas, WifiToken
from plugins.wifi.services import lookups, registration
from plugins.wifi.services.macs import parse_mac
from plugins.wifi.services.radius_json import invalid, reply, text

#: The Auth-Type of token log-ins: the shipped site's authenticate subsection of that name calls rest.
AUTH_TYPE = "ragem_wifi"
#: How often the NAS should send interim accounting updates.
INTERIM_SECONDS = 300
#: Traffic within this many seconds of the last mark does not write the hotspot row again.
SEEN_RESOLUTION = timedelta(seconds=60)

# Reply-Message, in both languages: RADIUS carries no Accept-Language, and the hotspot's login page
# shows the text as it comes. Each fits one RADIUS attribute (253 octets).
REJECT = {
    "unknown_hotspot": "Hotspot ini belum terdaftar di RAGEM. / This hotspot is not registered with RAGEM.",
    "hotspot_closed": "Hotspot ini sedang tidak melayani. / This hotspot is not in service.",
    "token_wrong": ("Token Wi-Fi salah. Minta token baru di aplikasi RAGEM. / "
                    "Wrong Wi-Fi token: get a new one in the RAGEM app."),
    "token_expired": ("Token Wi-Fi kedaluwarsa. Minta token baru di aplikasi RAGEM. / "
                      "Wi-Fi token expired: get a new one in the RAGEM app."),
    "token_used": ("Token Wi-Fi sudah dipakai. Minta token baru di aplikasi RAGEM. / "
                   "Wi-Fi token already used: get a new one in the RAGEM app."),
    "terms_changed": ("Syarat penggunaan Wi-Fi diperbarui. Buka aplikasi RAGEM dan setujui dulu. / "
                      "The Wi-Fi terms changed: open the RAGEM app and accept them first."),
    "quota_exhausted": ("Kuota Wi-Fi hari ini habis. Coba lagi besok. / "
                        "Today's Wi-Fi quota is used up: try again tomorrow."),
}
WELCOME = "Selamat datang di Wi-Fi publik Kota Serang: {name}. / Welcome to Kota Serang public Wi-Fi."
#: Hotspot names are up to 120 characters (more octets in UTF-8); the welcome must fit one attribute.
WELCOME_NAME_OCTETS = 150


def welcome(name: str) -> str:
    """The accept's Reply-Message, with the hotspot's name cut to fit one RADIUS attribute."""
    return WELCOME.format(name=name.encode("utf-8")[:WELCOME_NAME_OCTETS].decode("utf-8", "ignore"))


@dataclass
class Caller:
    """Who a RADIUS request is about: the citizen, and the token or device they log in with."""

    user_id: str | None
    token: WifiToken | None = None
    device: Device | None = None


def find_hotspot(attributes: dict) -> Hotspot | None:
    """The hotspot whose gear sent the request (by NAS-Identifier or Called-Station-Id)."""
    candidates = nas_candidates(attributes)
    if not candidates:
        return None
    return toolkit.db.session.scalar(
        select(Hotspot).join(HotspotNas, HotspotNas.hotspot_id == Hotspot.id)
        .where(HotspotNas.identifier.in_(candidates)).order_by(HotspotNas.id).limit(1))


def find_caller(user_name: str) -> Caller | None:
    """The token or device named by User-Name, or ``None`` when RAGEM knows no such name."""
    if user_name.startswith(registration.TOKEN_PREFIX):
        token = toolkit.db.session.scalar(select(WifiToken).where(WifiToken.username == user_name[:32]))
        return Caller(user_id=token.user_id, token=token) if token is not None else None
    mac = parse_mac(user_name)
    if mac is None:
        return None
    device = toolkit.db.session.scalar(select(Device).where(Device.mac == mac))
    return Caller(user_id=device.user_id, device=device) if device is not None else None


def _rejected(reason: str) -> Response:
    return reply(401, {"reply:Reply-Message": REJECT[reason]})


def _missing_user_name() -> toolkit.ApiError:
    return invalid("User-Name is required")


def nas_candidates(attributes: dict) -> list[str]:
    """The identities a request's gear may be registered under, lower case: NAS-Identifier,
    Called-Station-Id and, for 802.1X access points that send "<bssid>:<ssid>" (RFC 3580), the BSSID."""
    candidates = []
    for name in ("NAS-Identifier", "Called-Station-Id"):
        value = text(attributes, name)
        if value:
            value = value.strip().lower()[:128]
            candidates.append(value)
            if len(value) > 18 and value[17] == ":":
                candidates.append(value[:17])
    return candidates


def authorize(attributes: dict) -> Response:
    """Decide a log-in before its password is checked, and set the reply's limits (two queries:
    ``services/lookups.py``)."""
    user_name = (text(attributes, "User-Name") or "").strip()
    if not user_name:
        raise _missing_user_name()
    hotspot = lookups.hotspot_policy(nas_candidates(attributes))
    if hotspot is None:
        return _rejected("unknown_hotspot")
    if hotspot.status != "active":
        return _rejected("hotspot_closed")
    is_token = user_name.startswith(registration.TOKEN_PREFIX)
    if is_token:
        caller = lookups.token_state(user_name)
    else:
        mac = parse_mac(user_name)
        caller = lookups.device_state(mac) if mac else None
    if caller is None or caller.user_id is None:
        return reply(404)
    if is_token:
        problem = _token_state_problem(caller.used_at, caller.expires_at)
        if problem:
            return _rejected(problem)
    if caller.suspended:
        return reply(403)
    if not caller.terms_accepted:  # new terms published since: devices and tokens wait for the app
        return _rejected("terms_changed")
    seconds_left = max(0, hotspot.daily_seconds - caller.seconds_today)
    bytes_left = max(0, hotspot.daily_bytes - caller.bytes_today)
    if seconds_left <= 0 or bytes_left <= 0:
        return _rejected("quota_exhausted")
    return reply(200, {
        # Tokens go on to authenticate (the secret is checked there); a registered device is in.
        "control:Auth-Type": AUTH_TYPE if is_token else "Accept",
        "reply:Session-Timeout": min(hotspot.session_seconds, seconds_left),
        "reply:Acct-Interim-Interval": INTERIM_SECONDS,
        "reply:WISPr-Bandwidth-Max-Down": hotspot.down_kbps * 1000,
        "reply:WISPr-Bandwidth-Max-Up": hotspot.up_kbps * 1000,
        # MikroTik reads rx/tx from the router's side: rx is what the client uploads.
        "reply:Mikrotik-Rate-Limit": f"{hotspot.up_kbps}k/{hotspot.down_kbps}k",
        "reply:Mikrotik-Total-Limit": bytes_left % 2**32,
        "reply:Mikrotik-Total-Limit-Gigawords": bytes_left // 2**32,
        "reply:Reply-Message": welcome(hotspot.name),
    })


def _token_state_problem(used_at, expires_at) -> str | None:
    if used_at is not None:
        return "token_used"
    if expires_at <= toolkit.utcnow():
        return "token_expired"
    return None


def token_problem(token: WifiToken) -> str | None:
    """Why a token cannot log in (``token_used``, ``token_expired``), or ``None``."""
    return _token_state_problem(token.used_at, token.expires_at)


def authenticate(attributes: dict) -> Response:
    """Check a token's secret (User-Password) and use the token up, atomically: of two log-ins
    racing with one token, one wins."""
    user_name, password = text(attributes, "User-Name"), text(attributes, "User-Password")
    if not user_name:
        raise _missing_user_name()
    caller = find_caller(user_name.strip())
    if caller is None or caller.token is None:
        return reply(404)
    token = caller.token
    if not password or not hmac.compare_digest(registration.hash_secret(password), token.secret_hash):
        return _rejected("token_wrong")
    problem = token_problem(token)
    if problem:
        return _rejected(problem)
    now = toolkit.utcnow()
    used = toolkit.db.session.execute(
        update(WifiToken).where(WifiToken.id == token.id, WifiToken.used_at.is_(None), WifiToken.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    toolkit.db.session.commit()
    if used != 1:
        return _rejected("token_used")
    return reply(204)


def mark_traffic(hotspot: Hotspot | None) -> None:
    """Note that the hotspot's gear is talking (clears a silent flag). Writes at most once a minute
    per hotspot, so a busy park does not turn every log-in into a write on the same row."""
    if hotspot is None:
        return
    now = toolkit.utcnow()
    toolkit.db.session.execute(
        update(Hotspot).where(Hotspot.id == hotspot.id, or_(
            Hotspot.last_seen_at.is_(None), Hotspot.last_seen_at < now - SEEN_RESOLUTION,
            Hotspot.silent_since.is_not(None)))
        .values(last_seen_at=now, silent_since=None).execution_options(synchronize_session=False))


def post_auth(attributes: dict, *, rejected: bool) -> Response:
    """After FreeRADIUS decided (accept or ``rejected``): the hotspot is alive; an accepted device
    was seen."""
    user_name = text(attributes, "User-Name")
    if not user_name:
        raise _missing_user_name()
    mark_traffic(find_hotspot(attributes))
    caller = find_caller(user_name.strip())
    if caller is not None and caller.device is not None and not rejected:
        caller.device.last_seen_at = toolkit.utcnow()
    toolkit.db.session.commit()
    return reply(204)
