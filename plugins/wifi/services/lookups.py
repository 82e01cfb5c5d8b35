"""The authorize path's look-ups as two prepared SQL statements instead of seven ORM queries.

FreeRADIUS asks authorize for every log-in, and a park full of phones reconnecting at once asks
thousands of times a second: building ORM statements cost more than running them. These
statements are written once (plain SQL both PostgreSQL and SQLite run) and only bound per request:
one finds the hotspot with its own and the global policy, one finds the token or device with its
suspension state, terms acceptance and today's usage. They run on a plain connection in autocommit,
not in the ORM session: nothing is loaded as objects, so the session's bookkeeping and the
transaction around one read were pure cost.

The hotspot and its policy change only when an admin edits them, so each worker keeps them in
memory for ``HOTSPOT_CACHE_SECONDS``: the worker that made the change forgets at once, the others
within that bound. Everything about the person (suspensions, terms, the token's state, today's
usage) is read fresh on every request: a suspension refuses the next log-in.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, column, text

from ragem import toolkit

from plugins.wifi.services.usage import day_start


def _named(*names: str) -> list:
    # The result's columns declared (matched by position): SQLAlchemy then describes a result once
    # per statement instead of reading the driver's column descriptions on every request.
    return [column(name) for name in names]


_HOTSPOT = text("""
    SELECT h.id, h.name, h.status,
           COALESCE(p.session_seconds, g.session_seconds), COALESCE(p.daily_seconds, g.daily_seconds),
           COALESCE(p.daily_bytes, g.daily_bytes), COALESCE(p.down_kbps, g.down_kbps),
           COALESCE(p.up_kbps, g.up_kbps)
    FROM wifi_hotspot_nas n
    JOIN wifi_hotspot h ON h.id = n.hotspot_id
    LEFT JOIN wifi_policy p ON p.hotspot_id = h.id
    LEFT JOIN wifi_policy g ON g.hotspot_id IS NULL
    WHERE n.identifier IN :identifiers
    ORDER BY n.id
    LIMIT 1
""").bindparams(bindparam("identifiers", expanding=True)).columns(*_named(
    "id", "name", "status", "session_seconds", "daily_seconds", "daily_bytes", "down_kbps", "up_kbps"))

# The caller's row, whether a suspension holds on them (or their device), whether they accepted the
# terms in force, and today's usage.
_CALLER_COLUMNS = """
    CASE WHEN EXISTS (
        SELECT 1 FROM wifi_suspension s
        WHERE s.lifted_at IS NULL AND (s.until IS NULL OR s.until > :now)
          AND ((s.kind = 'user' AND s.user_id = c.user_id) OR (s.kind = 'device' AND s.device_id = {device_id}))
    ) THEN 1 ELSE 0 END,
    CASE WHEN EXISTS (
        SELECT 1 FROM wifi_terms_acceptance t
        WHERE t.user_id = c.user_id AND t.terms_version = (
            SELECT v.version FROM wifi_terms v WHERE v.published_at <= :now ORDER BY v.published_at DESC LIMIT 1)
    ) THEN 1 ELSE 0 END,
    (SELECT COALESCE(SUM(a.session_seconds), 0) FROM wifi_session a
     WHERE a.user_id = c.user_id AND a.updated_at >= :day_start),
    (SELECT COALESCE(SUM(a.input_bytes + a.output_bytes), 0) FROM wifi_session a
     WHERE a.user_id = c.user_id AND a.updated_at >= :day_start)
"""
_CALLER_NAMES = ("id", "user_id", "suspended", "terms_accepted", "seconds_today", "bytes_today")
_DEVICE = text(f"SELECT c.id, c.user_id, {_CALLER_COLUMNS.format(device_id='c.id')} "
               "FROM wifi_device c WHERE c.mac_hash = :mac_hash").columns(*_named(*_CALLER_NAMES))
_TOKEN = text(f"SELECT c.id, c.user_id, {_CALLER_COLUMNS.format(device_id='NULL')}, c.used_at, c.expires_at "
              "FROM wifi_token c WHERE c.username = :username").columns(
                  *_named(*_CALLER_NAMES, "used_at", "expires_at"))


@dataclass(frozen=True)
class HotspotPolicy:
    """A hotspot and the policy in force there."""

    id: int
    name: str
    status: str
    session_seconds: int
    daily_seconds: int
    daily_bytes: int
    down_kbps: int
    up_kbps: int


@dataclass(frozen=True)
class CallerState:
    """A token's or device's citizen, whether suspended, whether they accepted the terms in force,
    today's usage (and a token's state)."""

    row_id: int
    user_id: str | None
    suspended: bool
    terms_accepted: bool
    seconds_today: int
    bytes_today: int
    used_at: datetime | None = None
    expires_at: datetime | None = None


#: Seconds a worker answers from its copy of a hotspot and its policy (documented in docs/wifi.md).
HOTSPOT_CACHE_SECONDS = 5.0
#: Distinct NAS identities remembered per worker; past that the copy starts afresh (bounded memory).
HOTSPOT_CACHE_ENTRIES = 1024


def _hotspot_cache() -> dict:
    return current_app.extensions.setdefault("wifi.hotspot_cache", {})


def forget_hotspots() -> None:
    """Drop this worker's copy of the hotspots and policies (call after changing one)."""
    _hotspot_cache().clear()


def _first(statement, params: dict):
    # Autocommit: one read needs no transaction, and BEGIN plus the ROLLBACK on the connection's
    # return to the pool were two of the request's four round trips to PostgreSQL.
    with toolkit.db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection.execute(statement, params).first()


def hotspot_policy(identifiers: list[str]) -> HotspotPolicy | None:
    """The hotspot one of ``identifiers`` (lower case) belongs to, with its effective policy (at
    most ``HOTSPOT_CACHE_SECONDS`` old)."""
    if not identifiers:
        return None
    key, now = tuple(identifiers), time.monotonic()
    cache = _hotspot_cache()
    cached = cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = _first(_HOTSPOT, {"identifiers": identifiers})
    if row is not None and row[3] is None:  # no global policy: reference data missing, cannot serve
        raise toolkit.ServiceUnavailable()
    found = None if row is None else HotspotPolicy(*row)
    if len(cache) >= HOTSPOT_CACHE_ENTRIES:
        cache.clear()
    cache[key] = (now + HOTSPOT_CACHE_SECONDS, found)
    return found


def _when(value):
    # SQLite hands text back for a raw SQL datetime column; PostgreSQL a datetime.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def device_state(mac: str) -> CallerState | None:
    """The registered device with ``mac`` (canonical form), or ``None``."""
    params = {"mac_hash": toolkit.lookup_hash(mac), "now": toolkit.utcnow(), "day_start": day_start()}
    row = _first(_DEVICE, params)
    return None if row is None else CallerState(row[0], row[1], bool(row[2]), bool(row[3]), int(row[4]),
                                                int(row[5]))


def token_state(username: str) -> CallerState | None:
    """The log-in token with ``username``, or ``None``."""
    params = {"username": username[:32], "now": toolkit.utcnow(), "day_start": day_start()}
    row = _first(_TOKEN, params)
    if row is None:
        return None
    return CallerState(row[0], row[1], bool(row[2]), bool(row[3]), int(row[4]), int(row[5]), _when(row[6]),
                       _when(row[7]))
