"""The authorize path's look-ups as two prepared SQL statements instead of seven ORM queries.

FreeRADIUS asks authorize for every log-in, and a park full of phones reconnecting at once asks
thousands of times a second: building ORM statements cost more than running them. These
statements are written once (plain SQL both PostgreSQL and SQLite run) and only bound per request:
one finds the hotspot with its own and the global policy, one finds the token or device with its
suspension state and today's usage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text

from ragem import toolkit

from plugins.wifi.services.usage import day_start

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
""").bindparams(bindparam("identifiers", expanding=True))

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
_DEVICE = text(f"SELECT c.id, c.user_id, {_CALLER_COLUMNS.format(device_id='c.id')} "
               "FROM wifi_device c WHERE c.mac_hash = :mac_hash")
_TOKEN = text(f"SELECT c.id, c.user_id, {_CALLER_COLUMNS.format(device_id='NULL')}, c.used_at, c.expires_at "
              "FROM wifi_token c WHERE c.username = :username")


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


def hotspot_policy(identifiers: list[str]) -> HotspotPolicy | None:
    """The hotspot one of ``identifiers`` (lower case) belongs to, with its effective policy."""
    if not identifiers:
        return None
    row = toolkit.db.session.execute(_HOTSPOT, {"identifiers": identifiers}).first()
    if row is None:
        return None
    if row[3] is None:  # no global policy: reference data missing, the service cannot serve
        raise toolkit.ServiceUnavailable()
    return HotspotPolicy(*row)


def _when(value):
    # SQLite hands text back for a raw SQL datetime column; PostgreSQL a datetime.
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def device_state(mac: str) -> CallerState | None:
    """The registered device with ``mac`` (canonical form), or ``None``."""
    params = {"mac_hash": toolkit.lookup_hash(mac), "now": toolkit.utcnow(), "day_start": day_start()}
    row = toolkit.db.session.execute(_DEVICE, params).first()
    return None if row is None else CallerState(row[0], row[1], bool(row[2]), bool(row[3]), int(row[4]),
                                                int(row[5]))


def token_state(username: str) -> CallerState | None:
    """The log-in token with ``username``, or ``None``."""
    params = {"username": username[:32], "now": toolkit.utcnow(), "day_start": day_start()}
    row = toolkit.db.session.execute(_TOKEN, params).first()
    if row is None:
        return None
    return CallerState(row[0], row[1], bool(row[2]), bool(row[3]), int(row[4]), int(row[5]), _when(row[6]),
                       _when(row[7]))
