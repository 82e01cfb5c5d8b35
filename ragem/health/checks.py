"""Readiness checks: can this process reach its database and its upload storage (a folder or an
object store)? Redis (when configured) and the message gateways are reported as advisory checks.

Each check has a short timeout, so a load balancer's probe answers quickly when a dependency is
down instead of hanging until the OS gives up on the TCP connection.
"""
from __future__ import annotations

import errno
import logging
import os
import time
from typing import Any, Callable

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ragem.extensions import db
from ragem.messaging import health as gateway_health

log = logging.getLogger("ragem.health")

TIMEOUT_SECONDS = 2


def _readiness_engine(app: Flask):
    """The engine the database check uses.

    PostgreSQL gets a dedicated pool-less engine with a connect and statement timeout: the app's
    own engine has neither, and a probe must never wait minutes. SQLite is a local file, so the
    app's engine is the honest test.
    """
    engine = app.extensions.get("ragem.readiness_engine")
    if engine is None:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("postgresql"):
            engine = create_engine(
                url,
                poolclass=NullPool,
                connect_args={
                    "connect_timeout": TIMEOUT_SECONDS,
                    "options": f"-c statement_timeout={TIMEOUT_SECONDS * 1000}",
                },
            )
        else:
            engine = db.engine
        app.extensions["ragem.readiness_engine"] = engine
    return engine


def check_database(app: Flask) -> None:
    """The database answers ``SELECT 1`` and accepts writes; raises otherwise.

    Writable means a SQLite file (and its folder, for the journal) this process may write, or a
    PostgreSQL session that is not read-only (a standby). ``os.access`` rather than a test write:
    the probe runs every few seconds and must not take SQLite's write lock; it also sees a file
    made immutable, even as root.
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    with _readiness_engine(app).connect() as conn:
        conn.execute(text("SELECT 1"))
        if url.get_backend_name() == "postgresql":
            if conn.execute(text("SHOW transaction_read_only")).scalar() == "on":
                raise PermissionError(errno.EROFS, "database is read-only")
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        for target in (url.database, os.path.dirname(os.path.abspath(url.database))):
            if not os.access(target, os.W_OK):
                raise PermissionError(errno.EACCES, "database not writable", target)


def check_storage(app: Flask) -> None:
    """The upload storage can take a file of the largest allowed size now (a folder's free space and
    permissions; an object store's bucket answering to these credentials)."""
    app.extensions["ragem.storage"].check_writable(min_free_bytes=app.config["RAGEM"]["UPLOAD_MAX_BYTES"])


def check_redis(app: Flask) -> None:
    """``PING`` Redis; raises when it cannot be reached."""
    client = app.extensions.get("ragem.readiness_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(
            app.config["RAGEM"]["REDIS_URL"],
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
        )
        app.extensions["ragem.readiness_redis"] = client
    client.ping()


def readiness_checks(app: Flask) -> dict[str, Callable[[Flask], None]]:
    """The checks a process cannot serve without, by dependency name: the database and the upload
    storage."""
    return {"database": check_database, "storage": check_storage}


def advisory_checks(app: Flask) -> dict[str, Callable[[Flask], None]]:
    """Checks reported without making the process unready: one per message gateway, failed when
    its recent attempts all failed (a provider's outage must not take the API out of service), and
    Redis when configured. Without Redis a process still serves every request (jobs run in the
    process, rate limits count in its memory, sessions live in the database): were it unready, the
    load balancer would take every host out at once and a Redis outage would stop the whole city's
    API, 112 included."""
    checks = dict(gateway_health.checks(app))
    if app.config["RAGEM"].get("REDIS_URL"):
        checks["redis"] = check_redis
    return checks


def run_checks(app: Flask) -> dict[str, dict[str, Any]]:
    """Run every check; each result says ``ok`` or ``failed``, how long it took, and why it failed.

    The reason given to the client is only the error's type: connection errors name hosts and
    ports, which stay in the log. Advisory checks carry ``"advisory": true``.
    """
    results: dict[str, dict[str, Any]] = {}
    advisory = advisory_checks(app)
    for name, check in {**readiness_checks(app), **advisory}.items():
        started = time.perf_counter()
        try:
            check(app)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", never a 500
            log.warning("readiness check failed", extra={"dependency": name, "error": str(exc)})
            results[name] = {"status": "failed", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        if name in advisory:
            results[name]["advisory"] = True
    return results
