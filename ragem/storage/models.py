"""The record of every stored file: what it is, who owns it and where its bytes are."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow


class StoredFile(db.Model):
    """An uploaded file. The bytes live in the storage backend under ``storage_key``.

    ``id`` is a random UUID that also names the file in storage; the client's filename is never
    kept. ``sha256`` is of the stored (cleaned) bytes and doubles as the HTTP ETag.
    """

    __tablename__ = "stored_file"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(128), unique=True, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    owner_id: Mapped[str | None] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    # When something began to use the file. A file uploaded through the generic route waits for a
    # service to claim it (``toolkit.attach_file``); one still unclaimed after
    # RAGEM_UPLOAD_UNATTACHED_HOURS is deleted by the ``core.files-cleanup`` job.
    attached_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_stored_file_owner_id", "owner_id"),
        Index("ix_stored_file_attached_created", "attached_at", "created_at"),
    )
