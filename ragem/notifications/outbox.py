"""Messages leaving RAGEM (SMS, WhatsApp, push): ``deliver`` and the background job that retries.

``deliver`` is the dispatcher of ``ragem.messaging``: the gateways plugins declared, in the
citizen's preferred order, each try recorded; without a declared gateway the
``ragem_deliver_message`` hook, whose core implementation (``ragem.core_hooks``, run last) keeps
the message in the outbox (``ragem.notifications.outbox_rows``; ``ragem dev outbox``).
"""
from __future__ import annotations

from typing import Any

from ragem.hooktypes import OutboundMessage
from ragem.messaging.dispatch import deliver
from ragem.notifications.outbox_rows import REDACTED, latest, store_in_outbox  # noqa: F401  (callers' names)
from ragem.pii import decrypt


class DeliveryFailed(RuntimeError):
    """No gateway delivered the message (raised inside jobs so that they are retried)."""


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
