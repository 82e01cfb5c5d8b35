"""What the job machinery keeps in the database: final failures and claimed periodic slots."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ragem.extensions import db
from ragem.timeutil import utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class FailedJob(db.Model):
    """A job that failed on its last try: kept so that no failure is ever silently dropped."""

    __tablename__ = "failed_job"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)  # "module:qualname" or "<slug>.<job>"
    args: Mapped[str] = mapped_column(Text, nullable=False)  # repr of the arguments, truncated
    error: Mapped[str] = mapped_column(Text, nullable=False)  # the last traceback, truncated
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    failed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    # What a retry needs, as JSON: {"path", "args", "kwargs"} of a queued job whose arguments are
    # JSON (ids and texts, as enqueue asks), or {"periodic": name}; NULL when it cannot be replayed.
    replay: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_failed_job_failed_at", "failed_at"),)


class JobRun(db.Model):
    """A claimed interval slot of a periodic job.

    ``slot`` is ``floor(epoch seconds / every_seconds)``. The unique ``(name, slot)`` pair is the
    lock: of all the workers and hosts that try to run a job in the same slot, exactly one insert
    succeeds, on SQLite and PostgreSQL alike, with no lock server.
    """

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    slot: Mapped[int] = mapped_column(BigInteger, nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    ok: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("name", "slot"),)
