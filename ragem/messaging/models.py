"""Delivery attempts of outbound messages, and the one-time codes waiting for their SMS fallback."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.sealed import sealed
from ragem.timeutil import utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class DeliveryAttempt(db.Model):
    """One try at delivering one message through one gateway, and what its receipts said since.

    Never the body (it may hold a one-time code) nor the recipient's number: the account id says
    whom, the provider's message id ties the receipts to the row.
    """

    __tablename__ = "message_delivery_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    cost_units: Mapped[float | None] = mapped_column(Numeric(12, 5, asdecimal=False))
    error: Mapped[str | None] = mapped_column(String(300))
    # The attempt this one replaced (a WhatsApp code that was not delivered in time went by SMS).
    fallback_of: Mapped[int | None] = mapped_column(ForeignKey("message_delivery_attempt.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        # A receipt finds its attempt by the provider's id; one provider never reuses one.
        UniqueConstraint("provider", "provider_message_id", name="uq_message_delivery_attempt_provider_id"),
        # The admin list and the readiness check read the newest attempts (of one provider).
        Index("ix_message_delivery_attempt_provider_created", "provider", "created_at"),
        Index("ix_message_delivery_attempt_created", "created_at", "id"),
    )


class PendingFallback(db.Model):
    """A message sent by WhatsApp that goes by SMS unless a receipt says it was delivered in time.

    The message itself must wait somewhere for the fallback (a one-time code is stored only hashed),
    so it is kept sealed with ``RAGEM_DATA_KEY``, and the row is deleted as soon as the fallback is
    sent or no longer needed.
    """

    __tablename__ = "message_pending_fallback"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("message_delivery_attempt.id", ondelete="CASCADE"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, index=True)
    message_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    message = sealed("message", load=json.loads, dump=json.dumps)  # channel, to, body, user, purpose, data
