"""The in-app inbox and the outbox of messages no gateway delivered."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.pii import contact_hash
from ragem.sealed import sealed
from ragem.timeutil import utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Notification(db.Model):
    """A message in a user's in-app inbox, in Indonesian and English."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Indexed by ix_notification_user_created below (user_id is its leading column).
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    service: Mapped[str] = mapped_column(String(32), nullable=False)  # a plugin slug or "core"
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    title_id: Mapped[str] = mapped_column(String(200), nullable=False)
    title_en: Mapped[str] = mapped_column(String(200), nullable=False)
    body_id: Mapped[str] = mapped_column(Text, nullable=False)
    body_en: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    # The inbox is read newest first per user (keyset on created_at, id).
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at", "id"),)


class OutboxMessage(db.Model):
    """An SMS, WhatsApp or push message that no gateway plugin took (read with ``ragem dev outbox``)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    # A phone number, an email address or an account id: found by keyed hash (erasure), shown decrypted.
    recipient_hash: Mapped[str] = mapped_column(String(64), index=True, nullable=False)
    recipient_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    recipient = sealed("recipient", lookup=contact_hash)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    purpose: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    user_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False, index=True)
