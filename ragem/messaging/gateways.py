"""Which plugin delivers which channel: the gateways declared through ``ragem_message_gateways``.

Collected once per app at start-up (a gateway depends on its plugin's settings, which do not
change while the app runs), by channel; for one channel the first plugin by slug is used.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from ragem.catalog.state import is_available
from ragem.hooktypes import MESSAGE_CHANNELS, DeliveryResult, MessageGateway, OutboundMessage

log = logging.getLogger("ragem.delivery")

#: The channels a one-time code can travel by (push never carries one: anyone holding the phone
#: unlocked sees a notification, and a push token outlives a change of owner).
CODE_CHANNELS = ("whatsapp", "sms")
_KEY = "ragem.message_gateways"


@dataclass(frozen=True)
class Gateway:
    """A declared gateway and the plugin that serves it."""

    provider: str
    channel: str
    plugin: Any  # the PluginRecord

    @property
    def slug(self) -> str:
        """The slug of the plugin serving the gateway."""
        return self.plugin.slug


def collect(app: Flask) -> dict[str, list[Gateway]]:
    """Ask every started plugin for its gateways and keep them on the app, by channel."""
    registry = app.extensions["ragem.plugins"]
    settings = app.config["RAGEM"]
    found: dict[str, list[Gateway]] = {}
    for record, answer in registry.per_plugin("ragem_message_gateways", only_available=False, settings=settings):
        for item in answer or ():
            if not isinstance(item, MessageGateway) or item.channel not in MESSAGE_CHANNELS or not item.provider:
                log.error("gateway skipped: expected MessageGateway(provider, channel)", extra={"plugin": record.name})
                continue
            found.setdefault(item.channel, []).append(Gateway(item.provider[:32], item.channel, record))
    app.extensions[_KEY] = found
    return found


def by_channel(app: Flask | None = None) -> dict[str, list[Gateway]]:
    """The gateways of this app by channel (the first of each list serves the channel)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_KEY)
    return collect(app) if found is None else found


def for_channel(channel: str, app: Flask | None = None) -> Gateway | None:
    """The gateway that serves ``channel`` now, or ``None``. A gateway an admin switched off
    (``PATCH /api/v1/admin/services/<slug>``) is passed over: the operator's way to stop a
    misbehaving provider at once, the next gateway or channel taking over."""
    candidates = [g for g in by_channel(app).get(channel) or [] if is_available(g.slug)]
    return candidates[0] if candidates else None


def providers(app: Flask | None = None) -> list[Gateway]:
    """Every declared gateway, whichever channel, ordered by channel then provider."""
    return sorted((g for items in by_channel(app).values() for g in items), key=lambda g: (g.channel, g.provider))


def can_send_codes(app: Flask | None = None) -> bool:
    """Whether some gateway takes SMS or WhatsApp, the channels one-time codes travel by."""
    table = by_channel(app)
    return any(table.get(channel) for channel in CODE_CHANNELS)


def send_through(gateway: Gateway, message: OutboundMessage) -> DeliveryResult:
    """Hand ``message`` to one gateway's plugin; its answer as a ``DeliveryResult`` (never raises)."""
    registry = current_app.extensions["ragem.plugins"]
    try:
        answer = registry.call_one(gateway.plugin, "ragem_deliver_message", message=message)
    except Exception as exc:  # noqa: BLE001 - a broken gateway is a failed try, not a failed request
        log.exception("gateway raised", extra={"provider": gateway.provider, "channel": message.channel})
        return DeliveryResult(provider=gateway.provider, status="failed", error=f"gateway error: {type(exc).__name__}")
    if isinstance(answer, DeliveryResult):
        return answer
    if answer:
        return DeliveryResult(provider=gateway.provider, status="sent")
    return DeliveryResult(provider=gateway.provider, status="failed", error="the gateway did not take the message")
