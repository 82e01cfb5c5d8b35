"""The SMS fallback of a one-time code sent by WhatsApp that no receipt called delivered in time.

``schedule`` keeps the message sealed beside its attempt, due after
``RAGEM_MESSAGES_CODE_FALLBACK_SECONDS``; the periodic job ``core.message-fallback`` sends every
due one by SMS. A ``delivered`` or ``read`` receipt deletes the row first; a ``failed`` one makes
it due at once.
"""
from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ragem.extensions import db
from ragem.hooktypes import OutboundMessage, PeriodicJob
from ragem.messaging import attempts, gateways
from ragem.messaging.models import DeliveryAttempt, PendingFallback
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.delivery")

#: How often the job looks for due fallbacks (the delay a citizen may wait beyond the setting).
EVERY_SECONDS = 15
BATCH = 200


def schedule(attempt: DeliveryAttempt, message: OutboundMessage) -> PendingFallback:
    """Keep ``message`` for an SMS fallback of ``attempt`` (added; the caller commits)."""
    seconds = current_app.config["RAGEM"]["MESSAGES_CODE_FALLBACK_SECONDS"]
    kept = asdict(message)
    kept["data"] = dict(kept["data"])
    row = PendingFallback(attempt_id=attempt.id, due_at=utcnow() + timedelta(seconds=seconds))
    row.message = kept
    db.session.add(row)
    return row


def send_due(now: datetime | None = None) -> int:
    """Send every due fallback by SMS, each committed on its own; returns how many were sent.

    A row is deleted before its SMS goes (in the same transaction as the new attempt), so a second
    run never sends it again; an attempt delivered meanwhile is only cleaned up.
    """
    now = now or utcnow()
    sent = 0
    while True:  # batch by batch, so a backlog (an outage of receipts) drains in one run
        ids = list(db.session.scalars(
            select(PendingFallback.attempt_id).where(PendingFallback.due_at <= now)
            .order_by(PendingFallback.due_at).limit(BATCH)))
        handled, went = _send_batch(ids)
        sent += went
        if not handled:  # every row is another worker's right now: it will finish them
            return sent


def _send_batch(ids: list[int]) -> tuple[int, int]:
    """Send the fallbacks of these attempts (each committed on its own); how many rows were
    handled, and how many SMS went."""
    handled = sent = 0
    for attempt_id in ids:
        row = db.session.scalar(
            select(PendingFallback).where(PendingFallback.attempt_id == attempt_id).with_for_update(skip_locked=True))
        if row is None:
            continue  # a receipt or another worker got there first
        handled += 1
        attempt = db.session.get(DeliveryAttempt, attempt_id)
        kept = row.message
        db.session.delete(row)
        if attempt is not None and attempt.status in ("delivered", "read"):
            db.session.commit()
            continue
        sent += _send_sms(OutboundMessage(**{**kept, "channel": "sms"}), attempt_id)
        db.session.commit()
    return handled, sent


def _send_sms(message: OutboundMessage, replaced: int) -> int:
    """Send the fallback through the SMS gateway and record it as replacing ``replaced``."""
    gateway = gateways.for_channel("sms")
    if gateway is None:
        return 0
    result = gateways.send_through(gateway, message)
    attempts.record(message, result, fallback_of=replaced)
    return 1 if result.ok else 0


def job() -> None:
    """Periodic job: send the SMS fallbacks that are due."""
    count = send_due()
    if count:
        log.info("sent %d one-time code(s) by SMS after WhatsApp", count)


JOB = PeriodicJob("message-fallback", every_seconds=EVERY_SECONDS, func=job)
