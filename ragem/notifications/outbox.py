"""Messages leaving RAGEM (SMS, WhatsApp, push) and the outbox that keeps the ones no gateway took.

``deliver`` asks the ``ragem_deliver_message`` hook: a gateway plugin that handles the channel
answers ``True``; when none does, the core's own implementation (``ragem.core_hooks``, run last)
calls ``store_in_outbox``. Developers read the outbox with ``ragem dev outbox``.

One-time codes travel in these messages, so the body is written to the log and kept in the table
only outside production; in production the outbox keeps who (encrypted) and why, and the log only the
channel and purpose.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select

from ragem.extensions import db
from ragem.hooktypes import OutboundMessage
from ragem.notifications.models import OutboxMessage
from ragem.pii import decrypt

log = logging.getLogger("ragem.delivery")

REDACTED = "[not kept in production: {n} characters]"


class DeliveryFailed(RuntimeError):
    """No gateway delivered the message (raised inside jobs so that they are retried)."""


def _production() -> bool:
    return current_app.config["RAGEM"]["ENV"] == "production"


def deliver(message: OutboundMessage) -> bool:
    """Send ``message`` through the first gateway plugin that takes its channel, else the outbox.

    Call inside an app context. An outbox row joins the current transaction: the caller (or the
    job runner) commits it. A gateway that raises is logged and counts as not delivered.
    :returns: ``True`` when a gateway (or the outbox) took the message.
    :raises ValueError: the message is malformed (unknown channel, no recipient, no body).
    """
    problems = message.problems()
    if problems:
        raise ValueError("cannot deliver message: " + "; ".join(problems))
    hook = current_app.extensions["ragem.plugins"].pm.hook
    try:
        return bool(hook.ragem_deliver_message(message=message))
    except Exception:  # noqa: BLE001 - a broken gateway must not break the request that sends
        log.exception("message delivery failed", extra={"channel": message.channel, "purpose": message.purpose})
        return False


def send_job(channel: str, sealed_to: str, body: str, user_id: str | None = None, purpose: str = "",
             data: dict[str, Any] | None = None) -> None:
    """Background job: deliver one message; raises ``DeliveryFailed`` so the job runner retries it.

    The recipient travels encrypted (``pii.encrypt``): a job's arguments sit in Redis and, when it
    fails for good, in ``failed_job``, and a phone number must not sit there in clear.
    """
    message = OutboundMessage(channel=channel, to=decrypt(sealed_to), body=body, user_id=user_id,
                              purpose=purpose, data=data or {})
    if not deliver(message):
        raise DeliveryFailed(f"no gateway delivered the {channel} message ({purpose or 'no purpose'})")


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
