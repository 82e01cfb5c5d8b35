"""Choosing how a message leaves: the citizen's preferred channel first, the other one next.

``deliver`` is what ``toolkit.deliver`` runs. With gateways declared (``ragem_message_gateways``)
it tries the channels in the citizen's order, records each attempt, and for a one-time code sent
by WhatsApp keeps an SMS fallback waiting (``fallback``). With none declared for the message's
channels it asks the ``ragem_deliver_message`` hook as before, so a plugin that never declared a
gateway still delivers, and the core's outbox still catches what nobody took (development).
"""
from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from ragem.auth.models import User
from ragem.extensions import db
from ragem.hooktypes import DeliveryResult, OutboundMessage
from ragem.messaging import attempts, fallback, gateways
from ragem.messaging.gateways import CODE_CHANNELS

log = logging.getLogger("ragem.delivery")

#: Purposes of one-time codes start with this (``otp.verify_phone``...).
CODE_PURPOSE = "otp."
CHANNEL_PREFERENCES = ("sms", "whatsapp")


def is_code(message: OutboundMessage) -> bool:
    """Whether the message carries a one-time code."""
    return (message.purpose or "").startswith(CODE_PURPOSE)


def preferred_channel(user_id: str | None) -> str | None:
    """The channel the account prefers for texts, or ``None`` without an account."""
    if not user_id:
        return None
    return db.session.scalar(select(User.preferred_channel).where(User.id == user_id))


def channel_order(message: OutboundMessage) -> list[str]:
    """The channels to try, in order: an SMS or WhatsApp message goes by the citizen's preferred
    channel first and the other one next; any other channel only by itself."""
    if message.channel not in CODE_CHANNELS:
        return [message.channel]
    first = preferred_channel(message.user_id) or message.channel
    return [first] + [c for c in CODE_CHANNELS if c != first]


def deliver(message: OutboundMessage) -> bool:
    """Send ``message`` through the gateways in the citizen's order; returns whether one took it.

    Each try is recorded (joins the current transaction; the caller commits). A gateway that
    raises counts as a failed try. Without a gateway for any of the message's channels the hook
    decides (a plugin that declared no gateway, else the development outbox).
    :raises ValueError: the message is malformed (unknown channel, no recipient, no body).
    """
    problems = message.problems()
    if problems:
        raise ValueError("cannot deliver message: " + "; ".join(problems))
    route = [(channel, gateways.for_channel(channel)) for channel in channel_order(message)]
    route = [(channel, gateway) for channel, gateway in route if gateway is not None]
    if not route:
        return _ask_hook(message)
    previous = None
    for index, (channel, gateway) in enumerate(route):
        outgoing = replace(message, channel=channel)
        result = gateways.send_through(gateway, outgoing)
        attempt = attempts.record(outgoing, result, fallback_of=previous)
        if result.ok:
            if channel == "whatsapp" and is_code(message) and any(c == "sms" for c, _ in route[index + 1:]):
                fallback.schedule(attempt, outgoing)
            return True
        previous = attempt.id
    log.warning("no gateway delivered a %s message (%s)", message.channel, message.purpose or "-",
                extra={"channel": message.channel, "purpose": message.purpose})
    return False


TEST_PURPOSE = "messages.send-test"
TEST_TEXT = "RAGEM: pesan uji dari {provider}. / a test message from {provider}."


def send_test(channel: str, to: str):
    """Send a test text through the gateway of ``channel`` only (no fallback), record and commit
    the attempt; returns it, or ``None`` when no gateway takes the channel. For an operator who
    checks a gateway's settings (``ragem messages send-test``)."""
    gateway = gateways.for_channel(channel)
    if gateway is None:
        return None
    message = OutboundMessage(channel=channel, to=to, body=TEST_TEXT.format(provider=gateway.provider),
                              purpose=TEST_PURPOSE)
    problems = message.problems()
    if problems:
        raise ValueError("; ".join(problems))
    attempt = attempts.record(message, gateways.send_through(gateway, message))
    db.session.commit()
    return attempt


def _ask_hook(message: OutboundMessage) -> bool:
    """No declared gateway for the channel: the first plugin answering the hook, else the outbox."""
    hook = current_app.extensions["ragem.plugins"].pm.hook
    try:
        answer = hook.ragem_deliver_message(message=message)
    except Exception:  # noqa: BLE001 - a broken gateway must not break the request that sends
        log.exception("message delivery failed", extra={"channel": message.channel, "purpose": message.purpose})
        return False
    if isinstance(answer, DeliveryResult):
        attempts.record(message, answer)
        return answer.ok
    return bool(answer)
