"""Readiness checks: can this process reach its database and, when configured, Redis?

Each check has a short timeout, so a load balancer's probe answers quickly when a dependency is
down instead of hanging until the OS gives up on the TCP connection.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ragem.extensions import db

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
    """``SELECT 1`` on the database; raises when it cannot be reached."""
    with _readiness_engine(app).connect() as conn:
        conn.execute(text("SELECT 1"))


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
    """The checks that apply to this app's configuration, by dependency name."""
    checks: dict[str, Callable[[Flask], None]] = {"database": check_database}
    if app.config["RAGEM"].get("REDIS_URL"):
        checks["redis"] = check_redis
    return checks


def run_checks(app: Flask) -> dict[str, dict[str, Any]]:
    """Run every check; each result says ``ok`` or ``failed``, how long it took, and why it failed.

    The reason given to the client is only the error's type: connection errors name hosts and
    ports, which stay in the log.
    """
    results: dict[str, dict[str, Any]] = {}
    for name, check in readiness_checks(app).items():
        started = time.perf_counter()
        try:
            check(app)
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", never a 500
            log.warning("readiness check failed", extra={"dependency": name, "error": str(exc)})
            results[name] = {"status": "failed", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return results
