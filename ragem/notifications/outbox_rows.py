"""The outbox table: messages no gateway took, kept for developers (``ragem dev outbox``).

One-time codes travel in these messages, so the body is written to the log and kept in the table
only outside production; in production the outbox keeps who (encrypted) and why, and the log only the
channel and purpose. The core's own ``ragem_deliver_message`` (``ragem.core_hooks``, run last)
writes here; this module depends on nothing that sends, so the hook contract stays at the bottom.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.notifications.models import OutboxMessage

log = logging.getLogger("ragem.delivery")

REDACTED = "[not kept in production: {n} characters]"


def _production() -> bool:
    return current_app.config["RAGEM"]["ENV"] == "production"


def store_in_outbox(message: OutboundMessage) -> None:
    """Keep a message no gateway delivered in ``outbox_message`` (added and flushed; caller commits)."""
    production = _production()
    row = OutboxMessage(
        channel=message.channel,
        recipient=message.to,  # stored encrypted, with a keyed hash (erasure finds it)
        body=REDACTED.format(n=len(message.body)) if production else message.body,
        purpose=(message.purpose or "")[:64],
        user_id=message.user_id,
    )
    db.session.add(row)
    db.session.flush()
    if production:
        # Never the body (it may hold a one-time code) nor the recipient (personal data).
        log.warning(
            "no gateway took a %s message (%s); kept in the outbox", message.channel, message.purpose or "-",
            extra={"channel": message.channel, "purpose": message.purpose},
        )
    else:
        log.info(  # the number masked: logs are copied to places the database is not
            "outbox %s to %s (%s): %s", message.channel, _masked(message.to), message.purpose or "-", message.body,
            extra={"channel": message.channel, "purpose": message.purpose},
        )


def _masked(recipient: str) -> str:
    """A phone number with its middle digits hidden (``+62812*****890``); other recipients as they are."""
    if recipient.startswith("+") and len(recipient) > 9:
        return recipient[:6] + "*" * (len(recipient) - 9) + recipient[-3:]
    return recipient


def latest(limit: int = 20) -> list[OutboxMessage]:
    """The newest outbox messages, newest first."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))
