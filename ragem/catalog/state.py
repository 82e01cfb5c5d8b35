"""Which services are switched on, as seen by this worker.

Every worker keeps a snapshot of the ``service_state`` table and re-reads it once it is older
than ``RAGEM_STATE_TTL`` seconds (default 1 s). A toggle therefore reaches every worker on every
host within TTL plus one query, with no restart and no extra infrastructure; the worker that made
the change drops its snapshot at once.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ragem.catalog.models import ServiceState
from ragem.extensions import db


@dataclass(frozen=True)
class StateSnapshot:
    """One service's switch as last read (the admin's details too: the admin list is built from it)."""

    enabled: bool
    message: dict | None
    reason: str | None = None
    admin_message: dict | None = None  # both texts as the admin wrote them
    updated_at: datetime | None = None
    updated_by: str | None = None


class StateCache:
    """A time-bounded, thread-safe copy of the ``service_state`` table."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._states: dict[str, StateSnapshot] = {}
        self._read_at = float("-inf")
        #: Bumped whenever a refresh finds different states, so derived caches know to rebuild.
        self.version = 0

    def get(self) -> dict[str, StateSnapshot]:
        """The states, refreshed from the database when older than the TTL."""
        if time.monotonic() - self._read_at < self.ttl:
            return self._states
        with self._lock:
            if time.monotonic() - self._read_at >= self.ttl:
                rows = db.session.scalars(select(ServiceState)).all()
                fresh = {
                    row.slug: StateSnapshot(
                        enabled=row.enabled,
                        message=(
                            {"id": row.message_id, "en": row.message_en or row.message_id}
                            if row.message_id
                            else None
                        ),
                        reason=row.reason,
                        admin_message={"id": row.message_id, "en": row.message_en} if row.message_id else None,
                        updated_at=row.updated_at,
                        updated_by=row.updated_by,
                    )
                    for row in rows
                }
                if fresh != self._states:
                    self._states = fresh
                    self.version += 1
                self._read_at = time.monotonic()
        return self._states

    def invalidate(self) -> None:
        """Forget the snapshot so the next read sees the database."""
        self._read_at = float("-inf")


def cache() -> StateCache:
    """This app's state cache."""
    return current_app.extensions["ragem.state_cache"]


def snapshot(slug: str) -> StateSnapshot:
    """The current switch of ``slug`` (enabled when never toggled)."""
    return cache().get().get(slug) or StateSnapshot(enabled=True, message=None)


def is_available(slug: str) -> bool:
    """Whether the service ``slug`` is switched on."""
    return snapshot(slug).enabled
