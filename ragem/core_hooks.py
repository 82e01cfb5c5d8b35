"""The core's own hook implementations: defaults that run last, after every plugin."""
from __future__ import annotations

import logging

import pluggy

from ragem.hooktypes import OutboundMessage
from ragem.notifications.outbox_rows import store_in_outbox

hookimpl = pluggy.HookimplMarker("ragem")
log = logging.getLogger("ragem.delivery")


@hookimpl(trylast=True)
def ragem_deliver_message(message: OutboundMessage) -> bool:
    """No gateway took the message: keep it in the development outbox and the log."""
    store_in_outbox(message)
    return True
