"""MAC addresses as people type them and as hotspot gear sends them, in one canonical form.

Accepted notations: ``aa:bb:cc:dd:ee:ff``, ``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff`` (Cisco),
``aabbccddeeff`` (bare); upper or lower case. The canonical form is ``AA:BB:CC:DD:EE:FF``.
Broadcast, all-zero and multicast addresses name no device and are refused.
"""
from __future__ import annotations

import re

from ragem import toolkit

_NOTATIONS = (
    re.compile(r"^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$"),
    re.compile(r"^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$"),
    re.compile(r"^([0-9a-f]{12})$"),
)
MSG_INVALID_MAC = {
    "id": "Alamat MAC tidak valid. Contoh: AA:BB:CC:DD:EE:FF.",
    "en": "Invalid MAC address. Example: AA:BB:CC:DD:EE:FF.",
}


def parse_mac(raw: str | None) -> str | None:
    """The canonical ``AA:BB:CC:DD:EE:FF`` form of ``raw``, or ``None`` when it is not a device's MAC."""
    if not isinstance(raw, str) or len(raw) > 20:
        return None
    text = raw.strip().lower()
    for pattern in _NOTATIONS:
        match = pattern.match(text)
        if match:
            digits = "".join(g for g in match.groups() if g not in (":", "-"))
            break
    else:
        return None
    if digits in ("000000000000", "ffffffffffff") or int(digits[1], 16) & 1:
        return None  # no device has it: all-zero, broadcast or a multicast group
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)).upper()


def normalise_mac(raw: str, *, field: str = "mac") -> str:
    """``parse_mac`` for input a citizen typed: 422 ``invalid_mac`` when it is not a device's MAC."""
    mac = parse_mac(raw)
    if mac is None:
        raise toolkit.ValidationError("invalid_mac", MSG_INVALID_MAC, details={field: ["invalid MAC address"]})
    return mac
