"""The profile's own table: the record of every profile read a service made."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow


class ProfileAccess(db.Model):
    """A service read a citizen's profile fields: which, why, when, for which officer."""

    __tablename__ = "profile_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True, nullable=False)
    service: Mapped[str] = mapped_column(String(32), nullable=False)
    fields: Mapped[list] = mapped_column(JSON, nullable=False)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    officer_id: Mapped[str | None] = mapped_column(String(36))
    # The officer's OPD when the read happened: the citizen is shown "an officer of <OPD>", which
    # must stay true after the officer moves to another OPD or leaves.
    officer_opd: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
