"""The rate-limit storage of the embedded default (no Redis): a SQLite file every worker shares.

flask-limiter's in-memory storage counts per process: under gunicorn each worker kept its own
counters, so a limit of 20 log-ins a minute let 20 through *per worker* (39 with two). On the
embedded default the counters now live in ``<instance>/ratelimits.sqlite3``, one file for every
worker of the host, so a documented limit holds whatever the number of workers. Redis
(``RAGEM_REDIS_URL``) stays the production store, shared by every host.

A file of its own, not the main database: a counter is written on every limited request, and the
main SQLite file has one writer at a time. Each count is one atomic upsert (``INSERT ... ON
CONFLICT ... RETURNING``), so two workers cannot both take the last request of a window; WAL mode
and ``synchronous=NORMAL`` keep the write to a few microseconds (a counter lost to a power cut
costs nothing). Only the fixed-window strategy (flask-limiter's default, used by RAGEM) is
supported. Expired counters are deleted inline, at most every ``SWEEP_SECONDS``.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

from ragem.private_paths import private_file

SCHEME = "ragem-sqlite"
FILE_NAME = "ratelimits.sqlite3"
SWEEP_SECONDS = 60.0
BUSY_TIMEOUT_MS = 5000

_SCHEMA = "CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
# One statement: a counter past its window starts again at ``amount`` with a new window.
_INCREMENT = """
INSERT INTO counter (key, count, expires) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN counter.expires <= :now THEN excluded.count ELSE counter.count + excluded.count END,
    expires = CASE WHEN counter.expires <= :now THEN excluded.expires ELSE counter.expires END
RETURNING count
"""


def embedded_uri(instance_path: str) -> str:
    """The storage URI of the embedded default: the shared file under the instance folder."""
    return f"{SCHEME}://{Path(instance_path).resolve() / FILE_NAME}"


class SQLiteFileStorage(Storage):
    """limits storage on a SQLite file shared by the processes of one host (``ragem-sqlite://PATH``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path((uri or "").split("://", 1)[1])
        self._local = threading.local()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened lazily and again after a fork (gunicorn workers)."""
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            private_file(self.path)  # 0600, like the instance's other files
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=True)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` hits on ``key``; a new window of ``expiry`` seconds starts when none is open."""
        now = time.time()
        connection = self._connection()
        count = connection.execute(_INCREMENT, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).fetchall()[0][0]
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            connection.execute("DELETE FROM counter WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        """Hits on ``key`` in its open window (0 when none is open)."""
        row = self._connection().execute(
            "SELECT count FROM counter WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When the open window of ``key`` ends (now when none is open), seconds since the epoch."""
        now = time.time()
        row = self._connection().execute(
            "SELECT expires FROM counter WHERE key = ? AND expires > ?", (key, now)
        ).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        """Whether the file can be read."""
        try:
            self._connection().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        return self._connection().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        """Forget the counter of ``key``."""
        self._connection().execute("DELETE FROM counter WHERE key = ?", (key,))
