"""The record of delivery attempts: written when a gateway answers, moved on by its receipts."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select, update

from ragem.extensions import db
from ragem.hooktypes import DELIVERY_STATUSES, DeliveryResult, OutboundMessage
from ragem.messaging.models import DeliveryAttempt, PendingFallback
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.delivery")

# A receipt moves a message forward only: a late "sent" after "delivered" changes nothing, and a
# receipt repeated by the provider (they retry until answered 200) is a no-op.
_RANK = {"sent": 0, "delivered": 1, "read": 2, "failed": 1}
ERROR_MAX = 300


def record(message: OutboundMessage, result: DeliveryResult, *, fallback_of: int | None = None) -> DeliveryAttempt:
    """Add the attempt ``result`` describes (flushed; the caller commits). Never the body or number."""
    now = utcnow()
    status = result.status if result.status in ("sent", "failed") else "sent"
    attempt = DeliveryAttempt(
        channel=message.channel, provider=result.provider[:32], purpose=(message.purpose or "")[:64],
        provider_message_id=(result.provider_message_id or None) and str(result.provider_message_id)[:128],
        user_id=message.user_id, status=status, cost_units=result.cost_units,
        error=(result.error or None) and str(result.error)[:ERROR_MAX], fallback_of=fallback_of,
        created_at=now, updated_at=now, failed_at=now if status == "failed" else None,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def apply_receipt(provider: str, provider_message_id: str, status: str, *, at: datetime | None = None,
                  cost_units: float | None = None, error: str | None = None) -> bool:
    """Move the attempt the provider's receipt names to ``status``; commits.

    Idempotent: the same receipt twice, or an older one after a newer, changes nothing. A
    ``delivered`` or ``read`` receipt cancels a waiting SMS fallback; a ``failed`` one makes it due
    now. :returns: whether an attempt with that provider id exists (``False``: not ours, ignore).
    :raises ValueError: ``status`` is not one of ``DELIVERY_STATUSES``.
    """
    if status not in DELIVERY_STATUSES:
        raise ValueError(f"status must be one of {', '.join(DELIVERY_STATUSES)}")
    stmt = select(DeliveryAttempt).where(
        DeliveryAttempt.provider == provider, DeliveryAttempt.provider_message_id == provider_message_id)
    attempt = db.session.scalar(stmt.with_for_update())  # two receipts at once take turns (PostgreSQL)
    if attempt is None:
        return False
    now = utcnow()
    when = at or now
    changed = False
    if _RANK[status] > _RANK[attempt.status] or (status == "failed" and attempt.status == "sent"):
        attempt.status = status
        changed = True
    if status in ("delivered", "read") and attempt.delivered_at is None:
        attempt.delivered_at = when
        changed = True
    if status == "read" and attempt.read_at is None:
        attempt.read_at = when
    if status == "failed" and attempt.failed_at is None and attempt.delivered_at is None:
        attempt.failed_at = when
        attempt.error = (error or "failed")[:ERROR_MAX]
    if cost_units is not None and attempt.cost_units is None:
        attempt.cost_units = cost_units
        changed = True
    if changed:
        attempt.updated_at = now
    if attempt.status in ("delivered", "read"):
        db.session.execute(delete(PendingFallback).where(PendingFallback.attempt_id == attempt.id))
    elif attempt.status == "failed":
        db.session.execute(update(PendingFallback).where(PendingFallback.attempt_id == attempt.id).values(due_at=now))
    db.session.commit()
    return True


def recent_failures(provider: str, *, window_start: datetime, sample: int) -> bool:
    """Whether the provider's latest ``sample`` attempts since ``window_start`` all failed (and
    there were ``sample`` of them: two unlucky messages do not make an outage)."""
    statuses = list(db.session.scalars(
        select(DeliveryAttempt.status)
        .where(DeliveryAttempt.provider == provider, DeliveryAttempt.created_at >= window_start)
        .order_by(DeliveryAttempt.created_at.desc(), DeliveryAttempt.id.desc())
        .limit(sample)
    ))
    return len(statuses) >= sample and all(s == "failed" for s in statuses)
