"""The in-process rate-limit storage of the embedded default (no Redis).

limits' ``MemoryStorage`` starts a ``threading.Timer`` to sweep expired counters whenever the last
one has fired, i.e. a new thread every 10 ms under load: on the benchmark that was half the cost
of serving the catalog. Counters already expire when they are read, so the sweep only frees
memory of clients that never came back; here it runs inline, at most once every few seconds.
"""
from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "ragem-memory"
SWEEP_SECONDS = 10.0


class InlineSweepMemoryStorage(MemoryStorage):
    """``MemoryStorage`` without the sweeper thread (``ragem-memory://``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one started by MemoryStorage.__init__
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - replaces the name-mangled hook
        """Sweep expired counters inline, at most every ``SWEEP_SECONDS`` (no thread)."""
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
