"""The devices the RAGEM app registered for push notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ragem import toolkit


class PushDevice(toolkit.db.Model):
    """One app installation's FCM registration token, for one account.

    The token is sealed: it addresses one phone, and whoever holds it (with the project's key)
    can write to that phone. Its keyed hash finds a token registered again, by anyone.
    """

    __tablename__ = "push_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    token_ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    token = toolkit.sealed("token", lookup=toolkit.lookup_hash)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=toolkit.utcnow, nullable=False)
