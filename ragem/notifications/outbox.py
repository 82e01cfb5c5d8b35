"""Messages leaving RAGEM (SMS, WhatsApp, push) and the development outbox."""
from __future__ import annotations

import logging

from ragem.hooktypes import OutboundMessage

log = logging.getLogger("ragem.delivery")


def store_in_outbox(message: OutboundMessage) -> None:
    """Keep a message no gateway delivered (to be completed: persisted outbox)."""
    log.info("message kept in outbox", extra={"channel": message.channel, "purpose": message.purpose})
