"""Checking a pooled PostgreSQL connection before use without a round trip when it is busy.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every check-out: one extra round trip to
PostgreSQL per request, which on the Wi-Fi authorize path (one read a request) doubled the
database's share of the request. What the ping guards against is a connection the server dropped
while it sat in the pool: a restart of PostgreSQL, ``pg_terminate_backend``, an idle-session
timeout, a crashed backend. In all of these the server (or its kernel) closes the socket, and the
closed socket turns readable on our side. An idle, healthy connection has nothing to read.

So a check-out here costs one ``poll()`` of the socket, with no round trip, and pings only when
that is not enough to tell:

- the socket is readable or in error (the server said goodbye, or sent a notice): ping;
- the connection sat unused for ``IDLE_PING_SECONDS`` or more (a firewall or a dead host may drop
  a quiet connection without closing it): ping;
- psycopg already knows the connection is closed or broken: replace it without asking.

A failed ping raises ``DisconnectionError``, SQLAlchemy's documented signal to throw the
connection away and check out a fresh one (the pool tries again itself). Errors on a connection
that dies in the middle of a request still go through SQLAlchemy's disconnect handling, as with
``pool_pre_ping``: the connection is invalidated and the next check-out connects anew.
"""
from __future__ import annotations

import select
import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

#: A connection unused this long is pinged on check-out even when its socket looks quiet.
IDLE_PING_SECONDS = 10.0
_LAST_USED = "ragem.last_used"
_BAD_EVENTS = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def _socket_quiet(dbapi_connection) -> bool:
    """Whether the connection's socket has nothing to read and no error (no round trip)."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return False
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # psycopg raises when the connection is closed
        return False
    poller = select.poll()
    poller.register(fd, _BAD_EVENTS)
    return not any(events & _BAD_EVENTS for _, events in poller.poll(0))


def install(engine: Engine) -> None:
    """Check PostgreSQL connections on check-out as described above (``engine`` must not use
    ``pool_pre_ping``, which would ping every time anyway). Other databases are left alone."""
    if engine.dialect.name != "postgresql" or not hasattr(select, "poll"):
        return
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record):
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        if dbapi_connection is not None:
            record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_out(dbapi_connection, record, proxy):
        last_used = record.info.get(_LAST_USED)
        if last_used is not None and time.monotonic() - last_used < IDLE_PING_SECONDS \
                and _socket_quiet(dbapi_connection):
            return
        if getattr(dbapi_connection, "closed", False):
            raise exc.DisconnectionError("the connection was closed")
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError(str(error)) from error
            raise
